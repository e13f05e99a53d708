/** "Retry now": a failed (or waiting) delivery goes back to the worker for one more attempt at once. */
import type { ReportDelivery } from "@keyward/contracts/report-schedules";
import type { Executor } from "@keyward/db/connect";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { conflict, notFound } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { loadSchedule, presentDelivery } from "./report-schedule-records.ts";

/**
 * Retries a delivery now. Its attempts keep counting: a delivery that already gave up gets one attempt per retry.
 * @throws not_found for a delivery not of that schedule, or a schedule the actor may not read; forbidden; conflict for
 *   a delivery already sent or being sent.
 */
export async function retryScheduleDelivery(
  tx: Executor,
  actor: AuthenticatedActor,
  scheduleId: string,
  deliveryId: string,
  now: Date,
): Promise<ReportDelivery> {
  const schedule = await loadSchedule(tx, actor, "update", scheduleId);
  const current = await tx
    .selectFrom("report_deliveries")
    .selectAll()
    .where("organization_id", "=", schedule.organizationId)
    .where("schedule_id", "=", schedule.id)
    .where("id", "=", deliveryId)
    .executeTakeFirst();
  if (!current) {
    throw notFound("delivery");
  }
  if (current.status === "sent" || current.status === "sending") {
    throw conflict("status", `This delivery is ${current.status === "sent" ? "already sent" : "being sent now"}.`);
  }
  const iso = now.toISOString();
  // why: conditional on the status read, so a worker that claimed it meanwhile is not overridden
  const result = await tx
    .updateTable("report_deliveries")
    .set({ status: "pending", next_attempt_at: iso, updated_at: iso })
    .where("id", "=", current.id)
    .where("status", "=", current.status)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw conflict("status", "This delivery is being sent now.");
  }
  await recordEvent(tx, {
    organizationId: schedule.organizationId,
    propertyId: schedule.propertyId,
    action: "report_delivery.retried",
    entityType: "reportSchedule",
    entityId: schedule.id,
    actor: snapshotOf(actor),
    before: { deliveryId: current.id, status: current.status, attempts: Number(current.attempts) },
    after: { deliveryId: current.id, status: "pending" },
    now,
  });
  return presentDelivery({ ...current, status: "pending", next_attempt_at: iso, updated_at: iso });
}
