/**
 * `keyward backup FILE`: the whole database, as one consistent snapshot, in one file (see `backup-file.ts`). The
 * file is written beside its final name, synced to disk and only then renamed, so FILE is always either the previous
 * backup or a complete new one.
 */
import { createWriteStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { DatabaseHandle, Executor } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import { type RawBuilder, sql } from "kysely";
import { BACKUP_FORMAT, BACKUP_VERSION, type BackupHeader, encodeValue, LineWriter } from "./backup-file.ts";
import { appliedMigrations, type ColumnInfo, readCatalog, type TableInfo } from "./database-catalog.ts";

/** What a backup or a restore moved, for its one-line summary. */
export interface BackupSummary {
  file: string;
  tables: number;
  rows: number;
  /** Size of the backup file. */
  bytes: number;
  durationMs: number;
}

/** Rows read per query: keyset pages keep memory flat however large a table grows. */
const PAGE_ROWS = 1000;

/** The largest integer both dialects hand JavaScript exactly. */
const SAFE = sql.lit(Number.MAX_SAFE_INTEGER);

function selected(column: ColumnInfo, dialect: Dialect): RawBuilder<unknown> {
  const ref = sql.id(column.name);
  if (column.kind !== "integer") {
    return ref;
  }
  // why: the drivers round integers past 2^53 (pg's int8 parser, better-sqlite3's numbers); as text they stay exact
  return dialect === "postgres"
    ? sql`${ref}::text as ${ref}`
    : sql`case when typeof(${ref}) = 'integer' and (${ref} > ${SAFE} or ${ref} < -${SAFE})
        then cast(${ref} as text) else ${ref} end as ${ref}`;
}

type Row = Record<string, unknown>;

/** A table's rows in primary-key order, a page at a time (offset pages, ordered by every column, without one). */
async function* pagesOf(tx: Executor, dialect: Dialect, table: TableInfo): AsyncGenerator<Row[]> {
  const columns = sql.join(table.columns.map((c) => selected(c, dialect)));
  const order = table.primaryKey.length > 0 ? table.primaryKey : table.columns.map((c) => c.name);
  // why: qualified, these name the stored columns; bare, they would name the select list's text casts and sort as text
  const column = (name: string) => sql.id(table.name, name);
  const orderBy = sql.join(order.map(column));
  let after: unknown[] | null = null;
  let offset = 0;
  for (;;) {
    const where: RawBuilder<unknown> =
      after && table.primaryKey.length > 0
        ? sql`where (${sql.join(table.primaryKey.map(column))}) > (${sql.join(after)})`
        : sql``;
    const paging = table.primaryKey.length > 0 ? sql`` : sql`offset ${offset}`;
    const { rows } = await sql<Row>`select ${columns} from ${sql.id(table.name)} ${where}
      order by ${orderBy} limit ${PAGE_ROWS} ${paging}`.execute(tx);
    if (rows.length > 0) {
      yield rows;
    }
    if (rows.length < PAGE_ROWS) {
      return;
    }
    const last = rows[rows.length - 1] as Row;
    after = table.primaryKey.map((c) => last[c]);
    offset += rows.length;
  }
}

async function* backupLines(
  tx: Executor,
  dialect: Dialect,
  createdAt: Date,
  tally: Record<string, number>,
): AsyncGenerator<string> {
  const writer = new LineWriter();
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: createdAt.toISOString(),
    dialect,
    migrations: await appliedMigrations(tx, dialect),
  };
  yield writer.line(header);
  for (const table of await readCatalog(tx, dialect)) {
    yield writer.line({ table: table.name, columns: table.columns.map((c) => c.name) });
    let count = 0;
    for await (const rows of pagesOf(tx, dialect, table)) {
      let chunk = "";
      for (const row of rows) {
        chunk += writer.line(table.columns.map((c) => encodeValue(row[c.name], c)));
      }
      count += rows.length;
      yield chunk;
    }
    tally[table.name] = count;
  }
  yield writer.trailer(tally);
}

/** Runs `read` in one snapshot of the database. */
function inSnapshot<T>(handle: DatabaseHandle, read: (tx: Executor) => Promise<T>): Promise<T> {
  // why: every table must come from the same moment, or a checkout could be backed up without the key it names
  return handle.dialect === "postgres"
    ? handle.db.transaction().setIsolationLevel("repeatable read").setAccessMode("read only").execute(read)
    : // SQLite in WAL mode: the first read of a transaction fixes the snapshot all later reads see
      handle.db.transaction().execute(read);
}

async function syncPath(path: string, flags: string): Promise<void> {
  const fd = await open(path, flags);
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/**
 * Writes the whole database to `file` (gzip'd JSON lines), as one consistent snapshot.
 * @param options.now the backup's time, written in its header.
 */
export async function backUpDatabase(
  handle: DatabaseHandle,
  file: string,
  options: { now: Date },
): Promise<BackupSummary> {
  const started = performance.now();
  // why: a mistyped KEYWARD_DATA_DIR opens a new, empty database; a "successful" backup of it would mislead
  if ((await appliedMigrations(handle.db, handle.dialect)).length === 0) {
    throw new Error(
      `there is nothing to back up: the database at ${handle.location} has no Keyward schema (check DATABASE_URL and KEYWARD_DATA_DIR)`,
    );
  }
  const partial = `${file}.tmp`;
  const tally: Record<string, number> = {};
  try {
    await inSnapshot(handle, (tx) =>
      pipeline(
        Readable.from(backupLines(tx, handle.dialect, options.now, tally)),
        createGzip(),
        // why: the file holds password and PIN hashes and everyone's personal data: readable by this user only
        createWriteStream(partial, { mode: 0o600 }),
      ),
    );
    // why: the data must be on disk before the name points at it, and the rename on disk before we say "done"
    await syncPath(partial, "r+");
    await rename(partial, file);
    await syncPath(dirname(file), "r");
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return {
    file,
    tables: Object.keys(tally).length,
    rows: Object.values(tally).reduce((a, b) => a + b, 0),
    bytes: (await stat(file)).size,
    durationMs: performance.now() - started,
  };
}

/** The one-line summary of a backup or a restore. */
export function describeSummary(verb: "Backed up" | "Restored", summary: BackupSummary, where: string): string {
  const megabytes = (summary.bytes / 1_000_000).toFixed(1);
  return `${verb} ${summary.tables} tables, ${summary.rows.toLocaleString("en-US")} rows (${megabytes} MB, ${summary.bytes} bytes) ${where} in ${(summary.durationMs / 1000).toFixed(1)} s`;
}
