/**
 * Dashboard sessions: a 256-bit random token in an HttpOnly SameSite cookie; the database keeps only its SHA-256.
 * Idle and absolute lifetimes come from organization policy; ending a session is immediate for every process.
 */
import type { Executor } from "@keyward/db/connect";
import { randomToken, tokenDigest } from "./passwords.ts";

export const SESSION_COOKIE = "keyward_session";

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

/** Creates a session; returns the cookie token (never stored). */
export async function createSession(
  db: Executor,
  input: { organizationId: string; userId: string; policy: SessionPolicy; now: Date },
): Promise<string> {
  const token = randomToken(32);
  const iso = input.now.toISOString();
  await db
    .insertInto("sessions")
    .values({
      id: tokenDigest(token),
      organization_id: input.organizationId,
      user_id: input.userId,
      created_at: iso,
      last_seen_at: iso,
      expires_at: new Date(input.now.getTime() + input.policy.maxHours * 3_600_000).toISOString(),
      ended_at: null,
      end_reason: null,
    })
    .execute();
  return token;
}

export interface LiveSession {
  id: string;
  userId: string;
  organizationId: string;
}

/**
 * Finds the live session of a cookie token and touches it; `null` when ended, expired or idle too long.
 * @param policyOf reads the session policy from the organization's settings JSON.
 */
export async function resumeSession(
  db: Executor,
  token: string,
  policyOf: (organizationSettings: string) => SessionPolicy,
  now: Date,
): Promise<LiveSession | null> {
  const id = tokenDigest(token);
  // why: every API call starts here, so the session and its organization's policy come back in one query
  const row = await db
    .selectFrom("sessions")
    .innerJoin("organizations", "organizations.id", "sessions.organization_id")
    .selectAll("sessions")
    .select("organizations.settings")
    .where("sessions.id", "=", id)
    .executeTakeFirst();
  if (!row || row.ended_at) {
    return null;
  }
  const policy = policyOf(row.settings);
  const idleLimit = Date.parse(row.last_seen_at) + policy.idleMinutes * 60_000;
  if (Date.parse(row.expires_at) <= now.getTime() || idleLimit <= now.getTime()) {
    await endSession(db, id, "expired", now);
    return null;
  }
  // why: write the touch at most once a minute; every request writing would serialize reads on SQLite
  if (now.getTime() - Date.parse(row.last_seen_at) > 60_000) {
    await db.updateTable("sessions").set({ last_seen_at: now.toISOString() }).where("id", "=", id).execute();
  }
  return { id, userId: row.user_id, organizationId: row.organization_id };
}

/** Ends one session. */
export async function endSession(db: Executor, id: string, reason: string, now: Date): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ ended_at: now.toISOString(), end_reason: reason })
    .where("id", "=", id)
    .where("ended_at", "is", null)
    .execute();
}

/** Ends every session of the given users (deactivation, password change). */
export async function endSessionsOf(
  db: Executor,
  userIds: string[],
  reason: string,
  now: Date,
  except?: string,
): Promise<void> {
  if (userIds.length === 0) {
    return;
  }
  let q = db
    .updateTable("sessions")
    .set({ ended_at: now.toISOString(), end_reason: reason })
    .where("user_id", "in", userIds)
    .where("ended_at", "is", null);
  if (except) {
    q = q.where("id", "<>", except);
  }
  await q.execute();
}
