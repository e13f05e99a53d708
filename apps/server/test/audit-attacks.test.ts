/**
 * One tampered trail per attack (audit-and-security study §1.3), each caught by the verifier with a report that names
 * it. The attacker owns the database (past the append-only triggers) and, where the attack says so, the signing key;
 * only the offsite copy (a directory here; S3 Object Lock has its own tests) and the signer's memory are out of reach.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EventTable } from "@keyward/db/schema";
import type { Selectable } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAuditPass, runOffsiteCopies } from "../src/audit/audit-worker.ts";
import { copyOffsite } from "../src/audit/copy-offsite.ts";
import { openDirectoryTarget } from "../src/audit/offsite/directory-target.ts";
import type { OffsiteTarget } from "../src/audit/offsite/target.ts";
import { type FindingCode, type ParallelScan, type VerifyReport, verifyAudit } from "../src/audit/verify-audit.ts";
import { rehash, resign, tamper } from "./audit-tamper.ts";
import { TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
const folders: string[] = [];
/** A fresh folder for an offsite copy, removed after the file's tests. */
function offsiteFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "keyward-offsite-"));
  folders.push(folder);
  return folder;
}
afterAll(async () => {
  await server.close();
  for (const folder of folders) {
    rmSync(folder, { recursive: true, force: true });
  }
});

interface Trail {
  organizationId: string;
  device: TestDevice;
  factory: Factory;
  target: OffsiteTarget;
  folder: string;
}

/** Settles the log: appends, signs (60 s later), and copies offsite. */
async function settle(t: Pick<Trail, "organizationId" | "target">): Promise<void> {
  await runAuditPass(server.services);
  server.clock.advance(61_000);
  await runAuditPass(server.services);
  await runOffsiteCopies({ ...server.services, audit: { ...server.services.audit, offsite: [t.target] } }, true);
}

/** An organization with a cabinet that reported some events, administrative changes, two checkpoints copied offsite. */
async function trail(): Promise<Trail> {
  const s = server.services;
  const factory = await Factory.organization(s.db, server.clock.now);
  const admin = await server.client().login(factory.admin.email, factory.admin.password);
  const property = await factory.property();
  const cabinet = await factory.cabinet(property.id as string);
  const device = await TestDevice.enroll(admin, cabinet.id as string, server.clock.now);
  const folder = offsiteFolder();
  const t: Trail = {
    organizationId: factory.organizationId,
    device,
    factory,
    target: openDirectoryTarget(folder),
    folder,
  };
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 3; i++) {
      device.record("door.opened", { visitId: null });
      device.record("door.closed", { visitId: null, openSeconds: i + 1 });
    }
    expect((await device.upload()).status).toBe(200);
    await factory.unit(property.id as string);
    await factory.unit(property.id as string);
    await settle(t);
  }
  return t;
}

function verify(
  t: Pick<Trail, "organizationId" | "target">,
  offsite = true,
  parallel?: ParallelScan,
): Promise<VerifyReport> {
  const s = server.services;
  return verifyAudit(s.db, {
    parallel,
    dialect: s.handle.dialect,
    originPrefix: s.config.audit.originPrefix,
    verifierKeys: s.audit.verifierKeys,
    offsite: offsite ? [t.target] : [],
    signerState: (origin) => s.audit.signer?.lastSigned(origin) ?? null,
    organizationId: t.organizationId,
    now: s.now,
  });
}

/** The events of the trail, oldest first. */
async function eventsOf(organizationId: string) {
  return server.services.db
    .selectFrom("events")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .orderBy("seq")
    .execute();
}

function expectCaught(report: VerifyReport, code: FindingCode, eventId?: string): void {
  expect(report.status).toBe("tampered");
  const found = report.findings.filter((f) => f.code === code);
  expect(found.length, `${code} in ${JSON.stringify(report.counts)}`).toBeGreaterThan(0);
  if (eventId) {
    expect(found.map((f) => f.eventId)).toContain(eventId);
  }
}

const db = () => server.services.db;

