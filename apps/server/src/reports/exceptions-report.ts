/**
 * Exceptions: everything that broke protocol in the period, one row each — denials with their reason, failed
 * identifications and PIN lockouts, doors held open or forced, wrong hooks, keys removed without a session, keys
 * returned by someone other than their holder, overdue keys, and cabinets cut off from the server.
 */
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import { type DenialCode, type DenialParams, describeDenial } from "@keyward/domain/denials";
import { PIN_LOCK_AFTER_FAILURES } from "@keyward/domain/identification";
import { localStamp } from "../pdf/pdfmake.ts";
import { jsonObject, offlinePeriods, unitLabel } from "./cabinet-contact.ts";
import type { ReportContext, ReportDefinition } from "./report-definition.ts";
import {
  countChart,
  hourOfDayChart,
  minutesBetween,
  overTimeChart,
  personName,
  scopedProperties,
} from "./report-parts.ts";

/** The kinds of exception, as the report names them (the totals' and the charts' labels). */
const KINDS = {
  denied: "Access denied",
  failedIdentification: "Failed identification",
  pinLocked: "PIN locked",
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

/** The exception events of the period: denials, failed identifications, alarms. */
async function exceptionEvents({ db, scope, filters, period }: ReportContext): Promise<Exception[]> {
  if (!period) {
    return [];
  }
  // why: served by events (organization_id, action, occurred_at): the period's exceptions, never its other events
  let q = db
    .selectFrom("events")
    .select(["occurred_at", "action", "property_id", "actor_type", "actor_id", "after"])
    .where("organization_id", "=", scope.organizationId)
    .where("action", "in", Object.keys(ACTION_KIND))
    .where("occurred_at", ">=", period.fromInstant)
    .where("occurred_at", "<", period.toInstant)
    .where("property_id", "is not", null);
  const properties = scopedProperties(scope);
  if (properties) {
    q = q.where("property_id", "in", properties);
  }
  if (filters.personId) {
    q = q.where("actor_type", "=", "person").where("actor_id", "=", filters.personId);
  }
  const rows = await q.orderBy("occurred_at").orderBy("seq").execute();
  return rows.map((e) => {
    const d = jsonObject(e.after);
    const kind = ACTION_KIND[e.action] as Kind;
    const keyId = asString(d.keyId);
    const base = {
      at: new Date(e.occurred_at).toISOString(),
      personId: e.actor_type === "person" ? e.actor_id : null,
      keyIds: keyId ? [keyId] : [],
      cabinetId: asString(d.cabinetId),
      propertyId: e.property_id as string,
      code: null,
    };
    switch (kind) {
      case "denied": {
        const code = asString(d.code) ?? "unknown";
        const params = typeof d.params === "object" && d.params !== null ? (d.params as Record<string, unknown>) : {};
        const keyIds = Array.isArray(d.keyIds) ? d.keyIds.filter((k): k is string => typeof k === "string") : [];
        return { ...base, kind, code, keyIds, detail: denialSentence(code, params) };
      }
      case "failedIdentification": {
        const code = asString(d.code) ?? "unknown";
        const failures = asNumber(d.pinFailures);
        const locked = code === "pin_locked" || (failures !== null && failures >= PIN_LOCK_AFTER_FAILURES);
        const factor = asString(d.factor) ?? "factor";
        const count = failures !== null ? ` (${failures} wrong PINs in a row)` : "";
        return {
          ...base,
          kind: locked ? ("pinLocked" as const) : kind,
          code,
          detail: `${factor === "user_code" ? "User code" : factor[0]?.toUpperCase() + factor.slice(1)}: ${denialSentence(
            code,
            typeof d.params === "object" && d.params !== null ? (d.params as Record<string, unknown>) : {},
          )}${count}`,
        };
      }
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
  });
}

/** Keys returned by someone other than their holder (or with no one identified), in the period. */
async function returnsByOthers({ db, scope, filters, period }: ReportContext): Promise<Exception[]> {
  if (!period) {
    return [];
  }
  // why: served by events (organization_id, action, occurred_at); each return names the checkout it closed, found by id
  let q = db
    .selectFrom("events")
    .select(["after"])
    .where("organization_id", "=", scope.organizationId)
    .where("action", "=", "key.returned")
    .where("occurred_at", ">=", period.fromInstant)
    .where("occurred_at", "<", period.toInstant);
  const properties = scopedProperties(scope);
  if (properties) {
    q = q.where("property_id", "in", properties);
  }
  const checkoutIds = (await q.execute()).flatMap((e) => {
    const id = asString(jsonObject(e.after).checkoutId);
    return id ? [id] : [];
  });
  const found: Exception[] = [];
  for (const ids of chunked(checkoutIds)) {
    let c = db
      .selectFrom("checkouts")
      .select(["property_id", "key_id", "person_id", "returned_by", "returned_at", "return_cabinet_id"])
      .where("organization_id", "=", scope.organizationId)
      .where("id", "in", ids)
      .where("person_id", "is not", null)
      .where("returned_at", "is not", null)
      .where((eb) => eb.or([eb("returned_by", "is", null), eb("returned_by", "<>", eb.ref("person_id"))]));
    if (filters.personId) {
      const personId = filters.personId;
      c = c.where((eb) => eb.or([eb("person_id", "=", personId), eb("returned_by", "=", personId)]));
    }
    for (const r of await c.execute()) {
      found.push({
        at: new Date(r.returned_at as string).toISOString(),
        kind: "returnedByOther",
        code: null,
        detail: "",
        personId: r.returned_by,
        keyIds: [r.key_id],
        cabinetId: r.return_cabinet_id,
        propertyId: r.property_id,
        holderId: r.person_id ?? undefined,
      });
    }
  }
  return found;
}

/** Keys whose due time fell in the period and that were returned after it, or are still out past it. */
async function overdue({ db, scope, filters, period, now, timeZone }: ReportContext): Promise<Exception[]> {
  if (!period) {
    return [];
  }
  const earliestOut = new Date(Date.parse(period.fromInstant) - LONGEST_DUE_DAYS * 86_400_000).toISOString();
  const nowIso = now.toISOString();
  // why: served by checkouts (organization_id, property_id, out_at) or (organization_id, out_at): a key due in the
  // period left at most LONGEST_DUE_DAYS before it
  let q = db
    .selectFrom("checkouts")
    .select(["property_id", "key_id", "person_id", "cabinet_id", "out_at", "due_at", "returned_at"])
    .where("organization_id", "=", scope.organizationId)
    .where("out_at", ">=", earliestOut)
    .where("out_at", "<", period.toInstant)
    .where("due_at", ">=", period.fromInstant)
    .where("due_at", "<", period.toInstant);
  const properties = scopedProperties(scope);
  if (properties) {
    q = q.where("property_id", "in", properties);
  }
  if (filters.personId) {
    q = q.where("person_id", "=", filters.personId);
  }
  const rows = await q.orderBy("due_at").execute();
  return rows.flatMap((r) => {
    const due = new Date(r.due_at as string).toISOString();
    const returned = r.returned_at === null ? null : new Date(r.returned_at).toISOString();
    const late = returned === null ? due < nowIso : returned > due;
    if (!late) {
      return [];
    }
    const detail =
      returned === null
        ? `Due ${localStamp(due, timeZone)}; still out, ${minutesBetween(due, nowIso)} minutes late.`
        : `Due ${localStamp(due, timeZone)}; returned ${localStamp(returned, timeZone)}, ${minutesBetween(due, returned)} minutes late.`;
    return [
      {
        at: due,
        kind: "overdue" as const,
        code: null,
        detail,
        personId: r.person_id,
        keyIds: [r.key_id],
        cabinetId: r.cabinet_id,
        propertyId: r.property_id,
      },
    ];
  });
}

/** Cabinets cut off from the server in the period (from late uploads), and those out of contact now. */
async function cabinetsOffline({ db, scope, period, now, timeZone }: ReportContext): Promise<Exception[]> {
  if (!period) {
    return [];
  }
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
  return found;
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
    "doors held open or forced, wrong hooks, keys removed without a session, keys returned by someone other than " +
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
    let all = [
      ...(await exceptionEvents(context)),
      ...(await returnsByOthers(context)),
      ...(await overdue(context)),
      // why: a cabinet serves a whole property; a report about one person or one building leaves cabinets out
      ...(filters.personId || filters.buildingId ? [] : await cabinetsOffline(context)),
    ];
    const names = await loadNames(db, scope.organizationId, all);
    if (filters.buildingId) {
      const buildingId = filters.buildingId;
      all = all.filter((e) => e.keyIds.some((id) => names.keys.get(id)?.buildingId === buildingId));
    }
    all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

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
    const byKind = new Map<Kind, number>();
    for (const e of all) {
      byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
    }
    const denials = all.filter((e) => e.kind === "denied");
    return {
      rows,
      totals: [
        { key: "exceptions", label: "Exceptions", value: all.length },
        ...(Object.keys(KINDS) as Kind[]).map((k) => ({ key: k, label: KINDS[k], value: byKind.get(k) ?? 0 })),
      ],
      charts: [
        countChart(
          "byKind",
          "Exceptions by kind",
          all.map((e) => KINDS[e.kind]),
        ),
        countChart(
          "denialsByReason",
          "Denials by reason",
          denials.map((e) => e.code ?? "unknown"),
        ),
        ...(period
          ? [
              overTimeChart(
                "overTime",
                "Exceptions over time",
                all.map((e) => e.at),
                timeZone,
                period,
              ),
            ]
          : []),
        hourOfDayChart(
          "byHour",
          "Exceptions by hour of day",
          all.map((e) => e.at),
          timeZone,
        ),
      ],
    };
  },
};
