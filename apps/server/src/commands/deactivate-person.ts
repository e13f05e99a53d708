/**
 * Deactivates a person: their credentials stop working and their dashboard sessions end at once, in the same
 * transaction (OWASP ASVS 7.4.2; NIGC's 72-hour rule is then measurable from the events).
 */
import { snapshotOf } from "../auth/actor.ts";
import { endSessionsOf } from "../auth/sessions.ts";
import { invalidInput } from "../errors.ts";
import { recordEvent } from "../events.ts";
import type { CommandContext } from "../resources/definition.ts";
import { people } from "../resources/definitions.ts";
import { presentRow } from "../resources/present.ts";
import { assertMayManagePerson } from "./grant-role.ts";
import { loadForChange } from "./load-for-change.ts";

/** @returns the presented person. */
export async function deactivatePerson(
  ctx: CommandContext,
  personId: string,
  reason: string,
): Promise<Record<string, unknown>> {
  const { row, propertyId } = await loadForChange(ctx, people, personId);
  await assertMayManagePerson(ctx, personId, "deactivate");
  if (row.status === "inactive") {
    throw invalidInput("status", "this person is already inactive");
  }
  if (personId === ctx.actor.personId) {
    throw invalidInput("id", "you cannot deactivate yourself; ask another administrator");
  }
  const iso = ctx.now.toISOString();
  const actor = snapshotOf(ctx.actor);
  const organizationId = ctx.actor.organizationId;
  await ctx.tx
    .updateTable("people")
    .set({ status: "inactive", deactivated_at: iso, updated_at: iso })
    .where("organization_id", "=", organizationId)
    .where("id", "=", personId)
    .execute();
  await recordEvent(ctx.tx, {
    organizationId,
    propertyId,
    action: "person.deactivated",
    entityType: "person",
    entityId: personId,
    actor,
    before: { status: "active" },
    after: { status: "inactive", deactivatedAt: iso, reason },
    now: ctx.now,
  });
  const creds = await ctx.tx
    .selectFrom("credentials")
    .select(["id", "kind"])
    .where("organization_id", "=", organizationId)
    .where("person_id", "=", personId)
    .where("status", "=", "active")
    .execute();
  if (creds.length > 0) {
    await ctx.tx
      .updateTable("credentials")
      .set({ status: "disabled", updated_at: iso })
      .where(
        "id",
        "in",
        creds.map((c) => c.id),
      )
      .execute();
    for (const c of creds) {
      await recordEvent(ctx.tx, {
        organizationId,
        propertyId,
        action: "credential.updated",
        entityType: "credential",
        entityId: c.id,
        actor,
        before: { status: "active" },
        after: { status: "disabled", kind: c.kind, reason: "person deactivated" },
        now: ctx.now,
      });
    }
  }
  const users = await ctx.tx
    .selectFrom("users")
    .select("id")
    .where("organization_id", "=", organizationId)
    .where("person_id", "=", personId)
    .where("status", "=", "active")
    .execute();
  if (users.length > 0) {
    const ids = users.map((u) => u.id);
    await ctx.tx.updateTable("users").set({ status: "inactive", updated_at: iso }).where("id", "in", ids).execute();
    await endSessionsOf(ctx.tx, ids, "deactivated", ctx.now);
    for (const id of ids) {
      await recordEvent(ctx.tx, {
        organizationId,
        propertyId,
        action: "user.deactivated",
        entityType: "user",
        entityId: id,
        actor,
        before: { status: "active" },
        after: { status: "inactive", reason: "person deactivated" },
        now: ctx.now,
      });
    }
  }
  const updated = await ctx.tx.selectFrom("people").selectAll().where("id", "=", personId).executeTakeFirstOrThrow();
  return presentRow(people, ctx.tx, updated);
}

/**
 * Reactivates a person. Credentials and logins stay disabled until someone re-enables them one by one: a returning
 * employee gets exactly the access a manager gives them again.
 */
export async function reactivatePerson(
  ctx: CommandContext,
  personId: string,
  reason: string,
): Promise<Record<string, unknown>> {
  const { row, propertyId } = await loadForChange(ctx, people, personId);
  await assertMayManagePerson(ctx, personId, "reactivate");
  if (row.status === "active") {
    throw invalidInput("status", "this person is already active");
  }
  const iso = ctx.now.toISOString();
  await ctx.tx
    .updateTable("people")
    .set({ status: "active", deactivated_at: null, updated_at: iso })
    .where("organization_id", "=", ctx.actor.organizationId)
    .where("id", "=", personId)
    .execute();
  await recordEvent(ctx.tx, {
    organizationId: ctx.actor.organizationId,
    propertyId,
    action: "person.reactivated",
    entityType: "person",
    entityId: personId,
    actor: snapshotOf(ctx.actor),
    before: { status: "inactive" },
    after: { status: "active", reason },
    now: ctx.now,
  });
  const updated = await ctx.tx.selectFrom("people").selectAll().where("id", "=", personId).executeTakeFirstOrThrow();
  return presentRow(people, ctx.tx, updated);
}
