/**
 * CSV export of a property's units, keys or people, in exactly the import's columns, so an export can be edited and
 * imported elsewhere. Cells a spreadsheet would run as formulas are guarded (see `guard`).
 */
import type { ImportKind } from "@keyward/contracts/auth";
import type { Executor } from "@keyward/db/connect";
import { stringify } from "csv-stringify/sync";
import { CSV_COLUMNS, guard } from "./import-csv.ts";

/** Writes a property's units, keys or people as CSV, in the import's columns. */
export async function exportCsv(
  db: Executor,
  organizationId: string,
  propertyId: string,
  kind: ImportKind,
): Promise<string> {
  const { required, optional } = CSV_COLUMNS[kind];
  const columns = [...required, ...optional];
  let rows: Record<string, unknown>[];
  if (kind === "units") {
    rows = await db
      .selectFrom("units")
      .leftJoin("buildings", "buildings.id", "units.building_id")
      .select([
        "units.number",
        "buildings.name as building",
        "units.kind",
        "units.occupancy",
        "units.floor",
        "units.notes",
      ])
      .where("units.organization_id", "=", organizationId)
      .where("units.property_id", "=", propertyId)
      .orderBy("units.number")
      .execute();
  } else if (kind === "keys") {
    const raw = await db
      .selectFrom("keys")
      .leftJoin("units", "units.id", "keys.unit_id")
      .leftJoin("key_sets", "key_sets.id", "keys.key_set_id")
      .select([
        "keys.label",
        "keys.tag_code as tag",
        "keys.kind",
        "units.number as unit",
        "key_sets.name as key_set",
        "keys.status",
        "keys.restricted",
      ])
      .where("keys.organization_id", "=", organizationId)
      .where("keys.property_id", "=", propertyId)
      .orderBy("keys.label")
      .execute();
    rows = raw.map((r) => ({ ...r, restricted: r.restricted ? "yes" : "no" }));
  } else {
    const raw = await db
      .selectFrom("people")
      .select([
        "id",
        "first_name",
        "last_name",
        "kind",
        "employee_number",
        "company",
        "email",
        "phone",
        "start_date",
        "end_date",
      ])
      .where("organization_id", "=", organizationId)
      .where("home_property_id", "=", propertyId)
      .orderBy("last_name")
      .orderBy("first_name")
      .execute();
    const badges = raw.length
      ? await db
          .selectFrom("credentials")
          .select(["person_id", "badge_number"])
          .where("organization_id", "=", organizationId)
          .where("kind", "=", "badge")
          .where("status", "=", "active")
          .where(
            "person_id",
            "in",
            raw.map((r) => r.id),
          )
          .execute()
      : [];
    rows = raw.map(({ id, ...r }) => ({ ...r, badge: badges.find((b) => b.person_id === id)?.badge_number ?? "" }));
  }
  return stringify(
    rows.map((r) => columns.map((c) => r[c] ?? "")),
    { header: true, columns, cast: { string: guard } },
  );
}
