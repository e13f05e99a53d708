/** Loading a cabinet a dashboard user names: scoped to their organization, 404 unless they may read it. */
import type { Executor } from "@keyward/db/connect";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { notFound } from "../errors.ts";
import { authorize } from "../http/pipeline.ts";

/** The cabinet, or not_found — also when it belongs to a property the actor may not read. */
export async function loadReadableCabinet(db: Executor, actor: AuthenticatedActor, cabinetId: string) {
  const cabinet = await db
    .selectFrom("cabinets")
    .select(["id", "property_id", "name", "status"])
    .where("organization_id", "=", actor.organizationId)
    .where("id", "=", cabinetId)
    .executeTakeFirst();
  if (!cabinet) {
    throw notFound("cabinet");
  }
  authorize(
    actor,
    "read",
    { entity: "cabinet", organizationId: actor.organizationId, propertyId: cabinet.property_id },
    "cabinet",
  );
  return cabinet;
}

/**
 * The cabinet, if the actor may also control it (enrol it, release its door, acknowledge its alarms): not_found when
 * they may not see it, forbidden when they may see it but not control it.
 */
export async function loadControllableCabinet(db: Executor, actor: AuthenticatedActor, cabinetId: string) {
  const cabinet = await loadReadableCabinet(db, actor, cabinetId);
  authorize(
    actor,
    "create",
    { entity: "cabinetControl", organizationId: actor.organizationId, propertyId: cabinet.property_id },
    "cabinet",
  );
  return cabinet;
}
