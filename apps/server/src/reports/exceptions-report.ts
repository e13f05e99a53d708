/**
 * Exceptions: everything that broke protocol in the period, one row each — denials with their reason, failed
 * identifications and PIN lockouts, duress PINs, doors held open or forced, wrong hooks, keys removed without a session, keys
 * returned by someone other than their holder, overdue keys, and cabinets cut off from the server. Each kind is read
 * newest first (oldest first when sorted by time ascending) up to {@link MAX_REPORT_ROWS} rows, and counted in full by
 * the database for the totals.
 */
import { MAX_REPORT_ROWS } from "@keyward/contracts/reports";
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import { type DenialCode, type DenialParams, describeDenial } from "@keyward/domain/denials";
import { PIN_LOCK_AFTER_FAILURES } from "@keyward/domain/identification";
import { type Expression, type SqlBool, sql } from "kysely";
import { localStamp } from "../pdf/pdfmake.ts";
import { jsonObject, offlinePeriods, unitLabel } from "./cabinet-contact.ts";
import type { ReportContext, ReportDefinition } from "./report-definition.ts";
import {
  hourOfDayChart,
  jsonTextSql,
  minutesBetween,
  overTimeChart,
  periodOfReport,
  personName,
  rankedChart,
  scopedProperties,
  sqlDialect,
  unitsOfBuilding,
} from "./report-parts.ts";

/** The kinds of exception, as the report names them (the totals' and the charts' labels). */
const KINDS = {
  denied: "Access denied",
  failedIdentification: "Failed identification",
  pinLocked: "PIN locked",
  duress: "Duress PIN entered",
  heldOpen: "Door held open",
  forced: "Door forced",
  wrongHook: "Wrong hook",
  removed: "Removed without a session",
  returnedByOther: "Returned by someone else",
  overdue: "Overdue",
  offline: "Cabinet offline",
} as const;
type Kind = keyof typeof KINDS;

const ACTION_KIND: Record<string, Kind> = {
  "cabinet.access_denied": "denied",
  "cabinet.identification_failed": "failedIdentification",
  "cabinet.duress_signalled": "duress",
  "door.held_open": "heldOpen",
  "door.forced": "forced",
  "key.wrong_hook": "wrongHook",
  "key.removed_without_session": "removed",
};

/**
 * The longest a key may be due after it left: reason codes' default due time and profiles' longest duration are both
 * capped at 30 days, and a curfew falls within a day. One more day covers a change of clocks.
 */
const LONGEST_DUE_DAYS = 31;

/** Sentences for the denial codes the agent writes that are not the policy engine's. */
const OTHER_DENIALS: Record<string, string> = {
  identify_again: "The PIN changed during the visit — the person was asked to identify again.",
  conditions_required: "The access profile demands a condition this cabinet cannot take (approval or key pairing).",
};

const DENIAL_CODES: ReadonlySet<string> = new Set<DenialCode>([
  "unknown_badge",
  "unknown_user_code",
  "fingerprint_not_recognized",
  "fingerprint_alone",
  "factor_not_accepted",
  "factor_mismatch",
  "pin_incorrect",
  "pin_wait",
  "pin_locked",
  "person_inactive",
  "before_start_date",
  "after_end_date",
  "no_valid_profile",
  "no_keys_requested",
  "not_permitted_key",
  "restricted_key",
  "outside_hours",
  "holiday",
  "key_not_available",
  "keys_out_limit",
  "reason_required",
  "reason_inactive",
  "work_order_required",
  "witness_is_holder",
]);

/**
 * A denial's sentence in English. The code and its parameters come from a cabinet's event: a code this server does
 * not know, or parameters that do not fit it, are reported as they are rather than failing the whole report.
 */
export function denialSentence(code: string, params: Record<string, unknown>): string {
  if (DENIAL_CODES.has(code)) {
    try {
      return describeDenial(code as DenialCode, "en", params as DenialParams[DenialCode]);
    } catch {
      return `Refused (${code}).`;
    }
  }
  return OTHER_DENIALS[code] ?? `Refused (${code}).`;
}

interface Exception {
  at: string;
  kind: Kind;
  code: string | null;
  detail: string;
  personId: string | null;
  keyIds: string[];
  cabinetId: string | null;
  propertyId: string;
  /** Who held the key, for a return by someone else. */
  holderId?: string;
}

interface KeyInfo {
  label: string;
  unitId: string | null;
  unit: string | null;
  buildingId: string | null;
}

