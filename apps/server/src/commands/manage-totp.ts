/**
 * Authenticator-app (TOTP) enrolment: start, confirm with a code, and turn off where policy allows.
 */
import * as OTPAuth from "otpauth";
import { type AuthenticatedActor, managesPeople, snapshotOf } from "../auth/actor.ts";
import { forbidden, invalidInput } from "../errors.ts";
import { recordEvent } from "../events.ts";
import type { CommandContext } from "../resources/definition.ts";
import { organizationSettings } from "../services.ts";
import { totpMatches } from "./log-in.ts";

/** Stores a new pending secret; it takes effect only once a code confirms the app holds it. */
export async function startTotpEnrolment(ctx: CommandContext): Promise<{ secret: string; uri: string }> {
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
    .set({ totp_secret: secret.base32, totp_enabled_at: null, updated_at: ctx.now.toISOString() })
    .where("id", "=", ctx.actor.userId)
    .execute();
  return { secret: secret.base32, uri: totp.toString() };
}

async function assertCode(ctx: CommandContext, code: string): Promise<void> {
  const user = await ctx.tx
    .selectFrom("users")
    .select("totp_secret")
    .where("id", "=", ctx.actor.userId)
    .executeTakeFirstOrThrow();
  if (!user.totp_secret) {
    throw invalidInput("code", "start the set-up first");
  }
  if (!totpMatches(user.totp_secret, code, ctx.now)) {
    throw invalidInput("code", "that code does not match; check the app's clock and enter the current code");
  }
}

/**
 * Confirms enrolment; a session restricted by policy becomes a full one.
 * @returns the actor as it now is.
 */
export async function confirmTotp(ctx: CommandContext, code: string): Promise<AuthenticatedActor> {
  await assertCode(ctx, code);
  const iso = ctx.now.toISOString();
  await ctx.tx
    .updateTable("users")
    .set({ totp_enabled_at: iso, updated_at: iso })
    .where("id", "=", ctx.actor.userId)
    .execute();
  if (ctx.actor.sessionId) {
    await ctx.tx.updateTable("sessions").set({ restricted: 0 }).where("id", "=", ctx.actor.sessionId).execute();
  }
  await recordTotpEvent(ctx, "user.totp_enabled");
  return { ...ctx.actor, restricted: false };
}

/** Turns TOTP off with a current code, unless organization policy requires it for the actor's roles. */
export async function disableTotp(ctx: CommandContext, code: string): Promise<AuthenticatedActor> {
  const settings = await organizationSettings(ctx.tx, ctx.actor.organizationId);
  if (settings.requireTotpForManagers && managesPeople(ctx.actor)) {
    throw forbidden("turn off two-step sign-in: your organization requires it for your role");
  }
  await assertCode(ctx, code);
  await ctx.tx
    .updateTable("users")
    .set({ totp_secret: null, totp_enabled_at: null, updated_at: ctx.now.toISOString() })
    .where("id", "=", ctx.actor.userId)
    .execute();
  await recordTotpEvent(ctx, "user.totp_disabled");
  return ctx.actor;
}

function recordTotpEvent(ctx: CommandContext, action: "user.totp_enabled" | "user.totp_disabled"): Promise<void> {
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
