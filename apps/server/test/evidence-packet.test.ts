/**
 * A unit's evidence packet over real HTTP on SQLite (and PostgreSQL when KEYWARD_TEST_DATABASE_URL is set): keys of
 * the unit taken and returned through an enrolled test cabinet, the packet taken as the property's manager (JSON and
 * PDF), verified offline by the domain's verifier and by `keyward audit verify-packet` in a child process, and one
 * tampered copy per attack, each refused with the check that caught it named.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type EvidencePacket, verifyEvidencePacket } from "@keyward/domain/evidence-packet";
import { formatVerifierKey, generateNoteSigner, signNote } from "@keyward/domain/signed-note";
import { PDFParse } from "pdf-parse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAuditPass } from "../src/audit/audit-worker.ts";
import { renderEvidencePdf } from "../src/audit/evidence-pdf.ts";
import { latestCheckpoint } from "../src/audit/proofs.ts";
import { countOf } from "./db-probes.ts";
import { TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../../bin/keyward.js");

let server: TestServer;
let factory: Factory;
let manager: ApiClient;
let otherManager: ApiClient;
let unit: Rec;
let key: Rec;
let spare: Rec;
let holder: Rec;
let reason: Rec;
let trustedKey: string;

/** The instant the first key left: 10:00 in Chicago on 1 June 2026 (CDT, UTC−5). */
const TAKEN_AT = Date.parse("2026-06-01T15:00:00.000Z");

function taken(keyId: string, hook: number, workOrder: string | null) {
  return {
    visitId: randomUUID(),
    checkoutId: randomUUID(),
    keyId,
    hook,
    personId: holder.id,
    authorized: true,
    reasonCodeId: reason.id,
    workOrder,
    dueAt: null,
  };
}

async function upload(device: TestDevice): Promise<void> {
  const res = await device.upload();
  expect(res.status, res.text).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer();
  server.clock.ms = TAKEN_AT - 3_600_000;
  trustedKey = formatVerifierKey(server.services.audit.verifierKeys[0] ?? generateNoteSigner("none"));
  factory = await Factory.organization(server.services.db, server.clock.now, "Harbor Keys Ltd");
  const admin = await server.client().login(factory.admin.email, factory.admin.password);
  const property = await factory.property({ name: "Maple Court", timeZone: "America/Chicago" });
  const otherProperty = await factory.property({ name: "Harbor View" });
  const m = await factory.user("property_manager", { type: "property", id: property.id });
  const o = await factory.user("property_manager", { type: "property", id: otherProperty.id });

  const building = await factory.building(property.id, { name: "Building A" });
  unit = await factory.unit(property.id, { number: "A101", buildingId: building.id });
  const neighbour = await factory.unit(property.id, { number: "A102" });
  const cabinet = await factory.cabinet(property.id);
  key = await factory.key(property.id, { unitId: unit.id, cabinetId: cabinet.id, hookNumber: 2, label: "A101 front" });
  spare = await factory.key(property.id, {
    unitId: unit.id,
    cabinetId: cabinet.id,
    hookNumber: 3,
    label: "A101 spare",
  });
  const other = await factory.key(property.id, { unitId: neighbour.id, cabinetId: cabinet.id, hookNumber: 4 });
  holder = await factory.person({ homePropertyId: property.id, firstName: "Tess", lastName: "Tech" });
  reason = await factory.reasonCode({ label: "Plumbing repair" });
  const device = await TestDevice.enroll(admin, cabinet.id, server.clock.now);

  server.clock.ms = TAKEN_AT;
  device.record("key.taken", taken(key.id, 2, "WO-4417"));
  device.record("key.taken", taken(other.id, 4, "WO-9999"));
  await upload(device);
  server.clock.advance(45 * 60_000);
  device.record("key.returned", { visitId: randomUUID(), keyId: key.id, hook: 5, personId: holder.id });
  await upload(device);
  server.clock.advance(24 * 3_600_000);
  device.record("key.taken", taken(spare.id, 3, null));
  await upload(device);
  server.clock.advance(3_600_000);
  // why: signed in once the clock has moved past the visits, so the sessions are fresh
  manager = await server.client().login(m.email, m.password);
  otherManager = await server.client().login(o.email, o.password);
});
afterAll(() => server.close());

