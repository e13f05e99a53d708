/**
 * Reports: one query shape and one answer shape for all of them, so the dashboard draws any report from its answer
 * and the CSV and PDF carry exactly the JSON's rows and totals.
 */
import { z } from "zod";
import { Id, LocalDate, Timestamp } from "./common.ts";

/** The reports, as named in `GET /api/v1/reports/{name}`. Stable: links, schedules and scripts use them. */
export const REPORT_NAMES = [
  "keys-out",
  "by-unit",
  "by-activity",
  "by-employee",
  "exceptions",
  "transactions",
  "inventory",
  "access-review",
  "cabinet-health",
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_FORMATS = ["json", "csv", "pdf"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The most rows one answer carries; past it the answer says `truncated` and totals still count every row. */
export const MAX_REPORT_ROWS = 50_000;

/** The filters every report takes (each report uses those that make sense for it and names them in its header). */
export const ReportFilters = z.object({
  propertyId: Id.optional().describe("one property; unset: every property you may see reports of"),
  buildingId: Id.optional(),
  unitId: Id.optional(),
  personId: Id.optional(),
  reasonCodeId: Id.optional(),
  from: LocalDate.optional().describe("the first day of the period, in the report's time zone; default 30 days ago"),
  to: LocalDate.optional().describe("the last day of the period, included; default today"),
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe("inventory: keys unused for this many days; access review: people without activity for this many days"),
  sort: z
    .string()
    .regex(/^-?[a-zA-Z][a-zA-Z0-9]*$/)
    .max(64)
    .optional()
    .describe("a column key; '-key' sorts descending"),
});
export type ReportFilters = z.infer<typeof ReportFilters>;

/** A report's query string. Strict: a parameter no report takes (a typo of a filter) is refused, never ignored. */
export const ReportQuery = ReportFilters.extend({
  format: z.enum(REPORT_FORMATS).default("json"),
  limit: z.coerce.number().int().min(1).max(MAX_REPORT_ROWS).default(5_000),
}).strict();
export type ReportQuery = z.infer<typeof ReportQuery>;

/**
 * How a column's values read: `instant` is an ISO-8601 UTC string shown in the report's time zone; `minutes` a
 * duration in whole minutes; `flag` a yes/no.
 */
export const REPORT_COLUMN_KINDS = ["text", "number", "instant", "date", "minutes", "flag"] as const;
export type ReportColumnKind = (typeof REPORT_COLUMN_KINDS)[number];

export const ReportColumn = z.object({
  key: z.string(),
  label: z.string(),
  kind: z.enum(REPORT_COLUMN_KINDS),
});
export type ReportColumn = z.infer<typeof ReportColumn>;

export const ReportCell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type ReportCell = z.infer<typeof ReportCell>;

/**
 * A row: one value per column key, plus `links` to what the row is about (a unit's timeline, a person, a key) that
 * only the dashboard uses.
 */
export const ReportRow = z.object({
  cells: z.record(z.string(), ReportCell),
  links: z.record(z.string(), z.string()).optional(),
});
export type ReportRow = z.infer<typeof ReportRow>;

export const ReportTotal = z.object({ key: z.string(), label: z.string(), value: z.number() });
export type ReportTotal = z.infer<typeof ReportTotal>;

/** A chart's data: labelled values (activity over time, by reason, by hour of day, by person). */
export const ReportChart = z.object({
  key: z.string(),
  title: z.string(),
  kind: z.enum(["bar", "line"]),
  points: z.array(z.object({ label: z.string(), value: z.number() })),
});
export type ReportChart = z.infer<typeof ReportChart>;

export const Report = z
  .object({
    name: z.enum(REPORT_NAMES),
    title: z.string(),
    description: z.string(),
    organization: z.object({ id: z.string(), name: z.string() }),
    property: z.object({ id: z.string(), name: z.string(), timeZone: z.string() }).nullable(),
    /** The zone days and times are read in: the property's, or UTC for several properties. */
    timeZone: z.string(),
    period: z
      .object({ from: LocalDate, to: LocalDate, fromInstant: Timestamp, toInstant: Timestamp })
      .nullable()
      .describe("null for reports of the present moment (keys out, inventory, access review, cabinet health)"),
    /** The filters as people read them ("Building: North"), in the order the header prints them. */
    filters: z.array(z.object({ key: z.string(), label: z.string(), value: z.string() })),
    generatedAt: Timestamp,
    generatedBy: z.object({ userId: z.string(), name: z.string() }),
    /** The latest signed checkpoint of the organization's audit log when the report was made: what its rows rest on. */
    checkpoint: z.object({ size: z.number(), rootHash: z.string(), signedAt: Timestamp }).nullable(),
    columns: z.array(ReportColumn),
    rows: z.array(ReportRow),
    totals: z.array(ReportTotal),
    charts: z.array(ReportChart),
    sort: z.object({ key: z.string(), direction: z.enum(["asc", "desc"]) }),
    /** Rows before the limit; `rows` holds at most `limit` of them. */
    rowCount: z.number(),
    truncated: z.boolean(),
  })
  .meta({ id: "Report" });
export type Report = z.infer<typeof Report>;
