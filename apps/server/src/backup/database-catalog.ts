/**
 * What a backup needs to know about the database's tables, read from the database's own catalog (never from a list in
 * code): every table, its columns and how their values travel, its primary key, and an order in which each table
 * comes after the tables its foreign keys reference. Other migrations add tables; a backup picks them up unasked.
 */
import type { Executor } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import { sql } from "kysely";

/** How a column's values are normalised so that both dialects write, and read back, the same file. */
export type ColumnKind = "integer" | "boolean" | "json" | "other";

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  /** PostgreSQL: the column takes its value from a sequence (identity or serial), to be reset after a restore. */
  sequenced: boolean;
}

export interface TableInfo {
  name: string;
  /** Insertable columns in table order (generated columns are left out: the database computes them). */
  columns: ColumnInfo[];
  /** Primary key columns in key order; empty when the table has none. */
  primaryKey: string[];
  /** Tables this one references (itself excluded). */
  references: string[];
  /** PostgreSQL: an identity column is `generated always`, so inserting its values needs `overriding system value`. */
  identityAlways: boolean;
}

/** The migrator's own bookkeeping: the header records which migrations ran; the tables themselves are not data. */
export const MIGRATION_TABLES: readonly string[] = ["kysely_migration", "kysely_migration_lock"];

/** The names of every table in the database, bookkeeping included. */
export async function tableNames(db: Executor, dialect: Dialect): Promise<string[]> {
  const { rows } =
    dialect === "postgres"
      ? await sql<{ name: string }>`select c.relname as name from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p') and not c.relispartition and n.nspname = current_schema()`.execute(db)
      : await sql<{ name: string }>`select name from sqlite_master
          where type = 'table' and name not like 'sqlite\\_%' escape '\\'`.execute(db);
  return rows.map((r) => r.name).sort();
}

/** SQLite declares JSON columns as text; their values travel as the text they are. */
function sqliteKind(declared: string): ColumnKind {
  const type = declared.toLowerCase();
  if (type.includes("bool")) {
    return "boolean";
  }
  // why: SQLite's own affinity rule — any declared type containing INT holds integers
  return type.includes("int") ? "integer" : "other";
}

function postgresKind(udt: string): ColumnKind {
  if (udt === "bool") {
    return "boolean";
  }
  if (udt === "json" || udt === "jsonb") {
    return "json";
  }
  return ["int2", "int4", "int8"].includes(udt) ? "integer" : "other";
}

async function describeSqlite(db: Executor, name: string): Promise<TableInfo> {
  const columns = await sql<{ name: string; type: string; pk: number; hidden: number }>`
    select name, type, pk, hidden from pragma_table_xinfo(${name}) order by cid`.execute(db);
  const references = await sql<{ target: string }>`
    select distinct "table" as target from pragma_foreign_key_list(${name})`.execute(db);
  const insertable = columns.rows.filter((c) => c.hidden === 0);
  return {
    name,
    columns: insertable.map((c) => ({ name: c.name, kind: sqliteKind(c.type), sequenced: false })),
    primaryKey: insertable
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name),
    references: references.rows.map((r) => r.target).filter((t) => t !== name),
    identityAlways: false,
  };
}

async function describePostgres(db: Executor, name: string): Promise<TableInfo> {
  const columns = await sql<{
    name: string;
    udt: string;
    identity: string | null;
    sequenced: boolean;
  }>`select column_name as name, udt_name as udt, identity_generation as identity,
      (is_identity = 'YES' or coalesce(column_default, '') like 'nextval(%') as sequenced
    from information_schema.columns
    where table_schema = current_schema() and table_name = ${name} and is_generated = 'NEVER'
    order by ordinal_position`.execute(db);
  const primaryKey = await sql<{ name: string }>`select a.attname as name from pg_index i
    join pg_class t on t.oid = i.indrelid
    join pg_namespace n on n.oid = t.relnamespace
    join pg_attribute a on a.attrelid = t.oid and a.attnum = any(i.indkey)
    where i.indisprimary and n.nspname = current_schema() and t.relname = ${name}
    order by array_position(i.indkey::int2[], a.attnum)`.execute(db);
  const references = await sql<{ target: string }>`select distinct r.relname as target from pg_constraint k
    join pg_class t on t.oid = k.conrelid
    join pg_class r on r.oid = k.confrelid
    join pg_namespace n on n.oid = t.relnamespace
    where k.contype = 'f' and n.nspname = current_schema() and t.relname = ${name}`.execute(db);
  return {
    name,
    columns: columns.rows.map((c) => ({ name: c.name, kind: postgresKind(c.udt), sequenced: c.sequenced })),
    primaryKey: primaryKey.rows.map((r) => r.name),
    references: references.rows.map((r) => r.target).filter((t) => t !== name),
    identityAlways: columns.rows.some((c) => c.identity === "ALWAYS"),
  };
}

/**
 * Orders tables so that each follows every table it references; ties go by name, so the order is stable. Tables
 * caught in a reference cycle follow the rest by name (SQLite defers its foreign keys during a restore).
 */
export function dependencyOrder(tables: readonly TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const placed = new Set<string>();
  const ordered: TableInfo[] = [];
  const pending = [...tables].sort((a, b) => a.name.localeCompare(b.name));
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const table of pending) {
      if (placed.has(table.name)) {
        continue;
      }
      // why: a reference to a table outside the backup (another schema) cannot be ordered and does not need to be
      if (table.references.every((r) => placed.has(r) || !byName.has(r))) {
        placed.add(table.name);
        ordered.push(table);
        progressed = true;
      }
    }
  }
  return [...ordered, ...pending.filter((t) => !placed.has(t.name))];
}

/** Every data table (the migrator's bookkeeping left out), each after the tables it references. */
export async function readCatalog(db: Executor, dialect: Dialect): Promise<TableInfo[]> {
  const names = (await tableNames(db, dialect)).filter((n) => !MIGRATION_TABLES.includes(n));
  const tables: TableInfo[] = [];
  for (const name of names) {
    tables.push(dialect === "postgres" ? await describePostgres(db, name) : await describeSqlite(db, name));
  }
  return dependencyOrder(tables);
}

/** The migrations applied to this database, in the order they ran (by name, as the migrator orders them). */
export async function appliedMigrations(db: Executor, dialect: Dialect): Promise<string[]> {
  if (!(await tableNames(db, dialect)).includes("kysely_migration")) {
    return [];
  }
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}
