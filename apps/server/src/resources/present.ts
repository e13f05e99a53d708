/**
 * Presenting resource rows: camelCase, decoded, decorated, and cut to the resource's item schema. What a presenter
 * returns goes out in responses and into events alike, so no column the API does not name (a password or PIN hash)
 * may survive it.
 */
import type { Executor } from "@keyward/db/connect";
import type { ResourceDef } from "./definition.ts";
import { columnOf, decodeValue, type Row, type Storage, storageOf } from "./records.ts";

interface Field {
  name: string;
  column: string;
  storage: Storage;
}

const fieldCache = new WeakMap<ResourceDef, readonly Field[]>();

/** The fields a resource's item schema names — the only ones that ever leave a presenter — and where each comes from. */
function fieldsOf(def: ResourceDef): readonly Field[] {
  let fields = fieldCache.get(def);
  if (!fields) {
    fields = Object.keys(def.item.shape).map((name) => ({
      name,
      column: columnOf(name),
      storage: storageOf(name, def.encoding),
    }));
    fieldCache.set(def, fields);
  }
  return fields;
}

/** Presents rows of a resource. */
export async function presentRows(def: ResourceDef, db: Executor, rows: Row[]): Promise<Record<string, unknown>[]> {
  const extras = def.decorate ? await def.decorate(db, rows) : [];
  const fields = fieldsOf(def);
  return rows.map((row, i) => {
    const extra = extras[i] ?? {};
    // why: events store what this returns, and the append-only log can never be scrubbed of a leaked hash later —
    // so only the schema's fields are copied, by name, in one pass over a precomputed list
    const item: Row = {};
    for (const { name, column, storage } of fields) {
      item[name] = decodeValue(name in extra ? extra[name] : row[column], storage) ?? null;
    }
    return item;
  });
}

/** Presents one row of a resource. */
export async function presentRow(def: ResourceDef, db: Executor, row: Row): Promise<Record<string, unknown>> {
  const [item] = await presentRows(def, db, [row]);
  return item ?? {};
}
