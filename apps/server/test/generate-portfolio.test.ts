/**
 * The portfolio generator on a small portfolio (about 700 units, three months): the same seed writes the same bytes
 * and another seed does not; what it writes is consistent the way the server's own writes are (custody, checkouts and
 * their events, hooks, counts); and the audit trail takes the whole history and verifies it.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Executor } from "@keyward/db/connect";
import { generateNoteSigner } from "@keyward/domain/signed-note";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAuditPass } from "../src/audit/audit-worker.ts";
import { createAuditSigner } from "../src/audit/signer.ts";
import { verifyAudit } from "../src/audit/verify-audit.ts";
import { loadConfig } from "../src/config.ts";
import { generatePortfolio, type PortfolioSummary } from "../src/demo/generate-portfolio.ts";
import { TABLES } from "../src/demo/portfolio-rows.ts";
import { createNotifier } from "../src/live/notifier.ts";
import { loose } from "../src/resources/records.ts";
import type { Services } from "../src/services.ts";
import { createTestDatabase, type TestDatabase } from "./harness.ts";

const NOW = new Date("2026-06-01T15:00:00.000Z");
const OPTIONS = { units: 700, years: 0.25, seed: 7, now: NOW };

/** The order rows of each table are read in for a digest: its key. */
const ORDER: Record<string, readonly string[]> = {
  events: ["seq"],
  cabinet_events: ["device_id", "seq"],
  cabinet_states: ["cabinet_id"],
  snapshot_versions: ["property_id"],
  audit_pending: ["id"],
};

/** A digest of every row of every table the generator writes, in key order. */
async function digestOf(db: Executor): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const table of Object.values(TABLES)) {
    let query = loose(db).selectFrom(table.name).selectAll();
    for (const column of ORDER[table.name] ?? ["id"]) {
      query = query.orderBy(column);
    }
    const rows = await query.execute();
    const hash = createHash("sha256");
    for (const row of rows) {
      hash.update(JSON.stringify(row));
      hash.update("\n");
    }
    digests[table.name] = `${rows.length}:${hash.digest("hex")}`;
  }
  return digests;
}

async function count(db: Executor, query: string): Promise<number> {
  const result = await sql<{ n: number | string }>`${sql.raw(query)}`.execute(db);
  return Number(result.rows[0]?.n ?? Number.NaN);
}

let database: TestDatabase;
let summary: PortfolioSummary;

beforeAll(async () => {
  database = await createTestDatabase();
  const generated = await generatePortfolio(database.handle, OPTIONS);
  if (!generated) {
    throw new Error("the generator refused an empty database");
  }
  summary = generated;
}, 120_000);
afterAll(() => database.destroy());

