/** Updates a record of an admin-plane resource and writes the changed fields as its event. */
import { snapshotOf } from "../auth/actor.ts";
import { invalidInput, notFound } from "../errors.ts";
import { diff, recordEvent } from "../events.ts";
import { authorize } from "../http/pipeline.ts";
import { moveSchedulesToPropertyZone } from "../reports/move-schedules-to-property-zone.ts";
import { checkReferences, checkUniques, parseInput } from "../resources/checks.ts";
import type { CommandContext, ResourceDef } from "../resources/definition.ts";
import { presentRow } from "../resources/present.ts";
import { fieldOf, findInOrganization, fromColumns, loose, toColumns } from "../resources/records.ts";
import { propertyOfRow } from "../resources/scope.ts";

/**
 * Applies a partial update.
 * @returns the presented record after the change.
 * @throws not_found (also for records the actor may not read); forbidden; invalid_input; conflict.
 */
export async function updateRecord(
  ctx: CommandContext,
  def: ResourceDef,
  id: string,
  rawInput: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const input = parseInput(def.update, rawInput);
  const events = def.events;
  if (!events) {
    throw new Error(`${def.what} records are not changed through the generic command`);
  }
  const organizationId = ctx.actor.organizationId;
  const current = await findInOrganization(ctx.tx, def.table, organizationId, id);
  if (!current) {
    throw notFound(def.what);
  }
  const propertyId = await propertyOfRow(def, ctx.tx, current);
  // why: a region is changed by those who hold a role over it, not only organization-wide roles
  const regionId = def.table === "regions" ? id : null;
  authorize(ctx.actor, "update", { entity: def.entity, organizationId, propertyId, regionId }, def.what);
  const currentRecord = fromColumns(current, def.encoding);
  const merged = { ...currentRecord, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  // why: moving a record to another property needs the right to create it there, not only to change it here
  const movedTo = def.propertyOfInput(merged);
  if (def.scope.kind === "column" && movedTo !== propertyId) {
    if (movedTo !== null && !(await findInOrganization(ctx.tx, "properties", organizationId, movedTo))) {
      throw invalidInput(fieldOf(def.scope.column), "no property with that id exists in this organization");
    }
    authorize(ctx.actor, "create", { entity: def.entity, organizationId, propertyId: movedTo }, def.what);
  }
  const changed = Object.keys(input).filter((k) => input[k] !== undefined);
  await checkReferences(ctx.tx, def, organizationId, movedTo, merged, changed);
  await checkUniques(ctx.tx, def, organizationId, movedTo, merged, id);
  await def.validate?.(ctx, merged, currentRecord);

  const before = await presentRow(def, ctx.tx, current);
  const columns = toColumns(Object.fromEntries(changed.map((k) => [k, input[k]])), def.encoding);
  if (Object.keys(columns).length > 0) {
    await loose(ctx.tx)
      .updateTable(def.table)
      .set({ ...columns, updated_at: ctx.now.toISOString() })
      .where("organization_id", "=", organizationId)
      .where("id", "=", id)
      .execute();
  }
  const updated = await findInOrganization(ctx.tx, def.table, organizationId, id);
  const after = await presentRow(def, ctx.tx, updated ?? current);
  const change = diff(before, after);
  if (change) {
    await recordEvent(ctx.tx, {
      organizationId,
      propertyId: def.table === "properties" ? id : movedTo,
      action: events.updated,
      entityType: def.entity,
      entityId: id,
      actor: snapshotOf(ctx.actor),
      before: change.before,
      after: change.after,
      now: ctx.now,
    });
  }
  if (def.table === "properties" && change && "timeZone" in change.after) {
    // why: a property's report schedules keep their local time ("07:00") in the property's new zone
    await moveSchedulesToPropertyZone(ctx.tx, ctx.actor, id, String(after.timeZone), ctx.now);
  }
  return after;
}
