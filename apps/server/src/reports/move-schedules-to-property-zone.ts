/**
 * A property's schedules follow its time zone: when the zone changes, each schedule of the property keeps its local
 * time ("07:00") in the new zone, its next run moves to the first such time after now, and each change is an event of
 * whoever changed the property, in the same transaction.
 */
import type { Executor } from "@keyward/db/connect";
import { nextRunAfter } from "@keyward/domain/report-schedule";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { recordOf, recurrenceOf, selectSchedules } from "./report-schedule-records.ts";
import { saveSchedule } from "./update-report-schedule.ts";

/** Moves the property's schedules to its new zone; returns how many moved. */
export async function moveSchedulesToPropertyZone(
  tx: Executor,
  actor: AuthenticatedActor,
  propertyId: string,
  timeZone: string,
  now: Date,
): Promise<number> {
  const rows = await selectSchedules(tx, actor.organizationId)
    .where("report_schedules.property_id", "=", propertyId)
    .where("report_schedules.time_zone", "!=", timeZone)
    .execute();
  for (const row of rows) {
    const current = recordOf(row);
    const next = { ...current, timeZone, updatedAt: now.toISOString() };
    next.nextRunAt = nextRunAfter(recurrenceOf(next), now).toISOString();
    await saveSchedule(tx, actor, current, next, now);
  }
  return rows.length;
}
