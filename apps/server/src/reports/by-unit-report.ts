/**
 * By unit: each unit whose keys left in the period — how many times, who took them, why and for how long — the
 * answer to a resident who asks who entered their home; each row links to the unit's timeline. Counted in the
 * database (grouped by unit, person and reason, and by stretch of time), never row by row.
 */
import { chunked } from "@keyward/db/chunks";
import { type NotNull, sql } from "kysely";
import { NO_ONE_IDENTIFIED } from "./keys-out-report.ts";
import type { ReportDefinition } from "./report-definition.ts";
import {
  bucketInstant,
  bucketUnit,
  checkoutsInPeriod,
  hourOfDayChartOf,
  minutesSql,
  overTimeChartOf,
  peopleNames,
  periodOfReport,
  rankedChart,
  sqlDialect,
  utcBucketSql,
} from "./report-parts.ts";

/** The label of checkouts with no reason (keys lifted without a session). */
export const NO_REASON = "No reason";

/** How many names and reasons a row's cell lists before "+N more". */
const LISTED = 3;

/** "Tess Tech (5), Ray Roe (2), +3 more": the most frequent first. */
function listed(counts: Map<string, number>): string {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = sorted.slice(0, LISTED).map(([label, n]) => `${label} (${n})`);
  return sorted.length > LISTED ? `${shown.join(", ")}, +${sorted.length - LISTED} more` : shown.join(", ");
}

/** Adds `n` to a label's count. */
function tally(counts: Map<string, number>, label: string, n: number): void {
  counts.set(label, (counts.get(label) ?? 0) + n);
}

/** One unit's figures, summed over its groups. */
interface UnitFigures {
  times: number;
  people: Set<string>;
  takers: Map<string, number>;
  reasons: Map<string, number>;
  minutes: number;
  longest: number;
  lastOut: string;
}

