/**
 * Opens the database: SQLite under the data directory by default, PostgreSQL when a `postgres://` URL is given.
 * The rest of the code sees one Kysely instance and the same JavaScript values on both.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Transaction } from "kysely";
import pg from "pg";
import { type Dialect, migrationProvider } from "./migrations.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Anything queries can run on: the database or an open transaction. */
export type Executor = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: Dialect;
  /** Where the data lives, for display (a file path, or the PostgreSQL URL without its password). */
  location: string;
  /**
   * SQLite only: the driver's own connection, for the rare hot path that must read rows as arrays (the audit
   * verifier); everything else goes through `db`.
   */
  sqlite?: SqliteDatabase.Database;
  close(): Promise<void>;
}

let parsersInstalled = false;

function installPgTypeParsers(): void {
  if (parsersInstalled) {
    return;
  }
  parsersInstalled = true;
  // why: both dialects must hand the application identical values — numbers for counts and identities,
  // ISO strings for instants, YYYY-MM-DD for dates and raw JSON text (parsed in one place by the presenters).
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => new Date(v).toISOString());
  pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (v) => new Date(`${v}Z`).toISOString());
  pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
  pg.types.setTypeParser(pg.types.builtins.JSONB, (v) => v);
  pg.types.setTypeParser(pg.types.builtins.JSON, (v) => v);
}

/** How many distinct prepared statements one SQLite connection keeps. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Reuses prepared statements by SQL text. Kysely prepares every query anew; with better-sqlite3 the preparation can
 * cost as much as running a small query. Statements are only ever run to completion (`all`/`run`), never left
 * iterating, so one statement is safe to reuse.
 */
function withStatementCache(sqlite: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          // why: lists filtered by a varying number of ids produce many shapes; forgetting them all at once is simple
          // and bounded, and the hot ones return after one preparation
          cache.clear();
        }
        statement = sqlite.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** Whether a URL names a PostgreSQL database. */
export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

/**
 * Opens a database handle.
 * @param options.databaseUrl a PostgreSQL URL, or undefined for SQLite.
 * @param options.sqliteFile the SQLite file (created with its folder), or ":memory:".
 */
export function openDatabase(options: { databaseUrl?: string; sqliteFile: string; poolSize?: number }): DatabaseHandle {
  if (isPostgresUrl(options.databaseUrl)) {
    installPgTypeParsers();
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // why: an idle pooled connection can be cut by the server (a restart, a failover, an administrator); pg then
    // emits "error" on the pool, which would crash the process if nobody listened. The pool has already dropped
    // that client and opens a fresh one on the next query, so a warning is all this deserves.
    pool.on("error", (error) => {
      process.emitWarning(`PostgreSQL closed an idle connection: ${error.message}`, { code: "KEYWARD_PG_IDLE" });
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const safe = new URL(options.databaseUrl);
    safe.password = "";
    return { db, dialect: "postgres", location: safe.toString(), close: () => db.destroy() };
  }
  if (options.sqliteFile !== ":memory:") {
    mkdirSync(dirname(options.sqliteFile), { recursive: true });
  }
  const sqlite = new SqliteDatabase(options.sqliteFile);
  sqlite.pragma("journal_mode = WAL");
  // why: an acknowledgement (and later a door release) must never outlive a power cut; FULL syncs the WAL on commit
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // why: SQLite's own lower() folds ASCII only; searches must find "Ángel" from "ángel" as PostgreSQL does
  sqlite.function("lower", { deterministic: true }, (value: unknown) =>
    typeof value === "string" ? value.toLowerCase() : value,
  );
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: "sqlite", location: options.sqliteFile, sqlite, close: () => db.destroy() };
}

/** The columns behind each unique index whose violation does not name them plainly. */
const INDEX_COLUMNS: Record<string, readonly string[]> = {
  credentials_one_pin: ["person_id"],
  credentials_badge_unique: ["badge_number"],
  role_assignments_active_unique: ["role"],
  users_person: ["person_id"],
  keys_hook_unique: ["cabinet_id", "hook_number"],
  people_employee_number_unique: ["employee_number"],
};

/**
 * The columns of the unique constraint a failed write broke, or null when the error is something else. Commands
 * check uniqueness before they write; this catches two writes that passed that check at the same moment.
 */
export function uniqueViolation(error: unknown): string[] | null {
  const e = error as { code?: unknown; detail?: unknown; message?: unknown; constraint?: unknown } | null;
  // why: partial and expression indexes report their name, or an expression, rather than plain columns
  const named =
    e?.code === "23505"
      ? String(e.constraint ?? "")
      : (/UNIQUE constraint failed: index '([^']+)'/.exec(String(e?.message ?? ""))?.[1] ?? "");
  const indexed = INDEX_COLUMNS[named];
  if ((e?.code === "23505" || e?.code === "SQLITE_CONSTRAINT_UNIQUE") && indexed) {
    return [...indexed];
  }
  if (e?.code === "23505") {
    // PostgreSQL: `Key (cabinet_id, hook_number)=(…, 3) already exists.`
    const columns = /^Key \((.+?)\)=/.exec(String(e.detail ?? ""))?.[1];
    return columns ? columns.split(",").map((c) => c.trim()) : [];
  }
  if (e?.code === "SQLITE_CONSTRAINT_UNIQUE") {
    // SQLite: `UNIQUE constraint failed: keys.cabinet_id, keys.hook_number`
    const columns = /UNIQUE constraint failed: (.+)$/.exec(String(e.message ?? ""))?.[1];
    return columns ? columns.split(",").map((c) => c.trim().replace(/^\w+\./, "")) : [];
  }
  return null;
}

/** Brings the schema up to date; returns the names of the migrations applied now. */
export async function migrate(handle: DatabaseHandle): Promise<string[]> {
  const migrator = new Migrator({ db: handle.db, provider: migrationProvider(handle.dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    throw new Error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
