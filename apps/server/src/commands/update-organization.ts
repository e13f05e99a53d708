/** Renames the organization or changes its policy settings, with the changed fields as its event. */
import { OrganizationSettings } from "@keyward/contracts/resources";
import type { Executor } from "@keyward/db/connect";
import { snapshotOf } from "../auth/actor.ts";
import { diff, recordEvent } from "../events.ts";
import { authorize } from "../http/pipeline.ts";
import type { CommandContext } from "../resources/definition.ts";
import { organizationSettings } from "../services.ts";

/** Presents an organization with its settings, defaults filled in. */
export async function presentOrganization(db: Executor, id: string) {
  const row = await db.selectFrom("organizations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  return {
    id: row.id,
    name: row.name,
    settings: await organizationSettings(db, id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** @returns the organization after the change. */
export async function updateOrganization(
  ctx: CommandContext,
  input: { name?: string | undefined; settings?: Partial<OrganizationSettings> | undefined },
) {
  const organizationId = ctx.actor.organizationId;
  authorize(ctx.actor, "update", { entity: "organization", organizationId, propertyId: null }, "organization");
  const before = await presentOrganization(ctx.tx, organizationId);
  // why: settings merge over what is stored, and the whole is validated again, so a partial change cannot leave an
  // invalid policy behind
  const settings = OrganizationSettings.parse({ ...before.settings, ...(input.settings ?? {}) });
  await ctx.tx
    .updateTable("organizations")
    .set({ name: input.name ?? before.name, settings: JSON.stringify(settings), updated_at: ctx.now.toISOString() })
    .where("id", "=", organizationId)
    .execute();
  const after = await presentOrganization(ctx.tx, organizationId);
  const change = diff(before, after);
  if (change) {
    await recordEvent(ctx.tx, {
      organizationId,
      propertyId: null,
      action: "organization.updated",
      entityType: "organization",
      entityId: organizationId,
      actor: snapshotOf(ctx.actor),
      ...change,
      now: ctx.now,
    });
  }
  return after;
}
