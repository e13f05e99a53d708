/**
 * Every new property's managers get the keys-out report each morning: a "Daily keys out" schedule (07:00 in the
 * property's time zone, to its property managers, PDF and CSV) created with the property, in its transaction.
 */
import { randomUUID } from "node:crypto";
import type { ReportSchedule } from "@keyward/contracts/report-schedules";
import type { Executor } from "@keyward/db/connect";
import { nextRunAfter } from "@keyward/domain/report-schedule";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { insertReportSchedule } from "./create-report-schedule.ts";
import { recurrenceOf, type ScheduleRecord } from "./report-schedule-records.ts";

/** The default schedule's name, as the dashboard and the e-mail's subject show it. */
export const DAILY_KEYS_OUT = "Daily keys out";

/** Creates the property's "Daily keys out" schedule and its event (the actor is whoever created the property). */
export async function createDailyKeysOutSchedule(
  tx: Executor,
  actor: AuthenticatedActor,
  property: { id: string; name: string; timeZone: string },
  now: Date,
): Promise<ReportSchedule> {
  const iso = now.toISOString();
  const record: ScheduleRecord = {
    id: randomUUID(),
    organizationId: actor.organizationId,
    propertyId: property.id,
    propertyName: property.name,
    report: "keys-out",
    name: DAILY_KEYS_OUT,
    filters: {},
    frequency: "daily",
    weekday: null,
    monthDay: null,
    localTime: "07:00",
    timeZone: property.timeZone,
    recipients: { roles: ["property_manager"], userIds: [], emails: [] },
    formats: ["pdf", "csv"],
    status: "active",
    nextRunAt: iso,
    lastRunAt: null,
    createdAt: iso,
    updatedAt: iso,
  };
  record.nextRunAt = nextRunAfter(recurrenceOf(record), now).toISOString();
  return insertReportSchedule(tx, actor, record, now);
}
