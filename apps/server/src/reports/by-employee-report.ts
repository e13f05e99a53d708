/**
 * By employee: each person's takes and returns in the period, the keys others brought back for them, the units they
 * reached, how long they held keys, the cabinet's refusals and failed identifications — and unusual activity, each
 * with its reason (`unusualActivity` in the domain decides). One grouped query per measure over the organization-time
 * indexes, never one query per person; a person's own usual is read only for those whose figures could cross it.
 *
 * A building or reason filter narrows the key movements (takes, returns). Refusals and failed identifications are the
 * cabinet's answers to a person before any key moves, so they count at the filtered property whatever the building
 * or reason; a person's usual is likewise read over the properties in scope, whatever the building or reason.
 */
import {
  type ActivityBaseline,
  mayBeLongHold,
  mayBeManyUnits,
  median,
  UNUSUAL_THRESHOLDS,
  unusualActivity,
} from "@keyward/domain/unusual-activity";
import { type NotNull, sql } from "kysely";
import type { ReportContext, ReportDefinition, ReportPeriod } from "./report-definition.ts";
import {
  bucketInstant,
  bucketUnit,
  checkoutsInPeriod,
  hourOfDayChartOf,
  jsonTextSql,
  minutesBetween,
  minutesSql,
  overTimeChartOf,
  peopleNames,
  periodOfReport,
  rankedChart,
  scopedProperties,
  sqlDialect,
  unitsOfBuilding,
  utcBucketSql,
} from "./report-parts.ts";

const DAY_MS = 86_400_000;

/** Denial codes that mean "not at this hour": the person tried outside their permitted hours or on a holiday. */
const OUTSIDE_HOURS_CODES = ["outside_hours", "holiday"] as const;

interface Figures {
  takes: number;
  returns: number;
  returnedByOthers: number;
  units: number;
  minutesHeld: number;
  longest: number | null;
  missingWorkOrders: number;
  denials: number;
  outsideHours: number;
  failedIdentifications: number;
}

const NONE: Figures = {
  takes: 0,
  returns: 0,
  returnedByOthers: 0,
  units: 0,
  minutesHeld: 0,
  longest: null,
  missingWorkOrders: 0,
  denials: 0,
  outsideHours: 0,
  failedIdentifications: 0,
};

/** The period's length in local days, both ends included. */
function daysIn(period: ReportPeriod): number {
  return Math.round((Date.parse(`${period.to}T00:00:00Z`) - Date.parse(`${period.from}T00:00:00Z`)) / DAY_MS) + 1;
}

/**
 * The person's usual before the period: distinct units per period of the same length (over as many such periods as
 * fit in the baseline's 90 days, at least one), and the median hold over the 90 days. Read only for the given people.
 */
