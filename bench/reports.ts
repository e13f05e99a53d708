/**
 * Report benchmarks on a generated portfolio (`generatePortfolio`: 300,000 units, two years, about 600,000 keys and
 * 20,000,000 events by default), each report run through `runReport` as the API runs it:
 *
 * - report-keys-out: keys out now at one property, as its manager (p95 ms; goal < 20);
 * - report-by-unit: one property over one year, as its manager (p95 ms; goal < 200);
 * - report-by-employee: the whole organization over one month, as the administrator (p95 ms; goal < 2,000);
 * - report-pdf: `renderReportPdf` of a 1,000-row report (p95 ms; goal < 2,000).
 *
 * Each latency figure is measured over at least 50 runs after a warm-up, with the property (and its manager), or the
 * month, varying from run to run. The portfolio is built once per (dialect, units, years, seed) and kept: SQLite in
 * bench/.data/, PostgreSQL as a named database on the server KEYWARD_BENCH_DATABASE_URL names (without one, a throwaway
 * server is started and the portfolio is built for each benchmark). Every result records the generator's events/s,
 * build time and the database's size. KEYWARD_BENCH_REPORT_UNITS (300000), KEYWARD_BENCH_REPORT_YEARS (2),
 * KEYWARD_BENCH_REPORT_SEED (1) and KEYWARD_BENCH_REPORT_DIALECT (sqlite | postgres) choose the portfolio.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ReportName, ReportQuery } from "@keyward/contracts/reports";
import { type DatabaseHandle, migrate, openDatabase } from "@keyward/db/connect";
import { addDays } from "@keyward/domain/zoned-time";
import { type AuthenticatedActor, loadActor } from "@keyward/server/auth/actor";
import { loadConfig } from "@keyward/server/config";
import { databaseBytes } from "@keyward/server/demo/database-size";
import { generatePortfolio, type PortfolioSummary } from "@keyward/server/demo/generate-portfolio";
import { mixSeed, Random } from "@keyward/server/demo/portfolio-random";
import { renderReportPdf } from "@keyward/server/reports/render-report";
import { runReport } from "@keyward/server/reports/run-report";
import { openMigrated } from "@keyward/server/runtime";
import pg from "pg";
import { type Benchmark, type BenchmarkResult, describeMachine } from "./lib/benchmark.ts";
import { startPostgres } from "./lib/postgres.ts";
import { printTable } from "./lib/report.ts";
import { round } from "./lib/stats.ts";

const DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), ".data");
const WARM_UP = 5;
const RUNS = 60;
const PDF_RUNS = 20;
const PDF_ROWS = 1_000;

type Dialect = "sqlite" | "postgres";

/** The portfolio a run measures on, as chosen by the environment. */
interface PortfolioChoice {
  dialect: Dialect;
  units: number;
  years: number;
  seed: number;
}

/** What the cache keeps beside a built portfolio. */
interface BuiltPortfolio {
  choice: PortfolioChoice;
  now: string;
  summary: PortfolioSummary;
  databaseBytes: number;
}

function numberFrom(variable: string, fallback: number, check: (n: number) => boolean): number {
  const value = process.env[variable];
  if (value === undefined || value === "") {
    return fallback;
  }
  const n = Number(value);
  if (!check(n)) {
    throw new Error(`${variable} is not a valid value: "${value}"`);
  }
  return n;
}

function choiceFromEnvironment(): PortfolioChoice {
  const dialect = process.env.KEYWARD_BENCH_REPORT_DIALECT ?? "sqlite";
  if (dialect !== "sqlite" && dialect !== "postgres") {
    throw new Error(`KEYWARD_BENCH_REPORT_DIALECT must be sqlite or postgres, not "${dialect}"`);
  }
  return {
    dialect,
    units: numberFrom("KEYWARD_BENCH_REPORT_UNITS", 300_000, (n) => Number.isSafeInteger(n) && n > 0),
    years: numberFrom("KEYWARD_BENCH_REPORT_YEARS", 2, (n) => n > 0 && n <= 20),
    seed: numberFrom("KEYWARD_BENCH_REPORT_SEED", 1, Number.isSafeInteger),
  };
}

