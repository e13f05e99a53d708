/**
 * The audit trail's background work: a commit that writes events gets them appended without anyone asking; two
 * workers over one database (two server processes) each append every event exactly once; an offsite target that keeps
 * failing backs off, raises one alarm event, and shows its last success; recovery is recorded.
 */

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OFFSITE_ALARM_AFTER, runAuditPass, runOffsiteCopies, startAuditWorker } from "../src/audit/audit-worker.ts";
import { openDirectoryTarget } from "../src/audit/offsite/directory-target.ts";
import { verifyAudit } from "../src/audit/verify-audit.ts";
import type { Services } from "../src/services.ts";
import { Factory } from "./factories.ts";
import { startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function sizeOf(services: Services, organizationId: string): Promise<number> {
  const log = await services.db
    .selectFrom("audit_logs")
    .select("size")
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  return Number(log?.size ?? 0);
}

async function eventsOf(services: Services, organizationId: string): Promise<number> {
  const row = await services.db
    .selectFrom("events")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("organization_id", "=", organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("the worker", () => {
  it("appends a committed change's events on its own, right after the commit", async () => {
    const worker = startAuditWorker(server.services, () => {});
    try {
      const factory = await Factory.organization(server.services.db, server.clock.now);
      const admin = await server.client().login(factory.admin.email, factory.admin.password);
      const property = await factory.property();
      const res = await admin.post("/api/v1/units", { propertyId: property.id, number: "W-1" });
      expect(res.status).toBe(201);
      await worker.idle();
      expect(await sizeOf(server.services, factory.organizationId)).toBe(
        await eventsOf(server.services, factory.organizationId),
      );
    } finally {
      await worker.stop();
    }
  });

  it("two processes appending at once log every event exactly once", async () => {
    const factory = await Factory.organization(server.services.db, server.clock.now);
    const property = await factory.property();
    for (let i = 0; i < 120; i++) {
      await factory.unit(property.id as string);
    }
    // a second process on the same database (SQLite allows one writer at a time across processes; it waits its turn)
    const fixture = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "append-loop.ts");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fixture,
        (server.database.url ?? server.database.sqliteFile) as string,
        factory.organizationId,
      ],
      { cwd: join(dirname(fixture), "..", ".."), stdio: ["ignore", "ignore", "inherit"] },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await runAuditPass(server.services);
    expect(await exited).toBe(0);
    await runAuditPass(server.services);
    expect(await sizeOf(server.services, factory.organizationId)).toBe(
      await eventsOf(server.services, factory.organizationId),
    );
    const s = server.services;
    const report = await verifyAudit(s.db, {
      dialect: s.handle.dialect,
      originPrefix: s.config.audit.originPrefix,
      verifierKeys: s.audit.verifierKeys,
      offsite: [],
      organizationId: factory.organizationId,
      now: s.now,
    });
    expect(report.findings).toEqual([]);
  });
});

describe("offsite copies that fail", () => {
  it("back off, raise one alarm after repeated failures, and record the recovery with the last success", async () => {
    const factory = await Factory.organization(server.services.db, server.clock.now);
    await factory.property();
    const root = mkdtempSync(join(tmpdir(), "keyward-offsite-mount-"));
    const mount = join(root, "drive");
    // the drive is not mounted: the folder is missing
    const target = openDirectoryTarget(mount);
    const services: Services = { ...server.services, audit: { ...server.services.audit, offsite: [target] } };
    const stateOf = () =>
      services.db
        .selectFrom("audit_offsite")
        .selectAll()
        .where("organization_id", "=", factory.organizationId)
        .executeTakeFirstOrThrow();
    const alarms = async (action: string) =>
      Number(
        (
          await services.db
            .selectFrom("events")
            .select((eb) => eb.fn.countAll().as("n"))
            .where("organization_id", "=", factory.organizationId)
            .where("action", "=", action)
            .executeTakeFirstOrThrow()
        ).n,
      );
    try {
      await runAuditPass(services);
      server.clock.advance(61_000);
      await runAuditPass(services);
      await runOffsiteCopies(services);
      const first = await stateOf();
      expect(first.failures).toBe(1);
      expect(first.last_error).toMatch(/does not exist/);
      expect(first.last_success_at).toBeNull();
      // a retry before its time does nothing
      await runOffsiteCopies(services);
      expect((await stateOf()).failures).toBe(1);
      for (let i = 1; i < OFFSITE_ALARM_AFTER + 2; i++) {
        server.clock.advance(61 * 60_000);
        await runOffsiteCopies(services);
      }
      expect((await stateOf()).failures).toBe(OFFSITE_ALARM_AFTER + 2);
      expect(await alarms("audit.offsite_failing")).toBe(1);
      // the drive comes back
      mkdirSync(mount);
      server.clock.advance(61 * 60_000);
      await runAuditPass(services);
      await runOffsiteCopies(services);
      const recovered = await stateOf();
      expect(recovered.failures).toBe(0);
      expect(recovered.last_error).toBeNull();
      expect(recovered.last_success_at).toBe(server.clock.now().toISOString());
      expect(Number(recovered.copied_size)).toBeGreaterThan(0);
      expect(await alarms("audit.offsite_recovered")).toBe(1);
      const status = await server
        .client()
        .login(factory.admin.email, factory.admin.password)
        .then((c) => c.get<{ offsite: { target: string; lastSuccessAt: string | null }[] }>("/api/v1/audit/status"));
      expect(status.status).toBe(200);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
