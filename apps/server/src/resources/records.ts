/**
 * Moving records between the database's snake_case rows and the API's camelCase objects, and the generic queries
 * the admin plane's resources share. Which fields leave the server is decided by each resource's response schema:
 * the serializer drops anything the schema does not name (hashes, secrets).
 */
import type { Executor } from "@keyward/db/connect";
import type { Database } from "@keyward/db/schema";
import { type Expression, type Kysely, type SqlBool, sql } from "kysely";

/** A row of any table, as the generic code sees it. */
export type Row = Record<string, unknown>;
/** The database as the generic code sees it: any table, any column. */
export type LooseDb = Kysely<Record<string, Row>>;
export type TableName = keyof Database & string;

/** Loosens the typed executor for generic, column-name-driven queries. */
export function loose(db: Executor): LooseDb {
  return db as unknown as LooseDb;
}

// why: names repeat on every row of every list; converting each once keeps presenting a page cheap
function memoize(convert: (s: string) => string): (s: string) => string {
  const cache = new Map<string, string>();
  return (s) => {
    let converted = cache.get(s);
    if (converted === undefined) {
      converted = convert(s);
      cache.set(s, converted);
    }
    return converted;
  };
}
const snake = memoize((s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
const camel = memoize((s) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));

export interface Encoding {
  /** camelCase fields stored as JSON text. */
  json?: readonly string[];
  /** camelCase fields stored as 0/1. */
  flags?: readonly string[];
}

/** camelCase input → snake_case columns; undefined fields are left out (not changed). */
export function toColumns(input: Record<string, unknown>, encoding: Encoding): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) {
      continue;
    }
    if (encoding.json?.includes(key)) {
      row[snake(key)] = value === null ? null : JSON.stringify(value);
    } else if (encoding.flags?.includes(key)) {
      row[snake(key)] = value ? 1 : 0;
    } else {
      row[snake(key)] = value;
    }
  }
  return row;
}

/** snake_case row → camelCase object, JSON parsed and flags as booleans. */
export function fromColumns(row: Row, encoding: Encoding): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const key = camel(column);
    out[key] = decodeValue(value, storageOf(key, encoding));
  }
  return out;
}

/** How a camelCase field is stored: as JSON text, as a 0/1 flag, or as itself. */
export type Storage = "json" | "flag" | null;

/** The storage of a field under an encoding. */
export function storageOf(field: string, encoding: Encoding): Storage {
  return encoding.json?.includes(field) ? "json" : encoding.flags?.includes(field) ? "flag" : null;
}

/** A stored value as the API presents it: JSON parsed, flags as booleans, nulls kept. */
export function decodeValue(value: unknown, storage: Storage): unknown {
  if (value === null || value === undefined) {
    return value;
  }
  if (storage === "json") {
    return typeof value === "string" ? JSON.parse(value) : value;
  }
  if (storage === "flag") {
    return value === 1 || value === true;
  }
  return value;
}

/** The snake_case column of a camelCase field. */
export function columnOf(field: string): string {
  return snake(field);
}

/** The camelCase field of a snake_case column. */
export function fieldOf(column: string): string {
  return camel(column);
}

/** Loads one row by id within an organization (never by id alone). */
export async function findInOrganization(
  db: Executor,
  table: TableName,
  organizationId: string,
  id: string,
): Promise<Row | undefined> {
  return loose(db)
    .selectFrom(table)
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where("id", "=", id)
    .executeTakeFirst();
}

/** Opaque list cursor: the sort value and id of the last row of a page. */
export function encodeCursor(value: unknown, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString("base64url");
}

/** Decodes a cursor; `null` when it is not one of ours. */
export function decodeCursor(cursor: string): [string | number, string] | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === "string" || typeof parsed[0] === "number") &&
      typeof parsed[1] === "string"
    ) {
      return [parsed[0], parsed[1]];
    }
    return null;
  } catch {
    return null;
  }
}

/**
 * A case-insensitive substring search of `q` over some columns: `lower(column) like '%q%'`, with the LIKE wildcards in
 * `q` escaped. (`lower` is Unicode-aware on both databases; see connect.ts.)
 */
export function searchAny(columns: readonly string[], q: string): Expression<SqlBool> {
  const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const matches = columns.map((column) => sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`);
  return sql<SqlBool>`(${sql.join(matches, sql` or `)})`;
}