const asString = (v: unknown): string | null => (typeof v === "string" ? v : null);
const asNumber = (v: unknown): number | null => (typeof v === "number" ? v : null);

/** Which end of the period a report reads when it cannot read every row: the first exceptions, or the newest. */
type Order = "asc" | "desc";

/** What one source of exceptions read: at most {@link ROW_CAP} rows from one end of the period, and exact counts. */
interface Found {
  rows: Exception[];
  counts: Map<Kind, number>;
  /** Denials by their code, over every denial of the period (the chart's). */
  denialCodes: Map<string, number>;
}

/** The rows each source reads at most: one more than an answer carries, so a longer list is known to be longer. */
const ROW_CAP = MAX_REPORT_ROWS + 1;

/** The order the rows are read in: oldest first only when the report is sorted by time ascending. */
function orderOf(context: ReportContext): Order {
  return context.sort.key === "when" && context.sort.direction === "asc" ? "asc" : "desc";
}

/** A building's keys, as a subquery (a building filter is narrowed to its property by `runReport`). */
function keysOfBuilding(context: ReportContext, buildingId: string) {
  return context.db
    .selectFrom("keys")
    .select("keys.id")
    .where("keys.organization_id", "=", context.scope.organizationId)
    .where("keys.unit_id", "in", unitsOfBuilding(context, buildingId));
}

/** An event about one of a building's keys: its `keyId`, or one of a denial's `keyIds`. */
function eventAboutKeysOf(context: ReportContext, buildingId: string): Expression<SqlBool> {
  const dialect = sqlDialect(context.db);
  const keys = keysOfBuilding(context, buildingId);
  const keyId = jsonTextSql(dialect, "events.after", "keyId");
  const listed =
    dialect === "postgres"
      ? sql<SqlBool>`exists (select 1 from jsonb_array_elements_text(case when jsonb_typeof(events.after -> 'keyIds') = 'array' then events.after -> 'keyIds' else '[]'::jsonb end) as listed(id) where listed.id in (${keys}))`
      : sql<SqlBool>`exists (select 1 from json_each(events.after, '$.keyIds') as listed where listed.value in (${keys}))`;
  return sql<SqlBool>`(${keyId} in (${keys}) or ${listed})`;
}

/** The kind an exception event is: a failed identification that locked the PIN is a lockout. */
function eventKind(action: string, code: string | null, pinFailures: number | null): Kind {
  const kind = ACTION_KIND[action] as Kind;
  if (
    kind === "failedIdentification" &&
    (code === "pin_locked" || (pinFailures !== null && pinFailures >= PIN_LOCK_AFTER_FAILURES))
  ) {
    return "pinLocked";
  }
  return kind;
}

/** A number read from JSON by SQL: a number on SQLite, its text on PostgreSQL. */
function sqlNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === "") {
    return null;
  }
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** The exception events of the period: denials, failed identifications, alarms. */
async function exceptionEvents(context: ReportContext, order: Order): Promise<Found> {
  const { db, scope, filters } = context;
  const period = periodOfReport(context);
  const dialect = sqlDialect(db);
  // why: served by events (organization_id, action, occurred_at): the period's exceptions, never its other events
  let q = db
    .selectFrom("events")
    .where("events.organization_id", "=", scope.organizationId)
    .where("events.action", "in", Object.keys(ACTION_KIND))
    .where("events.occurred_at", ">=", period.fromInstant)
    .where("events.occurred_at", "<", period.toInstant)
    .where("events.property_id", "is not", null);
  const properties = scopedProperties(scope);
  if (properties) {
    q = q.where("events.property_id", "in", properties);
  }
  if (filters.personId) {
    q = q.where("events.actor_type", "=", "person").where("events.actor_id", "=", filters.personId);
  }
  if (filters.buildingId) {
    q = q.where(eventAboutKeysOf(context, filters.buildingId));
  }
  const rows = await q
    .select([
      "events.occurred_at",
      "events.action",
      "events.property_id",
      "events.actor_type",
      "events.actor_id",
      "events.after",
    ])
    .orderBy("events.occurred_at", order)
    .orderBy("events.seq", order)
    .limit(ROW_CAP)
    .execute();
  // why: the totals and the denials' chart count every exception of the period, grouped in the database
  const code = jsonTextSql(dialect, "events.after", "code");
  const failures = jsonTextSql(dialect, "events.after", "pinFailures");
  const groups = await q
    .select((eb) => ["events.action", code.as("code"), failures.as("pin_failures"), eb.fn.countAll<number>().as("n")])
    .groupBy(["events.action", code, failures])
    .execute();
  const counts = new Map<Kind, number>();
  const denialCodes = new Map<string, number>();
  for (const g of groups) {
    const n = Number(g.n);
    const kind = eventKind(g.action, g.code, sqlNumber(g.pin_failures));
    counts.set(kind, (counts.get(kind) ?? 0) + n);
    if (kind === "denied") {
      const label = g.code ?? "unknown";
      denialCodes.set(label, (denialCodes.get(label) ?? 0) + n);
    }
  }
  return { rows: rows.map(exceptionOfEvent), counts, denialCodes };
}

