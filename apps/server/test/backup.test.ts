/**
 * `keyward backup` and `keyward restore` on real databases: the demo plus a cabinet's signed events, backed up and
 * restored into a fresh database and compared table by table, row by row; every refusal leaves the target empty;
 * SQLite ↔ PostgreSQL when KEYWARD_TEST_DATABASE_URL is set; and the commands as a person runs them.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { type DatabaseHandle, type Executor, openDatabase } from "@keyward/db/connect";
import { canonicalJson } from "@keyward/domain/event-chain";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backUpDatabase, describeSummary } from "../src/backup/back-up-database.ts";
import { BackupRefused } from "../src/backup/backup-file.ts";
import { restoreDatabase } from "../src/backup/restore-database.ts";
import { DEMO_PASSWORD, seedDemo } from "../src/commands/seed-demo.ts";
import { keyward as runKeyward } from "./cli-process.ts";
import { TestDevice } from "./device.ts";
import { createTestDatabase, startTestServer, type TestDatabase, type TestServer, testPostgresUrl } from "./harness.ts";

const MIGRATOR_TABLES = ["kysely_migration", "kysely_migration_lock"];

const work = mkdtempSync(join(tmpdir(), "keyward-backup-test-"));
let server: TestServer;
let backupFile: string;
/** Databases and handles made by a test, dropped at the end. */
const cleanup: (() => Promise<void>)[] = [];

/** Every data table, listed straight from the catalog (not through the code under test). */
async function tablesOf(handle: DatabaseHandle): Promise<string[]> {
  const { rows } =
    handle.dialect === "postgres"
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(handle.db)
      : await sql<{ name: string }>`select name from sqlite_master
          where type = 'table' and name not in ('sqlite_sequence', 'sqlite_stat1')`.execute(handle.db);
  return rows
    .map((r) => r.name)
    .filter((n) => !MIGRATOR_TABLES.includes(n))
    .sort();
}

/**
 * A table's rows, sorted, with values made comparable: bytes as base64 and, when `acrossDialects`, JSON text as the
 * value it encodes, keys sorted (jsonb and SQLite text spell and order the same document differently).
 */
async function rowsOf(db: Executor, table: string, acrossDialects: boolean): Promise<string[]> {
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.id(table)}`.execute(db);
  return rows
    .map((row) =>
      JSON.stringify(
        Object.keys(row)
          .sort()
          .map((column) => {
            const value = row[column];
            if (value instanceof Uint8Array) {
              return { bytes: Buffer.from(value).toString("base64") };
            }
            if (acrossDialects && typeof value === "string" && /^[[{]/.test(value)) {
              try {
                return { json: canonicalJson(JSON.parse(value)) };
              } catch {
                return value;
              }
            }
            return value;
          }),
      ),
    )
    .sort();
}

/** Asserts two databases hold the same tables with the same rows; returns the row count. */
async function expectSameData(a: DatabaseHandle, b: DatabaseHandle): Promise<number> {
  const tables = await tablesOf(a);
  expect(await tablesOf(b)).toEqual(tables);
  const acrossDialects = a.dialect !== b.dialect;
  let total = 0;
  for (const table of tables) {
    const left = await rowsOf(a.db, table, acrossDialects);
    const right = await rowsOf(b.db, table, acrossDialects);
    expect(right, `table ${table}`).toEqual(left);
    total += left.length;
  }
  return total;
}

/** Rows in every data table together. */
async function rowCount(handle: DatabaseHandle): Promise<number> {
  let total = 0;
  for (const table of await tablesOf(handle)) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.id(table)}`.execute(handle.db);
    total += Number(rows[0]?.n);
  }
  return total;
}

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  cleanup.push(database.destroy);
  return database;
}

/** A SQLite database file that has never been migrated (as the CLI opens one). */
function bareSqlite(): DatabaseHandle {
  const handle = openDatabase({ sqliteFile: join(mkdtempSync(join(work, "sqlite-")), "keyward.sqlite") });
  cleanup.push(handle.close);
  return handle;
}

/** Appends an event the way any writer does, leaving `seq` to the database. */
async function appendEvent(db: Executor): Promise<number> {
  const organization = await db.selectFrom("organizations").select("id").executeTakeFirstOrThrow();
  const row = await db
    .insertInto("events")
    .values({
      id: randomUUID(),
      organization_id: organization.id,
      property_id: null,
      occurred_at: new Date().toISOString(),
      action: "organization.updated",
      entity_type: "organization",
      entity_id: organization.id,
      actor_type: "system",
      actor_id: null,
      actor: "{}",
      before: null,
      after: null,
      source: "cli",
    })
    .returning("seq")
    .executeTakeFirstOrThrow();
  return Number(row.seq);
}

async function maxEventSeq(db: Executor): Promise<number> {
  const row = await db
    .selectFrom("events")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .executeTakeFirstOrThrow();
  return Number(row.seq);
}

