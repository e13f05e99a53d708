/**
 * Scheduled reports: a report sent by e-mail daily, weekly or monthly at a local time, with its PDF and/or CSV
 * attached, and each run's delivery (due, sent, failing and retried, or failed for good until retried by hand).
 */
import { ROLES } from "@keyward/domain/permissions";
import { REPORT_FREQUENCIES } from "@keyward/domain/report-schedule";
import { z } from "zod";
import { Id, Timestamp } from "./common.ts";
import { REPORT_NAMES, ReportFilters } from "./reports.ts";

/** Persisted: stable string keys. A paused schedule keeps its settings and sends nothing. */
export const REPORT_SCHEDULE_STATUSES = ["active", "paused"] as const;
export type ReportScheduleStatus = (typeof REPORT_SCHEDULE_STATUSES)[number];

/**
 * A delivery's state: `pending` waits for its (next) attempt, `sending` is being sent by a server process, `sent` went
 * out, `failed` gave up after its attempts and waits for someone to retry it.
 */
export const REPORT_DELIVERY_STATUSES = ["pending", "sending", "sent", "failed"] as const;
export type ReportDeliveryStatus = (typeof REPORT_DELIVERY_STATUSES)[number];

/** What a delivery attaches. */
export const REPORT_ATTACHMENTS = ["pdf", "csv"] as const;

const HhMm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "use a time between 00:00 and 23:59")
  .describe('local wall-clock time "HH:MM" in the schedule\'s time zone');

/**
 * The report's filters on a schedule: those of the report itself, less the property (the schedule's own) and the
 * period (a periodic report covers the full days before each run: yesterday, the last 7 days, the last month).
 */
export const ScheduleFilters = ReportFilters.omit({ propertyId: true, from: true, to: true }).strict();
export type ScheduleFilters = z.infer<typeof ScheduleFilters>;

/** Who receives it: everyone active holding these roles at the property (or organization-wide), these users, and these addresses. */
export const ScheduleRecipients = z
  .object({
    roles: z.array(z.enum(ROLES)).max(ROLES.length).default([]),
    userIds: z.array(Id).max(200).default([]),
    emails: z.array(z.email().max(320)).max(200).default([]),
  })
  .refine((r) => r.roles.length + r.userIds.length + r.emails.length > 0, {
    message: "name at least one role, user or e-mail address",
  });
export type ScheduleRecipients = z.infer<typeof ScheduleRecipients>;

export const ReportSchedule = z
  .object({
    id: Id,
    /** Null: organization-wide. */
    propertyId: Id.nullable(),
    propertyName: z.string().nullable(),
    report: z.enum(REPORT_NAMES),
    name: z.string(),
    filters: ScheduleFilters,
    frequency: z.enum(REPORT_FREQUENCIES),
    /** Weekly: 1 = Monday … 7 = Sunday. */
    weekday: z.number().int().nullable(),
    /** Monthly: 1–31 (the month's last day when it is shorter). */
    monthDay: z.number().int().nullable(),
    localTime: z.string(),
    /** The property's zone, or the one chosen for an organization-wide schedule. */
    timeZone: z.string(),
    recipients: z.object({ roles: z.array(z.enum(ROLES)), userIds: z.array(Id), emails: z.array(z.string()) }),
    formats: z.array(z.enum(REPORT_ATTACHMENTS)),
    status: z.enum(REPORT_SCHEDULE_STATUSES),
    nextRunAt: Timestamp,
    lastRunAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "ReportSchedule" });
export type ReportSchedule = z.infer<typeof ReportSchedule>;

const scheduleFields = {
  name: z.string().trim().min(1).max(200),
  report: z.enum(REPORT_NAMES),
  filters: ScheduleFilters.default({}),
  frequency: z.enum(REPORT_FREQUENCIES),
  weekday: z.number().int().min(1).max(7).nullable().optional(),
  monthDay: z.number().int().min(1).max(31).nullable().optional(),
  localTime: HhMm,
  recipients: ScheduleRecipients,
  formats: z
    .array(z.enum(REPORT_ATTACHMENTS))
    .min(1, "attach the PDF, the CSV or both")
    .max(2)
    .refine((f) => new Set(f).size === f.length, "name each format once"),
  status: z.enum(REPORT_SCHEDULE_STATUSES).default("active"),
};

export const ReportScheduleCreate = z.object({
  ...scheduleFields,
  /** Null or absent: organization-wide (organization roles only). */
  propertyId: Id.nullable().optional(),
  /** Organization-wide only (required there); a property's schedule runs in the property's zone. */
  timeZone: z.string().min(1).max(64).optional(),
});
export type ReportScheduleCreate = z.input<typeof ReportScheduleCreate>;

/**
 * A change: any field but the property (a schedule stays where it was made). `status` pauses and resumes; a resumed
 * schedule runs next at its first time after now, not at the runs it missed while paused.
 */
export const ReportScheduleUpdate = z.object({
  name: scheduleFields.name.optional(),
  report: scheduleFields.report.optional(),
  filters: ScheduleFilters.optional(),
  frequency: scheduleFields.frequency.optional(),
  weekday: scheduleFields.weekday,
  monthDay: scheduleFields.monthDay,
  localTime: HhMm.optional(),
  recipients: ScheduleRecipients.optional(),
  formats: scheduleFields.formats.optional(),
  status: z.enum(REPORT_SCHEDULE_STATUSES).optional(),
  timeZone: z.string().min(1).max(64).optional(),
});
export type ReportScheduleUpdate = z.input<typeof ReportScheduleUpdate>;

export const ReportScheduleListQuery = z.object({
  propertyId: Id.optional(),
  status: z.enum(REPORT_SCHEDULE_STATUSES).optional(),
});

export const ReportScheduleList = z.object({ items: z.array(ReportSchedule) }).meta({ id: "ReportScheduleList" });

export const ReportDelivery = z
  .object({
    id: Id,
    scheduleId: Id,
    /** The run it is: the schedule's instant (or the moment someone asked to send now). */
    dueAt: Timestamp,
    status: z.enum(REPORT_DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: Timestamp.nullable(),
    lastError: z.string().nullable(),
    /** The addresses it went to (once sent). */
    recipients: z.array(z.string()).nullable(),
    /**
     * Logins the schedule names (by role or by user) that were left out of its last attempt: no longer active, or no
     * longer allowed to read reports at the schedule's property.
     */
    skipped: z.array(z.string()),
    sentAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "ReportDelivery" });
export type ReportDelivery = z.infer<typeof ReportDelivery>;

export const ReportDeliveryListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(REPORT_DELIVERY_STATUSES).optional(),
});

export const ReportDeliveryList = z.object({ items: z.array(ReportDelivery) }).meta({ id: "ReportDeliveryList" });