const cacheName = (c: PortfolioChoice) =>
  `reports_${c.dialect}_${c.units}u_${String(c.years).replace(".", "_")}y_s${c.seed}`;

/** An open portfolio and how to let go of it. */
interface OpenPortfolio {
  handle: DatabaseHandle;
  built: BuiltPortfolio;
  /** Whether it was built by this run (false: read from the cache). */
  fresh: boolean;
  close(): Promise<void>;
}

async function build(handle: DatabaseHandle, choice: PortfolioChoice): Promise<BuiltPortfolio> {
  const now = new Date();
  process.stdout.write(
    `  generating ${choice.units.toLocaleString("en-US")} units, ${choice.years} year(s), seed ${choice.seed} on ` +
      `${choice.dialect}…\n`,
  );
  const summary = await generatePortfolio(handle, { ...choice, now }, (line) => process.stdout.write(`  ${line}\n`));
  if (!summary) {
    throw new Error("the benchmark's database already held an organization");
  }
  return { choice, now: now.toISOString(), summary, databaseBytes: await databaseBytes(handle) };
}

async function openSqlite(choice: PortfolioChoice): Promise<OpenPortfolio> {
  const dir = join(DATA_DIR, cacheName(choice));
  const infoFile = join(dir, "portfolio.json");
  const config = loadConfig({ KEYWARD_DATA_DIR: dir });
  if (existsSync(infoFile)) {
    const handle = await openMigrated(config);
    const built = JSON.parse(readFileSync(infoFile, "utf8")) as BuiltPortfolio;
    process.stdout.write(`  portfolio from ${dir} (built ${built.now})\n`);
    return { handle, built, fresh: false, close: () => handle.close() };
  }
  // why: a folder without its description is a build that did not finish; it starts again from nothing
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const handle = await openMigrated(config);
  const built = await build(handle, choice);
  writeFileSync(infoFile, `${JSON.stringify(built, null, 2)}\n`);
  return { handle, built, fresh: true, close: () => handle.close() };
}

async function openPostgres(choice: PortfolioChoice): Promise<OpenPortfolio> {
  const server = process.env.KEYWARD_BENCH_DATABASE_URL;
  if (!server) {
    process.stdout.write(
      "  no KEYWARD_BENCH_DATABASE_URL: a throwaway PostgreSQL, built for this benchmark only (set it to keep one)\n",
    );
    const database = await startPostgres();
    const handle = openDatabase({ databaseUrl: database.url, sqliteFile: "", poolSize: 4 });
    try {
      await migrate(handle);
      const built = await build(handle, choice);
      return {
        handle,
        built,
        fresh: true,
        close: async () => {
          await handle.close();
          await database.stop();
        },
      };
    } catch (error) {
      await handle.close();
      await database.stop();
      throw error;
    }
  }
  const name = `keyward_bench_${cacheName(choice)}`;
  const infoFile = join(DATA_DIR, `${name}.json`);
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  const exists = (await admin.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
  if (!exists || !existsSync(infoFile)) {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  }
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const handle = openDatabase({ databaseUrl: url.toString(), sqliteFile: "", poolSize: 4 });
  await migrate(handle);
  if (exists && existsSync(infoFile)) {
    const built = JSON.parse(readFileSync(infoFile, "utf8")) as BuiltPortfolio;
    return { handle, built, fresh: false, close: () => handle.close() };
  }
  const built = await build(handle, choice);
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(infoFile, `${JSON.stringify(built, null, 2)}\n`);
  return { handle, built, fresh: true, close: () => handle.close() };
}

function openPortfolio(choice: PortfolioChoice): Promise<OpenPortfolio> {
  return choice.dialect === "sqlite" ? openSqlite(choice) : openPostgres(choice);
}

/** A property with its manager, the actor its reports are run as. */
interface ManagedProperty {
  id: string;
  code: string;
  timeZone: string;
  manager: AuthenticatedActor;
}

async function managedProperties(handle: DatabaseHandle, organizationId: string): Promise<ManagedProperty[]> {
  const rows = await handle.db
    .selectFrom("properties")
    .innerJoin("people", "people.home_property_id", "properties.id")
    .innerJoin("users", "users.person_id", "people.id")
    .innerJoin("role_assignments", "role_assignments.person_id", "people.id")
    .select([
      "properties.id as id",
      "properties.code as code",
      "properties.time_zone as timeZone",
      "users.id as userId",
    ])
    .where("properties.organization_id", "=", organizationId)
    .where("role_assignments.role", "=", "property_manager")
    .where("role_assignments.scope_id", "=", (eb) => eb.ref("properties.id"))
    .orderBy("properties.code")
    .execute();
  const managed: ManagedProperty[] = [];
  for (const row of rows) {
    const manager = await loadActor(handle.db, row.userId, null);
    if (manager) {
      managed.push({ id: row.id, code: row.code, timeZone: row.timeZone, manager });
    }
  }
  return managed;
}

async function adminOf(handle: DatabaseHandle, organizationId: string): Promise<AuthenticatedActor> {
  const user = await handle.db
    .selectFrom("users")
    .select("id")
    .where("organization_id", "=", organizationId)
    .where("email", "=", "admin@demo.keyward.test")
    .executeTakeFirstOrThrow();
  const actor = await loadActor(handle.db, user.id, null);
  if (!actor) {
    throw new Error("the generated administrator cannot sign in");
  }
  return actor;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/**
 * Times `once` after a warm-up; returns the sorted timings (ms): the whole call, or the part it timed itself (a
 * PDF's rendering, not the report it renders).
 */
async function timeRuns(runs: number, once: (i: number) => Promise<number | null>): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) {
    await once(runs + i);
  }
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const own = await once(i);
    ms.push(own ?? performance.now() - started);
  }
  return ms.sort((a, b) => a - b);
}

