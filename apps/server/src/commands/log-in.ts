/**
 * Signs a user in: throttled per account and per address, the same answer and similar time for an unknown e-mail
 * and a wrong password, TOTP when enrolled, a restricted session when policy requires TOTP not yet enrolled.
 */
import type { Db } from "@keyward/db/connect";
import * as OTPAuth from "otpauth";
import { type AuthenticatedActor, loadActor, managesPeople, snapshotOf } from "../auth/actor.ts";
import { burnVerification, verifySecret } from "../auth/passwords.ts";
import { createSession, endSession } from "../auth/sessions.ts";
import {
  ACCOUNT_FAILURE_CAP,
  ADDRESS_FAILURE_CAP,
  accountKey,
  addressKey,
  clearFailures,
  failureDelayMs,
  lockedFor,
  recentFailures,
  recordFailure,
} from "../auth/throttle.ts";
import { badCredentials, tooManyAttempts, totpRequired } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { organizationSettings } from "../services.ts";

export interface LogInInput {
  email: string;
  password: string;
  totp?: string | undefined;
  address: string;
  /** Session being replaced (rotated), if the browser sent one. */
  previousSessionId: string | null;
}

export interface LogInDeps {
  db: Db;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** Checks a TOTP code (30 s steps, one step of drift either way). */
export function totpMatches(secret: string, code: string, now: Date): boolean {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: "SHA1",
    digits: 6,
    period: 30,
  });
  return totp.validate({ token: code, window: 1, timestamp: now.getTime() }) !== null;
}

/**
 * @returns the session token and the actor.
 * @throws unauthenticated (one answer for every wrong e-mail, password or inactive account), totp_required,
 *   too_many_attempts.
 */
export async function logIn(deps: LogInDeps, input: LogInInput): Promise<{ token: string; actor: AuthenticatedActor }> {
  const { db } = deps;
  const now = deps.now();
  const email = input.email.trim().toLowerCase();
  const account = accountKey(email);
  const address = addressKey(input.address);
  const wait = Math.max(await lockedFor(db, account, now), await lockedFor(db, address, now));
  if (wait > 0) {
    throw tooManyAttempts(wait);
  }

  const fail = async (organizationId: string | null, userId: string | null, reason: string) => {
    await recordFailure(db, account, ACCOUNT_FAILURE_CAP, now);
    await recordFailure(db, address, ADDRESS_FAILURE_CAP, now);
    if (organizationId) {
      await recordEvent(db, {
        organizationId,
        propertyId: null,
        action: "auth.login_failed",
        entityType: "user",
        entityId: userId,
        actor: { type: "user", id: userId, name: email, email },
        after: { reason, address: input.address },
        now,
      });
    }
    // why: growing delays slow guessing long before the cap, for existing and unknown accounts alike
    await deps.sleep(failureDelayMs(await recentFailures(db, account, now)));
  };

  const user = await db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
  if (!user) {
    await burnVerification(input.password);
    await fail(null, null, "unknown_email");
    throw badCredentials();
  }
  const passwordOk = await verifySecret(user.password_hash, input.password);
  if (!passwordOk) {
    await fail(user.organization_id, user.id, "wrong_password");
    throw badCredentials();
  }
  const actor = await loadActor(db, user.id, null, false);
  if (!actor) {
    await fail(user.organization_id, user.id, "inactive");
    throw badCredentials();
  }
  if (user.totp_enabled_at && user.totp_secret) {
    if (!input.totp) {
      throw totpRequired();
    }
    if (!totpMatches(user.totp_secret, input.totp, now)) {
      await fail(user.organization_id, user.id, "wrong_totp");
      throw totpRequired();
    }
  }
  const settings = await organizationSettings(db, user.organization_id);
  const restricted = settings.requireTotpForManagers && !user.totp_enabled_at && managesPeople(actor);

  return db.transaction().execute(async (tx) => {
    if (input.previousSessionId) {
      // why: rotate on login — a token planted before sign-in must not become an authenticated session
      await endSession(tx, input.previousSessionId, "rotated", now);
    }
    await clearFailures(tx, account);
    const token = await createSession(tx, {
      organizationId: user.organization_id,
      userId: user.id,
      restricted,
      policy: { idleMinutes: settings.sessionIdleMinutes, maxHours: settings.sessionMaxHours },
      now,
    });
    await tx.updateTable("users").set({ last_login_at: now.toISOString() }).where("id", "=", user.id).execute();
    const signedIn = { ...actor, restricted };
    await recordEvent(tx, {
      organizationId: user.organization_id,
      propertyId: null,
      action: "auth.login_succeeded",
      entityType: "user",
      entityId: user.id,
      actor: snapshotOf(signedIn),
      after: { address: input.address, totp: !!user.totp_enabled_at, restricted },
      now,
    });
    return { token, actor: signedIn };
  });
}
