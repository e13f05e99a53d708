/**
 * A real server on a real database for API tests: SQLite in a fresh temporary file, or — when
 * KEYWARD_TEST_DATABASE_URL names a PostgreSQL server — a fresh database created on it and dropped afterwards.
 * The clock is injected so tests can move time; the sign-in throttle's delays are recorded instead of slept.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type DatabaseHandle, migrate, openDatabase } from "@keyward/db/connect";
import { generateNoteSigner } from "@keyward/domain/signed-note";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { buildApp } from "../src/app.ts";
import { createAuditSigner } from "../src/audit/signer.ts";
import { loadConfig } from "../src/config.ts";
import { createNotifier } from "../src/live/notifier.ts";
import type { Services } from "../src/services.ts";

/** A clock tests move by hand. */
export class TestClock {
  constructor(public ms = Date.parse("2026-06-01T15:00:00.000Z")) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface TestDatabase {
  handle: DatabaseHandle;
  /** The PostgreSQL URL of this database (for the notifier's listening connection); undefined on SQLite. */
  url?: string;
  /** The SQLite file (for a second process on the same database); undefined on PostgreSQL. */
  sqliteFile?: string;
  /** Closes the handle and throws the database away. */
  destroy(): Promise<void>;
}

/** The PostgreSQL server the suite runs against, if any. */
export const testPostgresUrl: string | undefined = process.env.KEYWARD_TEST_DATABASE_URL || undefined;

/** A fresh, migrated database of the configured dialect. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testPostgresUrl) {
    const name = `keyward_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: testPostgresUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(testPostgresUrl);
    url.pathname = `/${name}`;
    const handle = openDatabase({ databaseUrl: url.toString(), sqliteFile: "", poolSize: 5 });
    await migrate(handle);
    return {
      handle,
      url: url.toString(),
      destroy: async () => {
        await handle.close();
        const c = new pg.Client({ connectionString: testPostgresUrl });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "keyward-test-"));
  const sqliteFile = join(dir, "keyward.sqlite");
  const handle = openDatabase({ sqliteFile });
  await migrate(handle);
  return {
    handle,
    sqliteFile,
    destroy: async () => {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** A browser-like API client: keeps the session cookie between calls. */
export class ApiClient {
  cookie: string | null = null;
  constructor(readonly baseUrl: string) {}

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) {
      headers["content-type"] = "application/json";
    }
    if (this.cookie) {
      headers.cookie = this.cookie;
    }
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) {
      const [pair = ""] = setCookie.split(";");
      this.cookie = pair.endsWith("=") ? null : pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get("content-type") ?? "").includes("application/json") && text) {
      parsed = JSON.parse(text);
    }
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }
  get<T = unknown>(path: string) {
    return this.request<T>("GET", path);
  }
  post<T = unknown>(path: string, body: unknown = {}) {
    return this.request<T>("POST", path, body);
  }
  patch<T = unknown>(path: string, body: unknown) {
    return this.request<T>("PATCH", path, body);
  }
  /** Signs in; throws unless it succeeds. */
  async login(email: string, password: string): Promise<this> {
    const res = await this.post("/api/v1/auth/login", { email, password });
    if (res.status !== 200) {
      throw new Error(`login as ${email} failed: ${res.status} ${res.text}`);
    }
    return this;
  }
}

export interface TestServer {
  url: string;
  app: FastifyInstance;
  services: Services;
  clock: TestClock;
  database: TestDatabase;
  /** Delays the sign-in throttle asked for, in order. */
  sleeps: number[];
  /** A new client with no session. */
  client(): ApiClient;
  close(): Promise<void>;
}

/** Starts a real server on 127.0.0.1 and a random port, over a fresh database. */
export async function startTestServer(): Promise<TestServer> {
  const database = await createTestDatabase();
  const clock = new TestClock();
  const sleeps: number[] = [];
  const notifier = await createNotifier(database.handle, database.url);
  const signerDir = mkdtempSync(join(tmpdir(), "keyward-signer-"));
  const signer = createAuditSigner(generateNoteSigner("keyward-test"), join(signerDir, "state.json"));
  const services: Services = {
    audit: { signer, verifierKeys: [signer.key], offsite: [] },
    notifier,
    handle: database.handle,
    db: database.handle.db,
    // why: the configuration names this test's own database, so anything that opens more connections to "the
    // configured database" (the verifier's worker threads) opens this one
    config: loadConfig({
      LOG_LEVEL: "silent",
      KEYWARD_DATA_DIR: database.sqliteFile ? dirname(database.sqliteFile) : signerDir,
      DATABASE_URL: database.url,
    }),
    now: clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  const app = await buildApp(services);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    app,
    services,
    clock,
    database,
    sleeps,
    client: () => new ApiClient(url),
    close: async () => {
      await app.close();
      await notifier.close();
      rmSync(signerDir, { recursive: true, force: true });
      await database.destroy();
    },
  };
}