/** The backup's lines, without the empty string after the last newline. */
function linesOf(file: string): string[] {
  return gunzipSync(readFileSync(file)).toString("utf8").split("\n").slice(0, -1);
}

function writeLines(file: string, lines: readonly string[]): void {
  writeFileSync(file, gzipSync(`${lines.map((l) => `${l}\n`).join("")}`));
}

/** Recomputes the trailer's hash over the lines before it, as a forger would. */
function resealed(lines: readonly string[]): string[] {
  const body = lines.slice(0, -1);
  const trailer = JSON.parse(lines[lines.length - 1] as string) as { sha256: string };
  trailer.sha256 = createHash("sha256")
    .update(body.map((l) => `${l}\n`).join(""))
    .digest("hex");
  return [...body, JSON.stringify(trailer)];
}

/** Restores `file` into a fresh database, expects a refusal matching `why`, and that nothing was written. */
async function expectRefusedIntoFresh(file: string, why: RegExp): Promise<void> {
  const target = await freshDatabase();
  const refusal = restoreDatabase(target.handle, file);
  await expect(refusal).rejects.toBeInstanceOf(BackupRefused);
  await expect(refusal).rejects.toThrow(why);
  expect(await rowCount(target.handle)).toBe(0);
}

beforeAll(async () => {
  server = await startTestServer();
  const seeded = await seedDemo(server.services.db, server.clock.now());
  expect(seeded).not.toBeNull();
  const admin = await server.client().login("admin@demo.keyward.test", DEMO_PASSWORD);
  const key = await server.services.db
    .selectFrom("keys")
    .select(["id", "cabinet_id", "hook_number"])
    .where("cabinet_id", "is not", null)
    .where("hook_number", "is not", null)
    .orderBy("label")
    .executeTakeFirstOrThrow();
  const device = await TestDevice.enroll(admin, key.cabinet_id as string, server.clock.now);
  device.record("cabinet.agent_started", { agentVersion: "backup-test", snapshotVersion: null });
  device.record("door.opened", { visitId: null });
  device.record("key.taken", {
    visitId: null,
    checkoutId: randomUUID(),
    keyId: key.id,
    hook: key.hook_number,
    personId: null,
    authorized: true,
    reasonCodeId: null,
    workOrder: null,
    dueAt: null,
  });
  device.record("door.closed", { visitId: null, openSeconds: 4 });
  const uploaded = await device.upload();
  expect(uploaded.status, uploaded.text).toBe(200);
  backupFile = join(work, "keyward.jsonl.gz");
  await backUpDatabase(server.database.handle, backupFile, { now: server.clock.now() });
});