async function baselines(
  context: ReportContext,
  period: ReportPeriod,
  forUnits: readonly string[],
  forHolds: readonly string[],
): Promise<Map<string, ActivityBaseline>> {
  const { db, scope, now } = context;
  const found = new Map<string, ActivityBaseline>();
  if (forUnits.length === 0 && forHolds.length === 0) {
    return found;
  }
  const days = daysIn(period);
  const windows = Math.max(1, Math.floor(UNUSUAL_THRESHOLDS.baselineDays / days));
  const start = Date.parse(period.fromInstant);
  const unitsFrom = start - windows * days * DAY_MS;
  const holdsFrom = start - UNUSUAL_THRESHOLDS.baselineDays * DAY_MS;
  const unitsSince = new Date(unitsFrom).toISOString();
  const holdsSince = new Date(holdsFrom).toISOString();
  const since = new Date(Math.min(unitsFrom, holdsFrom)).toISOString();
  const unitCandidates = new Set(forUnits);
  const holdCandidates = new Set(forHolds);
  const both = new Set([...forUnits, ...forHolds]);

  // why: one read by time (the organization's index on out_at covers every column read here), never person by
  // person: at portfolio scale nearly everyone is a candidate, and one range read beats thousands of lookups
  let q = db
    .selectFrom("checkouts")
    .select(["checkouts.person_id", "checkouts.unit_id", "checkouts.out_at", "checkouts.returned_at"])
    .where("checkouts.organization_id", "=", scope.organizationId)
    .where("checkouts.out_at", ">=", since)
    .where("checkouts.out_at", "<", period.fromInstant)
    .where("checkouts.person_id", "is not", null);
  const properties = scopedProperties(scope);
  if (properties) {
    q = q.where("checkouts.property_id", "in", properties);
  }
  const [only] = both;
  if (both.size === 1 && only) {
    q = q.where("checkouts.person_id", "=", only);
  }
  const rows = await q.$narrowType<{ person_id: NotNull }>().execute();

  // why: windows of the period's length back from its start, newest first; instants compare as ISO strings
  const bounds = Array.from({ length: windows - 1 }, (_, i) => new Date(start - (i + 1) * days * DAY_MS).toISOString());
  const unitsBySlot = new Map<string, Set<string>[]>();
  const holds = new Map<string, number[]>();
  for (const r of rows) {
    if (unitCandidates.has(r.person_id) && r.out_at >= unitsSince && r.unit_id !== null) {
      let slots = unitsBySlot.get(r.person_id);
      if (!slots) {
        slots = Array.from({ length: windows }, () => new Set<string>());
        unitsBySlot.set(r.person_id, slots);
      }
      const slot = bounds.findIndex((at) => r.out_at >= at);
      slots[slot === -1 ? bounds.length : slot]?.add(r.unit_id);
    }
    if (holdCandidates.has(r.person_id) && r.out_at >= holdsSince) {
      const list = holds.get(r.person_id) ?? [];
      list.push(minutesBetween(r.out_at, r.returned_at ?? now));
      holds.set(r.person_id, list);
    }
  }
  const of = (id: string) => {
    let b = found.get(id);
    if (!b) {
      b = { unitsPerPeriod: null, medianHoldMinutes: null };
      found.set(id, b);
    }
    return b;
  };
  // why: periods with no take count as zero units, so the sum is spread over every window
  for (const [id, slots] of unitsBySlot) {
    of(id).unitsPerPeriod = slots.reduce((sum, units) => sum + units.size, 0) / windows;
  }
  for (const [id, list] of holds) {
    of(id).medianHoldMinutes = median(list);
  }
  return found;
}

