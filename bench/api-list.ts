/**
 * api-list: how many authenticated pages of 100 keys per second the server answers on SQLite, against a bare Fastify
 * hello-world measured in the same run with the same load. Both servers run in child processes; the load generator
 * (autocannon) runs here. The data is the demo organization (about 700 keys), seeded into a temporary folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_PASSWORD, seedDemo } from "@keyward/server/commands/seed-demo";
import { loadConfig } from "@keyward/server/config";
import { openMigrated } from "@keyward/server/runtime";
import { type Benchmark, type BenchmarkResult, type BenchOptions, describeMachine } from "./lib/benchmark.ts";
import { type LoadMeasurement, measureLoad } from "./lib/load.ts";
import { printTable } from "./lib/report.ts";
import { type ServerProcess, startServerProcess } from "./lib/server-process.ts";
import { median, round, spread } from "./lib/stats.ts";

const NAME = "api-list";
const PATH = "/api/v1/keys?limit=100";
const PAGE_SIZE = 100;
/** The demo's property manager: sees both properties, so the list runs through the property scoping. */
const USER = "manager@demo.keyward.test";
const GOAL = 0.1;
const WARMUP_SECONDS = 2;
const SERVERS = fileURLToPath(new URL("servers/", import.meta.url));

/** Seeds the demo into an empty data folder; returns the number of keys and the seconds it took. */
async function seed(dataDir: string): Promise<{ keys: number; seconds: number }> {
  const started = performance.now();
  const handle = await openMigrated(loadConfig({ KEYWARD_DATA_DIR: dataDir }));
  try {
    await seedDemo(handle.db, new Date());
    const { count } = await handle.db
      .selectFrom("keys")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    return { keys: Number(count), seconds: (performance.now() - started) / 1000 };
  } finally {
    await handle.close();
  }
}

/** Signs in as the demo manager and checks the page the load will ask for; returns the session cookie. */
async function signIn(url: string): Promise<{ cookie: string; bytes: number }> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: USER, password: DEMO_PASSWORD }),
  });
  const [cookie = ""] = (login.headers.get("set-cookie") ?? "").split(";");
  if (login.status !== 200 || !cookie) {
    throw new Error(`sign-in as ${USER} answered ${login.status}: ${await login.text()}`);
  }
  const page = await fetch(`${url}${PATH}`, { headers: { cookie } });
  const text = await page.text();
  const items = page.status === 200 ? (JSON.parse(text) as { items?: unknown[] }).items : undefined;
  // why: a benchmark of an error page or of a short page would report a flattering figure
  if (items?.length !== PAGE_SIZE) {
    throw new Error(`GET ${PATH} answered ${page.status} with ${items?.length ?? 0} items, not ${PAGE_SIZE}`);
  }
  return { cookie, bytes: Buffer.byteLength(text) };
}

interface Round {
  round: number;
  order: string;
  limit: LoadMeasurement;
  subject: LoadMeasurement;
}

