/** Dashboard logins: create, change e-mail or password, deactivate and reactivate. */
import { randomUUID } from "node:crypto";
import { snapshotOf } from "../auth/actor.ts";
import { assertAcceptablePassword, hashSecret, verifySecret } from "../auth/passwords.ts";
import { endSessionsOf } from "../auth/sessions.ts";
import { conflict, invalidInput, notFound } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { authorize } from "../http/pipeline.ts";
import type { CommandContext } from "../resources/definition.ts";
import { people, users } from "../resources/definitions.ts";
import { presentRow } from "../resources/present.ts";
import { findInOrganization } from "../resources/records.ts";
import { propertyOfRow } from "../resources/scope.ts";
import { assertMayManagePerson } from "./grant-role.ts";
import { loadForChange } from "./load-for-change.ts";

async function assertEmailFree(ctx: CommandContext, email: string, selfId: string | null): Promise<void> {
  let q = ctx.tx.selectFrom("users").select("id").where("email", "=", email);
  if (selfId) {
    q = q.where("id", "<>", selfId);
  }
  if (await q.executeTakeFirst()) {
    // why: e-mails are unique across organizations; the message must not confirm an address to another tenant
    throw conflict("email", "That e-mail address cannot be used for a new login; choose another.");
  }
}

/** Gives a person a dashboard login. */
export async function createUser(
  ctx: CommandContext,
  input: { personId: string; email: string; password: string },
): Promise<Record<string, unknown>> {
  const { row: person, propertyId } = await loadForChange(ctx, people, input.personId, "read");
  authorize(ctx.actor, "create", { entity: "user", organizationId: ctx.actor.organizationId, propertyId }, "user");
  await assertMayManagePerson(ctx, input.personId, "give a login to");
  if (person.status !== "active") {
    throw invalidInput("personId", "this person is inactive; reactivate them first");
  }
  const existing = await ctx.tx
    .selectFrom("users")
    .select("id")
    .where("organization_id", "=", ctx.actor.organizationId)
    .where("person_id", "=", input.personId)
    .executeTakeFirst();
  if (existing) {
    throw conflict("personId", "This person already has a login; change or reactivate it instead.");
  }
  const email = input.email.trim().toLowerCase();
  await assertEmailFree(ctx, email, null);
  assertAcceptablePassword(input.password, [email.split("@")[0] ?? "", String(person.last_name)]);
  const iso = ctx.now.toISOString();
  const row = {
    id: randomUUID(),
    organization_id: ctx.actor.organizationId,
    person_id: input.personId,
    email,
    password_hash: await hashSecret(input.password),
    totp_secret: null,
    totp_enabled_at: null,
    status: "active",
    last_login_at: null,
    created_at: iso,
    updated_at: iso,
  };
  await ctx.tx.insertInto("users").values(row).execute();
  const presented = await presentRow(users, ctx.tx, row);
  await recordEvent(ctx.tx, {
    organizationId: ctx.actor.organizationId,
    propertyId,
    action: "user.created",
    entityType: "user",
    entityId: row.id,
    actor: snapshotOf(ctx.actor),
    after: presented,
    now: ctx.now,
  });
  return presented;
}

/** The actor's own login, for changing their own password. */
async function loadOwnLogin(ctx: CommandContext) {
  const row = await findInOrganization(ctx.tx, "users", ctx.actor.organizationId, ctx.actor.userId);
  if (!row) {
    throw notFound("user");
  }
  return { row, propertyId: await propertyOfRow(users, ctx.tx, row) };
}

/** Changes a login's e-mail or password; a new password ends the login's other sessions. */
export async function updateUser(
  ctx: CommandContext,
  userId: string,
  input: { email?: string | undefined; password?: string | undefined; currentPassword?: string | undefined },
): Promise<Record<string, unknown>> {
  // why: everyone may change their own password (proving the current one), whatever their role; anything else —
  // another person's login, or one's own sign-in e-mail — is managing a login, under the usual rules
  const ownPassword = userId === ctx.actor.userId && input.email === undefined;
  const { row, propertyId } = ownPassword ? await loadOwnLogin(ctx) : await loadForChange(ctx, users, userId);
  if (!ownPassword) {
    await assertMayManagePerson(ctx, String(row.person_id), "change the login of");
  }
  const iso = ctx.now.toISOString();
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const set: { email?: string; password_hash?: string; updated_at: string } = { updated_at: iso };
  if (input.email !== undefined) {
    const email = input.email.trim().toLowerCase();
    if (email !== row.email) {
      await assertEmailFree(ctx, email, userId);
      set.email = email;
      before.email = row.email;
      after.email = email;
    }
  }
  if (input.password !== undefined && userId === ctx.actor.userId) {
    const ok =
      input.currentPassword !== undefined && (await verifySecret(String(row.password_hash), input.currentPassword));
    if (!ok) {
      throw invalidInput("currentPassword", "enter your current password to choose a new one");
    }
  }
  if (input.password !== undefined) {
    assertAcceptablePassword(input.password, [String(set.email ?? row.email).split("@")[0] ?? ""]);
    set.password_hash = await hashSecret(input.password);
    after.passwordChanged = true;
  }
  await ctx.tx.updateTable("users").set(set).where("id", "=", userId).execute();
  if (set.password_hash) {
    // why: whoever knew the old password must not stay signed in; the person changing it keeps this session
    await endSessionsOf(ctx.tx, [userId], "password_changed", ctx.now, ctx.actor.sessionId ?? undefined);
  }
  if (Object.keys(after).length > 0) {
    await recordEvent(ctx.tx, {
      organizationId: ctx.actor.organizationId,
      propertyId,
      action: "user.updated",
      entityType: "user",
      entityId: userId,
      actor: snapshotOf(ctx.actor),
      before,
      after,
      now: ctx.now,
    });
  }
  const updated = await ctx.tx.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
  return presentRow(users, ctx.tx, updated);
}

/** Deactivates or reactivates a login; deactivation ends its sessions at once. */
export async function setUserActive(
  ctx: CommandContext,
  userId: string,
  active: boolean,
): Promise<Record<string, unknown>> {
  const { row, propertyId } = await loadForChange(ctx, users, userId);
  await assertMayManagePerson(ctx, String(row.person_id), `${active ? "reactivate" : "deactivate"} the login of`);
  if (!active && userId === ctx.actor.userId) {
    throw invalidInput("id", "you cannot deactivate your own login");
  }
  const status = active ? "active" : "inactive";
  if (row.status !== status) {
    const iso = ctx.now.toISOString();
    await ctx.tx.updateTable("users").set({ status, updated_at: iso }).where("id", "=", userId).execute();
    if (!active) {
      await endSessionsOf(ctx.tx, [userId], "deactivated", ctx.now);
    }
    await recordEvent(ctx.tx, {
      organizationId: ctx.actor.organizationId,
      propertyId,
      action: active ? "user.reactivated" : "user.deactivated",
      entityType: "user",
      entityId: userId,
      actor: snapshotOf(ctx.actor),
      before: { status: row.status },
      after: { status },
      now: ctx.now,
    });
  }
  const updated = await ctx.tx.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
  return presentRow(users, ctx.tx, updated);
}
