/**
 * `keyward restore FILE`: fills an empty database from a backup, on either dialect whichever dialect wrote it. The
 * whole file is checked before anything is written, and everything is inserted in one transaction, so a restore
 * either lands whole or leaves the database as it found it.
 */
import { stat } from "node:fs/promises";
import { type DatabaseHandle, type Executor, migrate } from "@keyward/db/connect";
import { type Dialect, migrationProvider } from "@keyward/db/migrations";
import { Migrator, type RawBuilder, sql } from "kysely";
import type { BackupSummary } from "./back-up-database.ts";
import {
  type BackupHeader,
  type BackupTrailer,
  decodeValue,
  type FileValue,
  readBackup,
  refuse,
} from "./backup-file.ts";
import { appliedMigrations, type ColumnInfo, readCatalog, type TableInfo } from "./database-catalog.ts";

/** Bound parameters per insert, under SQLite's limit (32,766) and PostgreSQL's (65,535). */
const MAX_PARAMETERS = 30_000;
/** Rows per insert at most, however narrow the table. */
const MAX_BATCH_ROWS = 500;

/** Reads the whole file once, checking it, before the database is touched. */
async function checkedFile(file: string): Promise<{ header: BackupHeader; trailer: BackupTrailer }> {
  let header: BackupHeader | undefined;
  for await (const item of readBackup(file)) {
    if (item.kind === "header") {
      header = item.header;
    } else if (item.kind === "end" && header) {
      return { header, trailer: item.trailer };
    }
  }
  throw refuse(file, "it has no header");
}

/** Refuses a backup whose schema this build does not have. */
async function checkMigrations(file: string, header: BackupHeader, dialect: Dialect): Promise<string[]> {
  const known = Object.keys(await migrationProvider(dialect).getMigrations()).sort();
  const unknown = header.migrations.filter((m) => !known.includes(m));
  if (unknown.length > 0) {
    throw refuse(
      file,
      `the backup comes from a newer Keyward (its schema has migrations this build lacks: ${unknown.join(", ")}); upgrade Keyward, then restore`,
    );
  }
  if (header.migrations.some((m, i) => known[i] !== m)) {
    throw refuse(file, `the backup's migrations (${header.migrations.join(", ")}) are not this build's, in order`);
  }
  return known;
}

/**
 * Brings the schema to where the backup's was, so its rows fit exactly; later migrations run after the restore and
 * so transform the restored rows as they would have transformed the originals.
 */