async function measure(options: BenchOptions): Promise<BenchmarkResult> {
  const machine = describeMachine();
  const dataDir = mkdtempSync(join(tmpdir(), "keyward-bench-"));
  const servers: ServerProcess[] = [];
  try {
    const data = await seed(dataDir);
    const hello = await startServerProcess(resolve(SERVERS, "hello-world.ts"));
    servers.push(hello);
    const keyward = await startServerProcess(resolve(SERVERS, "keyward.ts"), [dataDir]);
    servers.push(keyward);
    const { cookie, bytes } = await signIn(keyward.url);

    const load = { connections: options.connections, durationSeconds: options.durationSeconds };
    const limitTarget = () => measureLoad(`${hello.url}/`, load);
    const subjectTarget = () => measureLoad(`${keyward.url}${PATH}`, { ...load, headers: { cookie } });

    process.stdout.write(
      `\n${NAME}: GET ${PATH} as ${USER} on SQLite (${data.keys} keys, seeded in ${data.seconds.toFixed(1)} s)\n` +
        `  vs a bare Fastify hello-world; ${options.connections} connections × ${options.durationSeconds} s, ` +
        `${options.rounds} rounds interleaved after a ${WARMUP_SECONDS} s warm-up of each\n\n`,
    );
    // why: the first seconds pay for JIT compilation and a cold SQLite page cache; neither is the steady state
    await measureLoad(`${hello.url}/`, { ...load, durationSeconds: WARMUP_SECONDS });
    await measureLoad(`${keyward.url}${PATH}`, { ...load, durationSeconds: WARMUP_SECONDS, headers: { cookie } });

    const rounds: Round[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      // why: alternate which side goes first, so a machine that slows down (or speeds up) during the run does not
      // always favour the same side
      const limitFirst = round % 2 === 1;
      const first = await (limitFirst ? limitTarget() : subjectTarget());
      const second = await (limitFirst ? subjectTarget() : limitTarget());
      rounds.push({
        round,
        order: limitFirst ? "hello, api" : "api, hello",
        limit: limitFirst ? first : second,
        subject: limitFirst ? second : first,
      });
    }

    const limitRps = rounds.map((r) => r.limit.requestsPerSecond);
    const subjectRps = rounds.map((r) => r.subject.requestsPerSecond);
    const ratios = rounds.map((r) => r.subject.requestsPerSecond / r.limit.requestsPerSecond);
    const figure = median(subjectRps);
    const limit = median(limitRps);
    const ratio = figure / limit;

    printTable([
      ["round", "order", "hello req/s", "hello p99 ms", "api-list req/s", "api-list p99 ms", "ratio"],
      ...rounds.map((r) => [
        String(r.round),
        r.order,
        Math.round(r.limit.requestsPerSecond),
        r.limit.latencyP99Ms,
        Math.round(r.subject.requestsPerSecond),
        r.subject.latencyP99Ms,
        round(r.subject.requestsPerSecond / r.limit.requestsPerSecond, 3),
      ]),
      ["median", "", Math.round(limit), "", Math.round(figure), "", round(ratio, 3)],
    ]);
    process.stdout.write(
      `\n  ratio ${round(ratio, 3)} (goal ≥ ${GOAL}): ${ratio >= GOAL ? "met" : "NOT MET"}; ` +
        `each page is ${Math.round(bytes / 1024)} KiB of JSON\n`,
    );

    return {
      name: NAME,
      description: `Authenticated GET ${PATH} on SQLite, requests per second`,
      figure: round(figure),
      unit: "requests/s",
      limit: { name: "bare Fastify hello-world (GET / → {hello: world})", figure: round(limit) },
      ratio: round(ratio, 4),
      goal: GOAL,
      goalKind: "ratio_at_least",
      met: ratio >= GOAL,
      measuredAt: new Date().toISOString(),
      machine,
      settings: {
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        rounds: options.rounds,
        warmupSeconds: WARMUP_SECONDS,
        database: "sqlite",
        keys: data.keys,
        user: USER,
        responseBytes: bytes,
        serverLogging: "silent",
        layout: "each server in its own child process; autocannon in the parent",
      },
      spread: {
        figure: spread(subjectRps),
        limit: spread(limitRps),
        ratio: spread(ratios.map((r) => round(r, 4))),
      },
      runs: rounds.map((r) => ({
        round: r.round,
        order: r.order,
        figure: round(r.subject.requestsPerSecond),
        limit: round(r.limit.requestsPerSecond),
        ratio: round(r.subject.requestsPerSecond / r.limit.requestsPerSecond, 4),
        latencyMs: {
          figure: { p50: r.subject.latencyP50Ms, p99: r.subject.latencyP99Ms },
          limit: { p50: r.limit.latencyP50Ms, p99: r.limit.latencyP99Ms },
        },
      })),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const apiList: Benchmark = {
  name: NAME,
  description: "authenticated page of 100 keys on SQLite vs bare Fastify hello-world (requests/s)",
  run: measure,
};
