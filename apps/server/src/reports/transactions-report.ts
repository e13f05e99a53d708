/**
 * Transactions: every event of the period, cabinet and administrative, newest first, each with who acted, on what,
 * and what happened in words. A period can hold millions of events, so the report reads only the newest
 * {@link MAX_REPORT_ROWS} in order (the first, when sorted by time ascending), and counts every event of the period by
 * action for its totals.
 */
import { MAX_REPORT_ROWS } from "@keyward/contracts/reports";
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import type { Database } from "@keyward/db/schema";
import { CABINET_EVENT_ACTIONS, EVENT_ACTIONS } from "@keyward/domain/event-actions";
import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import { localStamp } from "../pdf/pdfmake.ts";
import { jsonObject } from "./cabinet-contact.ts";
import { denialSentence } from "./exceptions-report.ts";
import type { ReportContext, ReportDefinition } from "./report-definition.ts";
import { hourOfDayChart, overTimeChart, scopedProperties } from "./report-parts.ts";

/**
 * The longest a key may be out and still be counted with its reason: a return is matched to a reason through its
 * checkout, and checkouts are read from this many days before the period (policy caps a key's due time at 30 days).
 */
const RETURN_LOOKBACK_DAYS = 31;

/** Each kind of record events are about, as reports name it, and where its name is read. */
const ENTITY_NAMES: Record<string, { word: string; table: keyof Database; column: string } | { word: string }> = {
  organization: { word: "Organization", table: "organizations", column: "name" },
  region: { word: "Region", table: "regions", column: "name" },
  property: { word: "Property", table: "properties", column: "name" },
  building: { word: "Building", table: "buildings", column: "name" },
  unit: { word: "Unit", table: "units", column: "number" },
  keySet: { word: "Key set", table: "key_sets", column: "name" },
  key: { word: "Key", table: "keys", column: "label" },
  cabinet: { word: "Cabinet", table: "cabinets", column: "name" },
  person: { word: "Person", table: "people", column: "last_name" },
  user: { word: "Login", table: "users", column: "email" },
  accessProfile: { word: "Access profile", table: "access_profiles", column: "name" },
  holidayCalendar: { word: "Holiday calendar", table: "holiday_calendars", column: "name" },
  reasonCode: { word: "Reason", table: "reason_codes", column: "label" },
  credential: { word: "Credential" },
  roleAssignment: { word: "Role" },
  profileAssignment: { word: "Profile assignment" },
  hook: { word: "Hook" },
  auditLog: { word: "Audit log" },
  reportSchedule: { word: "Report schedule" },
};

const CABINET_ACTIONS: ReadonlySet<string> = new Set(CABINET_EVENT_ACTIONS);

type EventsWhere = ExpressionBuilder<Database, "events">;