export const byEmployeeReport: ReportDefinition = {
  name: "by-employee",
  title: "By employee",
  description:
    "Each person's takes and returns in the period, the cabinet's refusals, and unusual activity with its reason.",
  periodic: true,
  filters: ["buildingId", "personId", "reasonCodeId"],
  columns: [
    { key: "person", label: "Person", kind: "text" },
    { key: "takes", label: "Takes", kind: "number" },
    { key: "returns", label: "Returns", kind: "number" },
    { key: "returnedByOthers", label: "Returned by others", kind: "number" },
    { key: "units", label: "Units", kind: "number" },
    { key: "averageMinutesHeld", label: "Average held (min)", kind: "minutes" },
    { key: "denials", label: "Denials", kind: "number" },
    { key: "failedIdentifications", label: "Failed identifications", kind: "number" },
    { key: "unusual", label: "Unusual", kind: "flag" },
    { key: "flags", label: "Why unusual", kind: "text" },
  ],
  // why: the unusual first; among them, and among the rest, the report's own order (most takes first)
  defaultSort: { key: "unusual", direction: "desc" },
  async run(context) {
    const { db, scope, filters, timeZone, now } = context;
    const period = periodOfReport(context);
    const dialect = sqlDialect(db);
    const nowIso = now.toISOString();
    const org = scope.organizationId;
    const properties = scopedProperties(scope);
    const figures = new Map<string, Figures>();
    const of = (id: string) => {
      let f = figures.get(id);
      if (!f) {
        f = { ...NONE };
        figures.set(id, f);
      }
      return f;
    };

    const requiring = (
      await db
        .selectFrom("reason_codes")
        .select("id")
        .where("organization_id", "=", org)
        .where("requires_work_order", "=", 1)
        .execute()
    ).map((r) => r.id);
    const held = minutesSql(dialect, "checkouts.out_at", "checkouts.returned_at", nowIso);
    const byOthers = sql<number>`case when checkouts.returned_at is not null and (checkouts.returned_by is null or checkouts.returned_by <> checkouts.person_id) then 1 else 0 end`;
    const missing =
      requiring.length === 0
        ? sql<number>`0`
        : sql<number>`case when checkouts.reason_code_id in (${sql.join(requiring)}) and (checkouts.work_order is null or checkouts.work_order = '') then 1 else 0 end`;
    const personal = () => checkoutsInPeriod(context).where("checkouts.person_id", "is not", null);

    const takes = await personal()
      .select((eb) => [
        "checkouts.person_id",
        eb.fn.countAll<number>().as("takes"),
        eb.fn.count<number>("checkouts.unit_id").distinct().as("units"),
        eb.fn.sum<number>(held).as("minutes"),
        eb.fn.max<number>(held).as("longest"),
        eb.fn.sum<number>(byOthers).as("by_others"),
        eb.fn.sum<number>(missing).as("missing"),
      ])
      .groupBy("checkouts.person_id")
      .$narrowType<{ person_id: NotNull }>()
      .execute();
    for (const t of takes) {
      const f = of(t.person_id);
      f.takes = Number(t.takes);
      f.units = Number(t.units);
      f.minutesHeld = Number(t.minutes);
      f.longest = Number(t.longest);
      f.returnedByOthers = Number(t.by_others);
      f.missingWorkOrders = Number(t.missing);
    }

    const personEvents = (actions: readonly string[]) => {
      let q = db
        .selectFrom("events")
        .where("events.organization_id", "=", org)
        .where("events.action", "in", actions)
        .where("events.occurred_at", ">=", period.fromInstant)
        .where("events.occurred_at", "<", period.toInstant)
        .where("events.actor_type", "=", "person")
        .where("events.actor_id", "is not", null);
      if (properties) {
        q = q.where("events.property_id", "in", properties);
      }
      if (filters.personId) {
        q = q.where("events.actor_id", "=", filters.personId);
      }
      return q;
    };

    // why: a return is the checkout it closed, found by when it came back — (organization_id[, property_id],
    // returned_at, returned_by) answers the count from the index alone; a building or reason is the checkout's
    let returnsQuery = db
      .selectFrom("checkouts")
      .where("checkouts.organization_id", "=", org)
      .where("checkouts.returned_at", ">=", period.fromInstant)
      .where("checkouts.returned_at", "<", period.toInstant)
      .where("checkouts.returned_by", "is not", null);
    if (properties) {
      returnsQuery = returnsQuery.where("checkouts.property_id", "in", properties);
    }
    if (filters.personId) {
      returnsQuery = returnsQuery.where("checkouts.returned_by", "=", filters.personId);
    }
    if (filters.reasonCodeId) {
      returnsQuery = returnsQuery.where("checkouts.reason_code_id", "=", filters.reasonCodeId);
    }
    if (filters.buildingId) {
      returnsQuery = returnsQuery.where("checkouts.unit_id", "in", unitsOfBuilding(context, filters.buildingId));
    }
    const returns = await returnsQuery
      .select((eb) => ["checkouts.returned_by", eb.fn.countAll<number>().as("returns")])
      .groupBy("checkouts.returned_by")
      .$narrowType<{ returned_by: NotNull }>()
      .execute();
    for (const r of returns) {
      of(r.returned_by).returns = Number(r.returns);
    }

    const code = jsonTextSql(dialect, "events.after", "code");
    const refusals = await personEvents(["cabinet.access_denied", "cabinet.identification_failed"])
      .select((eb) => [
        "events.actor_id",
        eb.fn.sum<number>(sql`case when events.action = 'cabinet.access_denied' then 1 else 0 end`).as("denials"),
        eb.fn
          .sum<number>(
            sql`case when events.action = 'cabinet.access_denied' and ${code} in (${sql.join([...OUTSIDE_HOURS_CODES])}) then 1 else 0 end`,
          )
          .as("outside_hours"),
        eb.fn
          .sum<number>(sql`case when events.action = 'cabinet.identification_failed' then 1 else 0 end`)
          .as("failed"),
      ])
      .groupBy("events.actor_id")
      .$narrowType<{ actor_id: NotNull }>()
      .execute();
    for (const r of refusals) {
      const f = of(r.actor_id);
      f.denials = Number(r.denials);
      f.outsideHours = Number(r.outside_hours);
      f.failedIdentifications = Number(r.failed);
    }

    const ids = [...figures.keys()];
    const names = await peopleNames(db, org, ids);
    const usual = await baselines(
      context,
      period,
      ids.filter((id) => mayBeManyUnits(of(id).units)),
      ids.filter((id) => mayBeLongHold(of(id).longest)),
    );

    const periodDays = daysIn(period);
    const rows = [...figures]
      .sort((a, b) => b[1].takes - a[1].takes || (a[0] < b[0] ? -1 : 1))
      .map(([id, f]) => {
        const flags = unusualActivity(
          {
            periodDays,
            outsideHoursAttempts: f.outsideHours,
            units: f.units,
            longestHoldMinutes: f.longest,
            missingWorkOrders: f.missingWorkOrders,
          },
          usual.get(id) ?? { unitsPerPeriod: null, medianHoldMinutes: null },
        );
        return {
          cells: {
            person: names.get(id) ?? id,
            takes: f.takes,
            returns: f.returns,
            returnedByOthers: f.returnedByOthers,
            units: f.units,
            averageMinutesHeld: f.takes > 0 ? Math.round(f.minutesHeld / f.takes) : null,
            denials: f.denials,
            failedIdentifications: f.failedIdentifications,
            unusual: flags.length > 0,
            flags: flags.length > 0 ? flags.map((flag) => flag.sentence).join("; ") : null,
          },
          links: { personId: id },
        };
      });

    // why: the charts count every checkout of the period, a key lifted with no one identified too: read from the
    // time index alone, they cost a fraction of a pass that looks at each checkout's holder
    const bucket = utcBucketSql(dialect, "checkouts.out_at", bucketUnit(timeZone, period));
    const perBucket = await checkoutsInPeriod(context)
      .select((eb) => [bucket.as("bucket"), eb.fn.countAll<number>().as("times")])
      .groupBy(sql.ref("bucket"))
      .execute();
    const buckets = perBucket.map((b) => ({ at: bucketInstant(b.bucket), count: Number(b.times) }));
    const total = (pick: (f: Figures) => number) => [...figures.values()].reduce((n, f) => n + pick(f), 0);
    return {
      rows,
      totals: [
        { key: "people", label: "People", value: rows.length },
        { key: "takes", label: "Takes", value: total((f) => f.takes) },
        { key: "returns", label: "Returns", value: total((f) => f.returns) },
        { key: "denials", label: "Denials", value: total((f) => f.denials) },
        { key: "failedIdentifications", label: "Failed identifications", value: total((f) => f.failedIdentifications) },
        { key: "unusual", label: "People with unusual activity", value: rows.filter((r) => r.cells.unusual).length },
      ],
      charts: [
        rankedChart(
          "byPerson",
          "Takes by person",
          rows.flatMap((r) => (r.cells.takes > 0 ? [[r.cells.person, r.cells.takes] as const] : [])),
        ),
        overTimeChartOf("overTime", "Checkouts over time", buckets, timeZone, period),
        hourOfDayChartOf("byHour", "Checkouts by hour of day", buckets, timeZone),
      ],
    };
  },
};