/** One exception event as a row of the report. */
function exceptionOfEvent(e: {
  occurred_at: string;
  action: string;
  property_id: string | null;
  actor_type: string;
  actor_id: string | null;
  after: string | null;
}): Exception {
  const d = jsonObject(e.after);
  const keyId = asString(d.keyId);
  const code = asString(d.code);
  const failures = asNumber(d.pinFailures);
  const kind = eventKind(e.action, code, failures);
  const base = {
    at: new Date(e.occurred_at).toISOString(),
    personId: e.actor_type === "person" ? e.actor_id : null,
    keyIds: keyId ? [keyId] : [],
    cabinetId: asString(d.cabinetId),
    propertyId: e.property_id as string,
    code: null,
  };
  const params = typeof d.params === "object" && d.params !== null ? (d.params as Record<string, unknown>) : {};
  switch (kind) {
    case "denied": {
      const keyIds = Array.isArray(d.keyIds) ? d.keyIds.filter((k): k is string => typeof k === "string") : [];
      return { ...base, kind, code: code ?? "unknown", keyIds, detail: denialSentence(code ?? "unknown", params) };
    }
    case "failedIdentification":
    case "pinLocked": {
      const factor = asString(d.factor) ?? "factor";
      const count = failures !== null ? ` (${failures} wrong PINs in a row)` : "";
      return {
        ...base,
        kind,
        code: code ?? "unknown",
        detail: `${factor === "user_code" ? "User code" : factor[0]?.toUpperCase() + factor.slice(1)}: ${denialSentence(
          code ?? "unknown",
          params,
        )}${count}`,
      };
    }
    case "duress":
      return { ...base, kind, detail: "Typed their PIN in its duress form; the cabinet behaved as for the PIN." };
    case "heldOpen":
      return { ...base, kind, detail: `The door stayed open ${asNumber(d.seconds) ?? 0} seconds.` };
    case "forced":
      return { ...base, kind, detail: "The door opened without being released." };
    case "wrongHook": {
      const expected = Array.isArray(d.expectedHooks) ? d.expectedHooks.join(", ") : "";
      return {
        ...base,
        kind,
        detail: `Hook ${asNumber(d.hook) ?? "?"} touched${expected ? `; the hooks to use were ${expected}` : ""}.`,
      };
    }
    default:
      return {
        ...base,
        kind,
        detail: `A key left hook ${asNumber(d.hook) ?? "?"} with no one identified at the cabinet.`,
      };
  }
}

/** Checkouts of the scope and the person and building filters (the holder or, for returns, the one who returned). */
function scopedCheckouts(context: ReportContext, people: "holder" | "holderOrReturner") {
  const { db, scope, filters } = context;
  let q = db.selectFrom("checkouts").where("checkouts.organization_id", "=", scope.organizationId);
  const properties = scopedProperties(scope);
  if (properties) {
    q = q.where("checkouts.property_id", "in", properties);
  }
  if (filters.personId) {
    const personId = filters.personId;
    q =
      people === "holder"
        ? q.where("checkouts.person_id", "=", personId)
        : q.where((eb) =>
            eb.or([eb("checkouts.person_id", "=", personId), eb("checkouts.returned_by", "=", personId)]),
          );
  }
  if (filters.buildingId) {
    q = q.where("checkouts.key_id", "in", keysOfBuilding(context, filters.buildingId));
  }
  return q;
}

