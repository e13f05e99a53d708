/**
 * Runs a report for an actor: checks the filters against what the actor may see (an id outside it answers 404, as if
 * it did not exist), fixes the scope, the time zone and the period, runs the report, sorts, applies the row limit and
 * adds the header every format prints (organization, property, period, filters, who and when, audit checkpoint).
 */
import type { Report, ReportCell, ReportName, ReportQuery, ReportRow } from "@keyward/contracts/reports";
import type { Executor } from "@keyward/db/connect";
import { can, propertiesWhere } from "@keyward/domain/permissions";
import { localTime } from "@keyward/domain/schedule";
import { addDays, instantAtLocal } from "@keyward/domain/zoned-time";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { forbidden, invalidInput, notFound } from "../errors.ts";
import { REPORTS } from "./report-catalog.ts";
import type {
  ReportContext,
  ReportDefinition,
  ReportFilterKey,
  ReportPeriod,
  ReportScope,
} from "./report-definition.ts";

/** The default period: the last 30 days, today included. */
const DEFAULT_DAYS = 30;
/** The longest period a report covers: two years (a leap day included). */
const MAX_DAYS = 731;

const FILTER_LABELS: Record<ReportFilterKey, string> = {
  buildingId: "Building",
  unitId: "Unit",
  personId: "Person",
  reasonCodeId: "Reason",
  days: "Days",
};

interface Place {
  id: string;
  name: string;
  timeZone: string;
}

/** The report's definition by name. */
export function reportDefinition(name: ReportName): ReportDefinition {
  return REPORTS[name];
}

/**
 * Runs the named report.
 * @throws forbidden when the actor may read no report anywhere; not_found for a property, building, unit, person or
 *   reason code outside what the actor may see; invalid_input for a filter the report does not take, a period that
 *   runs backwards or is too long, or a sort key that is not a column.
 */
