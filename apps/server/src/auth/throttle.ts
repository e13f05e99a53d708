/**
 * Throttling of guesses — sign-in per account (by the e-mail typed, existing or not) and per client address, PIN
 * activation per credential. Kept in the database so that several server processes on PostgreSQL share one count.
 *
 * An attempt is counted atomically *before* the secret is checked: a burst of parallel guesses cannot all pass a
 * check that reads the count first and writes it later.
 */
import type { Executor } from "@keyward/db/connect";
import { sql } from "kysely";

/** Attempts within the window before further ones are refused outright. */
export const ACCOUNT_FAILURE_CAP = 10;
export const ADDRESS_FAILURE_CAP = 50;
/** How long a capped key is refused. */
export const LOCK_MINUTES = 15;
/** Attempts older than this are forgotten. */
export const WINDOW_MINUTES = 15;

export function accountKey(email: string): string {
  return `account:${email.trim().toLowerCase()}`;
}
export function addressKey(ip: string): string {
  return `address:${ip}`;
}

/** Seconds until the key may try again, or 0. */
export async function lockedFor(db: Executor, key: string, now: Date): Promise<number> {
  const row = await db.selectFrom("login_throttle").select("locked_until").where("key", "=", key).executeTakeFirst();
  if (!row?.locked_until) {
    return 0;
  }
  return Math.max(0, Math.ceil((Date.parse(row.locked_until) - now.getTime()) / 1000));
}

/**
 * Counts one attempt for a key in a single statement and returns the count, this attempt included; the key locks
 * once the count reaches the cap.
 * @returns the attempts in the window, and whether this one is over the cap (and must be refused unchecked).
 */
export async function countAttempt(
  db: Executor,
  key: string,
  cap: number,
  now: Date,
): Promise<{ attempts: number; refused: boolean }> {
  const iso = now.toISOString();
  const windowStart = new Date(now.getTime() - WINDOW_MINUTES * 60_000).toISOString();
  const lockUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString();
  const fresh = sql<boolean>`login_throttle.last_failure_at < ${windowStart}`;
  const next = sql<number>`case when ${fresh} then 1 else login_throttle.failures + 1 end`;
  const row = await db
    .insertInto("login_throttle")
    .values({
      key,
      failures: 1,
      first_failure_at: iso,
      last_failure_at: iso,
      locked_until: cap <= 1 ? lockUntil : null,
    })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        failures: next,
        first_failure_at: sql`case when ${fresh} then ${iso} else login_throttle.first_failure_at end`,
        last_failure_at: iso,
        locked_until: sql`case when ${next} >= ${cap} then ${lockUntil} else login_throttle.locked_until end`,
      }),
    )
    .returning("failures")
    .executeTakeFirstOrThrow();
  const attempts = Number(row.failures);
  return { attempts, refused: attempts > cap };
}

/** Takes one attempt back (a sign-in that succeeded from a shared address must not count against the others there). */
export async function forgiveAttempt(db: Executor, key: string): Promise<void> {
  await db
    .updateTable("login_throttle")
    .set({ failures: sql`case when failures > 0 then failures - 1 else 0 end` })
    .where("key", "=", key)
    .where("locked_until", "is", null)
    .execute();
}

/** Forgets a key's attempts after a success. */
export async function clearAttempts(db: Executor, key: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("key", "=", key).execute();
}

/**
 * Forgets a bounded batch of keys whose attempts and locks have expired: every e-mail typed, address and credential
 * id leaves a row, and the table must not grow without end.
 */
export async function purgeExpired(db: Executor, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - WINDOW_MINUTES * 60_000).toISOString();
  const iso = now.toISOString();
  const stale = db
    .selectFrom("login_throttle")
    .select("key")
    .where("last_failure_at", "<", windowStart)
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", iso)]))
    .limit(100);
  await db.deleteFrom("login_throttle").where("key", "in", stale).execute();
}

/**
 * Delay to add before answering a failed attempt: grows with recent attempts (0.25 s, 0.5 s, 1 s … up to 4 s) so
 * guessing slows down long before the cap.
 */
export function failureDelayMs(attempts: number): number {
  if (attempts < 3) {
    return 0;
  }
  return Math.min(4000, 250 * 2 ** (attempts - 3));
}
