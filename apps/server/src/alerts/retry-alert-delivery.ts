/** "Retry now": an alert message (or webhook call) that was given up on goes back to the delivery worker at once. */
import type { AlertDelivery } from "@keyward/contracts/alerts";
import type { Executor } from "@keyward/db/connect";
import type { Resource } from "@keyward/domain/permissions";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { conflict, notFound } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { authorize } from "../http/pipeline.ts";
import { presentAlertDelivery } from "./present-alert.ts";

/** Who may retry a delivery: a webhook's, whoever may change its endpoint; any other, whoever may act on its alert. */
async function resourceOf(
  tx: Executor,
  organizationId: string,
  delivery: { endpoint_id: string | null; alert_id: string | null },
): Promise<Resource | null> {
  if (delivery.endpoint_id !== null) {
    const endpoint = await tx
      .selectFrom("webhook_endpoints")
      .select("property_id")
      .where("organization_id", "=", organizationId)
      .where("id", "=", delivery.endpoint_id)
      .executeTakeFirst();
    return endpoint ? { entity: "webhookEndpoint", organizationId, propertyId: endpoint.property_id } : null;
  }
  if (delivery.alert_id === null) {
    // why: a digest covers many properties' alerts, so only someone who acts on alerts organization-wide retries it
    return { entity: "alert", organizationId, propertyId: null };
  }
  const alert = await tx
    .selectFrom("alerts")
    .select("property_id")
    .where("organization_id", "=", organizationId)
    .where("id", "=", delivery.alert_id)
    .executeTakeFirst();
  return alert ? { entity: "alert", organizationId, propertyId: alert.property_id } : null;
}

/**
 * Sets a failed delivery back to pending, due now, and writes `alert_delivery.retried`. Its attempts keep counting.
 * @throws not_found for a delivery of another organization or one the actor may not read; forbidden when they may
 *   read it but not retry it; conflict for a delivery that has not failed (waiting, being sent, sent or skipped).
 */
export async function retryAlertDelivery(
  tx: Executor,
  actor: AuthenticatedActor,
  id: string,
  now: Date,
): Promise<AlertDelivery> {
  const current = await tx
    .selectFrom("alert_deliveries")
    .selectAll()
    .where("organization_id", "=", actor.organizationId)
    .where("id", "=", id)
    .executeTakeFirst();
  const resource = current ? await resourceOf(tx, current.organization_id, current) : null;
  if (!current || !resource) {
    throw notFound("alert delivery");
  }
  authorize(actor, "update", resource, "alert delivery");
  if (current.status !== "failed") {
    throw conflict("status", `Only a failed delivery can be retried; this one is ${current.status}.`);
  }
  const iso = now.toISOString();
  // why: conditional on the status read, so a retry racing another does not queue it twice
  const result = await tx
    .updateTable("alert_deliveries")
    .set({ status: "pending", next_attempt_at: iso, updated_at: iso })
    .where("organization_id", "=", current.organization_id)
    .where("id", "=", current.id)
    .where("status", "=", "failed")
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw conflict("status", "Someone retried this delivery a moment ago.");
  }
  await recordEvent(tx, {
    organizationId: current.organization_id,
    propertyId: resource.propertyId,
    action: "alert_delivery.retried",
    entityType: "alertDelivery",
    entityId: current.id,
    actor: snapshotOf(actor),
    before: { status: current.status, attempts: Number(current.attempts), alertId: current.alert_id },
    after: { status: "pending" },
    now,
  });
  return presentAlertDelivery({ ...current, status: "pending", next_attempt_at: iso, updated_at: iso });
}
