/** A cabinet's hooks with the key on each, and enabling or disabling a hook. */
import type { Executor } from "@keyward/db/connect";
import { snapshotOf } from "../auth/actor.ts";
import { invalidInput, notFound } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { authorize } from "../http/pipeline.ts";
import type { CommandContext } from "../resources/definition.ts";
import { findInOrganization } from "../resources/records.ts";

/** The hooks of a cabinet (or one of them), each with the key hanging on it. */
export async function listHooks(db: Executor, organizationId: string, cabinetId: string, number?: number) {
  let q = db
    .selectFrom("hooks")
    .leftJoin("keys", (join) =>
      join.onRef("keys.cabinet_id", "=", "hooks.cabinet_id").onRef("keys.hook_number", "=", "hooks.number"),
    )
    .select([
      "hooks.id",
      "hooks.cabinet_id",
      "hooks.number",
      "hooks.module",
      "hooks.status",
      "keys.id as key_id",
      "keys.label as key_label",
    ])
    .where("hooks.organization_id", "=", organizationId)
    .where("hooks.cabinet_id", "=", cabinetId);
  if (number !== undefined) {
    q = q.where("hooks.number", "=", number);
  }
  const rows = await q.orderBy("hooks.number").execute();
  return rows.map((h) => ({
    id: h.id,
    cabinetId: h.cabinet_id,
    number: h.number,
    module: h.module,
    status: h.status as "active" | "disabled",
    keyId: h.key_id,
    keyLabel: h.key_label,
  }));
}

/**
 * Enables or disables a hook. A hook holding a key cannot be disabled: the key would hang where the cabinet will not
 * hand it out.
 */
export async function changeHook(
  ctx: CommandContext,
  cabinetId: string,
  number: number,
  status: "active" | "disabled",
) {
  const organizationId = ctx.actor.organizationId;
  const cabinet = await findInOrganization(ctx.tx, "cabinets", organizationId, cabinetId);
  if (!cabinet) {
    throw notFound("cabinet");
  }
  const propertyId = String(cabinet.property_id);
  authorize(ctx.actor, "update", { entity: "cabinet", organizationId, propertyId }, "cabinet");
  const [hook] = await listHooks(ctx.tx, organizationId, cabinetId, number);
  if (!hook) {
    throw notFound("hook");
  }
  if (status === "disabled" && hook.keyId) {
    throw invalidInput(
      "status",
      `hook ${hook.number} holds key ${hook.keyLabel ?? ""}; move the key before disabling the hook`,
    );
  }
  if (hook.status !== status) {
    await ctx.tx.updateTable("hooks").set({ status }).where("id", "=", hook.id).execute();
    await recordEvent(ctx.tx, {
      organizationId,
      propertyId,
      action: "hook.updated",
      entityType: "hook",
      entityId: hook.id,
      actor: snapshotOf(ctx.actor),
      before: { status: hook.status },
      after: { status, cabinetId, number: hook.number },
      now: ctx.now,
    });
  }
  return { ...hook, status };
}