const path = (query: string, unitId = unit.id) => `/api/v1/units/${unitId}/evidence-packet?${query}`;

async function packetOf(client: ApiClient, query = "from=2026-06-01&to=2026-06-02"): Promise<EvidencePacket> {
  const res = await client.get<EvidencePacket>(path(query));
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return res.body;
}

/** A deep copy to tamper with. */
function copy(packet: EvidencePacket): EvidencePacket {
  return structuredClone(packet);
}

function failed(packet: unknown, keys: string[] = [trustedKey]): string[] {
  const result = verifyEvidencePacket(packet, keys);
  expect(result.ok).toBe(false);
  return result.checks.filter((c) => !c.ok).map((c) => c.name);
}

/** The index in `packet.entries` of the entry of an event. */
function entryOf(packet: EvidencePacket, eventId: string): number {
  const i = packet.entries.findIndex((e) => (JSON.parse(e.entry) as { event: { id: string } }).event.id === eventId);
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

describe("GET /api/v1/units/:id/evidence-packet", () => {
  it("gives the property's manager a packet of every visit of the unit's keys, with proofs that verify", async () => {
    const res = await manager.get<EvidencePacket>(path("from=2026-06-01&to=2026-06-02"));
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="evidence-A101-2026-06-01-2026-06-02.json"',
    );
    const packet = res.body;
    expect(packet).toMatchObject({
      format: "keyward-evidence-packet",
      version: 1,
      organization: { id: factory.organizationId, name: "Harbor Keys Ltd" },
      property: { name: "Maple Court", timeZone: "America/Chicago" },
      unit: { id: unit.id, number: "A101", building: { name: "Building A" } },
      // why: local midnights in Chicago (UTC−5 in June); `to` is the last day included
      period: { from: "2026-06-01T05:00:00.000Z", to: "2026-06-03T05:00:00.000Z", firstDay: "2026-06-01" },
      generatedBy: { role: "property manager" },
    });
    expect(packet.visits.derived).toBe(true);
    expect(packet.visits.items).toEqual([
      expect.objectContaining({
        key: { id: key.id, label: "A101 front" },
        takenBy: { id: holder.id, name: "Tess Tech" },
        takenAt: new Date(TAKEN_AT).toISOString(),
        reason: expect.objectContaining({ id: reason.id, label: "Plumbing repair" }),
        workOrder: "WO-4417",
        returnedAt: new Date(TAKEN_AT + 45 * 60_000).toISOString(),
        returnedBy: { id: holder.id, name: "Tess Tech" },
        durationSeconds: 45 * 60,
      }),
      expect.objectContaining({ key: { id: spare.id, label: "A101 spare" }, returnedAt: null, durationSeconds: null }),
    ]);
    const actions = packet.entries.map((e) => (JSON.parse(e.entry) as { event: { action: string } }).event.action);
    expect(actions).toEqual(expect.arrayContaining(["unit.created", "key.taken", "key.returned"]));
    // why: the neighbour's key left at the same moment through the same cabinet; it is not this unit's business
    expect(packet.entries.some((e) => e.entry.includes("WO-9999"))).toBe(false);
    expect(packet.entries.every((e) => e.index < packet.checkpoint.size)).toBe(true);

    const result = verifyEvidencePacket(packet, [trustedKey]);
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.key).toMatchObject({ name: "keyward-test", trusted: true, verifierKey: trustedKey });
  });

  it("proves the latest events: it appends what is pending and signs a checkpoint that covers them", async () => {
    const before = await packetOf(manager);
    const device = await TestDevice.enroll(
      await server.client().login(factory.admin.email, factory.admin.password),
      (await factory.cabinet(before.property.id)).id,
      server.clock.now,
    );
    device.record("door.opened", { visitId: null });
    device.record("key.taken", taken(key.id, 1, "WO-5000"));
    await upload(device);
    const after = await packetOf(manager);
    expect(after.checkpoint.size).toBeGreaterThan(before.checkpoint.size);
    const latest = after.visits.items.find((v) => v.workOrder === "WO-5000");
    expect(latest).toBeDefined();
    expect(after.entries[entryOf(after, latest?.outEventId ?? "")]?.index).toBeLessThan(after.checkpoint.size);
    expect(verifyEvidencePacket(after, [trustedKey]).ok).toBe(true);
    device.record("key.returned", { visitId: randomUUID(), keyId: key.id, hook: 2, personId: holder.id });
    await upload(device);
    await runAuditPass(server.services);
  });

  it("derives the visits from the logged events: deleting a checkout row changes nothing in the packet", async () => {
    const before = await packetOf(manager);
    const first = before.visits.items[0] as EvidencePacket["visits"]["items"][number];
    const deleted = await server.services.db
      .deleteFrom("checkouts")
      .where("organization_id", "=", factory.organizationId)
      .where("id", "=", first.checkoutId)
      .executeTakeFirst();
    expect(Number(deleted.numDeletedRows)).toBe(1);
    const after = await packetOf(manager);
    expect(after.visits.items).toEqual(before.visits.items);
    // why: the first packet's export is itself an event of the unit in the period; everything else is the same
    const logged = (p: EvidencePacket) =>
      p.entries.map((e) => e.entry).filter((e) => !e.includes("audit.evidence_packet_exported"));
    expect(logged(after)).toEqual(logged(before));
    expect(verifyEvidencePacket(after, [trustedKey]).ok).toBe(true);
  });

  it("records each export as an event naming the unit, the period and the format", async () => {
    await packetOf(manager, "from=2026-06-01&to=2026-06-01");
    const event = await server.services.db
      .selectFrom("events")
      .select(["entity_type", "entity_id", "after", "actor"])
      .where("organization_id", "=", factory.organizationId)
      .where("action", "=", "audit.evidence_packet_exported")
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ entity_type: "unit", entity_id: unit.id });
    expect(JSON.parse(event.after ?? "{}")).toMatchObject({
      format: "json",
      firstDay: "2026-06-01",
      lastDay: "2026-06-01",
      unitNumber: "A101",
    });
  });

  it("says, without a trusted key, that the packet was checked only with the key it carries", async () => {
    const result = verifyEvidencePacket(await packetOf(manager));
    expect(result.ok).toBe(true);
    expect(result.key).toMatchObject({ trusted: false, verifierKey: trustedKey });
    expect(result.checks.find((c) => c.name === "checkpoint_signature")?.detail).toContain(
      "only with the key the packet carries",
    );
  });

  it("answers a PDF for people: visits, times in the property's zone, the checkpoint, how to verify", async () => {
    const res = await fetch(`${server.url}${path("from=2026-06-01&to=2026-06-02&format=pdf")}`, {
      headers: { cookie: manager.cookie ?? "" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="evidence-A101-2026-06-01-2026-06-02.pdf"',
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    const parser = new PDFParse({ data: bytes });
    const text = (await parser.getText()).text.replace(/\s+/g, " ");
    await parser.destroy();
    // why: the export just recorded is not yet signed, so the latest checkpoint is the one the PDF rests on
    const checkpoint = await latestCheckpoint(server.services.db, factory.organizationId);
    for (const expected of [
      "Key evidence for unit A101",
      "Harbor Keys Ltd",
      "Maple Court",
      "Tess Tech",
      "Plumbing repair",
      "WO-4417",
      // why: 15:00 UTC is 10:00 in Chicago; the return 45 minutes later
      "2026-06-01 10:00",
      "2026-06-01 10:45",
      "45 min",
      "still out",
      "America/Chicago",
      `log size ${checkpoint?.size}, root ${checkpoint?.rootHash}`,
      "keyward audit verify-packet FILE.json",
      "page 1 of 1",
    ]) {
      expect(text).toContain(expected);
    }
  });

  it("repeats the table's header on every page of a long history, and numbers the pages", async () => {
    const packet = await packetOf(manager);
    const visit = packet.visits.items[0] as EvidencePacket["visits"]["items"][number];
    const long = { ...packet, visits: { ...packet.visits, items: Array.from({ length: 120 }, () => visit) } };
    const parser = new PDFParse({ data: new Uint8Array(await renderEvidencePdf(long)) });
    const { pages } = await parser.getText();
    await parser.destroy();
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) {
      const text = page.text.replace(/\s+/g, " ");
      expect(text).toContain("Key Taken by Taken at Reason Work order Returned at Returned by Duration");
      expect(text).toContain(`page ${page.num} of ${pages.length}`);
    }
  });

  it("answers 404 to a manager of another property, and records or signs nothing", async () => {
    const db = server.services.db;
    const events = await countOf(db, "events");
    const checkpoints = await countOf(db, "audit_checkpoints");
    const res = await otherManager.get(path("from=2026-06-01&to=2026-06-02"));
    expect(res.status).toBe(404);
    expect((res.body as { code: string }).code).toBe("not_found");
    expect(await countOf(db, "events")).toBe(events);
    expect(await countOf(db, "audit_checkpoints")).toBe(checkpoints);
  });

  it("answers 404 for a unit of another organization", async () => {
    const other = await Factory.organization(server.services.db, server.clock.now);
    const foreign = await other.unit((await other.property()).id);
    expect((await manager.get(path("from=2026-06-01&to=2026-06-02", foreign.id))).status).toBe(404);
  });

  it.each([
    ["to before from", "from=2026-06-02&to=2026-06-01", "not be before"],
    ["more than 366 days", "from=2026-01-01&to=2027-01-02", "at most 366 days"],
    ["a date that does not exist", "from=2026-02-30&to=2026-03-01", "YYYY-MM-DD"],
    ["a bad format", "from=2026-06-01&to=2026-06-02&format=xml", "format"],
  ])("answers 400 to %s", async (_name, query, message) => {
    const res = await manager.get<{ code: string; message: string }>(path(query));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_input");
    expect(res.body.message).toContain(message);
  });

  it("takes 366 days, counted in the property's days", async () => {
    const packet = await packetOf(manager, "from=2026-01-01&to=2026-12-31");
    // why: 1 January is in CST (UTC−6), the end of 31 December too
    expect(packet.period).toMatchObject({ from: "2026-01-01T06:00:00.000Z", to: "2027-01-01T06:00:00.000Z" });
  });
});

