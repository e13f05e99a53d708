/**
 * Inventory and key map: every key and where it is now (its cabinet and hook, its holder, lost, retired, with the
 * resident), how many copies its unit has against the policy, and which keys nobody has taken for a while. Read from
 * the keys and the open checkouts (projections) and the checkouts of the last N days, never from all history.
 */

import { unitLabel } from "./cabinet-contact.ts";
import type { ReportDefinition } from "./report-definition.ts";
import { countChart, personName, scopedProperties } from "./report-parts.ts";

/** Keys unused for this many days are flagged, unless the report is given `days`. */
export const DEFAULT_UNUSED_DAYS = 90;

const STATUS_WORDS: Record<string, string> = {
  in: "In the cabinet",
  out: "Out",
  lost: "Lost",
  retired: "Retired",
  with_resident: "With the resident",
};

export const inventoryReport: ReportDefinition = {
  name: "inventory",
  title: "Inventory and key map",
  description:
    "Every key and where it is now; copies per unit against the policy (a key set's own limit, else the property's " +
    "copies per unit; lost keys count, retired keys do not), units above it flagged; keys in a cabinet that nobody " +
    `took in the last N days (${DEFAULT_UNUSED_DAYS} unless chosen); lost keys.`,
  periodic: false,
  filters: ["buildingId", "unitId", "days"],
  columns: [
    { key: "key", label: "Key", kind: "text" },
    { key: "property", label: "Property", kind: "text" },
    { key: "unit", label: "Unit", kind: "text" },
    { key: "kind", label: "Kind", kind: "text" },
    { key: "status", label: "Status", kind: "text" },
    { key: "location", label: "Where", kind: "text" },
    { key: "holder", label: "Holder", kind: "text" },
    { key: "since", label: "Out since", kind: "instant" },
    { key: "copies", label: "Copies", kind: "number" },
    { key: "copyLimit", label: "Copies allowed", kind: "number" },
    { key: "overCopy", label: "Over the copy limit", kind: "flag" },
    { key: "takes", label: "Takes in the last N days", kind: "number" },
    { key: "unused", label: "Unused", kind: "flag" },
  ],
  defaultSort: { key: "key", direction: "asc" },
  async run({ db, scope, filters, now }) {
    const days = filters.days ?? DEFAULT_UNUSED_DAYS;
    const properties = scopedProperties(scope);
    let q = db
      .selectFrom("keys")
      .innerJoin("properties", "properties.id", "keys.property_id")
      .leftJoin("units", "units.id", "keys.unit_id")
      .leftJoin("buildings", "buildings.id", "units.building_id")
      .leftJoin("key_sets", "key_sets.id", "keys.key_set_id")
      .leftJoin("cabinets", "cabinets.id", "keys.cabinet_id")
      .select([
        "keys.id",
        "keys.label",
        "keys.kind",
        "keys.status",
        "keys.unit_id",
        "keys.key_set_id",
        "keys.property_id",
        "keys.hook_number",
        "keys.cabinet_id",
        "properties.name as property",
        "properties.max_copies_per_unit",
        "units.number as unit_number",
        "buildings.name as building",
        "key_sets.max_copies",
        "cabinets.name as cabinet",
      ])
      .where("keys.organization_id", "=", scope.organizationId);
    if (properties) {
      q = q.where("keys.property_id", "in", properties);
    }
    if (filters.unitId) {
      q = q.where("keys.unit_id", "=", filters.unitId);
    } else if (filters.buildingId) {
      q = q.where("units.building_id", "=", filters.buildingId);
    }
    // why: ordered here, not in SQL, so a property's keys are read by (organization_id, property_id, status) rather
    // than by walking the organization's keys in label order
    const keys = (await q.execute()).sort((x, y) =>
      x.label < y.label ? -1 : x.label > y.label ? 1 : x.id < y.id ? -1 : 1,
    );

    // why: served by checkouts (organization_id, status, property_id, out_at): the open ones only
    let open = db
      .selectFrom("checkouts")
      .leftJoin("people", "people.id", "checkouts.person_id")
      .select(["checkouts.key_id", "checkouts.out_at", "people.first_name", "people.last_name"])
      .where("checkouts.organization_id", "=", scope.organizationId)
      .where("checkouts.status", "=", "open");
    if (properties) {
      open = open.where("checkouts.property_id", "in", properties);
    }
    const holders = new Map((await open.execute()).map((c) => [c.key_id, c]));

    const since = new Date(now.getTime() - days * 86_400_000).toISOString();
    // why: served by checkouts (organization_id, property_id, out_at) or (organization_id, out_at): N days, not history
    let recent = db
      .selectFrom("checkouts")
      .select(["key_id", (eb) => eb.fn.countAll<number>().as("n")])
      .where("organization_id", "=", scope.organizationId)
      .where("out_at", ">=", since)
      .groupBy("key_id");
    if (properties) {
      recent = recent.where("property_id", "in", properties);
    }
    const takes = new Map((await recent.execute()).map((r) => [r.key_id, Number(r.n)]));

    // why: copies of one lock: a key set's keys, or else a unit's keys outside any set with its own limit
    const groupOf = (k: (typeof keys)[number]) =>
      k.key_set_id !== null && k.max_copies !== null ? `set:${k.key_set_id}` : k.unit_id ? `unit:${k.unit_id}` : null;
    const copies = new Map<string, number>();
    for (const k of keys) {
      const group = groupOf(k);
      if (group && k.status !== "retired") {
        copies.set(group, (copies.get(group) ?? 0) + 1);
      }
    }

    const overUnits = new Set<string>();
    const rows = keys.map((k) => {
      const group = groupOf(k);
      const count = group ? (copies.get(group) ?? 0) : null;
      const limit = group === null ? null : group.startsWith("set:") ? k.max_copies : k.max_copies_per_unit;
      const over = count !== null && limit !== null && count > limit;
      if (over) {
        overUnits.add(k.unit_id ?? group ?? k.id);
      }
      const holder = holders.get(k.id);
      const holderName = holder ? (personName(holder.first_name, holder.last_name) ?? "No one identified") : null;
      const location =
        k.status === "in"
          ? k.cabinet
            ? `${k.cabinet}, ${k.hook_number === null ? "no known hook" : `hook ${k.hook_number}`}`
            : "In, cabinet unknown"
          : k.status === "out"
            ? `With ${holderName ?? "no one known"}`
            : (STATUS_WORDS[k.status] ?? k.status);
      const taken = takes.get(k.id) ?? 0;
      return {
        cells: {
          key: k.label,
          property: k.property,
          unit: unitLabel(k.unit_number, k.building),
          kind: k.kind,
          status: STATUS_WORDS[k.status] ?? k.status,
          location,
          holder: holderName,
          since: holder ? new Date(holder.out_at).toISOString() : null,
          copies: count,
          copyLimit: limit,
          overCopy: over,
          takes: taken,
          // why: only a key waiting on a hook can be "unused"; one out, lost or retired is accounted for otherwise
          unused: k.status === "in" && taken === 0,
        },
        links: { keyId: k.id, ...(k.unit_id ? { unitId: k.unit_id } : {}) },
      };
    });
    const count = (status: string) => keys.filter((k) => k.status === status).length;
    return {
      rows,
      totals: [
        { key: "keys", label: "Keys", value: keys.length },
        { key: "in", label: "In a cabinet", value: count("in") },
        { key: "out", label: "Out", value: count("out") },
        { key: "lost", label: "Lost", value: count("lost") },
        { key: "retired", label: "Retired", value: count("retired") },
        { key: "overCopyUnits", label: "Units over the copy limit", value: overUnits.size },
        { key: "unused", label: `Unused for ${days} days`, value: rows.filter((r) => r.cells.unused).length },
      ],
      charts: [
        countChart(
          "byStatus",
          "Keys by status",
          rows.map((r) => r.cells.status),
        ),
        countChart(
          "byKind",
          "Keys by kind",
          keys.map((k) => k.kind),
        ),
      ],
    };
  },
};