/** Keys returned in the period by someone other than their holder, or with no one identified. */
async function returnsByOthers(context: ReportContext, order: Order): Promise<Found> {
  const period = periodOfReport(context);
  // why: the checkouts projection records who returned each key and when; (organization_id[, property_id],
  // returned_at) reads the period's returns only
  const q = scopedCheckouts(context, "holderOrReturner")
    .where("checkouts.returned_at", ">=", period.fromInstant)
    .where("checkouts.returned_at", "<", period.toInstant)
    .where("checkouts.person_id", "is not", null)
    .where((eb) =>
      eb.or([
        eb("checkouts.returned_by", "is", null),
        eb("checkouts.returned_by", "<>", eb.ref("checkouts.person_id")),
      ]),
    );
  const rows = await q
    .select([
      "checkouts.property_id",
      "checkouts.key_id",
      "checkouts.person_id",
      "checkouts.returned_by",
      "checkouts.returned_at",
      "checkouts.return_cabinet_id",
    ])
    .orderBy("checkouts.returned_at", order)
    .orderBy("checkouts.id")
    .limit(ROW_CAP)
    .execute();
  const counted = await q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
  return {
    rows: rows.map((r) => ({
      at: new Date(r.returned_at as string).toISOString(),
      kind: "returnedByOther",
      code: null,
      detail: "",
      personId: r.returned_by,
      keyIds: [r.key_id],
      cabinetId: r.return_cabinet_id,
      propertyId: r.property_id,
      holderId: r.person_id ?? undefined,
    })),
    counts: new Map([["returnedByOther", Number(counted?.n ?? 0)]]),
    denialCodes: new Map(),
  };
}

/** Keys whose due time fell in the period and that were returned after it, or are still out past it. */
async function overdue(context: ReportContext, order: Order): Promise<Found> {
  const { now, timeZone } = context;
  const period = periodOfReport(context);
  const earliestOut = new Date(Date.parse(period.fromInstant) - LONGEST_DUE_DAYS * 86_400_000).toISOString();
  const nowIso = now.toISOString();
  // why: served by checkouts (organization_id, property_id, out_at) or (organization_id, out_at): a key due in the
  // period left at most LONGEST_DUE_DAYS before it
  const q = scopedCheckouts(context, "holder")
    .where("checkouts.out_at", ">=", earliestOut)
    .where("checkouts.out_at", "<", period.toInstant)
    .where("checkouts.due_at", ">=", period.fromInstant)
    .where("checkouts.due_at", "<", period.toInstant)
    .where((eb) =>
      eb.or([
        eb.and([eb("checkouts.returned_at", "is", null), eb("checkouts.due_at", "<", nowIso)]),
        eb("checkouts.returned_at", ">", eb.ref("checkouts.due_at")),
      ]),
    );
  const rows = await q
    .select([
      "checkouts.property_id",
      "checkouts.key_id",
      "checkouts.person_id",
      "checkouts.cabinet_id",
      "checkouts.due_at",
      "checkouts.returned_at",
    ])
    .orderBy("checkouts.due_at", order)
    .orderBy("checkouts.id")
    .limit(ROW_CAP)
    .execute();
  const counted = await q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
  return {
    rows: rows.map((r) => {
      const due = new Date(r.due_at as string).toISOString();
      const returned = r.returned_at === null ? null : new Date(r.returned_at).toISOString();
      const detail =
        returned === null
          ? `Due ${localStamp(due, timeZone)}; still out, ${minutesBetween(due, nowIso)} minutes late.`
          : `Due ${localStamp(due, timeZone)}; returned ${localStamp(returned, timeZone)}, ${minutesBetween(due, returned)} minutes late.`;
      return {
        at: due,
        kind: "overdue" as const,
        code: null,
        detail,
        personId: r.person_id,
        keyIds: [r.key_id],
        cabinetId: r.cabinet_id,
        propertyId: r.property_id,
      };
    }),
    counts: new Map([["overdue", Number(counted?.n ?? 0)]]),
    denialCodes: new Map(),
  };
}

