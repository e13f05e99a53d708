/** Creates a report schedule (its first run the first time after now) and writes its event in the same transaction. */
import { randomUUID } from "node:crypto";
import type { ReportSchedule, ReportScheduleCreate } from "@keyward/contracts/report-schedules";
import type { Executor } from "@keyward/db/connect";
import { nextRunAfter } from "@keyward/domain/report-schedule";
import type { Weekday } from "@keyward/domain/schedule";
import type { z } from "zod";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { forbidden, invalidInput, notFound } from "../errors.ts";
import { recordEvent } from "../events.ts";
import {
  checkExtraEmails,
  checkSchedule,
  columnsOf,
  maySchedule,
  presentSchedule,
  recurrenceOf,
  type ScheduleRecord,
} from "./report-schedule-records.ts";

type Input = z.output<typeof ReportScheduleCreate>;

/**
 * Creates a schedule at a property (in its time zone) or organization-wide (in the zone given).
 * @throws invalid_input for an unknown property, a zone given for a property's schedule or missing for an
 *   organization-wide one, and whatever `checkSchedule` refuses; not_found / forbidden when the actor may not create
 *   schedules there.
 */
export async function createReportSchedule(
  tx: Executor,
  actor: AuthenticatedActor,
  input: Input,
  now: Date,
): Promise<ReportSchedule> {
  const organizationId = actor.organizationId;
  const propertyId = input.propertyId ?? null;
  let timeZone: string;
  let propertyName: string | null = null;
  if (propertyId !== null) {
    const property = await tx
      .selectFrom("properties")
      .select(["name", "time_zone"])
      .where("organization_id", "=", organizationId)
      .where("id", "=", propertyId)
      .executeTakeFirst();
    if (!property) {
      throw invalidInput("propertyId", "no property with that id exists in this organization");
    }
    if (input.timeZone !== undefined && input.timeZone !== property.time_zone) {
      throw invalidInput(
        "timeZone",
        `a property's schedule runs in the property's time zone (${property.time_zone}); leave it out`,
      );
    }
    timeZone = property.time_zone;
    propertyName = property.name;
  } else {
    if (input.timeZone === undefined) {
      throw invalidInput("timeZone", "an organization-wide schedule needs a time zone (e.g. America/Chicago)");
    }
    timeZone = input.timeZone;
  }
  if (!maySchedule(actor, "create", propertyId)) {
    // why: as for any record, a property the actor may not even read answers as if it did not exist; that the
    // organization exists is no secret
    if (propertyId === null || maySchedule(actor, "read", propertyId)) {
      throw forbidden("schedule reports here");
    }
    throw notFound("property");
  }
  const iso = now.toISOString();
  const record: ScheduleRecord = {
    id: randomUUID(),
    organizationId,
    propertyId,
    propertyName,
    report: input.report,
    name: input.name,
    filters: input.filters,
    frequency: input.frequency,
    weekday: (input.weekday ?? null) as Weekday | null,
    monthDay: input.monthDay ?? null,
    localTime: input.localTime,
    timeZone,
    recipients: {
      roles: [...new Set(input.recipients.roles)],
      userIds: [...new Set(input.recipients.userIds)],
      emails: [...new Set(input.recipients.emails.map((e) => e.toLowerCase()))],
    },
    formats: input.formats,
    status: input.status,
    nextRunAt: iso,
    lastRunAt: null,
    createdAt: iso,
    updatedAt: iso,
  };
  checkExtraEmails(actor, "create", [], record.recipients.emails);
  await checkSchedule(tx, record);
  record.nextRunAt = nextRunAfter(recurrenceOf(record), now).toISOString();
  return insertReportSchedule(tx, actor, record, now);
}

/** Stores a checked schedule and writes `report_schedule.created`. */
export async function insertReportSchedule(
  tx: Executor,
  actor: AuthenticatedActor,
  record: ScheduleRecord,
  now: Date,
): Promise<ReportSchedule> {
  await tx
    .insertInto("report_schedules")
    .values({
      ...columnsOf(record),
      id: record.id,
      organization_id: record.organizationId,
      property_id: record.propertyId,
      created_by: actor.kind === undefined || actor.kind === "user" ? actor.userId : null,
      created_at: record.createdAt,
    })
    .execute();
  const presented = presentSchedule(record);
  await recordEvent(tx, {
    organizationId: record.organizationId,
    propertyId: record.propertyId,
    action: "report_schedule.created",
    entityType: "reportSchedule",
    entityId: record.id,
    actor: snapshotOf(actor),
    after: presented,
    now,
  });
  return presented;
}