export async function runReport(
  db: Executor,
  actor: AuthenticatedActor,
  name: ReportName,
  query: Omit<ReportQuery, "format">,
  now: Date,
): Promise<Report> {
  const definition = REPORTS[name];
  const readable = propertiesWhere(actor, "read", "report");
  if (readable !== "all" && readable.length === 0) {
    throw forbidden("see reports");
  }
  for (const key of Object.keys(FILTER_LABELS) as ReportFilterKey[]) {
    if (query[key] !== undefined && !definition.filters.includes(key)) {
      throw invalidInput(key, `The ${definition.title} report does not take this filter.`);
    }
  }
  if (!definition.periodic && (query.from !== undefined || query.to !== undefined)) {
    throw invalidInput("from", `The ${definition.title} report shows the present moment; it takes no period.`);
  }

  const organizationId = actor.organizationId;
  const allowed = (propertyId: string) => readable === "all" || readable.includes(propertyId);
  const headerFilters: Report["filters"] = [];

  // why: a building or a unit narrows the report to its property; an id outside the actor's reach is "not found"
  let propertyId = query.propertyId ?? null;
  const narrow = (owner: string, what: string) => {
    if (!allowed(owner)) {
      throw notFound(what);
    }
    if (propertyId !== null && propertyId !== owner) {
      throw invalidInput(what === "unit" ? "unitId" : "buildingId", `That ${what} is not at the chosen property.`);
    }
    propertyId = owner;
  };
  let buildingName: string | null = null;
  let unitName: string | null = null;
  if (query.buildingId) {
    const building = await db
      .selectFrom("buildings")
      .select(["property_id", "name"])
      .where("organization_id", "=", organizationId)
      .where("id", "=", query.buildingId)
      .executeTakeFirst();
    if (!building) {
      throw notFound("building");
    }
    narrow(building.property_id, "building");
    buildingName = building.name;
  }
  if (query.unitId) {
    const unit = await db
      .selectFrom("units")
      .leftJoin("buildings", "buildings.id", "units.building_id")
      .select(["units.property_id", "units.number", "units.building_id", "buildings.name as building"])
      .where("units.organization_id", "=", organizationId)
      .where("units.id", "=", query.unitId)
      .executeTakeFirst();
    if (!unit) {
      throw notFound("unit");
    }
    narrow(unit.property_id, "unit");
    if (query.buildingId && unit.building_id !== query.buildingId) {
      throw invalidInput("unitId", "That unit is not in the chosen building.");
    }
    unitName = unit.building ? `${unit.number} (${unit.building})` : unit.number;
  }

  let property: Place | null = null;
  if (propertyId !== null) {
    const row = await db
      .selectFrom("properties")
      .select(["id", "name", "time_zone"])
      .where("organization_id", "=", organizationId)
      .where("id", "=", propertyId)
      .executeTakeFirst();
    if (!row || !allowed(row.id)) {
      throw notFound("property");
    }
    property = { id: row.id, name: row.name, timeZone: row.time_zone };
  }

  const organization = await db
    .selectFrom("organizations")
    .select(["id", "name"])
    .where("id", "=", organizationId)
    .executeTakeFirstOrThrow();

  const scope: ReportScope = {
    organizationId,
    properties: property ? [property.id] : readable,
    organizationEvents:
      property === null &&
      readable === "all" &&
      can(actor, "read", { entity: "event", organizationId, propertyId: null }),
  };
  const timeZone = property?.timeZone ?? (await commonZone(db, scope));
  headerFilters.push({
    key: "propertyId",
    label: "Property",
    value: property
      ? property.name
      : readable === "all"
        ? "All properties"
        : `The ${readable.length} ${readable.length === 1 ? "property" : "properties"} you may see`,
  });
  if (buildingName !== null) {
    headerFilters.push({ key: "buildingId", label: FILTER_LABELS.buildingId, value: buildingName });
  }
  if (unitName !== null) {
    headerFilters.push({ key: "unitId", label: FILTER_LABELS.unitId, value: unitName });
  }
  if (query.personId) {
    // why: the header prints the person's name; one the actor cannot reach is "not found", as the people API says
    const person = await personWithinReach(db, organizationId, query.personId, readable);
    if (!person) {
      throw notFound("person");
    }
    headerFilters.push({ key: "personId", label: "Person", value: `${person.first_name} ${person.last_name}` });
  }
  if (query.reasonCodeId) {
    const reason = await db
      .selectFrom("reason_codes")
      .select(["code", "label"])
      .where("organization_id", "=", organizationId)
      .where("id", "=", query.reasonCodeId)
      .executeTakeFirst();
    if (!reason) {
      throw notFound("reason code");
    }
    headerFilters.push({ key: "reasonCodeId", label: "Reason", value: `${reason.label} (${reason.code})` });
  }
  if (query.days !== undefined) {
    headerFilters.push({ key: "days", label: FILTER_LABELS.days, value: String(query.days) });
  }

  const period = definition.periodic ? periodOf(query.from, query.to, timeZone, now) : null;
  const sort = sortOf(definition, query.sort);
  const context: ReportContext = { db, actor, now, scope, filters: query, timeZone, period, sort };
  const output = await definition.run(context);

  const rows = sortRows(output.rows, sort.key, sort.direction);
  const limit = query.limit;
  const shown = rows.length > limit ? rows.slice(0, limit) : rows;
  // why: a report that read only the newest rows says how many matched in all, so the answer is marked truncated
  const rowCount = Math.max(output.rowCount ?? rows.length, rows.length);
  return {
    name,
    title: definition.title,
    description: definition.description,
    organization: { id: organization.id, name: organization.name },
    property,
    timeZone,
    period,
    filters: headerFilters,
    generatedAt: now.toISOString(),
    generatedBy: { userId: actor.userId, name: actor.name },
    checkpoint: await latestCheckpoint(db, organizationId),
    columns: [...definition.columns],
    rows: shown,
    totals: output.totals,
    charts: output.charts,
    sort,
    rowCount,
    truncated: rowCount > shown.length,
  };
}

/**
 * A person of the organization whose name the scope may show: anyone for an organization-wide scope; otherwise one
 * whose home is in it, or who holds an access profile there, or who took a key there.
 */