const localDate = (instant: Date, zone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    instant,
  );

/** One report benchmark: which report, its goal, and the query of run `i`. */
interface ReportCase {
  name: string;
  description: string;
  goal: number;
  /** Runs once; `ms` when the case times only part of the run. */
  run(portfolio: OpenPortfolio, context: CaseContext, i: number): Promise<{ rows: number; ms?: number }>;
}

interface CaseContext {
  properties: ManagedProperty[];
  admin: AuthenticatedActor;
  now: Date;
  random: Random;
}

const query = (q: Partial<Omit<ReportQuery, "format">>): Omit<ReportQuery, "format"> => ({ limit: 5_000, ...q });

async function runCase(c: ReportCase): Promise<BenchmarkResult> {
  const machine = describeMachine();
  const choice = choiceFromEnvironment();
  const portfolio = await openPortfolio(choice);
  try {
    const { built, handle } = portfolio;
    const context: CaseContext = {
      properties: await managedProperties(handle, built.summary.organizationId),
      admin: await adminOf(handle, built.summary.organizationId),
      now: new Date(built.now),
      random: new Random(mixSeed(choice.seed, 99)),
    };
    if (context.properties.length === 0) {
      throw new Error("the generated portfolio has no property with a manager");
    }
    const rows: number[] = [];
    const runs = c.name === "report-pdf" ? PDF_RUNS : RUNS;
    const timings = await timeRuns(runs, async (i) => {
      const outcome = await c.run(portfolio, context, i);
      rows.push(outcome.rows);
      return outcome.ms ?? null;
    });
    const p50 = round(percentile(timings, 0.5), 1);
    const p95 = round(percentile(timings, 0.95), 1);
    const max = round(timings[timings.length - 1] ?? Number.NaN, 1);
    const mib = round(built.databaseBytes / 2 ** 20);
    printTable([
      ["portfolio", "units", "keys", "events", "build s", "events/s", "MiB"],
      [
        `${choice.dialect}, seed ${choice.seed}${portfolio.fresh ? "" : " (cached)"}`,
        built.summary.units,
        built.summary.keys,
        built.summary.events,
        built.summary.seconds,
        built.summary.eventsPerSecond,
        mib,
      ],
    ]);
    printTable([
      [c.name, "p50 ms", "p95 ms", "max ms", "runs", "rows (median)"],
      [c.description, p50, p95, max, runs, [...rows].sort((a, b) => a - b)[Math.floor(rows.length / 2)] ?? 0],
    ]);
    process.stdout.write(`\n  p95 ${p95} ms (goal < ${c.goal}): ${p95 < c.goal ? "met" : "NOT MET"}\n`);
    return {
      name: c.name,
      description: `${c.description} (p95 ms, ${choice.dialect}, ${choice.units.toLocaleString("en-US")} units)`,
      figure: p95,
      unit: "ms (p95)",
      limit: null,
      ratio: null,
      goal: c.goal,
      goalKind: "at_most",
      met: p95 < c.goal,
      measuredAt: new Date().toISOString(),
      machine,
      latencyMs: { p50, p95, max, runs, warmUp: WARM_UP },
      portfolio: {
        ...choice,
        cached: !portfolio.fresh,
        builtAt: built.now,
        properties: built.summary.properties,
        units: built.summary.units,
        keys: built.summary.keys,
        checkouts: built.summary.checkouts,
        events: built.summary.events,
        generatorEventsPerSecond: built.summary.eventsPerSecond,
        buildSeconds: built.summary.seconds,
        databaseMiB: mib,
      },
    };
  } finally {
    await portfolio.close();
  }
}