/** Writes a copy of an event under a new id, queued for the log, as someone with the database could. */
async function forgeCopy(organizationId: string, original: Selectable<EventTable>, id: string, source?: string) {
  const { seq: _seq, ...rest } = original;
  await tamper(db(), dialect(), async (tx) => {
    await tx
      .insertInto("events")
      .values({ ...rest, id, ...(source ? { source } : {}) })
      .execute();
    await tx.insertInto("audit_pending").values({ organization_id: organizationId, event_id: id }).execute();
  });
}
const dialect = () => server.services.handle.dialect;

describe("an untouched trail", () => {
  it("verifies: every leaf recomputed, every checkpoint and offsite copy consistent", async () => {
    const t = await trail();
    const report = await verify(t);
    expect(report.findings).toEqual([]);
    expect(report.status).toBe("ok");
    const org = report.organizations[0];
    expect(org?.checkpoints.database).toBe(2);
    expect(org?.checkpoints.offsite).toBe(2);
    expect(org?.bundlesChecked).toBe(2);
  });
});

describe("attacks on the database", () => {
  it("A1 editing one event: the recomputed leaf differs from the logged one (and from its offsite copy)", async () => {
    const t = await trail();
    const victim = (await eventsOf(t.organizationId)).find((e) => e.action === "unit.created");
    if (!victim) {
      throw new Error("no unit event");
    }
    await tamper(db(), dialect(), async (tx) => {
      const after = JSON.parse(victim.after ?? "{}") as Record<string, unknown>;
      await tx
        .updateTable("events")
        .set({ after: JSON.stringify({ ...after, number: "X-999" }) })
        .where("id", "=", victim.id)
        .execute();
    });
    const report = await verify(t);
    expectCaught(report, "event_changed", victim.id);
    expectCaught(report, "offsite_bundle_mismatch");
    // the same, with the log scanned in three worker threads over their own connections (as the CLI does)
    const connection = { databaseUrl: server.database.url, sqliteFile: server.database.sqliteFile ?? "" };
    const parallel = await verify(t, true, { connection, workers: 3, minEntries: 0 });
    expect(parallel.counts).toEqual(report.counts);
    expect(parallel.organizations).toEqual(report.organizations);
  });

  it("A1 editing a cabinet event's data: the device's hash no longer matches", async () => {
    const t = await trail();
    const row = await db()
      .selectFrom("cabinet_events")
      .select(["device_id", "seq", "event_id", "data"])
      .where("organization_id", "=", t.organizationId)
      .where("type", "=", "door.closed")
      .executeTakeFirstOrThrow();
    await tamper(db(), dialect(), async (tx) => {
      await tx
        .updateTable("cabinet_events")
        .set({ data: '{"openSeconds":999,"visitId":null}' })
        .where("device_id", "=", row.device_id)
        .where("seq", "=", row.seq)
        .execute();
    });
    const report = await verify(t);
    expectCaught(report, "cabinet_hash_mismatch", row.event_id);
    expectCaught(report, "event_changed", row.event_id);
  });

  it("A2 deleting an event: its leaf has no event any more", async () => {
    const t = await trail();
    const victim = (await eventsOf(t.organizationId)).find((e) => e.action === "unit.created");
    await tamper(db(), dialect(), async (tx) => {
      await tx
        .deleteFrom("events")
        .where("id", "=", victim?.id as string)
        .execute();
    });
    expectCaught(await verify(t), "leaf_without_event");
  });

  it("A2 inserting an event behind the application's back: it is in no leaf", async () => {
    const t = await trail();
    const model = (await eventsOf(t.organizationId))[0];
    if (!model) {
      throw new Error("no events");
    }
    await tamper(db(), dialect(), async (tx) => {
      const { seq: _seq, ...rest } = model;
      await tx
        .insertInto("events")
        .values({ ...rest, id: "forged-event" })
        .execute();
    });
    expectCaught(await verify(t), "event_not_logged", "forged-event");
  });

  it("A3 reordering two events: both leaves recompute differently", async () => {
    const t = await trail();
    const leaves = await db()
      .selectFrom("audit_leaves")
      .select(["idx", "event_id"])
      .where("organization_id", "=", t.organizationId)
      .where("idx", "in", [2, 3])
      .orderBy("idx")
      .execute();
    const [a, b] = leaves;
    if (!a || !b) {
      throw new Error("too few leaves");
    }
    await tamper(db(), dialect(), async (tx) => {
      await tx
        .deleteFrom("audit_leaves")
        .where("organization_id", "=", t.organizationId)
        .where("idx", "in", [2, 3])
        .execute();
      await tx
        .insertInto("audit_leaves")
        .values([
          { organization_id: t.organizationId, idx: 2, event_id: b.event_id, sequenced_at: new Date().toISOString() },
          { organization_id: t.organizationId, idx: 3, event_id: a.event_id, sequenced_at: new Date().toISOString() },
        ])
        .execute();
    });
    const report = await verify(t);
    expectCaught(report, "event_changed", a.event_id);
    expectCaught(report, "event_changed", b.event_id);
  });

  it("A4 truncating the tail and re-signing with the key: the offsite copy and the signer hold a larger checkpoint", async () => {
    const t = await trail();
    const log = await db()
      .selectFrom("audit_logs")
      .selectAll()
      .where("organization_id", "=", t.organizationId)
      .executeTakeFirstOrThrow();
    const keep = Number(log.size) - 4;
    const cut = await db()
      .selectFrom("audit_leaves")
      .select("event_id")
      .where("organization_id", "=", t.organizationId)
      .where("idx", ">=", keep)
      .execute();
    await tamper(db(), dialect(), async (tx) => {
      const ids = cut.map((c) => c.event_id);
      await tx.deleteFrom("cabinet_events").where("event_id", "in", ids).execute();
      await tx.deleteFrom("events").where("id", "in", ids).execute();
      await tx
        .deleteFrom("audit_leaves")
        .where("organization_id", "=", t.organizationId)
        .where("idx", ">=", keep)
        .execute();
      await rehash(tx, dialect(), t.organizationId);
      const key = server.services.audit.signer?.key;
      if (!key) {
        throw new Error("no key");
      }
      await resign(tx, dialect(), t.organizationId, key, [keep]);
    });
    const report = await verify(t);
    expectCaught(report, "rollback");
    expect(report.findings.find((f) => f.code === "rollback")?.message).toMatch(/rolled back|truncated/);
  });

  it("A5 rewriting the whole log with the signing key: inconsistent with the offsite checkpoints", async () => {
    const t = await trail();
    const sizes = (
      await db()
        .selectFrom("audit_checkpoints")
        .select("size")
        .where("organization_id", "=", t.organizationId)
        .execute()
    ).map((r) => Number(r.size));
    const victim = (await eventsOf(t.organizationId)).find((e) => e.action === "unit.created");
    await tamper(db(), dialect(), async (tx) => {
      await tx
        .updateTable("events")
        .set({ entity_id: "someone-else" })
        .where("id", "=", victim?.id as string)
        .execute();
      await rehash(tx, dialect(), t.organizationId);
      const key = server.services.audit.signer?.key;
      if (!key) {
        throw new Error("no key");
      }
      await resign(tx, dialect(), t.organizationId, key, sizes);
    });
    // without the offsite copy, the database agrees with itself: only the signer's memory remains
    const alone = await verify(t, false);
    expect(alone.counts.event_changed ?? 0).toBe(0);
    expectCaught(alone, "signer_state_mismatch");
    const report = await verify(t);
    expectCaught(report, "offsite_checkpoint_mismatch");
    expectCaught(report, "offsite_bundle_mismatch");
  });

  it("A10 re-encoding an event's JSON with other bytes", async () => {
    const t = await trail();
    const victim = (await eventsOf(t.organizationId)).find((e) => e.action === "unit.created");
    if (!victim?.after) {
      throw new Error("no unit event");
    }
    const reencoded = JSON.stringify(JSON.parse(victim.after), null, 1);
    if (dialect() === "sqlite") {
      // the database: same values, other bytes (PostgreSQL's jsonb keeps no bytes to re-encode)
      await tamper(db(), dialect(), async (tx) => {
        await tx.updateTable("events").set({ after: reencoded }).where("id", "=", victim.id).execute();
      });
      expectCaught(await verify(t, false), "event_reencoded", victim.id);
    }
    // the offsite copy: an entry re-encoded in its bundle no longer hashes to the logged leaf
    const bundles = join(t.folder, t.organizationId, "bundles");
    const first = readdirSync(bundles).sort()[0] as string;
    const file = join(bundles, first);
    const lines = readFileSync(file, "utf8").split("\n");
    lines[0] = JSON.stringify(JSON.parse(lines[0] as string), null, 1).replace(/\n/g, "");
    chmodSync(file, 0o644);
    writeFileSync(file, lines.join("\n"));
    expectCaught(await verify(t), "offsite_bundle_mismatch");
  });
});