/** The conditions every query of the report shares: organization, scope, period and filters. */
function conditions({ scope, filters, period }: ReportContext): (eb: EventsWhere) => Expression<SqlBool> {
  return (eb) => {
    const org = scope.organizationId;
    const all: Expression<SqlBool>[] = [eb("events.organization_id", "=", org)];
    if (period) {
      all.push(eb("events.occurred_at", ">=", period.fromInstant), eb("events.occurred_at", "<", period.toInstant));
    }
    const properties = scopedProperties(scope);
    if (properties) {
      all.push(eb("events.property_id", "in", properties));
    } else if (scope.organizationEvents) {
      // why: every action is one of EVENT_ACTIONS; naming them lets events (organization_id, action, occurred_at) read
      // only the period, where (organization_id, property_id, occurred_at) would read the organization's whole history
      all.push(eb("events.action", "in", [...EVENT_ACTIONS]));
    } else {
      // why: events with no property (sign-ins, organization-wide grants) belong to organization roles only; naming the
      // organization's properties reads each one's period from (organization_id, property_id, occurred_at)
      all.push(
        eb(
          "events.property_id",
          "in",
          eb.selectFrom("properties").select("properties.id").where("properties.organization_id", "=", org),
        ),
      );
    }
    const keysOfUnits = (units: ReturnType<typeof unitsWhere>) =>
      eb
        .selectFrom("keys")
        .select("keys.id")
        .where("keys.organization_id", "=", org)
        .where("keys.unit_id", "in", units);
    const unitsWhere = (buildingId: string) =>
      eb
        .selectFrom("units")
        .select("units.id")
        .where("units.organization_id", "=", org)
        .where("units.building_id", "=", buildingId);
    if (filters.unitId) {
      const unitId = filters.unitId;
      all.push(
        eb.or([
          eb.and([eb("events.entity_type", "=", "unit"), eb("events.entity_id", "=", unitId)]),
          eb.and([
            eb("events.entity_type", "=", "key"),
            eb(
              "events.entity_id",
              "in",
              eb
                .selectFrom("keys")
                .select("keys.id")
                .where("keys.organization_id", "=", org)
                .where("keys.unit_id", "=", unitId),
            ),
          ]),
        ]),
      );
    } else if (filters.buildingId) {
      const buildingId = filters.buildingId;
      all.push(
        eb.or([
          eb.and([eb("events.entity_type", "=", "building"), eb("events.entity_id", "=", buildingId)]),
          eb.and([eb("events.entity_type", "=", "unit"), eb("events.entity_id", "in", unitsWhere(buildingId))]),
          eb.and([
            eb("events.entity_type", "=", "key"),
            eb("events.entity_id", "in", keysOfUnits(unitsWhere(buildingId))),
          ]),
        ]),
      );
    }
    if (filters.personId) {
      const personId = filters.personId;
      // why: a person acts at a cabinet as themselves and in the dashboard through their logins
      const logins = eb
        .selectFrom("users")
        .select("users.id")
        .where("users.organization_id", "=", org)
        .where("users.person_id", "=", personId);
      all.push(
        eb.or([
          eb("events.actor_id", "=", personId),
          eb("events.actor_id", "in", logins),
          eb.and([eb("events.entity_type", "=", "person"), eb("events.entity_id", "=", personId)]),
        ]),
      );
    }
    if (filters.reasonCodeId && period) {
      const reasonCodeId = filters.reasonCodeId;
      const earliest = new Date(Date.parse(period.fromInstant) - RETURN_LOOKBACK_DAYS * 86_400_000).toISOString();
      const checkouts = eb
        .selectFrom("checkouts")
        .where("checkouts.organization_id", "=", org)
        .where("checkouts.out_at", ">=", earliest)
        .where("checkouts.out_at", "<", period.toInstant)
        .where("checkouts.reason_code_id", "=", reasonCodeId);
      all.push(
        eb.or([
          eb("events.id", "in", checkouts.select("checkouts.out_event_id")),
          eb("events.id", "in", checkouts.select("checkouts.in_event_id")),
          eb.and([eb("events.entity_type", "=", "reasonCode"), eb("events.entity_id", "=", reasonCodeId)]),
        ]),
      );
    }
    return eb.and(all);
  };
}

/** Names of the records the events are about (and of the reasons keys were taken for), by kind and id. */
async function loadNames(
  db: Executor,
  organizationId: string,
  wanted: Map<string, Set<string>>,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const [type, ids] of wanted) {
    const source = ENTITY_NAMES[type];
    if (!source || !("table" in source)) {
      continue;
    }
    for (const part of chunked([...ids])) {
      if (source.table === "people") {
        for (const p of await db
          .selectFrom("people")
          .select(["id", "first_name", "last_name"])
          .where("organization_id", "=", organizationId)
          .where("id", "in", part)
          .execute()) {
          names.set(`person:${p.id}`, `${p.first_name} ${p.last_name}`);
        }
        continue;
      }
      const table = source.table as "keys";
      const column = source.column as "label";
      let q = db
        .selectFrom(table)
        .select(["id", `${column} as name`] as const)
        .where("id", "in", part);
      if (table !== ("organizations" as string)) {
        q = q.where("organization_id", "=", organizationId);
      } else {
        q = q.where("id", "=", organizationId);
      }
      for (const r of await q.execute()) {
        names.set(`${type}:${r.id}`, String(r.name));
      }
    }
  }
  return names;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): string => (typeof v === "number" ? String(v) : "?");

/** A changed field's name in words: `maxKeysOut` → "max keys out". */
function words(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .toLowerCase();
}

