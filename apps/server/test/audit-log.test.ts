/**
 * The organization's audit log on a real database: events join it through the sequencer, checkpoints are signed every
 * 256 entries or after 60 s, the signer refuses a log that does not extend what it signed, and the verifier recomputes
 * everything and finds nothing wrong in an untouched trail (SQLite, and PostgreSQL when KEYWARD_TEST_DATABASE_URL is set).
 */

import { hashToHex } from "@keyward/domain/merkle";
import { openNote, parseCheckpoint, verifiedBy } from "@keyward/domain/signed-note";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAuditPass } from "../src/audit/audit-worker.ts";
import { jsonTextFor, leafText, leavesWithRows } from "../src/audit/leaf.ts";
import { verifyAudit } from "../src/audit/verify-audit.ts";
import { TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;
let factory: Factory;
let admin: ApiClient;

function verify(organizationId = factory.organizationId) {
  const s = server.services;
  return verifyAudit(s.db, {
    dialect: s.handle.dialect,
    originPrefix: s.config.audit.originPrefix,
    verifierKeys: s.audit.verifierKeys,
    offsite: [],
    signerState: (origin) => s.audit.signer?.lastSigned(origin) ?? null,
    organizationId,
    now: s.now,
  });
}

async function logOf(organizationId = factory.organizationId) {
  return server.services.db
    .selectFrom("audit_logs")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .executeTakeFirstOrThrow();
}

async function count(table: "events" | "audit_pending" | "audit_checkpoints" | "audit_leaves"): Promise<number> {
  const row = await server.services.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as("n"))
    .where("organization_id", "=", factory.organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  server = await startTestServer();
  factory = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(factory.admin.email, factory.admin.password);
});
afterAll(() => server.close());

describe("the sequencer", () => {
  it("appends every committed event, administrative and cabinet, once, and verifies clean", async () => {
    const property = await factory.property();
    const cabinet = await factory.cabinet(property.id as string);
    const device = await TestDevice.enroll(admin, cabinet.id as string, server.clock.now);
    device.record("door.opened", { visitId: null });
    device.record("door.closed", { visitId: null, openSeconds: 3 });
    expect((await device.upload()).status).toBe(200);
    await runAuditPass(server.services);
    const events = await count("events");
    expect(await count("audit_pending")).toBe(0);
    expect(await count("audit_leaves")).toBe(events);
    expect(Number((await logOf()).size)).toBe(events);
    const report = await verify();
    expect(report.findings).toEqual([]);
    expect(report.status).toBe("ok");
    expect(report.organizations[0]?.devices).toBe(1);
  });

  it("stores the device's head signature with the upload's last event", async () => {
    const rows = await server.services.db
      .selectFrom("cabinet_events")
      .select(["seq", "head_signature"])
      .where("organization_id", "=", factory.organizationId)
      .orderBy("seq")
      .execute();
    expect(rows.map((r) => r.head_signature === null)).toEqual([true, false]);
  });
});

describe("checkpoints", () => {
  it("signs a C2SP checkpoint after 60 s, verifiable with the signer's key, naming the log's size and root", async () => {
    await factory.property();
    await runAuditPass(server.services);
    const before = await logOf();
    expect(Number(before.size)).toBeGreaterThan(Number(before.checkpoint_size));
    server.clock.advance(61_000);
    await runAuditPass(server.services);
    const after = await logOf();
    expect(Number(after.checkpoint_size)).toBe(Number(after.size));
    const row = await server.services.db
      .selectFrom("audit_checkpoints")
      .selectAll()
      .where("organization_id", "=", factory.organizationId)
      .orderBy("size", "desc")
      .executeTakeFirstOrThrow();
    const key = server.services.audit.verifierKeys[0];
    if (!key) {
      throw new Error("no key");
    }
    const opened = openNote(row.note, [key]);
    expect(verifiedBy(opened, key)).toBe(true);
    const checkpoint = parseCheckpoint(opened.text);
    expect(checkpoint.origin).toBe(after.origin);
    expect(checkpoint.size).toBe(Number(after.size));
    expect(hashToHex(checkpoint.rootHash)).toBe(after.root_hash);
  });

  it("signs at every multiple of 256 entries without waiting", async () => {
    const property = await factory.property();
    const log = await logOf();
    const toNext = 256 - (Number(log.size) % 256);
    for (let i = 0; i < toNext + 3; i++) {
      await factory.unit(property.id as string);
    }
    await runAuditPass(server.services);
    const sizes = (
      await server.services.db
        .selectFrom("audit_checkpoints")
        .select("size")
        .where("organization_id", "=", factory.organizationId)
        .execute()
    ).map((r) => Number(r.size));
    const boundary = Math.ceil((Number(log.size) + 1) / 256) * 256;
    expect(sizes).toContain(boundary);
    expect(Number((await logOf()).size)).toBeGreaterThan(boundary);
    expect((await verify()).status).toBe("ok");
  });
});

describe("what the log keeps", () => {
  it("holds no secret and no biometric reference: no PIN, PIN hash, activation code or fingerprint reference", async () => {
    const property = await factory.property();
    const person = await factory.person({ homePropertyId: property.id });
    const issue = (body: Record<string, unknown>) =>
      admin.post<{ credential: { id: string }; activationCode: string | null }>(
        `/api/v1/people/${person.id}/credentials`,
        body,
      );
    const pin = await issue({ kind: "pin" });
    const code = pin.body.activationCode as string;
    const activated = await server
      .client()
      .post("/api/v1/pin-activations", { credentialId: pin.body.credential.id, activationCode: code, pin: "480151" });
    expect(activated.status).toBe(200);
    const fingerprint = await issue({ kind: "fingerprint", fingerprintRef: "reader-9/slot-4", consent: true });
    expect(fingerprint.status).toBe(201);
    await admin.patch(`/api/v1/credentials/${fingerprint.body.credential.id}`, { status: "revoked" });
    await runAuditPass(server.services);
    const secrets = ["480151", code, "reader-9/slot-4", "$argon2"];
    const stored = await server.services.db
      .selectFrom("credentials")
      .select(["pin_hash", "pin_activation_hash"])
      .where("person_id", "=", person.id)
      .execute();
    for (const row of stored) {
      secrets.push(...[row.pin_hash, row.pin_activation_hash].filter((v): v is string => v !== null));
    }
    const s = server.services;
    const rows = await leavesWithRows(s.db, factory.organizationId, 0, 100_000);
    const json = jsonTextFor(s.handle.dialect);
    const texts = rows.map((r) => leafText(r, json)).join("\n");
    expect(rows.length).toBeGreaterThan(0);
    expect(texts).toContain(person.id);
    for (const secret of secrets) {
      expect(texts.includes(secret), `the log holds ${secret}`).toBe(false);
    }
  });
});
