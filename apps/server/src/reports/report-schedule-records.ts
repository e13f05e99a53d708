/**
 * What every report-schedule command shares: loading a schedule within the organization, deciding who may act on it,
 * checking a schedule as it would be after a change, and presenting schedules and deliveries.
 */
import {
  type ReportDelivery,
  type ReportSchedule,
  type ReportScheduleStatus,
  ScheduleFilters,
} from "@keyward/contracts/report-schedules";
import type { ReportName } from "@keyward/contracts/reports";
import type { Executor } from "@keyward/db/connect";
import type { ReportDeliveryTable, ReportScheduleTable } from "@keyward/db/schema";
import { type Action, can, PERMISSIONS, propertiesWhere, type Role } from "@keyward/domain/permissions";
import { type Recurrence, type ReportFrequency, validateRecurrence } from "@keyward/domain/report-schedule";
import { isValidTimeZone, type Weekday } from "@keyward/domain/schedule";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { forbidden, invalidInput, notFound } from "../errors.ts";
import { REPORTS } from "./report-catalog.ts";
import { personWithinReach } from "./run-report.ts";

/** A schedule as the commands handle it: the row's JSON columns read, the property's name beside it. */
export interface ScheduleRecord {
  id: string;
  organizationId: string;
  propertyId: string | null;
  propertyName: string | null;
  report: ReportName;
  name: string;
  filters: ScheduleFilters;
  frequency: ReportFrequency;
  weekday: Weekday | null;
  monthDay: number | null;
  localTime: string;
  timeZone: string;
  recipients: { roles: Role[]; userIds: string[]; emails: string[] };
  formats: ("pdf" | "csv")[];
  status: ReportScheduleStatus;
  nextRunAt: string;
  lastRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The schedule's recurrence, for the domain's clock arithmetic. */
export function recurrenceOf(s: Pick<ScheduleRecord, "frequency" | "weekday" | "monthDay" | "localTime" | "timeZone">) {
  return {
    frequency: s.frequency,
    weekday: s.weekday,
    monthDay: s.monthDay,
    localTime: s.localTime,
    timeZone: s.timeZone,
  } satisfies Recurrence;
}

/** A stored row as a record. */
export function recordOf(row: ReportScheduleTable & { property_name: string | null }): ScheduleRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    propertyId: row.property_id,
    propertyName: row.property_name,
    report: row.report as ReportName,
    name: row.name,
    filters: ScheduleFilters.parse(JSON.parse(row.params)),
    frequency: row.frequency as ReportFrequency,
    weekday: row.weekday === null ? null : (Number(row.weekday) as Weekday),
    monthDay: row.month_day === null ? null : Number(row.month_day),
    localTime: row.local_time,
    timeZone: row.time_zone,
    recipients: JSON.parse(row.recipients) as ScheduleRecord["recipients"],
    formats: JSON.parse(row.formats) as ScheduleRecord["formats"],
    status: row.status as ReportScheduleStatus,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A record's columns (all but the keys and the creation stamp). */
export function columnsOf(s: ScheduleRecord) {
  return {
    report: s.report,
    name: s.name,
    params: JSON.stringify(s.filters),
    frequency: s.frequency,
    weekday: s.weekday,
    month_day: s.monthDay,
    local_time: s.localTime,
    time_zone: s.timeZone,
    recipients: JSON.stringify(s.recipients),
    formats: JSON.stringify(s.formats),
    status: s.status,
    next_run_at: s.nextRunAt,
    last_run_at: s.lastRunAt,
    updated_at: s.updatedAt,
  };
}

/** Schedules of the organization with their property's name; narrow further with `where`. */
export function selectSchedules(db: Executor, organizationId: string) {
  return db
    .selectFrom("report_schedules")
    .leftJoin("properties", "properties.id", "report_schedules.property_id")
    .selectAll("report_schedules")
    .select("properties.name as property_name")
    .where("report_schedules.organization_id", "=", organizationId);
}

/** One schedule of the organization, or null. */
export async function findSchedule(db: Executor, organizationId: string, id: string): Promise<ScheduleRecord | null> {
  const row = await selectSchedules(db, organizationId).where("report_schedules.id", "=", id).executeTakeFirst();
  return row ? recordOf(row) : null;
}

/**
 * Whether the actor may act on schedules at a property, or (null) organization-wide. An organization-wide schedule
 * reports on every property, so only organization roles reach it, even to read it.
 */
export function maySchedule(actor: AuthenticatedActor, action: Action, propertyId: string | null): boolean {
  if (propertyId === null) {
    return propertiesWhere(actor, action, "reportSchedule") === "all";
  }
  return can(actor, action, { entity: "reportSchedule", organizationId: actor.organizationId, propertyId });
}

/**
 * Refuses extra e-mail addresses added by someone who may not create or change schedules organization-wide. An
 * address is nobody's login, so no permission is checked when a report goes to it; only an organization role may
 * send a property's reports outside the people who may read them. Addresses already there may stay or be removed.
 */
export function checkExtraEmails(
  actor: AuthenticatedActor,
  action: "create" | "update",
  before: readonly string[],
  after: readonly string[],
): void {
  const added = after.filter((email) => !before.includes(email));
  if (added.length > 0 && !maySchedule(actor, action, null)) {
    throw invalidInput(
      "recipients.emails",
      "only someone who manages report schedules for the whole organization may add e-mail addresses; choose " +
        "roles or users instead",
    );
  }
}

/** Authorizes an act on a schedule: 404 when the actor may not even read it, 403 when they may read but not act. */
export function authorizeSchedule(actor: AuthenticatedActor, action: Action, schedule: ScheduleRecord): void {
  if (schedule.organizationId === actor.organizationId && maySchedule(actor, action, schedule.propertyId)) {
    return;
  }
  if (
    action !== "read" &&
    schedule.organizationId === actor.organizationId &&
    maySchedule(actor, "read", schedule.propertyId)
  ) {
    throw forbidden(`${action} this report schedule`);
  }
  throw notFound("report schedule");
}

/** Loads a schedule and authorizes the act, or answers 404. */
export async function loadSchedule(
  db: Executor,
  actor: AuthenticatedActor,
  action: Action,
  id: string,
): Promise<ScheduleRecord> {
  const schedule = await findSchedule(db, actor.organizationId, id);
  if (!schedule) {
    throw notFound("report schedule");
  }
  authorizeSchedule(actor, action, schedule);
  return schedule;
}

/** Roles whose holders may read reports somewhere: the only roles a schedule may send a report to. */
export const REPORT_READING_ROLES: readonly Role[] = (Object.keys(PERMISSIONS) as Role[]).filter((role) =>
  PERMISSIONS[role].report.includes("read"),
);

/**
 * Checks a schedule as it would be after a change.
 * @throws invalid_input for a recurrence that does not hold together, an unknown zone, a filter the report does not
 *   take, a sort that is not one of its columns, an id that is not in the organization (or not at the schedule's
 *   property), a role that may not read reports, or a user who is not in the organization.
 */
export async function checkSchedule(db: Executor, s: ScheduleRecord): Promise<void> {
  if (!isValidTimeZone(s.timeZone)) {
    throw invalidInput("timeZone", `"${s.timeZone}" is not an IANA time zone (e.g. America/Chicago)`);
  }
  const [problem] = validateRecurrence(recurrenceOf(s));
  if (problem) {
    const [field = "frequency", message = problem] = problem.split(": ");
    throw invalidInput(field, message);
  }
  const definition = REPORTS[s.report];
  for (const key of ["buildingId", "unitId", "personId", "reasonCodeId", "days"] as const) {
    if (s.filters[key] !== undefined && !definition.filters.includes(key)) {
      throw invalidInput(`filters.${key}`, `The ${definition.title} report does not take this filter.`);
    }
  }
  const sort = s.filters.sort?.replace(/^-/, "");
  if (sort !== undefined && !definition.columns.some((c) => c.key === sort)) {
    const keys = definition.columns.map((c) => c.key).join(", ");
    throw invalidInput("filters.sort", `The ${definition.title} report sorts by one of its columns: ${keys}.`);
  }
  const exists = async (table: "buildings" | "units", id: string) => {
    let q = db.selectFrom(table).select("id").where("organization_id", "=", s.organizationId).where("id", "=", id);
    if (s.propertyId !== null) {
      q = q.where("property_id", "=", s.propertyId);
    }
    return (await q.executeTakeFirst()) !== undefined;
  };
  const where = s.propertyId === null ? "in this organization" : "at this schedule's property";
  if (s.filters.buildingId && !(await exists("buildings", s.filters.buildingId))) {
    throw invalidInput("filters.buildingId", `no building with that id exists ${where}`);
  }
  if (s.filters.unitId && !(await exists("units", s.filters.unitId))) {
    throw invalidInput("filters.unitId", `no unit with that id exists ${where}`);
  }
  // why: the person's name prints in every e-mail's header; a property's schedule names only a person of its reach
  const personId = s.filters.personId;
  if (
    personId &&
    !(await personWithinReach(db, s.organizationId, personId, s.propertyId === null ? "all" : [s.propertyId]))
  ) {
    throw invalidInput("filters.personId", `no person with that id exists ${where}`);
  }
  const reasonCodeId = s.filters.reasonCodeId;
  if (
    reasonCodeId &&
    !(await db
      .selectFrom("reason_codes")
      .select("id")
      .where("organization_id", "=", s.organizationId)
      .where("id", "=", reasonCodeId)
      .executeTakeFirst())
  ) {
    throw invalidInput("filters.reasonCodeId", "no record with that id exists in this organization");
  }
  const refused = s.recipients.roles.filter((role) => !REPORT_READING_ROLES.includes(role));
  if (refused.length > 0) {
    throw invalidInput("recipients.roles", `these roles may not read reports: ${refused.join(", ")}`);
  }
  if (s.recipients.userIds.length > 0) {
    const found = await db
      .selectFrom("users")
      .select("id")
      .where("organization_id", "=", s.organizationId)
      .where("id", "in", s.recipients.userIds)
      .execute();
    if (found.length !== new Set(s.recipients.userIds).size) {
      throw invalidInput("recipients.userIds", "every user must be a login of this organization");
    }
  }
}

/** What leaves the server about a schedule. */
export function presentSchedule(s: ScheduleRecord): ReportSchedule {
  const { organizationId: _organization, ...presented } = s;
  return presented;
}

/**
 * A delivery's recipients column: `{ sent, skipped }` (an array of the addresses sent to, as the first deliveries
 * recorded it, reads as such with nobody skipped).
 */
function recipientsOf(stored: string | null): Pick<ReportDelivery, "recipients" | "skipped"> {
  if (stored === null) {
    return { recipients: null, skipped: [] };
  }
  const parsed = JSON.parse(stored) as string[] | { sent: string[]; skipped: string[] };
  if (Array.isArray(parsed)) {
    return { recipients: parsed, skipped: [] };
  }
  return { recipients: parsed.sent.length > 0 ? parsed.sent : null, skipped: parsed.skipped };
}

/** What leaves the server about a delivery. */
export function presentDelivery(row: ReportDeliveryTable): ReportDelivery {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    dueAt: row.due_at,
    status: row.status as ReportDelivery["status"],
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    ...recipientsOf(row.recipients),
    sentAt: row.sent_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