/** Cabinets cut off from the server in the period (from late uploads), and those out of contact now. */
async function cabinetsOffline(context: ReportContext): Promise<Found> {
  const { db, scope, now, timeZone } = context;
  const period = periodOfReport(context);
  let q = db
    .selectFrom("cabinets as c")
    .innerJoin("properties as p", "p.id", "c.property_id")
    .leftJoin("cabinet_states as s", "s.cabinet_id", "c.id")
    .select(["c.id", "c.property_id", "s.last_contact_at", "p.max_offline_minutes"])
    .where("c.organization_id", "=", scope.organizationId);
  const properties = scopedProperties(scope);
  if (properties) {
    q = q.where("c.property_id", "in", properties);
  }
  const cabinets = await q.execute();
  const periods = await offlinePeriods(
    db,
    scope.organizationId,
    cabinets.map((c) => c.id),
    period.fromInstant,
    period.toInstant,
  );
  const found: Exception[] = [];
  for (const c of cabinets) {
    for (const p of periods.get(c.id) ?? []) {
      found.push({
        at: p.from,
        kind: "offline",
        code: null,
        detail: `Could not reach the server from ${localStamp(p.from, timeZone)} at the latest until ${localStamp(
          p.to,
          timeZone,
        )} (${minutesBetween(p.from, p.to)} minutes; its events arrived late).`,
        personId: null,
        keyIds: [],
        cabinetId: c.id,
        propertyId: c.property_id,
      });
    }
    if (c.last_contact_at !== null) {
      const lastContact = new Date(c.last_contact_at).toISOString();
      const offlineAt = new Date(Date.parse(lastContact) + c.max_offline_minutes * 60_000).toISOString();
      // why: out of contact now for longer than the property allows; reported when that moment falls in the period
      if (offlineAt <= now.toISOString() && offlineAt >= period.fromInstant && offlineAt < period.toInstant) {
        found.push({
          at: offlineAt,
          kind: "offline",
          code: null,
          detail: `No contact since ${localStamp(lastContact, timeZone)}, more than the ${c.max_offline_minutes} minutes the property allows; offline now.`,
          personId: null,
          keyIds: [],
          cabinetId: c.id,
          propertyId: c.property_id,
        });
      }
    }
  }
  // why: a few rows per cabinet at most (its offline periods), so every one is kept and counted
  return { rows: found, counts: new Map([["offline", found.length]]), denialCodes: new Map() };
}

async function loadNames(db: Executor, organizationId: string, exceptions: readonly Exception[]) {
  const keyIds = [...new Set(exceptions.flatMap((e) => e.keyIds))];
  const personIds = [...new Set(exceptions.flatMap((e) => [e.personId, e.holderId ?? null]))].filter(
    (id): id is string => id !== null,
  );
  const cabinetIds = [...new Set(exceptions.flatMap((e) => (e.cabinetId ? [e.cabinetId] : [])))];
  const propertyIds = [...new Set(exceptions.map((e) => e.propertyId))];
  const keys = new Map<string, KeyInfo>();
  for (const ids of chunked(keyIds)) {
    for (const k of await db
      .selectFrom("keys")
      .leftJoin("units", "units.id", "keys.unit_id")
      .leftJoin("buildings", "buildings.id", "units.building_id")
      .select(["keys.id", "keys.label", "keys.unit_id", "units.number", "units.building_id", "buildings.name"])
      .where("keys.organization_id", "=", organizationId)
      .where("keys.id", "in", ids)
      .execute()) {
      keys.set(k.id, {
        label: k.label,
        unitId: k.unit_id,
        unit: unitLabel(k.number, k.name),
        buildingId: k.building_id,
      });
    }
  }
  const people = new Map<string, string>();
  for (const ids of chunked(personIds)) {
    for (const p of await db
      .selectFrom("people")
      .select(["id", "first_name", "last_name"])
      .where("organization_id", "=", organizationId)
      .where("id", "in", ids)
      .execute()) {
      people.set(p.id, personName(p.first_name, p.last_name) ?? "");
    }
  }
  const cabinets = new Map<string, string>();
  for (const ids of chunked(cabinetIds)) {
    for (const c of await db
      .selectFrom("cabinets")
      .select(["id", "name"])
      .where("organization_id", "=", organizationId)
      .where("id", "in", ids)
      .execute()) {
      cabinets.set(c.id, c.name);
    }
  }
  const properties = new Map<string, string>();
  for (const ids of chunked(propertyIds)) {
    for (const p of await db
      .selectFrom("properties")
      .select(["id", "name"])
      .where("organization_id", "=", organizationId)
      .where("id", "in", ids)
      .execute()) {
      properties.set(p.id, p.name);
    }
  }
  return { keys, people, cabinets, properties };
}

