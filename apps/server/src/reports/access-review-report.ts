/**
 * Access review, for the quarterly look at who may do what: one row per person and access profile they hold — which
 * keys, at which hours, from when to when, with which limits — and, per person, whether they used it lately, whether
 * they were deactivated late after their end date, and whether they are still active past it.
 */
import type { ReportCell } from "@keyward/contracts/reports";
import { chunked } from "@keyward/db/chunks";
import type { KeyScope, ProfileConditions } from "@keyward/domain/checkout-policy";
import { localTime, type WeeklyWindow } from "@keyward/domain/schedule";
import { addDays, instantAtLocal } from "@keyward/domain/zoned-time";
import { jsonArray, jsonObject } from "./cabinet-contact.ts";
import type { ReportDefinition } from "./report-definition.ts";
import { countChart, personName, scopedProperties } from "./report-parts.ts";

/** People without activity for this many days are flagged, unless the report is given `days`. */
export const DEFAULT_IDLE_DAYS = 90;

/** A deactivation later than this after the end of a person's end date is flagged. */
export const LATE_DEACTIVATION_HOURS = 72;

const DAY_NAMES = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Weekdays in words: runs of three or more as "Mon–Fri", others listed. */
function daysText(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) {
      j += 1;
    }
    const first = DAY_NAMES[sorted[i] as number] ?? "?";
    const last = DAY_NAMES[sorted[j] as number] ?? "?";
    if (j - i >= 2) {
      parts.push(`${first}–${last}`);
    } else {
      for (let k = i; k <= j; k += 1) {
        parts.push(DAY_NAMES[sorted[k] as number] ?? "?");
      }
    }
    i = j + 1;
  }
  return parts.join(", ");
}

/** A profile's weekly hours in words, in the property's zone. */
export function hoursText(windows: readonly WeeklyWindow[], zone: string, holidays: string | null): string {
  if (windows.length === 0) {
    return "No hours: never";
  }
  const text = windows.map((w) => `${daysText(w.days)} ${w.start}–${w.end}`).join("; ");
  return `${text} (${zone})${holidays ? `; not on the holidays of ${holidays}` : ""}`;
}

/** Which keys a profile covers, in words. */
export function keysText(scope: KeyScope, names: ReadonlyMap<string, string>): string {
  const named = (ids: readonly string[]) => ids.map((id) => names.get(id) ?? "(removed)").join(", ");
  const parts: string[] = [];
  if (scope.allKeys) {
    parts.push("All keys of the property");
  } else {
    if (scope.buildingIds.length > 0) {
      parts.push(`Buildings ${named(scope.buildingIds)}`);
    }
    if (scope.unitIds.length > 0) {
      parts.push(`Units ${named(scope.unitIds)}`);
    }
    if (scope.keySetIds.length > 0) {
      parts.push(`Key sets ${named(scope.keySetIds)}`);
    }
  }
  if (scope.keyKinds.length > 0) {
    parts.push(`${scope.allKeys || parts.length > 0 ? "of kinds" : "Keys of kinds"} ${scope.keyKinds.join(", ")}`);
  }
  if (parts.length === 0) {
    return "No keys";
  }
  return `${parts.join("; ")}${scope.includeRestricted ? "; restricted keys included" : ""}`;
}

/** Validity from the later start and the earlier end of a profile and its assignment, in words. */
function validityText(froms: (string | null)[], untils: (string | null)[], today: string): string {
  const from =
    froms
      .filter((d): d is string => d !== null)
      .sort()
      .at(-1) ?? null;
  const until = untils.filter((d): d is string => d !== null).sort()[0] ?? null;
  const text = from && until ? `${from} to ${until}` : from ? `From ${from}` : until ? `Until ${until}` : "No end date";
  return until !== null && until < today
    ? `${text} (ended)`
    : from !== null && from > today
      ? `${text} (not yet)`
      : text;
}

