/**
 * Failed sign-in throttling, per account (by the e-mail typed, existing or not) and per client address. Kept in the
 * database so that several server processes on PostgreSQL share one count.
 */
import type { Executor } from "@keyward/db/connect";

/** Failures within the window before further attempts are refused outright. */
export const ACCOUNT_FAILURE_CAP = 10;
export const ADDRESS_FAILURE_CAP = 50;
/** How long a capped key is refused. */
export const LOCK_MINUTES = 15;
/** Failures older than this are forgotten. */
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

/** Recent failures counted for a key (0 once the window has passed). */
export async function recentFailures(db: Executor, key: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom("login_throttle")
    .select(["failures", "last_failure_at"])
    .where("key", "=", key)
    .executeTakeFirst();
  if (!row || Date.parse(row.last_failure_at) < now.getTime() - WINDOW_MINUTES * 60_000) {
    return 0;
  }
  return row.failures;
}

/** Counts one failure for a key and locks it once it reaches the cap. */
export async function recordFailure(db: Executor, key: string, cap: number, now: Date): Promise<void> {
  const failures = (await recentFailures(db, key, now)) + 1;
  const iso = now.toISOString();
  const lockedUntil = failures >= cap ? new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString() : null;
  await db
    .insertInto("login_throttle")
    .values({ key, failures, first_failure_at: iso, last_failure_at: iso, locked_until: lockedUntil })
    .onConflict((oc) => oc.column("key").doUpdateSet({ failures, last_failure_at: iso, locked_until: lockedUntil }))
    .execute();
}

/** Forgets a key's failures after a success. */
export async function clearFailures(db: Executor, key: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("key", "=", key).execute();
}

/**
 * Delay to add before answering a failed attempt: grows with recent failures (0.25 s, 0.5 s, 1 s … up to 4 s) so
 * guessing slows down long before the cap.
 */
export function failureDelayMs(failures: number): number {
  if (failures < 3) {
    return 0;
  }
  return Math.min(4000, 250 * 2 ** (failures - 3));
}
