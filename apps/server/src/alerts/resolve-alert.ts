/** Resolving an alert by hand: whatever caused it has been dealt with, with a note saying how. */
import type { Alert } from "@keyward/contracts/alerts";
import type { Executor } from "@keyward/db/connect";
import type { AlertTable } from "@keyward/db/schema";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { conflict } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { afterCommit } from "../live/after-commit.ts";
import { alreadyMessage } from "./acknowledge-alert.ts";
import { loadAlert } from "./load-alert.ts";
import { presentAlert } from "./present-alert.ts";
import { queueAlertWebhooks } from "./queue-deliveries.ts";

/**
 * Resolves an open or acknowledged alert (`resolution: manual`): it never escalates after this, its cause may open
 * a new alert when it recurs, its `alert.resolved` event keeps the note, its webhooks are told and open dashboards
 * refetch their alerts.
 * @throws not_found for an alert the actor may not read; forbidden when they may read it but not act on it; conflict
 *   for an alert already resolved.
 */
export async function resolveAlert(
  tx: Executor,
  actor: AuthenticatedActor,
  id: string,
  note: string | undefined,
  now: Date,
): Promise<Alert> {
  const current = await loadAlert(tx, actor, "update", id);
  if (current.status === "resolved") {
    throw conflict("status", alreadyMessage(current));
  }
  const iso = now.toISOString();
  const next: AlertTable = {
    ...current,
    status: "resolved",
    resolved_at: iso,
    resolved_by: actor.userId,
    resolved_by_name: actor.name,
    resolution_note: note || null,
    resolution: "manual",
    escalate_at: null,
    updated_at: iso,
  };
  // why: conditional on the status read, so a scan clearing it or someone resolving it meanwhile is not overridden
  const result = await tx
    .updateTable("alerts")
    .set({
      status: next.status,
      resolved_at: next.resolved_at,
      resolved_by: next.resolved_by,
      resolved_by_name: next.resolved_by_name,
      resolution_note: next.resolution_note,
      resolution: next.resolution,
      escalate_at: null,
      updated_at: next.updated_at,
    })
    .where("organization_id", "=", current.organization_id)
    .where("id", "=", current.id)
    .where("status", "=", current.status)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw conflict("status", "Someone else changed this alert a moment ago; reload it.");
  }
  await recordEvent(tx, {
    organizationId: current.organization_id,
    propertyId: current.property_id,
    action: "alert.resolved",
    entityType: "alert",
    entityId: current.id,
    actor: snapshotOf(actor),
    before: { status: current.status },
    after: { status: next.status, how: "manual", note: next.resolution_note },
    now,
  });
  await queueAlertWebhooks(tx, [next], "alert.resolved", now);
  afterCommit(tx, {
    channel: "live",
    organizationId: current.organization_id,
    message: { topics: ["alerts"], propertyId: current.property_id, at: iso },
  });
  return presentAlert(tx, next);
}