/** A profile's limits and conditions in words. */
function limitsText(p: {
  max_keys_out: number | null;
  max_duration_minutes: number | null;
  curfew_time: string | null;
  conditions: ProfileConditions;
}): string {
  const parts = [
    p.max_keys_out !== null ? `at most ${p.max_keys_out} keys at once` : null,
    p.max_duration_minutes !== null ? `back within ${p.max_duration_minutes} minutes` : null,
    p.curfew_time !== null ? `back by ${p.curfew_time}` : null,
    p.conditions.witness ? "a witness" : null,
    p.conditions.managerApproval ? "a manager's approval" : null,
    p.conditions.keyPairing ? "key pairing" : null,
  ].filter((x): x is string => x !== null);
  return parts.length === 0 ? "None" : `${parts[0]?.[0]?.toUpperCase()}${parts.join("; ").slice(1)}`;
}

export const accessReviewReport: ReportDefinition = {
  name: "access-review",
  title: "Access review",
  description:
    "Who may take which keys, where and when: one row per person and access profile in force (a person with none " +
    "has one row). Flags the rows of active people without a cabinet identification or a checkout at that property " +
    "(their home, for a person with no profile) in the last N days " +
    `(${DEFAULT_IDLE_DAYS} unless chosen), people deactivated more than ${LATE_DEACTIVATION_HOURS} hours after the ` +
    "end of their end date (in their home property's time zone), and people still active past their end date. " +
    "People deactivated within the last N days are listed; earlier ones are not.",
  periodic: false,
  filters: ["personId", "days"],
  columns: [
    { key: "person", label: "Person", kind: "text" },
    { key: "status", label: "Status", kind: "text" },
    { key: "property", label: "Property", kind: "text" },
    { key: "profile", label: "Access profile", kind: "text" },
    { key: "keys", label: "Keys", kind: "text" },
    { key: "hours", label: "When", kind: "text" },
    { key: "validity", label: "Valid", kind: "text" },
    { key: "limits", label: "Limits", kind: "text" },
    { key: "lastActivity", label: "Last activity", kind: "instant" },
    { key: "noActivity", label: "No activity in N days", kind: "flag" },
    { key: "endDate", label: "End date", kind: "date" },
    { key: "deactivatedAt", label: "Deactivated", kind: "instant" },
    { key: "lateDeactivation", label: "Deactivated late", kind: "flag" },
    { key: "activePastEnd", label: "Active past end date", kind: "flag" },
  ],
  defaultSort: { key: "person", direction: "asc" },
  async run({ db, scope, filters, now }) {
    const org = scope.organizationId;
    const days = filters.days ?? DEFAULT_IDLE_DAYS;
    const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
    const properties = scopedProperties(scope);

    // why: served by profile_assignments (organization_id, property_id, person_id): a property's assignments, or the
    // organization's (a few per person, never history)
    let a = db
      .selectFrom("profile_assignments as a")
      .innerJoin("access_profiles as p", "p.id", "a.access_profile_id")
      .innerJoin("properties as prop", "prop.id", "a.property_id")
      .leftJoin("holiday_calendars as h", "h.id", "p.holiday_calendar_id")
      .select([
        "a.id",
        "a.person_id",
        "a.property_id",
        "a.valid_from as assignmentFrom",
        "a.valid_until as assignmentUntil",
        "p.name as profile",
        "p.key_scope",
        "p.windows",
        "p.valid_from",
        "p.valid_until",
        "p.max_keys_out",
        "p.max_duration_minutes",
        "p.curfew_time",
        "p.conditions",
        "h.name as holidays",
        "prop.name as property",
        "prop.time_zone",
      ])
      .where("a.organization_id", "=", org)
      .where("a.status", "=", "active")
      .where("p.status", "=", "active");
    if (properties) {
      a = a.where("a.property_id", "in", properties);
    }
    if (filters.personId) {
      a = a.where("a.person_id", "=", filters.personId);
    }
    const assignments = await a.orderBy("prop.name").orderBy("p.name").orderBy("a.id").execute();

    // why: a person is in scope by their home or by an assignment there; served by people (organization_id, …) for
    // the whole organization, and by the home index and the primary key for some properties
    const base = () => {
      const q = db
        .selectFrom("people")
        .leftJoin("properties as home", "home.id", "people.home_property_id")
        .select([
          "people.id",
          "people.first_name",
          "people.last_name",
          "people.status",
          "people.end_date",
          "people.deactivated_at",
          "people.home_property_id",
          "home.name as homeName",
          "home.time_zone as homeZone",
        ])
        .where("people.organization_id", "=", org)
        .where((eb) => eb.or([eb("people.status", "=", "active"), eb("people.deactivated_at", ">=", cutoff)]));
      return filters.personId ? q.where("people.id", "=", filters.personId) : q;
    };
    const found = new Map<string, Awaited<ReturnType<ReturnType<typeof base>["execute"]>>[number]>();
    if (properties) {
      for (const p of await base().where("people.home_property_id", "in", properties).execute()) {
        found.set(p.id, p);
      }
      for (const part of chunked([...new Set(assignments.map((x) => x.person_id))])) {
        for (const p of await base().where("people.id", "in", part).execute()) {
          found.set(p.id, p);
        }
      }
    } else {
      for (const p of await base().execute()) {
        found.set(p.id, p);
      }
    }
    const people = [...found.values()].sort(
      (x, y) =>
        x.last_name.localeCompare(y.last_name) || x.first_name.localeCompare(y.first_name) || (x.id < y.id ? -1 : 1),
    );

    // why: served by events (organization_id, action, occurred_at) and checkouts (organization_id[, property_id], out_at)
    let identified = db
      .selectFrom("events")
      .select(["actor_id", "property_id", (eb) => eb.fn.max("occurred_at").as("last")])
      .where("organization_id", "=", org)
      .where("action", "=", "cabinet.identified")
      .where("occurred_at", ">=", cutoff)
      .where("actor_type", "=", "person")
      .groupBy(["actor_id", "property_id"]);
    let took = db
      .selectFrom("checkouts")
      .select(["person_id", "property_id", (eb) => eb.fn.max("out_at").as("last")])
      .where("organization_id", "=", org)
      .where("out_at", ">=", cutoff)
      .where("person_id", "is not", null)
      .groupBy(["person_id", "property_id"]);
    if (properties) {
      identified = identified.where("property_id", "in", properties);
      took = took.where("property_id", "in", properties);
    }
    const activity = new Map<string, string>();
    const note = (personId: string | null, propertyId: string | null, at: string) => {
      if (!personId || !propertyId) {
        return;
      }
      const iso = new Date(at).toISOString();
      for (const key of [`${personId}:${propertyId}`, personId]) {
        const known = activity.get(key);
        if (!known || iso > known) {
          activity.set(key, iso);
        }
      }
    };
    for (const r of await identified.execute()) {
      note(r.actor_id, r.property_id, String(r.last));
    }
    for (const r of await took.execute()) {
      note(r.person_id, r.property_id, String(r.last));
    }

    const ids = new Map<string, "building" | "unit" | "keySet">();
    for (const x of assignments) {
      const s = jsonObject(x.key_scope) as Partial<KeyScope>;
      for (const id of s.buildingIds ?? []) {
        ids.set(id, "building");
      }
      for (const id of s.unitIds ?? []) {
        ids.set(id, "unit");
      }
      for (const id of s.keySetIds ?? []) {
        ids.set(id, "keySet");
      }
    }
    const names = new Map<string, string>();
    const byKind = (kind: "building" | "unit" | "keySet") => [...ids].filter(([, k]) => k === kind).map(([id]) => id);
    for (const part of chunked(byKind("building"))) {
      for (const b of await db
        .selectFrom("buildings")
        .select(["id", "name"])
        .where("organization_id", "=", org)
        .where("id", "in", part)
        .execute()) {
        names.set(b.id, b.name);
      }
    }
    for (const part of chunked(byKind("unit"))) {
      for (const u of await db
        .selectFrom("units")
        .select(["id", "number"])
        .where("organization_id", "=", org)
        .where("id", "in", part)
        .execute()) {
        names.set(u.id, u.number);
      }
    }
    for (const part of chunked(byKind("keySet"))) {
      for (const k of await db
        .selectFrom("key_sets")
        .select(["id", "name"])
        .where("organization_id", "=", org)
        .where("id", "in", part)
        .execute()) {
        names.set(k.id, k.name);
      }
    }

    const byPerson = new Map<string, typeof assignments>();
    for (const x of assignments) {
      byPerson.set(x.person_id, [...(byPerson.get(x.person_id) ?? []), x]);
    }
    const rows: { cells: Record<string, ReportCell>; links: Record<string, string> }[] = [];
    const late = new Set<string>();
    const pastEnd = new Set<string>();
    for (const p of people) {
      const zone = p.homeZone ?? "UTC";
      const today = localTime(now, zone).date;
      const deactivatedAt = p.deactivated_at === null ? null : new Date(p.deactivated_at).toISOString();
      // why: a person's last day ends at midnight after their end date, on their home property's clock
      const endsAt = p.end_date === null ? null : instantAtLocal(addDays(p.end_date, 1), 0, zone).getTime();
      const lateDeactivation =
        endsAt !== null &&
        deactivatedAt !== null &&
        Date.parse(deactivatedAt) - endsAt > LATE_DEACTIVATION_HOURS * 3_600_000;
      const activePastEnd = p.status === "active" && p.end_date !== null && p.end_date < today;
      if (lateDeactivation) {
        late.add(p.id);
      }
      if (activePastEnd) {
        pastEnd.add(p.id);
      }
      const personCells = {
        person: personName(p.first_name, p.last_name),
        status: p.status === "active" ? "Active" : "Inactive",
        endDate: p.end_date,
        deactivatedAt,
        lateDeactivation,
        activePastEnd,
      };
      // why: only an active person's access is idle; one deactivated has none left to review
      const idle = (last: string | undefined) => p.status === "active" && last === undefined;
      const held = byPerson.get(p.id) ?? [];
      if (held.length === 0) {
        const last = p.home_property_id ? activity.get(`${p.id}:${p.home_property_id}`) : activity.get(p.id);
        rows.push({
          cells: {
            ...personCells,
            property: p.homeName,
            profile: null,
            keys: "No access profile",
            hours: null,
            validity: null,
            limits: null,
            lastActivity: last ?? null,
            noActivity: idle(last),
          },
          links: { personId: p.id },
        });
        continue;
      }
      for (const x of held) {
        const last = activity.get(`${p.id}:${x.property_id}`);
        const keyScope = jsonObject(x.key_scope) as unknown as KeyScope;
        const propertyToday = localTime(now, x.time_zone).date;
        rows.push({
          cells: {
            ...personCells,
            property: x.property,
            profile: x.profile,
            keys: keysText(
              {
                allKeys: keyScope.allKeys ?? false,
                buildingIds: keyScope.buildingIds ?? [],
                unitIds: keyScope.unitIds ?? [],
                keySetIds: keyScope.keySetIds ?? [],
                keyKinds: keyScope.keyKinds ?? [],
                includeRestricted: keyScope.includeRestricted ?? false,
              },
              names,
            ),
            hours: hoursText(jsonArray(x.windows) as WeeklyWindow[], x.time_zone, x.holidays),
            validity: validityText([x.valid_from, x.assignmentFrom], [x.valid_until, x.assignmentUntil], propertyToday),
            limits: limitsText({
              ...x,
              conditions: {
                witness: false,
                managerApproval: false,
                keyPairing: false,
                ...(jsonObject(x.conditions) as Partial<ProfileConditions>),
              },
            }),
            lastActivity: last ?? null,
            noActivity: idle(last),
          },
          links: { personId: p.id },
        });
      }
    }
    const listed = new Set(people.map((p) => p.id));
    return {
      rows,
      totals: [
        { key: "people", label: "People", value: listed.size },
        {
          key: "assignments",
          label: "Profiles held",
          value: assignments.filter((x) => listed.has(x.person_id)).length,
        },
        // why: the total counts the rows flagged, so it is the number of "yes" in the column, in every format
        {
          key: "noActivity",
          label: `Active, no activity in ${days} days`,
          value: rows.filter((r) => r.cells.noActivity === true).length,
        },
        { key: "lateDeactivations", label: "Deactivated late", value: late.size },
        { key: "activePastEnd", label: "Active past end date", value: pastEnd.size },
      ],
      charts: [
        countChart(
          "byProfile",
          "People by access profile",
          rows.map((r) => String(r.cells.profile ?? "No access profile")),
        ),
      ],
    };
  },
};
