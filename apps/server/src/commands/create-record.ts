/** Creates a record of an admin-plane resource and writes its event in the same transaction. */
import { randomUUID } from "node:crypto";
import { snapshotOf } from "../auth/actor.ts";
import { invalidInput } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { authorize } from "../http/pipeline.ts";
import { createDailyKeysOutSchedule } from "../reports/create-daily-keys-out-schedule.ts";
import { checkReferences, checkUniques, parseInput } from "../resources/checks.ts";
import type { CommandContext, ResourceDef } from "../resources/definition.ts";
import { presentRow } from "../resources/present.ts";
import { fieldOf, findInOrganization, loose, toColumns } from "../resources/records.ts";

/**
 * Creates a record.
 * @returns the presented record.
 * @throws not_found / forbidden when the actor may not create it where it would live; invalid_input; conflict.
 */
export async function createRecord(
  ctx: CommandContext,
  def: ResourceDef,
  rawInput: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const input = parseInput(def.create, rawInput);
  if (!def.events) {
    throw new Error(`${def.what} records are not created through the generic command`);
  }
  const events = def.events;
  const organizationId = ctx.actor.organizationId;
  const propertyId = def.propertyOfInput(input);
  if (propertyId !== null && !(await findInOrganization(ctx.tx, "properties", organizationId, propertyId))) {
    // why: name the field the caller sent — a person's property is their homePropertyId
    const field = def.scope.kind === "column" ? fieldOf(def.scope.column) : "propertyId";
    throw invalidInput(field, "no property with that id exists in this organization");
  }
  authorize(ctx.actor, "create", { entity: def.entity, organizationId, propertyId }, def.what);
  await checkReferences(ctx.tx, def, organizationId, propertyId, input, Object.keys(input));
  await checkUniques(ctx.tx, def, organizationId, propertyId, input, null);
  await def.validate?.(ctx, input, null);

  const iso = ctx.now.toISOString();
  const writable = Object.fromEntries(Object.entries(input).filter(([k]) => !def.ignoreOnWrite?.includes(k)));
  const row = {
    ...(def.initialStatus ? { status: def.initialStatus } : {}),
    ...toColumns(writable, def.encoding),
    id: randomUUID(),
    organization_id: organizationId,
    created_at: iso,
    updated_at: iso,
  };
  await loose(ctx.tx).insertInto(def.table).values(row).execute();
  await def.afterCreate?.(ctx, row);
  // why: present the row as stored — the input leaves optional fields out, the table holds them as null
  const stored = await findInOrganization(ctx.tx, def.table, organizationId, row.id);
  const presented = await presentRow(def, ctx.tx, stored ?? row);
  await recordEvent(ctx.tx, {
    organizationId,
    propertyId: def.table === "properties" ? row.id : propertyId,
    action: events.created,
    entityType: def.entity,
    entityId: row.id,
    actor: snapshotOf(ctx.actor),
    after: presented,
    now: ctx.now,
  });
  if (def.table === "properties") {
    // why: every property's managers get the keys-out report at 07:00 from the first morning (issue 5)
    await createDailyKeysOutSchedule(
      ctx.tx,
      ctx.actor,
      { id: row.id, name: String(presented.name), timeZone: String(presented.timeZone) },
      ctx.now,
    );
  }
  return presented;
}