describe("attacks on the log's own records", () => {
  it("renaming the log and rebuilding it without the key: the signer refuses, the verifier names the rename", async () => {
    const t = await trail();
    const victim = (await eventsOf(t.organizationId)).find((e) => e.action === "unit.created");
    await tamper(db(), dialect(), async (tx) => {
      await tx
        .deleteFrom("events")
        .where("id", "=", victim?.id as string)
        .execute();
      await tx.deleteFrom("audit_leaves").where("organization_id", "=", t.organizationId).execute();
      await tx.deleteFrom("audit_tiles").where("organization_id", "=", t.organizationId).execute();
      await tx.deleteFrom("audit_checkpoints").where("organization_id", "=", t.organizationId).execute();
      await tx
        .updateTable("audit_logs")
        .set({ origin: `evil/${t.organizationId}`, size: 0, checkpoint_size: 0, edge: "[]", root_hash: "0".repeat(64) })
        .where("organization_id", "=", t.organizationId)
        .execute();
      const rest = await tx
        .selectFrom("events")
        .select("id")
        .where("organization_id", "=", t.organizationId)
        .orderBy("seq")
        .execute();
      await tx
        .insertInto("audit_pending")
        .values(rest.map((r) => ({ organization_id: t.organizationId, event_id: r.id })))
        .execute();
    });
    server.clock.advance(61_000);
    const pass = await runAuditPass(server.services);
    expect(pass.refusals.map((r) => r.organizationId)).toContain(t.organizationId);
    expect(pass.refusals.find((r) => r.organizationId === t.organizationId)?.reason).toMatch(/not "/);
    const report = await verify(t, false);
    expectCaught(report, "origin_changed");
  });

  it("a cabinet's kind of event written as if through the API: it has no signed cabinet record", async () => {
    const t = await trail();
    const original = (await eventsOf(t.organizationId)).find((e) => e.action === "door.opened");
    if (!original) {
      throw new Error("no door event");
    }
    await forgeCopy(t.organizationId, original, "api-forged", "api");
    await runAuditPass(server.services);
    expectCaught(await verify(t), "cabinet_event_unlinked", "api-forged");
  });

  it("an event edited after it was signed but before its copy: the offsite copy refuses to carry the edit", async () => {
    const s = server.services;
    const factory = await Factory.organization(s.db, server.clock.now);
    const property = await factory.property();
    await factory.unit(property.id as string);
    await runAuditPass(s);
    server.clock.advance(61_000);
    await runAuditPass(s);
    const victim = (await eventsOf(factory.organizationId)).find((e) => e.action === "unit.created");
    await tamper(db(), dialect(), async (tx) => {
      await tx
        .updateTable("events")
        .set({ entity_id: "elsewhere" })
        .where("id", "=", victim?.id as string)
        .execute();
    });
    const folder = offsiteFolder();
    const target = openDirectoryTarget(folder);
    await expect(
      copyOffsite(s.db, s.handle.dialect, target, factory.organizationId, 0, async () => {}),
    ).rejects.toThrow(/altered after signing/);
    expect(await target.list(`${factory.organizationId}/`)).toEqual([]);
  });

  it("a verification while the log grows reports growth, not tampering", async () => {
    const t = await trail();
    const property = await t.factory.property();
    for (let i = 0; i < 300; i++) {
      await t.factory.unit(property.id as string);
    }
    const [report] = await Promise.all([verify(t, false), runAuditPass(server.services)]);
    expect(report.findings).toEqual([]);
  });
});

describe("attacks through the cabinet protocol", () => {
  it("A11 replaying an upload stores it once and the trail stays clean", async () => {
    const t = await trail();
    t.device.record("door.opened", { visitId: null });
    const body = [...t.device.outbox];
    for (let i = 0; i < 3; i++) {
      expect((await t.device.upload(body)).status).toBe(200);
    }
    await settle(t);
    const report = await verify(t);
    expect(report.status).toBe("ok");
  });

  it("A11 replaying a cabinet event as a new event in the database: it has no signed cabinet record", async () => {
    const t = await trail();
    const original = (await eventsOf(t.organizationId)).find((e) => e.action === "door.opened");
    if (!original) {
      throw new Error("no door event");
    }
    await forgeCopy(t.organizationId, original, "replayed-event");
    await runAuditPass(server.services);
    expectCaught(await verify(t), "cabinet_event_unlinked", "replayed-event");
  });

  it("A12 a cabinet clock a day behind, then a day ahead: flagged, order kept from the sequence", async () => {
    const t = await trail();
    const now = server.clock.now().getTime();
    const day = 24 * 3600_000;
    const behind = t.device.record("door.opened", { visitId: null }, new Date(now - day));
    const ahead = t.device.record("door.closed", { visitId: null, openSeconds: 2 }, new Date(now + day));
    expect((await t.device.upload()).status).toBe(200);
    await settle(t);
    const report = await verify(t);
    expect(report.status).toBe("anomalies");
    expect(report.findings.find((f) => f.code === "clock_backwards")?.seq).toBe(behind.seq);
    expect(report.findings.find((f) => f.code === "clock_ahead")?.seq).toBe(ahead.seq);
  });
});

describe("a crash in the middle of an append", () => {
  const fixture = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "append-loop.ts");

  /** Starts the appender and kills it with SIGKILL once it has printed `after` sizes. */
  function appendThenKill(organizationId: string, after: number): Promise<number[]> {
    const target = server.database.url ?? server.database.sqliteFile;
    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", fixture, target as string, organizationId],
      {
        cwd: join(dirname(fixture), "..", ".."),
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const sizes: number[] = [];
    return new Promise((resolve, reject) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        sizes.push(...chunk.toString().split("\n").filter(Boolean).map(Number));
        if (sizes.length >= after) {
          child.kill("SIGKILL");
        }
      });
      child.on("error", reject);
      child.on("exit", () => resolve(sizes));
    });
  }

  it("A13 leaves the log as it was or longer by whole entries, consistent, with nothing lost", async () => {
    const s = server.services;
    const factory = await Factory.organization(s.db, server.clock.now);
    const property = await factory.property();
    for (let i = 0; i < 40; i++) {
      await factory.unit(property.id as string);
    }
    for (const after of [3, 10, 17]) {
      const printed = await appendThenKill(factory.organizationId, after);
      const log = await s.db
        .selectFrom("audit_logs")
        .selectAll()
        .where("organization_id", "=", factory.organizationId)
        .executeTakeFirstOrThrow();
      // the last size printed was committed; at most the one being appended when the kill came is there too
      const last = printed[printed.length - 1] ?? 0;
      expect(Number(log.size)).toBeGreaterThanOrEqual(last);
      expect(Number(log.size)).toBeLessThanOrEqual(last + 1);
      const t = {
        organizationId: factory.organizationId,
        target: openDirectoryTarget(offsiteFolder()),
      };
      const report = await verify(t, false);
      expect(report.findings).toEqual([]);
      const org = report.organizations[0];
      expect((org?.size ?? 0) + (org?.pending ?? 0)).toBe(org?.events);
    }
  });
});