export const exceptionsReport: ReportDefinition = {
  name: "exceptions",
  title: "Exceptions",
  description:
    "Every break of protocol in the period: denials with their reason, failed identifications and PIN lockouts, " +
    "duress PINs, doors held open or forced, wrong hooks, keys removed without a session, keys returned by someone other than " +
    "their holder, overdue keys, and cabinets cut off from the server. With a building chosen, only exceptions " +
    "about its keys.",
  periodic: true,
  filters: ["buildingId", "personId"],
  columns: [
    { key: "when", label: "When", kind: "instant" },
    { key: "kind", label: "Exception", kind: "text" },
    { key: "detail", label: "Detail", kind: "text" },
    { key: "person", label: "Person", kind: "text" },
    { key: "key", label: "Key", kind: "text" },
    { key: "unit", label: "Unit", kind: "text" },
    { key: "cabinet", label: "Cabinet", kind: "text" },
    { key: "property", label: "Property", kind: "text" },
  ],
  defaultSort: { key: "when", direction: "desc" },
  async run(context) {
    const { db, scope, filters, period, timeZone } = context;
    const order = orderOf(context);
    const sources = [
      await exceptionEvents(context, order),
      await returnsByOthers(context, order),
      await overdue(context, order),
      // why: a cabinet serves a whole property; a report about one person or one building leaves cabinets out
      ...(filters.personId || filters.buildingId ? [] : [await cabinetsOffline(context)]),
    ];
    const byKind = new Map<Kind, number>();
    const denialCodes = new Map<string, number>();
    for (const source of sources) {
      for (const [kind, n] of source.counts) {
        byKind.set(kind, (byKind.get(kind) ?? 0) + n);
      }
      for (const [code, n] of source.denialCodes) {
        denialCodes.set(code, (denialCodes.get(code) ?? 0) + n);
      }
    }
    const total = [...byKind.values()].reduce((sum, n) => sum + n, 0);
    const sign = order === "asc" ? 1 : -1;
    // why: each source read one end of the period; together they hold that end of every exception, of which an
    // answer carries at most MAX_REPORT_ROWS
    const all = sources
      .flatMap((source) => source.rows)
      .sort((a, b) => sign * (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      .slice(0, MAX_REPORT_ROWS);
    const names = await loadNames(db, scope.organizationId, all);

    const rows = all.map((e) => {
      const keys = e.keyIds.map((id) => names.keys.get(id)).filter((k): k is KeyInfo => k !== undefined);
      const units = [...new Set(keys.flatMap((k) => (k.unit ? [k.unit] : [])))];
      let detail = e.detail;
      if (e.holderId) {
        const holder = names.people.get(e.holderId) ?? "the holder";
        detail = e.personId
          ? `Held by ${holder}; returned by ${names.people.get(e.personId) ?? "another person"}.`
          : `Held by ${holder}; hung back with no one identified.`;
      }
      return {
        cells: {
          when: e.at,
          kind: KINDS[e.kind],
          detail,
          person: e.personId ? (names.people.get(e.personId) ?? null) : null,
          key: keys.length > 0 ? keys.map((k) => k.label).join(", ") : null,
          unit: units.length > 0 ? units.join(", ") : null,
          cabinet: e.cabinetId ? (names.cabinets.get(e.cabinetId) ?? null) : null,
          property: names.properties.get(e.propertyId) ?? null,
        },
        links: {
          ...(e.personId ? { personId: e.personId } : {}),
          ...(e.keyIds.length === 1 && e.keyIds[0] ? { keyId: e.keyIds[0] } : {}),
          ...(keys.length === 1 && keys[0]?.unitId ? { unitId: keys[0].unitId } : {}),
          ...(e.cabinetId ? { cabinetId: e.cabinetId } : {}),
        },
      };
    });
    const shown =
      all.length < total ? ` (the ${order === "asc" ? "first" : "newest"} ${all.length.toLocaleString("en-US")})` : "";
    return {
      rows,
      rowCount: total,
      totals: [
        { key: "exceptions", label: "Exceptions", value: total },
        ...(Object.keys(KINDS) as Kind[]).map((k) => ({ key: k, label: KINDS[k], value: byKind.get(k) ?? 0 })),
      ],
      charts: [
        rankedChart(
          "byKind",
          "Exceptions by kind",
          [...byKind].filter(([, n]) => n > 0).map(([kind, n]) => [KINDS[kind], n] as const),
        ),
        rankedChart("denialsByReason", "Denials by reason", denialCodes),
        ...(period
          ? [
              overTimeChart(
                "overTime",
                `Exceptions over time${shown}`,
                all.map((e) => e.at),
                timeZone,
                period,
              ),
            ]
          : []),
        hourOfDayChart(
          "byHour",
          `Exceptions by hour of day${shown}`,
          all.map((e) => e.at),
          timeZone,
        ),
      ],
    };
  },
};