describe("generatePortfolio", () => {
  it("refuses a database that already holds an organization, touching nothing", async () => {
    const before = await digestOf(database.handle.db);
    expect(await generatePortfolio(database.handle, { ...OPTIONS, seed: 8 })).toBeNull();
    expect(await digestOf(database.handle.db)).toEqual(before);
  });

  it("writes the same rows for the same seed, and other rows for another seed", async () => {
    const again = await createTestDatabase();
    const other = await createTestDatabase();
    try {
      await generatePortfolio(again.handle, OPTIONS);
      await generatePortfolio(other.handle, { ...OPTIONS, seed: 8 });
      const first = await digestOf(database.handle.db);
      expect(await digestOf(again.handle.db)).toEqual(first);
      const different = await digestOf(other.handle.db);
      expect(different.events).not.toEqual(first.events);
      expect(different.keys).not.toEqual(first.keys);
    } finally {
      await again.destroy();
      await other.destroy();
    }
  }, 240_000);

  it("counts in its summary what the tables hold, at portfolio shape", async () => {
    const db = database.handle.db;
    const org = `organization_id = '${summary.organizationId}'`;
    for (const [table, key] of [
      ["properties", "properties"],
      ["buildings", "buildings"],
      ["units", "units"],
      ["keys", "keys"],
      ["cabinets", "cabinets"],
      ["people", "people"],
      ["checkouts", "checkouts"],
      ["events", "events"],
    ] as const) {
      expect(await count(db, `select count(*) as n from ${table} where ${org}`), table).toBe(summary[key]);
    }
    expect(summary.units).toBeGreaterThanOrEqual(OPTIONS.units);
    expect(summary.keys / summary.units).toBeGreaterThan(1.8);
    expect(summary.checkouts).toBeGreaterThan(100);
    // every event is queued for the audit log, once
    expect(await count(db, "select count(*) as n from audit_pending")).toBe(summary.events);
    // the history has what reports look for
    for (const action of [
      "cabinet.access_denied",
      "cabinet.identification_failed",
      "key.taken",
      "key.returned",
      "door.held_open",
      "person.deactivated",
    ]) {
      expect(await count(db, `select count(*) as n from events where action = '${action}'`), action).toBeGreaterThan(0);
    }
    expect(
      await count(db, "select count(*) as n from credentials c where c.pin_hash is not null and c.kind = 'pin'"),
    ).toBeGreaterThan(0);
    expect(await count(db, "select count(*) as n from users where email = 'manager@demo.keyward.test'")).toBe(1);
  });

  it("leaves custody as ingestion would: open checkouts hold keys out, and only they", async () => {
    const db = database.handle.db;
    expect(
      await count(
        db,
        `select count(*) as n from checkouts c join keys k on k.id = c.key_id
         where c.status = 'open' and (k.status <> 'out' or k.cabinet_id is not null)`,
      ),
    ).toBe(0);
    expect(
      await count(
        db,
        `select count(*) as n from keys k where k.status = 'out'
         and not exists (select 1 from checkouts c where c.key_id = k.id and c.status = 'open')`,
      ),
    ).toBe(0);
    expect(
      await count(
        db,
        "select count(*) as n from (select key_id from checkouts where status = 'open' group by key_id having count(*) > 1) x",
      ),
    ).toBe(0);
    const open = await count(db, "select count(*) as n from checkouts where status = 'open'");
    const hanging = await count(db, "select count(*) as n from keys where status in ('in', 'out')");
    expect(open).toBeGreaterThan(0);
    expect(open / hanging).toBeLessThan(0.05);
  });

  it("gives every checkout its key.taken event and every returned one its key.returned", async () => {
    const db = database.handle.db;
    expect(
      await count(
        db,
        `select count(*) as n from checkouts c left join events e on e.id = c.out_event_id
         and e.entity_id = c.key_id
         and e.action = case when c.authorized = 1 then 'key.taken' else 'key.removed_without_session' end
         where e.id is null`,
      ),
    ).toBe(0);
    expect(
      await count(
        db,
        `select count(*) as n from checkouts c left join events e on e.id = c.in_event_id
         and e.entity_id = c.key_id and e.action = 'key.returned'
         where c.status = 'returned' and e.id is null`,
      ),
    ).toBe(0);
    expect(
      await count(db, "select count(*) as n from checkouts where status = 'returned' and returned_at < out_at"),
    ).toBe(0);
    // what each return event says about its checkout is the checkout that closed
    const returns = await loose(db)
      .selectFrom("checkouts")
      .innerJoin("events", "events.id", "checkouts.in_event_id")
      .select(["checkouts.id as checkoutId", "events.after as after"])
      .where("checkouts.status", "=", "returned")
      .execute();
    expect(returns.length).toBeGreaterThan(0);
    for (const r of returns) {
      const after = (typeof r.after === "string" ? JSON.parse(r.after) : r.after) as { checkoutId?: string };
      expect(after.checkoutId).toBe(r.checkoutId);
    }
  });

  it("hangs each key on a hook of its cabinet that no other key holds", async () => {
    const db = database.handle.db;
    expect(
      await count(
        db,
        `select count(*) as n from (select cabinet_id, hook_number from keys where cabinet_id is not null
         group by cabinet_id, hook_number having count(*) > 1) x`,
      ),
    ).toBe(0);
    expect(
      await count(
        db,
        `select count(*) as n from keys k where k.status = 'in' and not exists
         (select 1 from hooks h where h.cabinet_id = k.cabinet_id and h.number = k.hook_number)`,
      ),
    ).toBe(0);
    expect(
      await count(
        db,
        "select count(*) as n from keys where status <> 'in' and (cabinet_id is not null or hook_number is not null)",
      ),
    ).toBe(0);
    // each device's stored head is its last stored event
    expect(
      await count(
        db,
        `select count(*) as n from cabinet_devices d where d.last_seq <>
         (select coalesce(max(seq), 0) from cabinet_events e where e.device_id = d.id)`,
      ),
    ).toBe(0);
  });

  it("builds a history the audit trail appends, signs and verifies", async () => {
    const signerDir = mkdtempSync(join(tmpdir(), "keyward-signer-"));
    const signer = createAuditSigner(generateNoteSigner("keyward-test"), join(signerDir, "state.json"));
    const notifier = await createNotifier(database.handle, database.url);
    const services: Services = {
      audit: { signer, verifierKeys: [signer.key], offsite: [] },
      notifier,
      handle: database.handle,
      db: database.handle.db,
      config: loadConfig({
        LOG_LEVEL: "silent",
        KEYWARD_DATA_DIR: database.sqliteFile ? dirname(database.sqliteFile) : signerDir,
        DATABASE_URL: database.url,
      }),
      now: () => NOW,
      sleep: async () => {},
    };
    try {
      const pass = await runAuditPass(services, summary.organizationId);
      expect(pass.refusals).toEqual([]);
      expect(pass.appended).toBe(summary.events);
      const report = await verifyAudit(services.db, {
        dialect: database.handle.dialect,
        originPrefix: services.config.audit.originPrefix,
        verifierKeys: services.audit.verifierKeys,
        offsite: [],
        organizationId: summary.organizationId,
        now: services.now,
      });
      expect(report.findings).toEqual([]);
      expect(report.status).toBe("ok");
      expect(report.eventsVerified).toBe(summary.events);
      expect(report.organizations[0]?.devices).toBe(summary.cabinets);
    } finally {
      await notifier.close();
      rmSync(signerDir, { recursive: true, force: true });
    }
  }, 120_000);
});