/** What an event says in words (English). */
export function eventSummary(
  action: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  names: ReadonlyMap<string, string>,
  zone: string,
): string {
  switch (action) {
    case "cabinet.agent_started":
      return `The cabinet's agent started (version ${str(after.agentVersion) ?? "?"}).`;
    case "cabinet.snapshot_applied":
      return `The cabinet applied permissions version ${num(after.version)}.`;
    case "cabinet.snapshot_expired":
      return `The cabinet's permissions expired after ${num(after.ageMinutes)} minutes without the server.`;
    case "cabinet.identified": {
      const factors = Array.isArray(after.factors) ? after.factors.join(" and ").replace(/_/g, " ") : "";
      return `Identified at the cabinet${factors ? ` with ${factors}` : ""}.`;
    }
    case "cabinet.identification_failed":
      return `Identification failed: ${denialSentence(str(after.code) ?? "unknown", {})}`;
    case "cabinet.access_denied":
      return `Denied: ${denialSentence(
        str(after.code) ?? "unknown",
        typeof after.params === "object" && after.params !== null ? (after.params as Record<string, unknown>) : {},
      )}`;
    case "cabinet.remote_release_executed":
      return `The door was released from afar for ${num(after.seconds)} seconds.`;
    case "door.released":
      return after.purpose === "return"
        ? "The door was released to return keys."
        : after.purpose === "remote_release"
          ? "The door was released from afar."
          : "The door was released to take keys.";
    case "door.opened":
      return "The door opened.";
    case "door.closed":
      return `The door closed after ${num(after.openSeconds)} seconds.`;
    case "door.held_open":
      return `The door was held open ${num(after.seconds)} seconds.`;
    case "door.forced":
      return "The door was forced open.";
    case "key.taken": {
      const reasonId = str(after.reasonCodeId);
      const reason = reasonId ? names.get(`reasonCode:${reasonId}`) : undefined;
      const due = str(after.dueAt);
      return [
        `Taken from hook ${num(after.hook)}`,
        after.authorized === false ? " without being granted" : "",
        reason ? ` for ${reason}` : "",
        str(after.workOrder) ? `, work order ${str(after.workOrder)}` : "",
        due ? `, due ${localStamp(due, zone)}` : "",
        ".",
      ].join("");
    }
    case "key.returned":
      return `Returned to hook ${num(after.hook)}${after.noOpenCheckout ? " (it was not out)" : ""}.`;
    case "key.wrong_hook":
      return `Wrong hook ${num(after.hook)} touched.`;
    case "key.removed_without_session":
      return `Lifted from hook ${num(after.hook)} with no one identified.`;
    case "key.unknown_tag":
      return "An unknown tag was presented.";
    case "cabinet.duress_signalled":
      return "Duress PIN entered: the cabinet behaved as for the PIN.";
    default:
      break;
  }
  const verb = words(action.slice(action.indexOf(".") + 1));
  const changed = Object.keys(after).filter(
    (k) => k in before && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  const sentence = `${verb[0]?.toUpperCase() ?? ""}${verb.slice(1)}`;
  return changed.length > 0 ? `${sentence}: ${changed.map(words).join(", ")}.` : `${sentence}.`;
}

export const transactionsReport: ReportDefinition = {
  name: "transactions",
  title: "Transactions",
  description:
    "Every event of the period, at the cabinets and in the dashboard, newest first: who acted, on what, and what " +
    `happened. Lists the newest ${MAX_REPORT_ROWS.toLocaleString("en-US")} at most (the first, sorted by time ` +
    "ascending); the totals count every event.",
  periodic: true,
  filters: ["buildingId", "unitId", "personId", "reasonCodeId"],
  columns: [
    { key: "when", label: "When", kind: "instant" },
    { key: "property", label: "Property", kind: "text" },
    { key: "action", label: "Action", kind: "text" },
    { key: "actor", label: "By", kind: "text" },
    { key: "entity", label: "About", kind: "text" },
    { key: "summary", label: "What happened", kind: "text" },
  ],
  defaultSort: { key: "when", direction: "desc" },
  async run(context) {
    const { db, scope, period, timeZone, sort } = context;
    const where = conditions(context);
    // why: the rows read are one end of the period: its first events when sorted by time ascending, else its newest
    const direction = sort.key === "when" && sort.direction === "asc" ? "asc" : "desc";
    const events = await db
      .selectFrom("events")
      .select([
        "events.seq",
        "events.id",
        "events.occurred_at",
        "events.property_id",
        "events.action",
        "events.entity_type",
        "events.entity_id",
        "events.actor",
        "events.actor_type",
        "events.actor_id",
        "events.before",
        "events.after",
      ])
      .where(where)
      .orderBy("events.occurred_at", direction)
      .orderBy("events.seq", direction)
      .limit(MAX_REPORT_ROWS)
      .execute();
    // why: the exact count by action covers every event of the period, read from the index, not from the rows above
    const counts = await db
      .selectFrom("events")
      .select(["events.action", (eb) => eb.fn.countAll<number>().as("n")])
      .where(where)
      .groupBy("events.action")
      .execute();

    const parsed = events.map((e) => ({ ...e, a: jsonObject(e.after), b: jsonObject(e.before) }));
    const wanted = new Map<string, Set<string>>();
    const want = (type: string, id: string | null) => {
      if (id) {
        wanted.set(type, (wanted.get(type) ?? new Set()).add(id));
      }
    };
    for (const e of parsed) {
      want(e.entity_type, e.entity_id);
      want("property", e.property_id);
      if (e.action === "key.taken") {
        want("reasonCode", str(e.a.reasonCodeId));
      }
    }
    const names = await loadNames(db, scope.organizationId, wanted);

    const rows = parsed.map((e) => {
      const actor = jsonObject(e.actor);
      const entity = ENTITY_NAMES[e.entity_type];
      const entityName = e.entity_id ? names.get(`${e.entity_type}:${e.entity_id}`) : undefined;
      const actorName = str(actor.name) || null;
      return {
        cells: {
          when: new Date(e.occurred_at).toISOString(),
          property: e.property_id ? (names.get(`property:${e.property_id}`) ?? null) : null,
          action: e.action,
          actor:
            e.actor_type === "cabinet"
              ? `${actorName ?? "A cabinet"} (cabinet)`
              : (actorName ?? (e.actor_type === "system" ? "Keyward" : e.actor_type)),
          entity: `${entity?.word ?? e.entity_type}${entityName ? ` ${entityName}` : ""}`,
          summary: eventSummary(e.action, e.b, e.a, names, timeZone),
        },
        links: {
          eventId: e.id,
          ...(e.entity_type === "key" && e.entity_id ? { keyId: e.entity_id } : {}),
          ...(e.entity_type === "unit" && e.entity_id ? { unitId: e.entity_id } : {}),
          ...(e.actor_type === "person" && e.actor_id ? { personId: e.actor_id } : {}),
        },
      };
    });

    const byAction = counts
      .map((c) => ({ action: c.action, n: Number(c.n) }))
      .sort((a, b) => b.n - a.n || (a.action < b.action ? -1 : 1));
    const total = byAction.reduce((sum, c) => sum + c.n, 0);
    const cabinet = byAction.filter((c) => CABINET_ACTIONS.has(c.action)).reduce((sum, c) => sum + c.n, 0);
    const shown =
      rows.length < total
        ? ` (the ${direction === "asc" ? "first" : "newest"} ${rows.length.toLocaleString("en-US")})`
        : "";
    const instants = rows.map((r) => r.cells.when);
    return {
      rows,
      rowCount: total,
      totals: [
        { key: "events", label: "Events", value: total },
        { key: "cabinetEvents", label: "At the cabinets", value: cabinet },
        { key: "otherEvents", label: "In the dashboard and elsewhere", value: total - cabinet },
        { key: "actions", label: "Kinds of action", value: byAction.length },
      ],
      charts: [
        {
          key: "byAction",
          title: "Events by action",
          kind: "bar",
          points: byAction.map((c) => ({ label: c.action, value: c.n })),
        },
        ...(period ? [overTimeChart("overTime", `Events over time${shown}`, instants, timeZone, period)] : []),
        hourOfDayChart("byHour", `Events by hour of day${shown}`, instants, timeZone),
      ],
    };
  },
};
