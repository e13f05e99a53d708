/**
 * What a report is to the rest of the server: a definition (its columns, default sort, whether it covers a period) and
 * a `run` that reads the rows for a context already scoped and checked by `runReport`. Reports never authorize: the
 * context says which properties they may read, and every query filters by it.
 */
import type {
  ReportChart,
  ReportColumn,
  ReportFilters,
  ReportName,
  ReportRow,
  ReportTotal,
} from "@keyward/contracts/reports";
import type { Executor } from "@keyward/db/connect";
import type { AuthenticatedActor } from "../auth/actor.ts";

/** A period as instants (`from` included, `to` excluded) and as the local days people asked for. */
export interface ReportPeriod {
  from: string;
  to: string;
  fromInstant: string;
  toInstant: string;
}

/**
 * Where a report may look. `properties` is "all" for an organization-wide role with no property filter (queries then
 * filter by organization only, which the organization-leading indexes serve), or the property ids it covers.
 */
export interface ReportScope {
  organizationId: string;
  properties: "all" | readonly string[];
  /**
   * Whether events with no property (sign-ins, organization-wide changes) belong in the report: only for someone who
   * may read organization-level events, and only without a property filter.
   */
  organizationEvents: boolean;
}

/** Everything a report's `run` reads from: checked filters, scope, zone and period. */
export interface ReportContext {
  db: Executor;
  actor: AuthenticatedActor;
  now: Date;
  scope: ReportScope;
  /** The filters as given, each id already checked to exist in the scope. */
  filters: ReportFilters;
  /** The zone days and hours are read in: the property's, or the scope's one zone, or UTC. */
  timeZone: string;
  /** The period, for reports that cover one; null for reports of the present moment. */
  period: ReportPeriod | null;
  /**
   * The order `runReport` will sort the rows in. A report that reads only some of its rows (the newest or oldest
   * `MAX_REPORT_ROWS + 1`) reads them in this order when it is by time, so the rows shown are the right end.
   */
  sort: { key: string; direction: "asc" | "desc" };
}

/** What `run` returns: every row (sorting and the row limit are `runReport`'s), totals over all of them, charts. */
export interface ReportOutput {
  rows: ReportRow[];
  totals: ReportTotal[];
  charts: ReportChart[];
  /**
   * How many rows match when `run` read only some of them (a report over millions of events reads the newest
   * `MAX_REPORT_ROWS + 1`); unset when `rows` holds every matching row.
   */
  rowCount?: number;
}

/** The filters a report may be given besides the property and the period. */
export type ReportFilterKey = "buildingId" | "unitId" | "personId" | "reasonCodeId" | "days";

export interface ReportDefinition {
  name: ReportName;
  title: string;
  /** One sentence: what the report answers. */
  description: string;
  /** Whether the report covers a period (from/to); otherwise it describes the present moment. */
  periodic: boolean;
  /** Filters it understands besides property and period; others are refused as invalid input. */
  filters: readonly ReportFilterKey[];
  columns: readonly ReportColumn[];
  defaultSort: { key: string; direction: "asc" | "desc" };
  run(context: ReportContext): Promise<ReportOutput>;
}
