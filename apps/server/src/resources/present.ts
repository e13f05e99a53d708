/**
 * Presenting resource rows: camelCase, decoded, decorated, and cut to the resource's item schema. What a presenter
 * returns goes out in responses and into events alike, so no column the API does not name (a password or PIN hash)
 * may survive it.
 */
import type { Executor } from "@keyward/db/connect";
import type { ResourceDef } from "./definition.ts";
import { fromColumns, type Row } from "./records.ts";

const fieldCache = new WeakMap<ResourceDef, readonly string[]>();

/** The fields a resource's item schema names: the only ones that ever leave a presenter. */
function fieldsOf(def: ResourceDef): readonly string[] {
  let fields = fieldCache.get(def);
  if (!fields) {
    fields = Object.keys(def.item.shape);
    fieldCache.set(def, fields);
  }
  return fields;
}

/** Presents rows of a resource. */
export async function presentRows(def: ResourceDef, db: Executor, rows: Row[]): Promise<Record<string, unknown>[]> {
  const extras = def.decorate ? await def.decorate(db, rows) : [];
  const fields = fieldsOf(def);
  return rows.map((row, i) => {
    const all = { ...fromColumns(row, def.encoding), ...(extras[i] ?? {}) };
    // why: events store what this returns, and the append-only log can never be scrubbed of a leaked hash later —
    // so only the schema's fields are copied, by name (a whitelist, as cheap as the copy itself)
    const item: Row = {};
    for (const field of fields) {
      item[field] = all[field] ?? null;
    }
    return item;
  });
}

/** Presents one row of a resource. */
export async function presentRow(def: ResourceDef, db: Executor, row: Row): Promise<Record<string, unknown>> {
  const [item] = await presentRows(def, db, [row]);
  return item ?? {};
}