async function migrateToBackup(handle: DatabaseHandle, header: BackupHeader): Promise<void> {
  const target = header.migrations[header.migrations.length - 1];
  const applied = await appliedMigrations(handle.db, handle.dialect);
  if (target === undefined || applied.length >= header.migrations.length) {
    return;
  }
  const migrator = new Migrator({ db: handle.db, provider: migrationProvider(handle.dialect) });
  const { error } = await migrator.migrateTo(target);
  if (error) {
    throw new Error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

async function refuseUnlessEmpty(tx: Executor, file: string, tables: readonly TableInfo[]): Promise<void> {
  // why: the organization, when there is one, is what a person recognises; it is named before any other table
  const organizationsFirst = [...tables].sort(
    (a, b) => Number(b.name === "organizations") - Number(a.name === "organizations"),
  );
  for (const table of organizationsFirst) {
    const { rows } = await sql`select 1 as present from ${sql.id(table.name)} limit 1`.execute(tx);
    if (rows.length === 0) {
      continue;
    }
    // why: restoring over live data would merge two histories; an empty database is the only safe target
    throw refuse(
      file,
      table.name === "organizations"
        ? "the database already holds an organization; restore fills only an empty database (point DATABASE_URL or KEYWARD_DATA_DIR at a new one)"
        : `the database is not empty (table ${table.name} holds rows); restore fills only an empty database`,
    );
  }
}

/** Rows of one table waiting to be inserted. */
interface Batch {
  table: TableInfo;
  columns: ColumnInfo[];
  rows: unknown[][];
  size: number;
}

async function insertBatch(tx: Executor, dialect: Dialect, batch: Batch): Promise<void> {
  if (batch.rows.length === 0) {
    return;
  }
  // why: events.seq is `generated always`; its stored values are part of the audit trail and must be kept as they are
  const override: RawBuilder<unknown> =
    dialect === "postgres" && batch.table.identityAlways ? sql`overriding system value` : sql``;
  await sql`insert into ${sql.id(batch.table.name)} (${sql.join(batch.columns.map((c) => sql.id(c.name)))})
    ${override} values ${sql.join(batch.rows.map((r) => sql`(${sql.join(r)})`))}`.execute(tx);
  batch.rows = [];
}

/** PostgreSQL: moves each sequence past the values restored, so the next row continues after them. */
async function resetSequences(tx: Executor, tables: readonly TableInfo[]): Promise<void> {
  for (const table of tables) {
    for (const column of table.columns.filter((c) => c.sequenced)) {
      const ref = sql.id(column.name);
      await sql`select setval(pg_get_serial_sequence(quote_ident(${table.name}), ${column.name}),
        coalesce(max(${ref}), 1), max(${ref}) is not null) from ${sql.id(table.name)}`.execute(tx);
    }
  }
}

/** Inserts the file's rows in file order (the backup's dependency order), in batches. */
async function insertRows(tx: Executor, dialect: Dialect, file: string, tables: readonly TableInfo[]): Promise<number> {
  const byName = new Map(tables.map((t) => [t.name, t]));
  let batch: Batch | null = null;
  let rows = 0;
  for await (const item of readBackup(file)) {
    if (item.kind === "table") {
      if (batch) {
        await insertBatch(tx, dialect, batch);
      }
      const table = byName.get(item.table);
      if (!table) {
        throw refuse(file, `this database has no table ${item.table}`);
      }
      const columns = item.columns.map((name) => {
        const column = table.columns.find((c) => c.name === name);
        if (!column) {
          throw refuse(file, `this database's table ${item.table} has no column ${name}`);
        }
        return column;
      });
      const size = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length))));
      batch = { table, columns, rows: [], size };
    } else if (item.kind === "row" && batch) {
      const { columns } = batch;
      batch.rows.push(item.values.map((v: FileValue, i) => decodeValue(v, columns[i] as ColumnInfo, dialect)));
      rows++;
      if (batch.rows.length >= batch.size) {
        await insertBatch(tx, dialect, batch);
      }
    } else if (item.kind === "end" && batch) {
      await insertBatch(tx, dialect, batch);
    }
  }
  return rows;
}

/**
 * Restores a backup into the database behind `handle`, which must hold no data: migrates it to the backup's schema,
 * inserts every row in one transaction, then migrates it to this build's latest schema.
 * @throws BackupRefused (nothing written) when the file is damaged, altered or cut short, when it comes from a newer
 * schema, or when the database is not empty.
 */
export async function restoreDatabase(handle: DatabaseHandle, file: string): Promise<BackupSummary> {
  const started = performance.now();
  const { header, trailer } = await checkedFile(file);
  await checkMigrations(file, header, handle.dialect);
  await migrateToBackup(handle, header);
  const tables = await readCatalog(handle.db, handle.dialect);
  const rows = await handle.db.transaction().execute(async (tx) => {
    await refuseUnlessEmpty(tx, file, tables);
    if (handle.dialect === "sqlite") {
      // why: checked at commit instead of per row, so a table that references itself restores in any row order
      await sql`pragma defer_foreign_keys = on`.execute(tx);
    }
    // why: the file is read again here; were it changed since the check, its trailer no longer matches and the
    // transaction rolls back (readBackup yields its end only after the hash held)
    const restored = await insertRows(tx, handle.dialect, file, tables);
    if (handle.dialect === "postgres") {
      await resetSequences(tx, tables);
    }
    return restored;
  });
  await migrate(handle);
  return {
    file,
    tables: Object.keys(trailer.tables).length,
    rows,
    bytes: (await stat(file)).size,
    durationMs: performance.now() - started,
  };
}