export const byUnitReport: ReportDefinition = {
  name: "by-unit",
  title: "By unit",
  description:
    "Each unit whose keys left in the period: how many times, who took them, why, and for how long (a key still out counts until now).",
  periodic: true,
  filters: ["buildingId", "unitId", "personId", "reasonCodeId"],
  columns: [
    { key: "unit", label: "Unit", kind: "text" },
    { key: "building", label: "Building", kind: "text" },
    { key: "property", label: "Property", kind: "text" },
    { key: "timesOut", label: "Times out", kind: "number" },
    { key: "people", label: "People", kind: "number" },
    { key: "takenBy", label: "Taken by", kind: "text" },
    { key: "reasons", label: "Reasons", kind: "text" },
    { key: "minutesOut", label: "Minutes out", kind: "minutes" },
    { key: "longestMinutes", label: "Longest (min)", kind: "minutes" },
    { key: "lastOut", label: "Last out", kind: "instant" },
  ],
  defaultSort: { key: "timesOut", direction: "desc" },
  async run(context) {
    const { db, scope, timeZone, now } = context;
    const period = periodOfReport(context);
    const dialect = sqlDialect(db);
    const nowIso = now.toISOString();
    const held = minutesSql(dialect, "checkouts.out_at", "checkouts.returned_at", nowIso);
    const ofUnits = () => checkoutsInPeriod(context).where("checkouts.unit_id", "is not", null);

    // why: one pass over the period's checkouts, grouped by unit, person and reason, gives every per-unit figure
    // (the groups are few next to the checkouts: units × their takers × their reasons)
    const groups = await ofUnits()
      .select((eb) => [
        "checkouts.unit_id",
        "checkouts.person_id",
        "checkouts.reason_code_id",
        eb.fn.countAll<number>().as("times"),
        eb.fn.sum<number>(held).as("minutes"),
        eb.fn.max<number>(held).as("longest"),
        eb.fn.max("checkouts.out_at").as("last_out"),
      ])
      .groupBy(["checkouts.unit_id", "checkouts.person_id", "checkouts.reason_code_id"])
      .$narrowType<{ unit_id: NotNull }>()
      .execute();
    // why: the hour of day is local; grouping by UTC hour (or minute, for a zone off the whole hour) and reading each
    // group's local hour in JS stays right across a daylight-saving change, which shifting by one offset would not
    const bucket = utcBucketSql(dialect, "checkouts.out_at", bucketUnit(timeZone, period));
    const perBucket = await ofUnits()
      .select((eb) => [bucket.as("bucket"), eb.fn.countAll<number>().as("times")])
      .groupBy(sql.ref("bucket"))
      .execute();

    const unitIds = [...new Set(groups.map((g) => g.unit_id))];
    const units = new Map<string, { number: string; building: string | null; property: string }>();
    for (const ids of chunked(unitIds)) {
      const found = await db
        .selectFrom("units")
        .innerJoin("properties", "properties.id", "units.property_id")
        .leftJoin("buildings", "buildings.id", "units.building_id")
        .select(["units.id", "units.number", "buildings.name as building", "properties.name as property"])
        .where("units.organization_id", "=", scope.organizationId)
        .where("units.id", "in", ids)
        .execute();
      for (const u of found) {
        units.set(u.id, { number: u.number, building: u.building, property: u.property });
      }
    }
    const personIds = [...new Set(groups.flatMap((g) => (g.person_id ? [g.person_id] : [])))];
    const names = await peopleNames(db, scope.organizationId, personIds);
    const reasons = new Map(
      (
        await db
          .selectFrom("reason_codes")
          .select(["id", "label"])
          .where("organization_id", "=", scope.organizationId)
          .execute()
      ).map((r) => [r.id, r.label]),
    );

    const perUnit = new Map<string, UnitFigures>();
    const byReason: [string, number][] = [];
    for (const g of groups) {
      let u = perUnit.get(g.unit_id);
      if (!u) {
        u = { times: 0, people: new Set(), takers: new Map(), reasons: new Map(), minutes: 0, longest: 0, lastOut: "" };
        perUnit.set(g.unit_id, u);
      }
      const times = Number(g.times);
      const reason = g.reason_code_id ? (reasons.get(g.reason_code_id) ?? g.reason_code_id) : NO_REASON;
      u.times += times;
      if (g.person_id) {
        u.people.add(g.person_id);
      }
      tally(u.takers, g.person_id ? (names.get(g.person_id) ?? g.person_id) : NO_ONE_IDENTIFIED, times);
      tally(u.reasons, reason, times);
      u.minutes += Number(g.minutes);
      u.longest = Math.max(u.longest, Number(g.longest));
      if (g.last_out > u.lastOut) {
        u.lastOut = g.last_out;
      }
      byReason.push([reason, times]);
    }

    const rows = [...perUnit].map(([id, u]) => {
      const unit = units.get(id);
      return {
        cells: {
          unit: unit?.number ?? id,
          building: unit?.building ?? null,
          property: unit?.property ?? null,
          timesOut: u.times,
          people: u.people.size,
          takenBy: listed(u.takers),
          reasons: listed(u.reasons),
          minutesOut: u.minutes,
          longestMinutes: u.longest,
          lastOut: u.lastOut,
        },
        links: { unitId: id },
      };
    });
    const buckets = perBucket.map((b) => ({ at: bucketInstant(b.bucket), count: Number(b.times) }));
    return {
      rows,
      totals: [
        { key: "checkouts", label: "Checkouts", value: rows.reduce((sum, r) => sum + r.cells.timesOut, 0) },
        { key: "units", label: "Units", value: rows.length },
        { key: "people", label: "People", value: personIds.length },
      ],
      charts: [
        overTimeChartOf("overTime", "Checkouts over time", buckets, timeZone, period),
        rankedChart("byReason", "Checkouts by reason", byReason),
        hourOfDayChartOf("byHour", "Checkouts by hour of day", buckets, timeZone),
      ],
    };
  },
};
