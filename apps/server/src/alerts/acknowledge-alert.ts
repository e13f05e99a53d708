/** Acknowledging an alert: someone says "on it", with a note, and the rule's escalation (mostly) stands down. */
import type { Alert } from "@keyward/contracts/alerts";
import type { Executor } from "@keyward/db/connect";
import type { AlertTable } from "@keyward/db/schema";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { conflict } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { afterCommit } from "../live/after-commit.ts";
import { loadAlert } from "./load-alert.ts";
import { presentAlert } from "./present-alert.ts";
import { queueAlertWebhooks } from "./queue-deliveries.ts";

/**
 * Acknowledges an open alert: who, when and the note are kept with it and in its `alert.acknowledged` event, its
 * webhooks are told, and open dashboards refetch their alerts.
 * @throws not_found for an alert the actor may not read; forbidden when they may read it but not act on it; conflict
 *   for an alert already acknowledged or resolved.
 */
export async function acknowledgeAlert(
  tx: Executor,
  actor: AuthenticatedActor,
  id: string,
  note: string | undefined,
  now: Date,
): Promise<Alert> {
  const current = await loadAlert(tx, actor, "update", id);
  if (current.status !== "open") {
    throw conflict("status", alreadyMessage(current));
  }
  const iso = now.toISOString();
  const next: AlertTable = {
    ...current,
    status: "acknowledged",
    acknowledged_at: iso,
    acknowledged_by: actor.userId,
    acknowledged_by_name: actor.name,
    acknowledgement_note: note || null,
    // why: an overdue key escalates while it is still out, acknowledged or not (see `escalationAt`); anything else
    // was escalating only for want of someone who knows, and now someone does
    escalate_at: current.kind === "key_overdue" ? current.escalate_at : null,
    updated_at: iso,
  };
  // why: conditional on the status read, so two people acknowledging at once do not both succeed
  const result = await tx
    .updateTable("alerts")
    .set({
      status: next.status,
      acknowledged_at: next.acknowledged_at,
      acknowledged_by: next.acknowledged_by,
      acknowledged_by_name: next.acknowledged_by_name,
      acknowledgement_note: next.acknowledgement_note,
      escalate_at: next.escalate_at,
      updated_at: next.updated_at,
    })
    .where("organization_id", "=", current.organization_id)
    .where("id", "=", current.id)
    .where("status", "=", "open")
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw conflict("status", "Someone else changed this alert a moment ago; reload it.");
  }
  await recordEvent(tx, {
    organizationId: current.organization_id,
    propertyId: current.property_id,
    action: "alert.acknowledged",
    entityType: "alert",
    entityId: current.id,
    actor: snapshotOf(actor),
    before: { status: current.status },
    after: { status: next.status, note: next.acknowledgement_note },
    now,
  });
  await queueAlertWebhooks(tx, [next], "alert.acknowledged", now);
  afterCommit(tx, {
    channel: "live",
    organizationId: current.organization_id,
    message: { topics: ["alerts"], propertyId: current.property_id, at: iso },
  });
  return presentAlert(tx, next);
}

/** Why an alert no longer open cannot be acknowledged, in a sentence. */
export function alreadyMessage(alert: Pick<AlertTable, "status" | "acknowledged_by_name" | "resolved_by_name">) {
  if (alert.status === "acknowledged") {
    return `This alert was already acknowledged${alert.acknowledged_by_name ? ` by ${alert.acknowledged_by_name}` : ""}.`;
  }
  return `This alert is already resolved${alert.resolved_by_name ? ` (by ${alert.resolved_by_name})` : ""}.`;
}
