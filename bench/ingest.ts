/**
 * ingest-sqlite, ingest-postgres: how many cabinet events per second the server stores, verified and projected,
 * when 20 cabinets upload batches of 100 events at once — each cabinet waiting for its acknowledgement before the
 * next upload, as an agent does. The limit is the same database's raw rate for batched inserts of rows of the same
 * shape (100 rows per statement, one transaction each), measured in the same run, so the ratio says how much of the
 * database's write speed the whole path (HTTP, signature and chain checks, events table, projections) keeps.
 *
 * The server runs in a child process over the demo organization; the cabinets run here with the test device, which
 * speaks the real protocol.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type DatabaseHandle, openDatabase } from "@keyward/db/connect";
import { DEMO_PASSWORD, seedDemo } from "@keyward/server/commands/seed-demo";
import { loadConfig } from "@keyward/server/config";
import { openMigrated } from "@keyward/server/runtime";
import { sql } from "kysely";
import { TestDevice } from "../apps/server/test/device.ts";
import { ApiClient } from "../apps/server/test/harness.ts";
import { type Benchmark, type BenchmarkResult, type BenchOptions, describeMachine } from "./lib/benchmark.ts";
import { startPostgres } from "./lib/postgres.ts";
import { printTable } from "./lib/report.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { median, round, spread } from "./lib/stats.ts";

const CABINETS = 20;
const BATCH = 100;
const KEYS_PER_CABINET = 25;
const GOAL = 0.05;
const SERVERS = fileURLToPath(new URL("servers/", import.meta.url));

type Dialect = "sqlite" | "postgres";

/** One cabinet of the benchmark: its device and the keys it moves. */
interface BenchCabinet {
  device: TestDevice;
  keys: string[];
}

/** The events of one visit to take a key and one to return it: 10 events, as an agent journals them. */
function recordRoundTrip(cabinet: BenchCabinet, keyId: string, hook: number, personId: string, at: Date): void {
  const { device } = cabinet;
  const take = randomUUID();
  device.record("cabinet.identified", { visitId: take, personId, factors: ["badge", "pin"] }, at);
  device.record("door.released", { visitId: take, personId, purpose: "take", commandId: null }, at);
  device.record("door.opened", { visitId: take }, at);
  device.record(
    "key.taken",
    {
      visitId: take,
      checkoutId: randomUUID(),
      keyId,
      hook,
      personId,
      authorized: true,
      reasonCodeId: null,
      workOrder: null,
      dueAt: null,
    },
    at,
  );
  device.record("door.closed", { visitId: take, openSeconds: 8 }, at);
  const back = randomUUID();
  device.record("cabinet.identified", { visitId: back, personId, factors: ["badge", "pin"] }, at);
  device.record("door.released", { visitId: back, personId, purpose: "return", commandId: null }, at);
  device.record("door.opened", { visitId: back }, at);
  device.record("key.returned", { visitId: back, keyId, hook, personId }, at);
  device.record("door.closed", { visitId: back, openSeconds: 6 }, at);
}

/** Fills each cabinet's outbox with `uploads` batches of 100 events. */
function prepare(cabinets: BenchCabinet[], uploads: number, personId: string): void {
  const at = new Date();
  for (const cabinet of cabinets) {
    for (let i = 0; i < (uploads * BATCH) / 10; i++) {
      const index = i % cabinet.keys.length;
      recordRoundTrip(cabinet, cabinet.keys[index] ?? "", index + 1, personId, at);
    }
  }
}

/** Every cabinet uploads its outbox in batches of 100, one at a time, all cabinets at once. */
async function uploadAll(cabinets: BenchCabinet[]): Promise<{ events: number; seconds: number; acksMs: number[] }> {
  const acksMs: number[] = [];
  let events = 0;
  const started = performance.now();
  await Promise.all(
    cabinets.map(async ({ device }) => {
      while (device.outbox.length > 0) {
        const batch = device.outbox.slice(0, BATCH);
        const sent = performance.now();
        const res = await device.upload(batch);
        acksMs.push(performance.now() - sent);
        if (res.status !== 200 || res.body.stored !== batch.length) {
          throw new Error(`upload answered ${res.status}: ${res.text}`);
        }
        events += batch.length;
      }
    }),
  );
  return { events, seconds: (performance.now() - started) / 1000, acksMs };
}

