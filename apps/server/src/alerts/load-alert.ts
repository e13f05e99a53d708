/** Loading one alert for an act on it: within the actor's organization, then authorized where it lives. */
import type { Executor } from "@keyward/db/connect";
import type { AlertTable } from "@keyward/db/schema";
import type { Action } from "@keyward/domain/permissions";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { notFound } from "../errors.ts";
import { authorize } from "../http/pipeline.ts";

/**
 * The alert, when the actor may perform `action` on it. Its property decides (the organization's own alerts need an
 * organization role).
 * @throws not_found for an alert of another organization or one the actor may not read; forbidden when they may read
 *   it but not act on it.
 */
export async function loadAlert(
  db: Executor,
  actor: AuthenticatedActor,
  action: Action,
  id: string,
): Promise<AlertTable> {
  const row = await db
    .selectFrom("alerts")
    .selectAll()
    .where("organization_id", "=", actor.organizationId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) {
    throw notFound("alert");
  }
  authorize(
    actor,
    action,
    { entity: "alert", organizationId: row.organization_id, propertyId: row.property_id },
    "alert",
  );
  return row;
}
