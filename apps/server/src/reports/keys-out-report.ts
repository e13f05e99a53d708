/**
 * Keys out: every key out of its cabinet right now — who holds it, since when, why, under which work order, when it
 * is due and whether it is overdue. Read from the open checkouts (a projection), never from history.
 */
import type { ReportDefinition } from "./report-definition.ts";
import { countChart, minutesBetween, personName, scopedProperties } from "./report-parts.ts";

/** Who holds a key taken without anyone identified (lifted from its hook with no session). */
export const NO_ONE_IDENTIFIED = "No one identified";

export const keysOutReport: ReportDefinition = {
  name: "keys-out",
  title: "Keys out",
  description: "Every key out of its cabinet now: who holds it, since when, why, and whether it is overdue.",
  periodic: false,
  filters: ["buildingId", "unitId", "personId", "reasonCodeId"],
  columns: [
    { key: "key", label: "Key", kind: "text" },
    { key: "property", label: "Property", kind: "text" },
    { key: "unit", label: "Unit", kind: "text" },
    { key: "holder", label: "Holder", kind: "text" },
    { key: "since", label: "Since", kind: "instant" },
    { key: "minutesOut", label: "Minutes out", kind: "minutes" },
    { key: "reason", label: "Reason", kind: "text" },
    { key: "workOrder", label: "Work order", kind: "text" },
    { key: "due", label: "Due", kind: "instant" },
    { key: "overdue", label: "Overdue", kind: "flag" },
  ],
  defaultSort: { key: "since", direction: "asc" },
  async run({ db, scope, filters, now }) {
    let q = db
      .selectFrom("checkouts")
      .innerJoin("keys", "keys.id", "checkouts.key_id")
      .innerJoin("properties", "properties.id", "checkouts.property_id")
      .leftJoin("units", "units.id", "checkouts.unit_id")
      .leftJoin("buildings", "buildings.id", "units.building_id")
      .leftJoin("people", "people.id", "checkouts.person_id")
      .leftJoin("reason_codes", "reason_codes.id", "checkouts.reason_code_id")
      .select([
        "checkouts.id",
        "checkouts.key_id",
        "checkouts.unit_id",
        "checkouts.person_id",
        "checkouts.out_at",
        "checkouts.due_at",
        "checkouts.work_order",
        "checkouts.authorized",
        "keys.label as key_label",
        "properties.name as property",
        "units.number as unit_number",
        "buildings.name as building",
        "people.first_name",
        "people.last_name",
        "reason_codes.label as reason",
      ])
      .where("checkouts.organization_id", "=", scope.organizationId)
      .where("checkouts.status", "=", "open");
    const properties = scopedProperties(scope);
    if (properties) {
      q = q.where("checkouts.property_id", "in", properties);
    }
    if (filters.buildingId) {
      q = q.where("units.building_id", "=", filters.buildingId);
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
    const open = await q.orderBy("checkouts.out_at").orderBy("checkouts.id").execute();

    const nowIso = now.toISOString();
    const rows = open.map((c) => {
      const holder = personName(c.first_name, c.last_name) ?? NO_ONE_IDENTIFIED;
      const overdue = c.due_at !== null && c.due_at < nowIso;
      return {
        cells: {
          key: c.key_label,
          property: c.property,
          unit: c.unit_number === null ? null : c.building ? `${c.unit_number} (${c.building})` : c.unit_number,
          holder,
          since: c.out_at,
          minutesOut: minutesBetween(c.out_at, now),
          reason: c.reason,
          workOrder: c.work_order,
          due: c.due_at,
          overdue,
        },
        links: {
          keyId: c.key_id,
          ...(c.unit_id ? { unitId: c.unit_id } : {}),
          ...(c.person_id ? { personId: c.person_id } : {}),
        },
      };
    });
    const overdue = rows.filter((r) => r.cells.overdue).length;
    return {
      rows,
      totals: [
        { key: "keysOut", label: "Keys out", value: rows.length },
        { key: "overdue", label: "Overdue", value: overdue },
        {
          key: "holders",
          label: "People holding keys",
          value: new Set(open.flatMap((c) => (c.person_id ? [c.person_id] : []))).size,
        },
        { key: "unauthorized", label: "Taken without a session", value: open.filter((c) => !c.authorized).length },
      ],
      charts: [
        countChart(
          "byReason",
          "Keys out by reason",
          rows.map((r) => r.cells.reason ?? "No reason"),
        ),
        countChart(
          "byPerson",
          "Keys out by holder",
          rows.map((r) => r.cells.holder),
        ),
      ],
    };
  },
};