/** The raw rate: rows shaped like stored cabinet events, 100 per INSERT, one transaction per batch. */
async function rawInsertRate(handle: DatabaseHandle, rows: number): Promise<number> {
  const db = handle.db;
  await sql`create table bench_raw_insert (
    device_id text not null, seq integer not null, organization_id text not null, cabinet_id text not null,
    type text not null, occurred_at text not null, received_at text not null, prev_hash text not null,
    hash text not null, data text not null, event_id text not null, primary key (device_id, seq))`.execute(db);
  try {
    const hash = "a".repeat(64);
    const data = JSON.stringify({ visitId: randomUUID(), keyId: randomUUID(), hook: 12, personId: randomUUID() });
    const device = randomUUID();
    const started = performance.now();
    for (let seq = 1; seq <= rows; seq += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, i) => ({
        device_id: device,
        seq: seq + i,
        organization_id: device,
        cabinet_id: device,
        type: "key.taken",
        occurred_at: new Date().toISOString(),
        received_at: new Date().toISOString(),
        prev_hash: hash,
        hash,
        data,
        event_id: randomUUID(),
      }));
      await db.transaction().execute((tx) =>
        // biome-ignore lint/suspicious/noExplicitAny: a scratch table outside the application's schema
        (tx as any).insertInto("bench_raw_insert").values(batch).execute(),
      );
    }
    return rows / ((performance.now() - started) / 1000);
  } finally {
    await sql`drop table bench_raw_insert`.execute(db);
  }
}

/** Signs in as the demo administrator, adds the benchmark's cabinets and enrols a device for each. */
async function setUpCabinets(url: string): Promise<{ cabinets: BenchCabinet[]; personId: string }> {
  const admin = new ApiClient(url);
  const login = await admin.post("/api/v1/auth/login", { email: "admin@demo.keyward.test", password: DEMO_PASSWORD });
  if (login.status !== 200) {
    throw new Error(`sign-in answered ${login.status}: ${login.text}`);
  }
  const props = await admin.get<{ items: { id: string }[] }>("/api/v1/properties?limit=1");
  const propertyId = props.body.items[0]?.id ?? "";
  const keys = await admin.get<{ items: { id: string }[] }>(
    `/api/v1/keys?propertyId=${propertyId}&limit=${CABINETS * KEYS_PER_CABINET}`,
  );
  const people = await admin.get<{ items: { id: string }[] }>("/api/v1/people?limit=1");
  const perCabinet = Math.floor(keys.body.items.length / CABINETS);
  // why: each cabinet moves keys of its own, so takes and returns alternate cleanly on every key
  if (perCabinet < 5) {
    throw new Error(`the demo property holds ${keys.body.items.length} keys; ${CABINETS * 5} are needed`);
  }
  const cabinets: BenchCabinet[] = [];
  for (let i = 0; i < CABINETS; i++) {
    const created = await admin.post<{ id: string }>("/api/v1/cabinets", {
      propertyId,
      name: `Benchmark cabinet ${i + 1}`,
      hooksPerModule: KEYS_PER_CABINET,
    });
    if (created.status !== 201) {
      throw new Error(`creating a cabinet answered ${created.status}: ${created.text}`);
    }
    const device = await TestDevice.enroll(admin, created.body.id, () => new Date());
    const mine = keys.body.items.slice(i * perCabinet, (i + 1) * perCabinet).map((k) => k.id);
    cabinets.push({ device, keys: mine });
  }
  return { cabinets, personId: people.body.items[0]?.id ?? "" };
}

