/**
 * By activity: one row per reason code (and one for keys that left with no reason: lifted without a session) —
 * how often, how many units and people, how long keys stayed out, how many are still out or were late, and how often
 * a work order was given where the reason requires one. Counted in the database, grouped by reason.
 */
import { sql } from "kysely";
import { NO_REASON } from "./by-unit-report.ts";
import type { ReportDefinition } from "./report-definition.ts";
import {
  bucketInstant,
  bucketUnit,
  checkoutsInPeriod,
  hourOfDayChartOf,
  instantSql,
  minutesSql,
  overTimeChartOf,
  periodOfReport,
  rankedChart,
  sqlDialect,
  utcBucketSql,
} from "./report-parts.ts";

export const byActivityReport: ReportDefinition = {
  name: "by-activity",
  title: "By activity",
  description:
    "Each reason keys left for in the period: how often, how many units and people, how long (a key still out counts until now), and how many were late.",
  periodic: true,
  filters: ["buildingId", "unitId", "personId", "reasonCodeId"],
  columns: [
    { key: "reason", label: "Reason", kind: "text" },
    { key: "code", label: "Code", kind: "text" },
    { key: "checkouts", label: "Checkouts", kind: "number" },
    { key: "units", label: "Units", kind: "number" },
    { key: "people", label: "People", kind: "number" },
    { key: "averageMinutes", label: "Average (min)", kind: "minutes" },
    { key: "longestMinutes", label: "Longest (min)", kind: "minutes" },
    { key: "stillOut", label: "Still out", kind: "number" },
    { key: "overdue", label: "Overdue", kind: "number" },
    { key: "workOrderShare", label: "With work order (%)", kind: "number" },
  ],
  defaultSort: { key: "checkouts", direction: "desc" },
  async run(context) {
    const { db, scope, timeZone, now } = context;
    const period = periodOfReport(context);
    const dialect = sqlDialect(db);
    const nowIso = now.toISOString();
    const held = minutesSql(dialect, "checkouts.out_at", "checkouts.returned_at", nowIso);
    // why: late is returned after its due time, or still out past it; one comparison says both
    const late = sql<number>`case when checkouts.due_at is not null and coalesce(checkouts.returned_at, ${instantSql(
      dialect,
      nowIso,
    )}) > checkouts.due_at then 1 else 0 end`;
    const open = sql<number>`case when checkouts.status = 'open' then 1 else 0 end`;
    const withWorkOrder = sql<number>`case when checkouts.work_order is not null and checkouts.work_order <> '' then 1 else 0 end`;

    const perReason = await checkoutsInPeriod(context)
      .select((eb) => [
        "checkouts.reason_code_id",
        eb.fn.countAll<number>().as("checkouts"),
        eb.fn.count<number>("checkouts.unit_id").distinct().as("units"),
        eb.fn.count<number>("checkouts.person_id").distinct().as("people"),
        eb.fn.sum<number>(held).as("minutes"),
        eb.fn.max<number>(held).as("longest"),
        eb.fn.sum<number>(open).as("open"),
        eb.fn.sum<number>(late).as("late"),
        eb.fn.sum<number>(withWorkOrder).as("with_work_order"),
      ])
      .groupBy("checkouts.reason_code_id")
      .execute();
    // why: a unit or a person counts once in the totals however many reasons they appear under
    const overall = await checkoutsInPeriod(context)
      .select((eb) => [
        eb.fn.count<number>("checkouts.unit_id").distinct().as("units"),
        eb.fn.count<number>("checkouts.person_id").distinct().as("people"),
      ])
      .executeTakeFirstOrThrow();
    const bucket = utcBucketSql(dialect, "checkouts.out_at", bucketUnit(timeZone, period));
    const perBucket = await checkoutsInPeriod(context)
      .select((eb) => [bucket.as("bucket"), eb.fn.countAll<number>().as("times")])
      .groupBy(sql.ref("bucket"))
      .execute();
    const reasons = new Map(
      (
        await db
          .selectFrom("reason_codes")
          .select(["id", "code", "label", "requires_work_order"])
          .where("organization_id", "=", scope.organizationId)
          .execute()
      ).map((r) => [r.id, r]),
    );

    const rows = perReason.map((r) => {
      const reason = r.reason_code_id ? reasons.get(r.reason_code_id) : undefined;
      const checkouts = Number(r.checkouts);
      return {
        cells: {
          reason: reason?.label ?? (r.reason_code_id ? r.reason_code_id : NO_REASON),
          code: reason?.code ?? null,
          checkouts,
          units: Number(r.units),
          people: Number(r.people),
          averageMinutes: Math.round(Number(r.minutes) / checkouts),
          longestMinutes: Number(r.longest),
          stillOut: Number(r.open),
          overdue: Number(r.late),
          workOrderShare: reason?.requires_work_order
            ? Math.round((100 * Number(r.with_work_order)) / checkouts)
            : null,
        },
        ...(r.reason_code_id ? { links: { reasonCodeId: r.reason_code_id } } : {}),
      };
    });
    const sum = (key: "checkouts" | "stillOut" | "overdue") => rows.reduce((n, r) => n + r.cells[key], 0);
    const buckets = perBucket.map((b) => ({ at: bucketInstant(b.bucket), count: Number(b.times) }));
    return {
      rows,
      totals: [
        { key: "checkouts", label: "Checkouts", value: sum("checkouts") },
        { key: "units", label: "Units", value: Number(overall.units) },
        { key: "people", label: "People", value: Number(overall.people) },
        { key: "stillOut", label: "Still out", value: sum("stillOut") },
        { key: "overdue", label: "Overdue", value: sum("overdue") },
      ],
      charts: [
        rankedChart(
          "byReason",
          "Checkouts by reason",
          rows.map((r) => [r.cells.reason, r.cells.checkouts] as const),
        ),
        overTimeChartOf("overTime", "Checkouts over time", buckets, timeZone, period),
        hourOfDayChartOf("byHour", "Checkouts by hour of day", buckets, timeZone),
      ],
    };
  },
};