export async function personWithinReach(
  db: Executor,
  organizationId: string,
  personId: string,
  properties: "all" | readonly string[],
): Promise<{ first_name: string; last_name: string } | null> {
  const person = await db
    .selectFrom("people")
    .select(["first_name", "last_name", "home_property_id"])
    .where("organization_id", "=", organizationId)
    .where("id", "=", personId)
    .executeTakeFirst();
  if (!person) {
    return null;
  }
  if (properties === "all" || (person.home_property_id !== null && properties.includes(person.home_property_id))) {
    return person;
  }
  if (properties.length === 0) {
    return null;
  }
  const assigned = await db
    .selectFrom("profile_assignments")
    .select("id")
    .where("organization_id", "=", organizationId)
    .where("person_id", "=", personId)
    .where("property_id", "in", [...properties])
    .limit(1)
    .executeTakeFirst();
  const took =
    assigned ??
    (await db
      .selectFrom("checkouts")
      .select("id")
      .where("organization_id", "=", organizationId)
      .where("person_id", "=", personId)
      .where("property_id", "in", [...properties])
      .limit(1)
      .executeTakeFirst());
  return took ? person : null;
}

/** The one zone every property in scope shares, or UTC when they differ. */
async function commonZone(db: Executor, scope: ReportScope): Promise<string> {
  let q = db
    .selectFrom("properties")
    .select("time_zone")
    .distinct()
    .where("organization_id", "=", scope.organizationId)
    .limit(2);
  if (scope.properties !== "all") {
    q = q.where("id", "in", [...scope.properties]);
  }
  const zones = await q.execute();
  return zones.length === 1 && zones[0] ? zones[0].time_zone : "UTC";
}

/** The period from local days (both included), by default the last 30 days to today. */
export function periodOf(from: string | undefined, to: string | undefined, zone: string, now: Date): ReportPeriod {
  const lastDay = to ?? localTime(now, zone).date;
  const firstDay = from ?? addDays(lastDay, -(DEFAULT_DAYS - 1));
  if (firstDay > lastDay) {
    throw invalidInput("to", "The period ends before it begins; choose a last day on or after the first.");
  }
  if (addDays(firstDay, MAX_DAYS - 1) < lastDay) {
    throw invalidInput("from", `A report covers at most ${MAX_DAYS} days; choose a shorter period.`);
  }
  return {
    from: firstDay,
    to: lastDay,
    fromInstant: instantAtLocal(firstDay, 0, zone).toISOString(),
    toInstant: instantAtLocal(addDays(lastDay, 1), 0, zone).toISOString(),
  };
}

function sortOf(definition: ReportDefinition, sort: string | undefined): Report["sort"] {
  if (!sort) {
    return definition.defaultSort;
  }
  const direction = sort.startsWith("-") ? "desc" : "asc";
  const key = sort.replace(/^-/, "");
  if (!definition.columns.some((c) => c.key === key)) {
    const keys = definition.columns.map((c) => c.key).join(", ");
    throw invalidInput("sort", `The ${definition.title} report sorts by one of its columns: ${keys}.`);
  }
  return { key, direction };
}

function compareCells(a: ReportCell, b: ReportCell): number {
  if (typeof a === "number" && typeof b === "number") {
    return a - b;
  }
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Rows sorted by one column (stable: rows that tie keep the report's own order). */
export function sortRows(rows: readonly ReportRow[], key: string, direction: "asc" | "desc"): ReportRow[] {
  const sign = direction === "asc" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const ca = a.row.cells[key] ?? null;
      const cb = b.row.cells[key] ?? null;
      // why: empty cells go last whichever the direction, so "due" sorted either way starts with real dates
      if (ca === null || cb === null) {
        return ca === cb ? a.index - b.index : ca === null ? 1 : -1;
      }
      return sign * compareCells(ca, cb) || a.index - b.index;
    })
    .map((r) => r.row);
}

async function latestCheckpoint(db: Executor, organizationId: string): Promise<Report["checkpoint"]> {
  const row = await db
    .selectFrom("audit_checkpoints")
    .select(["size", "root_hash", "signed_at"])
    .where("organization_id", "=", organizationId)
    .orderBy("size", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { size: Number(row.size), rootHash: row.root_hash, signedAt: row.signed_at } : null;
}
