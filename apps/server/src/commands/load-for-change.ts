/** Loads a record for a special command and authorizes the change: 404 for what the actor cannot see. */
import type { Action } from "@keyward/domain/permissions";
import { notFound } from "../errors.ts";
import { authorize } from "../http/pipeline.ts";
import type { CommandContext, ResourceDef } from "../resources/definition.ts";
import { findInOrganization, type Row } from "../resources/records.ts";
import { propertyOfRow } from "../resources/scope.ts";

/** @returns the row and the property it belongs to (null: organization level). */
export async function loadForChange(
  ctx: CommandContext,
  def: ResourceDef,
  id: string,
  action: Action = "update",
): Promise<{ row: Row; propertyId: string | null }> {
  const row = await findInOrganization(ctx.tx, def.table, ctx.actor.organizationId, id);
  if (!row) {
    throw notFound(def.what);
  }
  const propertyId = await propertyOfRow(def, ctx.tx, row);
  authorize(ctx.actor, action, { entity: def.entity, organizationId: ctx.actor.organizationId, propertyId }, def.what);
  return { row, propertyId };
}