describe("verifyEvidencePacket refuses a tampered packet, naming the check", () => {
  let packet: EvidencePacket;
  beforeAll(async () => {
    packet = await packetOf(manager);
  });

  it("a flipped byte in an entry", () => {
    const bad = copy(packet);
    const i = entryOf(bad, bad.visits.items[0]?.outEventId ?? "");
    const entry = bad.entries[i] as EvidencePacket["entries"][number];
    entry.entry = entry.entry.replace("WO-4417", "WO-4418");
    expect(failed(bad)).toContain("inclusion");
  });

  it("an entry moved to another index", () => {
    const bad = copy(packet);
    const entry = bad.entries[0] as EvidencePacket["entries"][number];
    entry.index += 1;
    expect(failed(bad)).toEqual(["inclusion"]);
  });

  it("a changed proof element", () => {
    const bad = copy(packet);
    const entry = bad.entries.find((e) => e.proof.length > 0) as EvidencePacket["entries"][number];
    const first = entry.proof[0] as string;
    entry.proof[0] = `${first[0] === "0" ? "1" : "0"}${first.slice(1)}`;
    expect(failed(bad)).toEqual(["inclusion"]);
  });

  it("a forged checkpoint signature", () => {
    const bad = copy(packet);
    const note = bad.checkpoint.note;
    const start = note.lastIndexOf("\n\n") + 2;
    const line = note.slice(start).trimEnd();
    const space = line.lastIndexOf(" ");
    const bytes = Buffer.from(line.slice(space + 1), "base64");
    // why: the last byte belongs to the Ed25519 signature; the key id in front still names the real key
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
    bad.checkpoint.note = `${note.slice(0, start)}${line.slice(0, space + 1)}${bytes.toString("base64")}\n`;
    expect(failed(bad)).toEqual(["checkpoint_signature"]);
    // why: the packet's own key does not rescue a forged signature either
    expect(failed(bad, [])).toEqual(["checkpoint_signature"]);
  });

  it("a checkpoint re-signed by a key the organization never published", () => {
    const bad = copy(packet);
    const forger = generateNoteSigner("keyward-test");
    const text = bad.checkpoint.note.slice(0, bad.checkpoint.note.lastIndexOf("\n\n") + 1);
    bad.checkpoint.note = signNote(text, forger);
    bad.checkpoint.verifierKey = formatVerifierKey(forger);
    expect(failed(bad)).toEqual(["checkpoint_signature"]);
    // why: against its own key it is intact, and the result says which key that was for a reader to compare
    const own = verifyEvidencePacket(bad);
    expect(own.ok).toBe(true);
    expect(own.key).toMatchObject({ trusted: false, verifierKey: formatVerifierKey(forger) });
  });

  it("an entry of another organization", async () => {
    const other = await Factory.organization(server.services.db, server.clock.now);
    const otherAdmin = await server.client().login(other.admin.email, other.admin.password);
    const otherUnit = await other.unit((await other.property()).id);
    const res = await otherAdmin.get<EvidencePacket>(path("from=2026-06-01&to=2026-06-30", otherUnit.id));
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const bad = copy(packet);
    bad.entries.push(res.body.entries[0] as EvidencePacket["entries"][number]);
    expect(failed(bad)).toContain("organization");
  });

  it("a visit whose out event was left out of the entries", () => {
    const bad = copy(packet);
    bad.entries.splice(entryOf(bad, bad.visits.items[0]?.outEventId ?? ""), 1);
    expect(failed(bad)).toEqual(["visits"]);
  });

  it("a visit removed from the summary", () => {
    const bad = copy(packet);
    bad.visits.items.splice(0, 1);
    expect(failed(bad)).toEqual(["visits"]);
  });

  const changes: [string, (v: EvidencePacket["visits"]["items"][number]) => void][] = [
    ["who took the key", (v) => (v.takenBy = { id: reason.id, name: "Someone Else" })],
    ["the taker's name", (v) => (v.takenBy = { id: holder.id, name: "Someone Else" })],
    ["whether it was authorized", (v) => (v.authorized = !v.authorized)],
    ["the reason's label", (v) => (v.reason = { id: reason.id, code: "other", label: "Inspection" })],
    ["the reason, dropped", (v) => (v.reason = null)],
    ["the due time", (v) => (v.dueAt = "2026-06-01T20:00:00.000Z")],
    ["the return time", (v) => (v.returnedAt = null)],
    ["who returned it", (v) => (v.returnedBy = null)],
    ["the key's label", (v) => (v.key.label = "A102 front")],
    ["the checkout", (v) => (v.checkoutId = randomUUID())],
  ];
  it.each(changes)("a visit summary with %s changed", (_what, change) => {
    const bad = copy(packet);
    change(bad.visits.items[0] as EvidencePacket["visits"]["items"][number]);
    expect(failed(bad)).toEqual(["visits"]);
  });

  it("a visit summary that says something its events do not", () => {
    const bad = copy(packet);
    const visit = bad.visits.items[0] as EvidencePacket["visits"]["items"][number];
    visit.workOrder = "WO-0000";
    expect(failed(bad)).toEqual(["visits"]);
  });
});