async function measure(dialect: Dialect, options: BenchOptions): Promise<BenchmarkResult> {
  const name = `ingest-${dialect}`;
  const machine = describeMachine();
  const dataDir = mkdtempSync(join(tmpdir(), `keyward-bench-${name}-`));
  const postgres = dialect === "postgres" ? await startPostgres() : null;
  const env = {
    KEYWARD_DATA_DIR: dataDir,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
  };
  try {
    const migrated = await openMigrated(loadConfig(env));
    await seedDemo(migrated.db, new Date());
    await migrated.close();
    const server = await startServerProcess(resolve(SERVERS, "keyward.ts"), [dataDir, postgres?.url ?? ""]);
    const rounds: { figure: number; acksMs: number[]; events: number }[] = [];
    try {
      const { cabinets, personId } = await setUpCabinets(server.url);
      // why: the first upload of each cabinet pays for connections and cold caches; it is not the steady state
      prepare(cabinets, 1, personId);
      await uploadAll(cabinets);
      const uploadsPerRound = Math.max(2, options.durationSeconds);
      for (let r = 0; r < options.rounds; r++) {
        prepare(cabinets, uploadsPerRound, personId);
        const run = await uploadAll(cabinets);
        rounds.push({ figure: run.events / run.seconds, acksMs: run.acksMs, events: run.events });
      }
    } finally {
      await server.stop();
    }
    const config = loadConfig(env);
    const handle = openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: config.sqliteFile });
    let limits: number[];
    try {
      limits = [];
      for (let r = 0; r < options.rounds; r++) {
        limits.push(await rawInsertRate(handle, 20_000));
      }
    } finally {
      await handle.close();
    }
    const figures = rounds.map((r) => r.figure);
    const figure = median(figures);
    const limit = median(limits);
    const ratio = figure / limit;
    const acks = rounds.flatMap((r) => r.acksMs).sort((a, b) => a - b);
    const p = (q: number) => round(acks[Math.min(acks.length - 1, Math.floor(q * acks.length))] ?? 0, 1);
    printTable([
      ["round", "events", "events/s", "raw inserts/s", "ratio"],
      ...rounds.map((r, i) => [
        String(i + 1),
        r.events,
        Math.round(r.figure),
        Math.round(limits[i] ?? 0),
        round(r.figure / (limits[i] ?? 1), 3),
      ]),
      ["median", "", Math.round(figure), Math.round(limit), round(ratio, 3)],
    ]);
    process.stdout.write(
      `\n  acknowledgement latency per upload of ${BATCH}: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms\n` +
        `  ratio ${round(ratio, 3)} (goal ≥ ${GOAL}): ${ratio >= GOAL ? "met" : "NOT MET"}\n`,
    );
    return {
      name,
      description: `events/s stored from ${CABINETS} cabinets uploading ${BATCH}-event batches on ${dialect}`,
      figure: round(figure),
      unit: "events/s",
      limit: {
        name: `raw batched inserts (${BATCH} rows per statement and transaction), same database`,
        figure: round(limit),
      },
      ratio: round(ratio, 4),
      goal: GOAL,
      goalKind: "ratio_at_least",
      met: ratio >= GOAL,
      measuredAt: new Date().toISOString(),
      machine,
      acknowledgementMs: { p50: p(0.5), p99: p(0.99), uploads: acks.length },
      settings: { dialect, cabinets: CABINETS, batch: BATCH, rounds: options.rounds, serverLogging: "silent" },
      spread: { figure: spread(figures), limit: spread(limits) },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await postgres?.stop();
  }
}

export const ingestSqlite: Benchmark = {
  name: "ingest-sqlite",
  description: "cabinet events/s from 20 cabinets on SQLite vs raw batched inserts",
  run: (options) => measure("sqlite", options),
};

export const ingestPostgres: Benchmark = {
  name: "ingest-postgres",
  description: "cabinet events/s from 20 cabinets on PostgreSQL vs raw batched inserts",
  run: (options) => measure("postgres", options),
};