afterAll(async () => {
  for (const step of cleanup.reverse()) {
    await step();
  }
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("backUpDatabase", () => {
  it("writes a header, each table with its rows, and a trailer that counts them and hashes the rest", () => {
    const lines = linesOf(backupFile);
    const header = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(header).toMatchObject({ format: "keyward-backup", version: 1, dialect: server.database.handle.dialect });
    expect(header.migrations).toEqual(expect.arrayContaining(["0001_initial", "0002_cabinets"]));
    const trailer = JSON.parse(lines[lines.length - 1] as string) as {
      end: boolean;
      tables: Record<string, number>;
      sha256: string;
    };
    expect(trailer.end).toBe(true);
    expect(trailer.tables.cabinet_events).toBe(4);
    expect(trailer.tables.organizations).toBe(1);
    expect(trailer.tables).not.toHaveProperty("kysely_migration");
    const body = lines
      .slice(0, -1)
      .map((l) => `${l}\n`)
      .join("");
    expect(trailer.sha256).toBe(createHash("sha256").update(body).digest("hex"));
    // every table comes after the tables it references
    const order = lines.flatMap((l) => {
      const line = JSON.parse(l) as { table?: string };
      return line.table ? [line.table] : [];
    });
    for (const [before, after] of [
      ["organizations", "properties"],
      ["properties", "cabinets"],
      ["cabinets", "cabinet_devices"],
      ["cabinet_devices", "cabinet_events"],
      ["keys", "checkouts"],
    ] as const) {
      expect(order.indexOf(before), `${before} before ${after}`).toBeLessThan(order.indexOf(after));
    }
    expect(existsSync(`${backupFile}.tmp`)).toBe(false);
  });

  it("refuses a database with no Keyward schema, and leaves no file behind", async () => {
    const file = join(work, "nothing.jsonl.gz");
    await expect(backUpDatabase(bareSqlite(), file, { now: server.clock.now() })).rejects.toThrow(/nothing to back up/);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});

describe("restoreDatabase", () => {
  it("restores every table row for row into a fresh database, whose sequences continue after the restored rows", async () => {
    const target = await freshDatabase();
    const summary = await restoreDatabase(target.handle, backupFile);
    const rows = await expectSameData(server.database.handle, target.handle);
    expect(summary.rows).toBe(rows);
    expect(rows).toBeGreaterThan(100);
    const last = await maxEventSeq(target.handle.db);
    expect(await appendEvent(target.handle.db)).toBe(last + 1);
  });

  it("refuses a database that already holds an organization, and writes nothing", async () => {
    const before = await rowCount(server.database.handle);
    const refusal = restoreDatabase(server.database.handle, backupFile);
    await expect(refusal).rejects.toBeInstanceOf(BackupRefused);
    await expect(refusal).rejects.toThrow(/already holds an organization/);
    expect(await rowCount(server.database.handle)).toBe(before);
  });

  it("refuses a file cut short, whether mid-stream or at a line", async () => {
    const bytes = readFileSync(backupFile);
    const cut = join(work, "cut.jsonl.gz");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectRefusedIntoFresh(cut, /damaged or incomplete/);
    const lines = linesOf(backupFile);
    const short = join(work, "short.jsonl.gz");
    writeLines(short, lines.slice(0, -3));
    await expectRefusedIntoFresh(short, /no trailer/);
  });

  it("refuses a file with one byte flipped, in the compressed bytes or in the text", async () => {
    const bytes = Buffer.from(readFileSync(backupFile));
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] as number) ^ 0x01;
    const flipped = join(work, "flipped.jsonl.gz");
    writeFileSync(flipped, bytes);
    await expectRefusedIntoFresh(flipped, /nothing was restored/);
    const lines = linesOf(backupFile);
    const victim = lines.findIndex((l) => l.includes("Maple Court"));
    expect(victim).toBeGreaterThan(0);
    lines[victim] = (lines[victim] as string).replace("Maple Court", "Maple Couru");
    const edited = join(work, "edited.jsonl.gz");
    writeLines(edited, lines);
    await expectRefusedIntoFresh(edited, /SHA-256 does not match/);
  });

  it("refuses a backup from a newer schema, even one resealed to look whole", async () => {
    const lines = linesOf(backupFile);
    const header = JSON.parse(lines[0] as string) as { migrations: string[] };
    header.migrations.push("9999_from_the_future");
    lines[0] = JSON.stringify(header);
    const newer = join(work, "newer.jsonl.gz");
    writeLines(newer, resealed(lines));
    await expectRefusedIntoFresh(newer, /newer Keyward.*9999_from_the_future/);
  });

  it.runIf(testPostgresUrl)("restores PostgreSQL into SQLite and back, every row intact", async () => {
    const sqlite = bareSqlite();
    await restoreDatabase(sqlite, backupFile);
    await expectSameData(server.database.handle, sqlite);
    const last = await maxEventSeq(sqlite.db);
    const fromSqlite = join(work, "from-sqlite.jsonl.gz");
    await backUpDatabase(sqlite, fromSqlite, { now: server.clock.now() });
    expect(await appendEvent(sqlite.db)).toBe(last + 1);
    const postgres = await freshDatabase();
    await restoreDatabase(postgres.handle, fromSqlite);
    await expectSameData(server.database.handle, postgres.handle);
    expect(await appendEvent(postgres.handle.db)).toBe(last + 1);
  });
});

/** Runs the keyward command to its end. */
function keyward(args: string[], dataDir: string) {
  return runKeyward(args, { KEYWARD_DATA_DIR: dataDir });
}

describe("keyward backup FILE and keyward restore FILE", () => {
  it("backs up the demo, restores it into an empty data folder, and refuses to restore it twice", async () => {
    const source = join(work, "cli-source");
    const target = join(work, "cli-target");
    const file = join(work, "cli.jsonl.gz");
    const seeded = await keyward(["demo", "--no-serve"], source);
    expect(seeded.code, seeded.err).toBe(0);
    const backup = await keyward(["backup", file], source);
    expect(backup.code, backup.err).toBe(0);
    expect(backup.out).toMatch(
      /^Backed up \d+ tables, [\d,]+ rows \([\d.]+ MB, \d+ bytes\) from sqlite to .+ in [\d.]+ s\n$/,
    );
    const restore = await keyward(["restore", file], target);
    expect(restore.code, restore.err).toBe(0);
    expect(restore.out).toMatch(/^Restored \d+ tables, [\d,]+ rows .* into sqlite /);
    const again = await keyward(["restore", file], target);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds an organization.*nothing was restored/);
  }, 120_000);
});

describe("describeSummary", () => {
  it("says what moved, how much and how long it took, on one line", () => {
    expect(
      describeSummary("Backed up", { file: "f", tables: 3, rows: 12345, bytes: 2_500_000, durationMs: 1234 }, "to f"),
    ).toBe("Backed up 3 tables, 12,345 rows (2.5 MB, 2500000 bytes) to f in 1.2 s");
  });
});
