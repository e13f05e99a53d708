/**
 * Presenting resource rows: camelCase, decoded, decorated, and cut to the resource's item schema. What a presenter
 * returns goes out in responses and into events alike, so no column the API does not name (a password or PIN hash)
 * may survive it.
 */
import type { Executor } from "@keyward/db/connect";
import type { ResourceDef } from "./definition.ts";
import { fromColumns, type Row } from "./records.ts";

/** Presents rows of a resource. */
export async function presentRows(def: ResourceDef, db: Executor, rows: Row[]): Promise<Record<string, unknown>[]> {
  const extras = def.decorate ? await def.decorate(db, rows) : [];
  // why: events store what this returns, and the append-only log can never be scrubbed of a leaked hash later
  return rows.map((row, i) => def.item.parse({ ...fromColumns(row, def.encoding), ...(extras[i] ?? {}) }) as Row);
}

/** Presents one row of a resource. */
export async function presentRow(def: ResourceDef, db: Executor, row: Row): Promise<Record<string, unknown>> {
  const [item] = await presentRows(def, db, [row]);
  return item ?? {};
}
