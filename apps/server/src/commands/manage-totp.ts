/**
 * Authenticator-app (TOTP) enrolment: start, confirm with a code, and turn off where policy allows. A new secret
 * waits in `totp_pending_secret` until a code proves the app holds it; an authenticator already in use keeps working
 * meanwhile, and replacing it needs a current code from it — a borrowed session cannot quietly swap it.
 */
import * as OTPAuth from "otpauth";
import { type AuthenticatedActor, managesPeople, snapshotOf } from "../auth/actor.ts";
import { forbidden, invalidInput } from "../errors.ts";
import { recordEvent } from "../events.ts";
import type { CommandContext } from "../resources/definition.ts";
import { organizationSettings } from "../services.ts";
import { totpStepOf } from "./log-in.ts";

async function secretsOf(ctx: CommandContext) {
  return ctx.tx
    .selectFrom("users")
    .select(["totp_secret", "totp_pending_secret", "totp_enabled_at"])
    .where("id", "=", ctx.actor.userId)
    .executeTakeFirstOrThrow();
}

/**
 * Starts enrolment with a new pending secret.
 * @param currentCode required when an authenticator is already active.
 */
export async function startTotpEnrolment(
  ctx: CommandContext,
  currentCode: string | undefined,
): Promise<{ secret: string; uri: string }> {
  const user = await secretsOf(ctx);
  if (user.totp_enabled_at && user.totp_secret) {
    if (!currentCode || totpStepOf(user.totp_secret, currentCode, ctx.now) === null) {
      throw invalidInput("code", "enter a current code from the authenticator you use now to replace it");
    }
  }
  const secret = new OTPAuth.Secret({ size: 20 });
  const totp = new OTPAuth.TOTP({
    issuer: "Keyward",
    label: ctx.actor.email,
    secret,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
  });
  await ctx.tx
    .updateTable("users")
    .set({ totp_pending_secret: secret.base32, updated_at: ctx.now.toISOString() })
    .where("id", "=", ctx.actor.userId)
    .execute();
  await recordTotpEvent(ctx, "user.totp_enrolment_started");
  return { secret: secret.base32, uri: totp.toString() };
}

/**
 * Confirms enrolment with a code from the new app; the pending secret becomes the active one.
 * @returns the actor as it now is (no longer restricted to enrolment).
 */
export async function confirmTotp(ctx: CommandContext, code: string): Promise<AuthenticatedActor> {
  const user = await secretsOf(ctx);
  if (!user.totp_pending_secret) {
    throw invalidInput("code", "start the set-up first");
  }
  const step = totpStepOf(user.totp_pending_secret, code, ctx.now);
  if (step === null) {
    throw invalidInput("code", "that code does not match; check the app's clock and enter the current code");
  }
  const iso = ctx.now.toISOString();
  await ctx.tx
    .updateTable("users")
    .set({
      totp_secret: user.totp_pending_secret,
      totp_pending_secret: null,
      totp_enabled_at: iso,
      totp_last_step: step,
      updated_at: iso,
    })
    .where("id", "=", ctx.actor.userId)
    .execute();
  await recordTotpEvent(ctx, "user.totp_enabled");
  return { ...ctx.actor, restricted: false };
}

/** Turns TOTP off with a current code, unless organization policy requires it for the actor's roles. */
export async function disableTotp(ctx: CommandContext, code: string): Promise<AuthenticatedActor> {
  const settings = await organizationSettings(ctx.tx, ctx.actor.organizationId);
  if (settings.requireTotpForManagers && managesPeople(ctx.actor)) {
    throw forbidden("turn off two-step sign-in: your organization requires it for your role");
  }
  const user = await secretsOf(ctx);
  if (!user.totp_secret || totpStepOf(user.totp_secret, code, ctx.now) === null) {
    throw invalidInput("code", "that code does not match");
  }
  await ctx.tx
    .updateTable("users")
    .set({
      totp_secret: null,
      totp_pending_secret: null,
      totp_enabled_at: null,
      totp_last_step: null,
      updated_at: ctx.now.toISOString(),
    })
    .where("id", "=", ctx.actor.userId)
    .execute();
  await recordTotpEvent(ctx, "user.totp_disabled");
  return ctx.actor;
}

function recordTotpEvent(
  ctx: CommandContext,
  action: "user.totp_enabled" | "user.totp_disabled" | "user.totp_enrolment_started",
): Promise<void> {
  return recordEvent(ctx.tx, {
    organizationId: ctx.actor.organizationId,
    propertyId: null,
    action,
    entityType: "user",
    entityId: ctx.actor.userId,
    actor: snapshotOf(ctx.actor),
    now: ctx.now,
  });
}