describe("keyward audit verify-packet", () => {
  function run(...args: string[]): Promise<{ code: number | null; out: string }> {
    return new Promise((done) => {
      const child = spawn(process.execPath, [BIN, "audit", "verify-packet", ...args], {
        env: { PATH: process.env.PATH, TZ: "UTC" },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.once("exit", (code) => done({ code, out }));
    });
  }

  it("exits 0 on the packet as issued and 1 on a tampered copy, printing the checks", async () => {
    const packet = await packetOf(manager);
    const folder = mkdtempSync(join(tmpdir(), "keyward-packet-"));
    const good = join(folder, "good.json");
    writeFileSync(good, JSON.stringify(packet));
    const ok = await run(good, "--key", trustedKey);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, key: { trusted: true } });

    const bad = copy(packet);
    (bad.entries[0] as EvidencePacket["entries"][number]).index += 1;
    const tampered = join(folder, "tampered.json");
    writeFileSync(tampered, JSON.stringify(bad));
    const refused = await run(tampered, "--key", trustedKey);
    expect(refused.code).toBe(1);
    const result = JSON.parse(refused.out) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(result.ok).toBe(false);
    expect(result.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["inclusion"]);
    rmSync(folder, { recursive: true, force: true });
  });
});

describe("a key moved from one unit to another", () => {
  let before: Rec;
  let after: Rec;
  let moved: Rec;

  beforeAll(async () => {
    server.clock.ms = Date.parse("2026-07-01T15:00:00.000Z");
    const admin = await server.client().login(factory.admin.email, factory.admin.password);
    const property = unit.propertyId as string;
    before = await factory.unit(property, { number: "B201" });
    after = await factory.unit(property, { number: "B202" });
    const cabinet = await factory.cabinet(property);
    moved = await factory.key(property, { unitId: before.id, cabinetId: cabinet.id, hookNumber: 1, label: "B front" });
    const device = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
    server.clock.advance(60_000);
    device.record("key.taken", taken(moved.id, 1, "WO-B201"));
    await upload(device);
    server.clock.advance(30 * 60_000);
    device.record("key.returned", { visitId: randomUUID(), keyId: moved.id, hook: 1, personId: holder.id });
    await upload(device);
    server.clock.advance(3_600_000);
    // why: signed in again, as the hour since the last sign-in outlasts an idle session
    const res = await (await server.client().login(factory.admin.email, factory.admin.password)).patch(
      `/api/v1/keys/${moved.id}`,
      { unitId: after.id },
    );
    expect(res.status, res.text).toBe(200);
    server.clock.advance(3_600_000);
    device.record("key.taken", taken(moved.id, 1, "WO-B202"));
    await upload(device);
    server.clock.advance(20 * 60_000);
    device.record("key.returned", { visitId: randomUUID(), keyId: moved.id, hook: 1, personId: holder.id });
    await upload(device);
    server.clock.advance(60_000);
  });

  async function packetFor(u: Rec): Promise<EvidencePacket> {
    const admin = await server.client().login(factory.admin.email, factory.admin.password);
    const res = await admin.get<EvidencePacket>(path("from=2026-07-01&to=2026-07-01", u.id));
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(verifyEvidencePacket(res.body, [trustedKey]).ok).toBe(true);
    return res.body;
  }

  const actions = (packet: EvidencePacket) =>
    packet.entries.map((e) => (JSON.parse(e.entry) as { event: { action: string } }).event.action);

  it("shows the earlier unit the visits from while the key was its own, and the move", async () => {
    const packet = await packetFor(before);
    expect(packet.visits.items.map((v) => v.workOrder)).toEqual(["WO-B201"]);
    expect(packet.entries.some((e) => e.entry.includes("WO-B202"))).toBe(false);
    expect(actions(packet)).toEqual(expect.arrayContaining(["key.created", "key.updated"]));
  });

  it("shows the later unit only the visits since the key became its own", async () => {
    const packet = await packetFor(after);
    expect(packet.visits.items.map((v) => v.workOrder)).toEqual(["WO-B202"]);
    expect(packet.entries.some((e) => e.entry.includes("WO-B201"))).toBe(false);
    expect(actions(packet)).toContain("key.updated");
    expect(actions(packet)).not.toContain("key.created");
  });
});
