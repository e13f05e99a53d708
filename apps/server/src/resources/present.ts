/** Presenting resource rows: camelCase, decoded, decorated. The response schema then drops anything unnamed. */
import type { Executor } from "@keyward/db/connect";
import type { ResourceDef } from "./definition.ts";
import { fromColumns, type Row } from "./records.ts";

/** Presents rows of a resource. */
export async function presentRows(def: ResourceDef, db: Executor, rows: Row[]): Promise<Record<string, unknown>[]> {
  const extras = def.decorate ? await def.decorate(db, rows) : [];
  return rows.map((row, i) => ({ ...fromColumns(row, def.encoding), ...(extras[i] ?? {}) }));
}

/** Presents one row of a resource. */
export async function presentRow(def: ResourceDef, db: Executor, row: Row): Promise<Record<string, unknown>> {
  const [item] = await presentRows(def, db, [row]);
  return item ?? {};
}
