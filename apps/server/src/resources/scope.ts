/** Where a resource row lives, for the resolver. */
import type { Executor } from "@keyward/db/connect";
import type { ResourceDef } from "./definition.ts";
import type { Row } from "./records.ts";

/** The property a loaded row belongs to; null for an organization-level row. */
export async function propertyOfRow(def: ResourceDef, db: Executor, row: Row): Promise<string | null> {
  switch (def.scope.kind) {
    case "organization":
      return null;
    case "column": {
      const value = row[def.scope.column];
      return typeof value === "string" ? value : null;
    }
    case "derived":
      return def.scope.fromRow(db, row);
  }
}

/** The resolver's view of a loaded row. */
export async function resourceOfRow(def: ResourceDef, db: Executor, row: Row) {
  return {
    entity: def.entity,
    organizationId: String(row.organization_id),
    propertyId: await propertyOfRow(def, db, row),
  };
}
