/** Pieces every report is built from: the scope as a filter, names, durations and the charts' data. */
import type { ReportChart } from "@keyward/contracts/reports";
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import { localTime } from "@keyward/domain/schedule";
import { addDays } from "@keyward/domain/zoned-time";
import { PostgresAdapter, type RawBuilder, sql } from "kysely";
import type { ReportContext, ReportPeriod, ReportScope } from "./report-definition.ts";

/** The property ids to filter by, or null when the scope is the whole organization (filter by organization only). */
export function scopedProperties(scope: ReportScope): string[] | null {
  return scope.properties === "all" ? null : [...scope.properties];
}

/** A person's name as reports print it. */
export function personName(first: string | null, last: string | null): string | null {
  return first === null && last === null ? null : `${first ?? ""} ${last ?? ""}`.trim();
}

/** Whole minutes from one instant to another (never negative: a device clock can run behind). */
export function minutesBetween(from: string, to: string | Date): number {
  const end = typeof to === "string" ? Date.parse(to) : to.getTime();
  return Math.max(0, Math.floor((end - Date.parse(from)) / 60_000));
}

/** A bar chart of how often each label occurs, most frequent first, the rest summed as "Others" past `top`. */
export function countChart(key: string, title: string, labels: Iterable<string>, top = 12): ReportChart {
  const counts = new Map<string, number>();
  for (const label of labels) {
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return rankedChart(key, title, counts, top);
}

/** A bar chart of labelled values (summed per label), largest first, the rest summed as "Others" past `top`. */
export function rankedChart(
  key: string,
  title: string,
  values: Iterable<readonly [string, number]>,
  top = 12,
): ReportChart {
  const sums = new Map<string, number>();
  for (const [label, value] of values) {
    sums.set(label, (sums.get(label) ?? 0) + value);
  }
  const sorted = [...sums].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const points = sorted.slice(0, top).map(([label, value]) => ({ label, value }));
  const rest = sorted.slice(top).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) {
    points.push({ label: "Others", value: rest });
  }
  return { key, title, kind: "bar", points };
}

/** How many of the instants fall in each hour of the day (00–23), on the report's clock. */
export function hourOfDayChart(key: string, title: string, instants: Iterable<string>, zone: string): ReportChart {
  return hourOfDayChartOf(key, title, once(instants), zone);
}

/**
 * How many of the instants fall on each day of the period (weeks, from the first day, past 62 days), every day or
 * week present even when nothing happened, so the line shows quiet days as zero.
 */
export function overTimeChart(
  key: string,
  title: string,
  instants: Iterable<string>,
  zone: string,
  period: ReportPeriod,
): ReportChart {
  return overTimeChartOf(key, title, once(instants), zone, period);
}

/** A count of events that started within one stretch of time (a UTC hour or minute), as a grouped query reads it. */
export interface TimeBucket {
  /** The stretch's first instant, ISO-8601 UTC. */
  at: string;
  count: number;
}

function* once(instants: Iterable<string>): Iterable<TimeBucket> {
  for (const at of instants) {
    yield { at, count: 1 };
  }
}

/** `hourOfDayChart` from counts per stretch of time. */
export function hourOfDayChartOf(key: string, title: string, buckets: Iterable<TimeBucket>, zone: string): ReportChart {
  const clock = localClock(zone);
  const counts = new Array<number>(24).fill(0);
  for (const { at, count } of buckets) {
    const hour = Math.floor(clock(Date.parse(at)).minutes / 60);
    counts[hour] = (counts[hour] ?? 0) + count;
  }
  return {
    key,
    title,
    kind: "bar",
    points: counts.map((value, hour) => ({ label: `${String(hour).padStart(2, "0")}:00`, value })),
  };
}

