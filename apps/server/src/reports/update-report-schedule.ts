/** Changes a report schedule (pausing and resuming included) and writes the changed fields as its event. */
import type { ReportSchedule, ReportScheduleUpdate } from "@keyward/contracts/report-schedules";
import type { Executor } from "@keyward/db/connect";
import { nextRunAfter } from "@keyward/domain/report-schedule";
import type { Weekday } from "@keyward/domain/schedule";
import type { z } from "zod";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { invalidInput } from "../errors.ts";
import { diff, recordEvent } from "../events.ts";
import {
  checkExtraEmails,
  checkSchedule,
  columnsOf,
  loadSchedule,
  presentSchedule,
  recurrenceOf,
  type ScheduleRecord,
} from "./report-schedule-records.ts";

type Input = z.output<typeof ReportScheduleUpdate>;

/** The error a delivery still waiting when its schedule was paused is left with. */
export const PAUSED_MESSAGE = "Not sent: the schedule was paused before this delivery's attempt.";

/**
 * Applies a partial change. A change of when it runs (frequency, day, time, zone) or a resume moves the next run to
 * the first such time after now; a schedule resumed does not send the runs it missed while paused.
 * @throws not_found (also for a schedule the actor may not read); forbidden; invalid_input.
 */
export async function updateReportSchedule(
  tx: Executor,
  actor: AuthenticatedActor,
  id: string,
  input: Input,
  now: Date,
): Promise<ReportSchedule> {
  const current = await loadSchedule(tx, actor, "update", id);
  if (current.propertyId !== null && input.timeZone !== undefined && input.timeZone !== current.timeZone) {
    throw invalidInput(
      "timeZone",
      `a property's schedule runs in the property's time zone (${current.timeZone}); change the property's zone instead`,
    );
  }
  const frequency = input.frequency ?? current.frequency;
  const next: ScheduleRecord = {
    ...current,
    name: input.name ?? current.name,
    report: input.report ?? current.report,
    filters: input.filters ?? current.filters,
    frequency,
    // why: a schedule moved to another frequency drops the day it no longer uses, unless the change names one
    weekday:
      input.weekday !== undefined ? (input.weekday as Weekday | null) : frequency === "weekly" ? current.weekday : null,
    monthDay: input.monthDay !== undefined ? input.monthDay : frequency === "monthly" ? current.monthDay : null,
    localTime: input.localTime ?? current.localTime,
    timeZone: input.timeZone ?? current.timeZone,
    recipients: input.recipients
      ? {
          roles: [...new Set(input.recipients.roles)],
          userIds: [...new Set(input.recipients.userIds)],
          emails: [...new Set(input.recipients.emails.map((e) => e.toLowerCase()))],
        }
      : current.recipients,
    formats: input.formats ?? current.formats,
    status: input.status ?? current.status,
    updatedAt: now.toISOString(),
  };
  checkExtraEmails(actor, "update", current.recipients.emails, next.recipients.emails);
  await checkSchedule(tx, next);
  const when = (s: ScheduleRecord) => JSON.stringify([recurrenceOf(s), s.status]);
  if (when(next) !== when(current)) {
    next.nextRunAt = nextRunAfter(recurrenceOf(next), now).toISOString();
  }
  if (current.status === "active" && next.status === "paused") {
    // why: a paused schedule sends nothing, so runs still waiting for an attempt stop here; each stays listed as
    // failed, and "retry" sends it should someone still want it
    const iso = now.toISOString();
    await tx
      .updateTable("report_deliveries")
      .set({ status: "failed", next_attempt_at: null, last_error: PAUSED_MESSAGE, updated_at: iso })
      .where("organization_id", "=", current.organizationId)
      .where("schedule_id", "=", current.id)
      .where("status", "=", "pending")
      .execute();
  }
  return saveSchedule(tx, actor, current, next, now);
}

/** Stores a changed schedule and writes `report_schedule.updated` with the fields that changed. */
export async function saveSchedule(
  tx: Executor,
  actor: AuthenticatedActor,
  current: ScheduleRecord,
  next: ScheduleRecord,
  now: Date,
): Promise<ReportSchedule> {
  const before = presentSchedule(current);
  const after = presentSchedule(next);
  const change = diff(before, after);
  if (!change) {
    return before;
  }
  await tx
    .updateTable("report_schedules")
    .set(columnsOf(next))
    .where("organization_id", "=", next.organizationId)
    .where("id", "=", next.id)
    .execute();
  await recordEvent(tx, {
    organizationId: next.organizationId,
    propertyId: next.propertyId,
    action: "report_schedule.updated",
    entityType: "reportSchedule",
    entityId: next.id,
    actor: snapshotOf(actor),
    before: change.before,
    after: change.after,
    now,
  });
  return after;
}