function reportBenchmark(c: ReportCase): Benchmark {
  return { name: c.name, description: `${c.description}: p95 ms (goal < ${c.goal})`, run: () => runCase(c) };
}

async function report(
  portfolio: OpenPortfolio,
  actor: AuthenticatedActor,
  name: ReportName,
  q: Omit<ReportQuery, "format">,
  now: Date,
) {
  return runReport(portfolio.handle.db, actor, name, q, now);
}

const pick = (context: CaseContext) => context.random.pick(context.properties);

export const reportKeysOut = reportBenchmark({
  name: "report-keys-out",
  description: "keys out now, one property, as its manager",
  goal: 20,
  run: async (portfolio, context) => {
    const property = pick(context);
    const r = await report(portfolio, property.manager, "keys-out", query({ propertyId: property.id }), context.now);
    return { rows: r.rowCount };
  },
});

export const reportByUnit = reportBenchmark({
  name: "report-by-unit",
  description: "by unit, one property, one year, as its manager",
  goal: 200,
  run: async (portfolio, context) => {
    const property = pick(context);
    const to = localDate(context.now, property.timeZone);
    const q = query({ propertyId: property.id, from: addDays(to, -364), to });
    const r = await report(portfolio, property.manager, "by-unit", q, context.now);
    return { rows: r.rowCount };
  },
});

export const reportByEmployee = reportBenchmark({
  name: "report-by-employee",
  description: "by employee, whole organization, one month, as the administrator",
  goal: 2_000,
  run: async (portfolio, context, i) => {
    // why: a different month each run, over the whole history, so no run reads only what the previous one cached
    const last = new Date(context.now.getTime() - 31 * 86_400_000);
    const months = Math.max(1, Math.floor(portfolio.built.choice.years * 12) - 1);
    const start = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - (i % months), 1));
    const from = start.toISOString().slice(0, 10);
    const to = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    const r = await report(portfolio, context.admin, "by-employee", query({ from, to }), context.now);
    return { rows: r.rowCount };
  },
});

export const reportPdf = reportBenchmark({
  name: "report-pdf",
  description: `a ${PDF_ROWS.toLocaleString("en-US")}-row report rendered to PDF`,
  goal: 2_000,
  run: async (portfolio, context) => {
    const property = pick(context);
    const to = localDate(context.now, property.timeZone);
    // why: a year, so that even a property of 120 units holds well over a thousand events to print
    const q = query({ propertyId: property.id, from: addDays(to, -364), to, limit: PDF_ROWS });
    const r = await report(portfolio, property.manager, "transactions", q, context.now);
    if (r.rows.length !== PDF_ROWS) {
      throw new Error(`the transactions report gave ${r.rows.length} rows, not ${PDF_ROWS}; generate more history`);
    }
    const started = performance.now();
    const pdf = await renderReportPdf(r);
    const ms = performance.now() - started;
    if (pdf.length === 0) {
      throw new Error("the PDF is empty");
    }
    return { rows: r.rows.length, ms };
  },
});
