/**
 * Presenting resource rows: camelCase, decoded, decorated, and cut to the resource's item schema. What a presenter
 * returns goes out in responses and into events alike, so no column the API does not name (a password or PIN hash)
 * may survive it.
 */
import type { Executor } from "@keyward/db/connect";
import type { ResourceDef } from "./definition.ts";
import { columnOf, type Row } from "./records.ts";

interface Field {
  name: string;
  column: string;
  decode: "json" | "flag" | null;
}

const fieldCache = new WeakMap<ResourceDef, readonly Field[]>();

/** The fields a resource's item schema names — the only ones that ever leave a presenter — and where each comes from. */
function fieldsOf(def: ResourceDef): readonly Field[] {
  let fields = fieldCache.get(def);
  if (!fields) {
    fields = Object.keys(def.item.shape).map((name) => ({
      name,
      column: columnOf(name),
      decode: def.encoding.json?.includes(name) ? "json" : def.encoding.flags?.includes(name) ? "flag" : null,
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
    for (const { name, column, decode } of fields) {
      const value = name in extra ? extra[name] : row[column];
      item[name] =
        value === undefined || value === null
          ? null
          : decode === "json" && typeof value === "string"
            ? JSON.parse(value)
            : decode === "flag"
              ? value === 1 || value === true
              : value;
    }
    return item;
  });
}

/** Presents one row of a resource. */
export async function presentRow(def: ResourceDef, db: Executor, row: Row): Promise<Record<string, unknown>> {
  const [item] = await presentRows(def, db, [row]);
  return item ?? {};
}
