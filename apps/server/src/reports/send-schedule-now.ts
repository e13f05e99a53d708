/**
 * "Send now": a delivery of the schedule due at this moment, outside its usual runs; the delivery worker sends it on
 * its next pass (within KEYWARD_REPORT_DELIVERY_SECONDS), to the recipients as they are then.
 */
import { randomUUID } from "node:crypto";
import type { ReportDelivery } from "@keyward/contracts/report-schedules";
import type { Executor } from "@keyward/db/connect";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { recordEvent } from "../events.ts";
import { loadSchedule, presentDelivery } from "./report-schedule-records.ts";

/**
 * Queues a delivery of the schedule now (a paused schedule too: someone asked for it).
 * @throws not_found (also for a schedule the actor may not read); forbidden when they may read but not change it.
 */
export async function sendScheduleNow(
  tx: Executor,
  actor: AuthenticatedActor,
  scheduleId: string,
  now: Date,
): Promise<ReportDelivery> {
  const schedule = await loadSchedule(tx, actor, "update", scheduleId);
  const iso = now.toISOString();
  // why: two clicks in the same millisecond are one run (unique schedule and due time), not two e-mails
  const inserted = await tx
    .insertInto("report_deliveries")
    .values({
      id: randomUUID(),
      organization_id: schedule.organizationId,
      schedule_id: schedule.id,
      due_at: iso,
      status: "pending",
      attempts: 0,
      next_attempt_at: iso,
      claimed_by: null,
      claimed_until: null,
      last_error: null,
      recipients: null,
      message_id: null,
      sent_at: null,
      created_at: iso,
      updated_at: iso,
    })
    .onConflict((oc) => oc.columns(["schedule_id", "due_at"]).doNothing())
    .executeTakeFirst();
  const row = await tx
    .selectFrom("report_deliveries")
    .selectAll()
    .where("organization_id", "=", schedule.organizationId)
    .where("schedule_id", "=", schedule.id)
    .where("due_at", "=", iso)
    .executeTakeFirstOrThrow();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
    return presentDelivery(row);
  }
  await recordEvent(tx, {
    organizationId: schedule.organizationId,
    propertyId: schedule.propertyId,
    action: "report_delivery.requested",
    entityType: "reportSchedule",
    entityId: schedule.id,
    actor: snapshotOf(actor),
    after: { deliveryId: row.id, dueAt: iso },
    now,
  });
  return presentDelivery(row);
}