/** `overTimeChart` from counts per stretch of time. */
export function overTimeChartOf(
  key: string,
  title: string,
  buckets: Iterable<TimeBucket>,
  zone: string,
  period: ReportPeriod,
): ReportChart {
  const days: string[] = [];
  for (let d = period.from; d <= period.to; d = addDays(d, 1)) {
    days.push(d);
  }
  const step = days.length > 62 ? 7 : 1;
  const sums = new Map<string, number>();
  for (let i = 0; i < days.length; i += step) {
    sums.set(days[i] as string, 0);
  }
  const bucketOf = new Map<string, string>();
  days.forEach((d, i) => {
    bucketOf.set(d, days[i - (i % step)] as string);
  });
  const clock = localClock(zone);
  for (const { at, count } of buckets) {
    const bucket = bucketOf.get(clock(Date.parse(at)).date);
    if (bucket !== undefined) {
      sums.set(bucket, (sums.get(bucket) ?? 0) + count);
    }
  }
  return {
    key,
    title: step === 7 ? `${title} (by week)` : title,
    kind: "line",
    points: [...sums].map(([label, value]) => ({ label, value })),
  };
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The zone's offset (local minus UTC, in ms) at an instant, to the minute. */
function offsetAt(ms: number, zone: string): number {
  const local = localTime(new Date(ms), zone);
  return Date.parse(`${local.date}T00:00:00Z`) + local.minutes * MINUTE_MS - Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * The local date and minute of day of many instants, as `localTime` reads them but fast: the zone's offset is looked
 * up once per UTC day, and every quarter hour only on a day whose offset changes.
 */
export function localClock(zone: string): (ms: number) => { date: string; minutes: number } {
  const starts = new Map<number, number>();
  const startOf = (day: number): number => {
    let offset = starts.get(day);
    if (offset === undefined) {
      offset = offsetAt(day * DAY_MS, zone);
      starts.set(day, offset);
    }
    return offset;
  };
  const quarters = new Map<number, number>();
  const offsetOf = (ms: number): number => {
    const day = Math.floor(ms / DAY_MS);
    const first = startOf(day);
    // why: a zone changes its offset at most once a day, on a quarter hour at the finest; a day that starts with the
    // offset the next one starts with kept it all day
    if (first === startOf(day + 1)) {
      return first;
    }
    const quarter = Math.floor(ms / (15 * MINUTE_MS));
    let offset = quarters.get(quarter);
    if (offset === undefined) {
      offset = offsetAt(quarter * 15 * MINUTE_MS, zone);
      quarters.set(quarter, offset);
    }
    return offset;
  };
  return (ms) => {
    const local = Math.floor(ms / MINUTE_MS) * MINUTE_MS + offsetOf(ms);
    const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
    return { date: new Date(dayStart).toISOString().slice(0, 10), minutes: (local - dayStart) / MINUTE_MS };
  };
}

/** Which SQL the database speaks, from the adapter Kysely was opened with. */
export function sqlDialect(db: Executor): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/**
 * Whole minutes from one instant column to another (or to `now` where the second is null), never negative: the SQL
 * twin of `minutesBetween`, so durations are summed and compared inside the database.
 */
export function minutesSql(
  dialect: Dialect,
  from: RawBuilder<unknown> | string,
  to: RawBuilder<unknown> | string,
  now: string,
): RawBuilder<number> {
  const a = typeof from === "string" ? sql.ref(from) : from;
  const b = typeof to === "string" ? sql.ref(to) : to;
  return dialect === "postgres"
    ? sql<number>`greatest(0, floor(extract(epoch from (coalesce(${b}, cast(${now} as timestamptz)) - ${a})) / 60))`
    : // why: julianday is a double; rounding to whole milliseconds first keeps 45 minutes from reading as 44.999…
      sql<number>`max(0, cast(round((julianday(coalesce(${b}, ${now})) - julianday(${a})) * 86400000) as integer) / 60000)`;
}

/** An instant as SQL can compare it with a column on either dialect. */
export function instantSql(dialect: Dialect, at: string): RawBuilder<unknown> {
  return dialect === "postgres" ? sql`cast(${at} as timestamptz)` : sql`${at}`;
}

/** How finely a period's times are grouped in SQL so that each group falls within one local hour of the zone. */
export function bucketUnit(zone: string, period: ReportPeriod): "hour" | "minute" {
  // why: a UTC hour lies within one local hour only while the zone's offset is whole hours (not India's +05:30)
  // and a zone keeps an offset for weeks at the least, so a look each week (and at both ends) sees every one
  const from = Date.parse(period.fromInstant);
  const to = Date.parse(period.toInstant);
  for (let ms = from; ms < to + 7 * DAY_MS; ms += 7 * DAY_MS) {
    if (offsetAt(Math.min(ms, to), zone) % (60 * MINUTE_MS) !== 0) {
      return "minute";
    }
  }
  return "hour";
}

/** An instant column truncated to its UTC hour or minute, as text (`2026-06-01T15` / `2026-06-01T15:04`). */
export function utcBucketSql(dialect: Dialect, column: string, unit: "hour" | "minute"): RawBuilder<string> {
  const ref = sql.ref(column);
  if (dialect === "postgres") {
    const format = unit === "hour" ? `YYYY-MM-DD"T"HH24` : `YYYY-MM-DD"T"HH24:MI`;
    return sql<string>`to_char(${ref} at time zone 'UTC', ${sql.lit(format)})`;
  }
  return sql<string>`substr(${ref}, 1, ${sql.lit(unit === "hour" ? 13 : 16)})`;
}

/** The start instant of a bucket `utcBucketSql` wrote. */
export function bucketInstant(bucket: string): string {
  return bucket.length === 13 ? `${bucket}:00:00.000Z` : `${bucket}:00.000Z`;
}

/** A text field of a JSON column (`after.code`), on either dialect. */
export function jsonTextSql(dialect: Dialect, column: string, field: string): RawBuilder<string | null> {
  const ref = sql.ref(column);
  return dialect === "postgres"
    ? sql<string | null>`(${ref} ->> ${sql.lit(field)})`
    : sql<string | null>`json_extract(${ref}, ${sql.lit(`$.${field}`)})`;
}

/** A periodic report's period; its absence is a definition that forgot `periodic: true`. */
export function periodOfReport(context: ReportContext): ReportPeriod {
  if (!context.period) {
    throw new Error("a periodic report runs with a period");
  }
  return context.period;
}

/**
 * The checkouts whose key left in the period, within the scope and the report's filters (building, unit, person,
 * reason). It filters on `checkouts` alone, so the planner serves it from an index that starts with the organization:
 * by unit, by person, by property or by organization, and time.
 */
export function checkoutsInPeriod(context: ReportContext) {
  const { db, scope, filters } = context;
  const period = periodOfReport(context);
  let q = db
    .selectFrom("checkouts")
    .where("checkouts.organization_id", "=", scope.organizationId)
    .where("checkouts.out_at", ">=", period.fromInstant)
    .where("checkouts.out_at", "<", period.toInstant);
  const properties = scopedProperties(scope);
  if (properties) {
    q = q.where("checkouts.property_id", "in", properties);
  }
  if (filters.buildingId) {
    q = q.where("checkouts.unit_id", "in", unitsOfBuilding(context, filters.buildingId));
  }
  if (filters.unitId) {
    q = q.where("checkouts.unit_id", "=", filters.unitId);
  }
  if (filters.personId) {
    q = q.where("checkouts.person_id", "=", filters.personId);
  }
  if (filters.reasonCodeId) {
    q = q.where("checkouts.reason_code_id", "=", filters.reasonCodeId);
  }
  return q;
}

/**
 * The ids of a building's units, as a subquery. `runReport` narrows a building filter to its property, so the units
 * are read from that property's index, never from the whole organization's.
 */
export function unitsOfBuilding({ db, scope }: ReportContext, buildingId: string) {
  let q = db
    .selectFrom("units")
    .select("units.id")
    .where("units.organization_id", "=", scope.organizationId)
    .where("units.building_id", "=", buildingId);
  const properties = scopedProperties(scope);
  if (properties) {
    q = q.where("units.property_id", "in", properties);
  }
  return q;
}

/** People's names by id (as reports print them), read in slices of ids, one statement each. */
export async function peopleNames(
  db: Executor,
  organizationId: string,
  ids: Iterable<string>,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const slice of chunked([...new Set(ids)])) {
    const found = await db
      .selectFrom("people")
      .select(["id", "first_name", "last_name"])
      .where("organization_id", "=", organizationId)
      .where("id", "in", slice)
      .execute();
    for (const p of found) {
      names.set(p.id, personName(p.first_name, p.last_name) ?? p.id);
    }
  }
  return names;
}
