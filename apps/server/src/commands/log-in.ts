/**
 * Signs a user in: throttled per account and per address, the same answer and similar time for an unknown e-mail
 * and a wrong password, TOTP when enrolled, a restricted session when policy requires TOTP not yet enrolled.
 */
import type { Db } from "@keyward/db/connect";
import * as OTPAuth from "otpauth";
import { type AuthenticatedActor, loadActor, snapshotOf } from "../auth/actor.ts";
import { burnVerification, verifySecret } from "../auth/passwords.ts";
import { createSession, endSession } from "../auth/sessions.ts";
import {
  ACCOUNT_FAILURE_CAP,
  ADDRESS_FAILURE_CAP,
  accountKey,
  addressKey,
  clearAttempts,
  countAttempt,
  failureDelayMs,
  forgiveAttempt,
  LOCK_MINUTES,
  lockedFor,
  purgeExpired,
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

/**
 * The 30-second step a TOTP code belongs to (one step of drift either way), or null when it matches none.
 */
export function totpStepOf(secret: string, code: string, now: Date): number | null {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: "SHA1",
    digits: 6,
    period: 30,
  });
  const delta = totp.validate({ token: code, window: 1, timestamp: now.getTime() });
  return delta === null ? null : Math.floor(now.getTime() / 30_000) + delta;
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
  // why: counted before the password is checked, in one statement each, so parallel guesses cannot slip past the cap
  const byAccount = await countAttempt(db, account, ACCOUNT_FAILURE_CAP, now);
  const byAddress = await countAttempt(db, address, ADDRESS_FAILURE_CAP, now);
  if (byAccount.refused || byAddress.refused) {
    throw tooManyAttempts(LOCK_MINUTES * 60);
  }
  await purgeExpired(db, now);

  const fail = async (organizationId: string | null, userId: string | null, reason: string) => {
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
    await deps.sleep(failureDelayMs(byAccount.attempts));
    return badCredentials();
  };

  const user = await db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
  if (!user) {
    await burnVerification(input.password);
    throw await fail(null, null, "unknown_email");
  }
  if (!(await verifySecret(user.password_hash, input.password))) {
    throw await fail(user.organization_id, user.id, "wrong_password");
  }
  const actor = await loadActor(db, user.id, null);
  if (!actor) {
    throw await fail(user.organization_id, user.id, "inactive");
  }
  let totpStep: number | null = null;
  if (user.totp_enabled_at && user.totp_secret) {
    if (!input.totp) {
      // why: the password was right; this attempt is not a guess and must not count towards the lock
      await forgiveAttempt(db, account);
      await forgiveAttempt(db, address);
      throw totpRequired();
    }
    totpStep = totpStepOf(user.totp_secret, input.totp, now);
    // why: a code is good for one sign-in; one seen over a shoulder or a network cannot be used again in its window
    if (totpStep === null || (user.totp_last_step !== null && totpStep <= user.totp_last_step)) {
      await fail(user.organization_id, user.id, "wrong_totp");
      throw totpRequired();
    }
  }
  const settings = await organizationSettings(db, user.organization_id);

  return db.transaction().execute(async (tx) => {
    if (input.previousSessionId) {
      // why: rotate on login — a token planted before sign-in must not become an authenticated session
      await endSession(tx, input.previousSessionId, "rotated", now);
    }
    await clearAttempts(tx, account);
    await forgiveAttempt(tx, address);
    const token = await createSession(tx, {
      organizationId: user.organization_id,
      userId: user.id,
      policy: { idleMinutes: settings.sessionIdleMinutes, maxHours: settings.sessionMaxHours },
      now,
    });
    await tx
      .updateTable("users")
      .set({ last_login_at: now.toISOString(), ...(totpStep !== null ? { totp_last_step: totpStep } : {}) })
      .where("id", "=", user.id)
      .execute();
    await recordEvent(tx, {
      organizationId: user.organization_id,
      propertyId: null,
      action: "auth.login_succeeded",
      entityType: "user",
      entityId: user.id,
      actor: snapshotOf(actor),
      after: { address: input.address, totp: !!user.totp_enabled_at, restricted: actor.restricted },
      now,
    });
    return { token, actor };
  });
}
