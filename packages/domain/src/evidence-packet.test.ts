import { utf8ToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AuditEntry, auditEntryText } from "./audit-entry.ts";
import { chainEvent, GENESIS_HASH } from "./event-chain.ts";
import {
  deriveVisits,
  type EvidencePacket,
  type EvidenceVisit,
  evidencePeriod,
  unattendedCheckoutId,
  VISITS_NOTE,
  verifyEvidencePacket,
} from "./evidence-packet.ts";
import { assembleProof, type Hash, hashToHex, inclusionProofNodes, leafHash, type NodeId, rootOf } from "./merkle.ts";
import { formatCheckpoint, formatVerifierKey, generateNoteSigner, signNote } from "./signed-note.ts";

const ORG = "org-1";
const signer = generateNoteSigner("keyward-audit");
const trusted = formatVerifierKey(signer);

function event(id: string, action: string, entityId: string, extra: Partial<AuditEntry["event"]> = {}) {
  return {
    id,
    organizationId: ORG,
    propertyId: "p-1",
    occurredAt: "2026-06-01T15:00:00.000Z",
    action,
    entityType: "key",
    entityId,
    actorType: "person",
    actorId: "person-1",
    actor: { type: "person", id: "person-1", name: "Tess Tech" },
    before: null,
    after: null,
    source: "cabinet",
    ...extra,
  };
}

/** A log of `filler` unrelated entries and a taken/returned pair, and a packet proving the pair and a unit event. */
function packetOver(filler: number): EvidencePacket {
  const taken = chainEvent(
    "device-1",
    { seq: 0, hash: GENESIS_HASH },
    {
      occurredAt: "2026-06-01T15:00:00.000Z",
      type: "key.taken",
      data: {
        checkoutId: "c-1",
        keyId: "key-1",
        authorized: true,
        workOrder: "WO-1",
        reasonCodeId: "reason-1",
        dueAt: "2026-06-01T18:00:00.000Z",
      },
    },
  );
  const out: AuditEntry = {
    v: 1,
    event: event("e-out", "key.taken", "key-1", { after: { ...taken.data, deviceId: "device-1", seq: taken.seq } }),
    cabinet: {
      cabinetId: "cab-1",
      device: "device-1",
      seq: taken.seq,
      prevHash: taken.prevHash,
      hash: taken.hash,
      occurredAt: taken.occurredAt,
      type: taken.type,
      data: taken.data,
      headSignature: null,
      receivedAt: "2026-06-01T15:00:01.000Z",
    },
  };
  const back: AuditEntry = {
    v: 1,
    event: event("e-in", "key.returned", "key-1", {
      occurredAt: "2026-06-01T16:30:00.000Z",
      after: { keyId: "key-1", checkoutId: "c-1" },
    }),
  };
  const unit: AuditEntry = {
    v: 1,
    event: event("e-unit", "unit.updated", "unit-1", { entityType: "unit", actorType: "user" }),
  };
  const texts = [
    ...Array.from({ length: filler }, (_, i) =>
      auditEntryText({ v: 1, event: event(`f-${i}`, "key.created", `k-${i}`) }),
    ),
    auditEntryText(unit),
    auditEntryText(out),
    auditEntryText(back),
  ];
  const leaves = texts.map((t) => leafHash(utf8ToBytes(t)));
  const size = leaves.length;
  const subtree = (id: NodeId): Hash => rootOf(leaves.slice(id.index * 2 ** id.level, (id.index + 1) * 2 ** id.level));
  const note = signNote(
    formatCheckpoint({ origin: `keyward.test/${ORG}`, size, rootHash: rootOf(leaves), extensions: [] }),
    signer,
  );
  const visit: EvidenceVisit = {
    checkoutId: "c-1",
    key: { id: "key-1", label: "A101 front" },
    takenBy: { id: "person-1", name: "Tess Tech" },
    takenAt: "2026-06-01T15:00:00.000Z",
    authorized: true,
    reason: { id: "reason-1", code: "repair", label: "Repair" },
    workOrder: "WO-1",
    dueAt: "2026-06-01T18:00:00.000Z",
    returnedAt: "2026-06-01T16:30:00.000Z",
    returnedBy: { id: "person-1", name: "Tess Tech" },
    durationSeconds: 5400,
    outEventId: "e-out",
    inEventId: "e-in",
  };
  return {
    format: "keyward-evidence-packet",
    version: 1,
    organization: { id: ORG, name: "Org" },
    property: { id: "p-1", name: "Maple Court", timeZone: "America/Chicago" },
    unit: { id: "unit-1", number: "A101", building: null },
    period: {
      from: "2026-06-01T05:00:00.000Z",
      to: "2026-06-02T05:00:00.000Z",
      timeZone: "America/Chicago",
      firstDay: "2026-06-01",
      lastDay: "2026-06-01",
    },
    generatedAt: "2026-06-02T12:00:00.000Z",
    generatedBy: { name: "Manager", role: "property manager" },
    checkpoint: { note, verifierKey: trusted, size, rootHash: hashToHex(rootOf(leaves)) },
    entries: [size - 3, size - 2, size - 1].map((index) => ({
      index,
      entry: texts[index] as string,
      proof: assembleProof(inclusionProofNodes(index, size), subtree).map(hashToHex),
    })),
    visits: {
      derived: true,
      note: VISITS_NOTE,
      unproved: { keys: { "key-1": "A101 front" }, reasons: { "reason-1": { code: "repair", label: "Repair" } } },
      items: [visit],
    },
  };
}

const failing = (packet: unknown, keys = [trusted]) =>
  verifyEvidencePacket(packet, keys)
    .checks.filter((c) => !c.ok)
    .map((c) => c.name);

describe("evidencePeriod", () => {
  it("turns local days into instants at the property's midnights, the last day included", () => {
    expect(evidencePeriod("2026-06-01", "2026-06-30", "America/Chicago")).toEqual({
      period: {
        from: "2026-06-01T05:00:00.000Z",
        to: "2026-07-01T05:00:00.000Z",
        timeZone: "America/Chicago",
        firstDay: "2026-06-01",
        lastDay: "2026-06-30",
      },
    });
  });

  it("spans a daylight-saving change by local days (23-hour day in March)", () => {
    const result = evidencePeriod("2026-03-08", "2026-03-08", "America/Chicago");
    expect(result).toMatchObject({ period: { from: "2026-03-08T06:00:00.000Z", to: "2026-03-09T05:00:00.000Z" } });
  });

  it("takes instants, `to` excluded", () => {
    expect(evidencePeriod("2026-06-01T12:00:00Z", "2026-06-01T18:00:00+02:00", "UTC")).toMatchObject({
      period: { from: "2026-06-01T12:00:00.000Z", to: "2026-06-01T16:00:00.000Z", lastDay: "2026-06-01" },
    });
  });

  it("allows 366 days and refuses 367, reversed periods and dates that do not exist", () => {
    expect(evidencePeriod("2028-01-01", "2028-12-31", "UTC")).toHaveProperty("period");
    expect(evidencePeriod("2027-01-01", "2028-01-02", "UTC")).toEqual({
      problem: "a packet covers at most 366 days; ask for a shorter period",
    });
    expect(evidencePeriod("2026-06-02", "2026-06-01", "UTC")).toHaveProperty("problem");
    expect(evidencePeriod("2026-02-29", "2026-03-01", "UTC")).toHaveProperty("problem");
    expect(evidencePeriod("yesterday", "2026-03-01", "UTC")).toHaveProperty("problem");
  });
});

describe("verifyEvidencePacket", () => {
  it("accepts a packet whose entries are proven against the signed checkpoint, for logs of any size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), (filler) => {
        const result = verifyEvidencePacket(packetOver(filler), [trusted]);
        expect(result.checks.filter((c) => !c.ok)).toEqual([]);
        expect(result.key).toMatchObject({ name: "keyward-audit", trusted: true });
      }),
      { numRuns: 20 },
    );
  });

  it("refuses an entry whose bytes changed, for every byte position of a cabinet entry", () => {
    const packet = packetOver(5);
    const text = packet.entries[1]?.entry as string;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 1 }), (at) => {
        const bad = structuredClone(packet);
        const flipped = String.fromCharCode(text.charCodeAt(at) ^ 0x01);
        (bad.entries[1] as EvidencePacket["entries"][number]).entry = text.slice(0, at) + flipped + text.slice(at + 1);
        expect(failing(bad)).toContain("inclusion");
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a cabinet record that no longer matches its device's hash, even re-proven", () => {
    const packet = packetOver(0);
    const entry = JSON.parse(packet.entries[1]?.entry as string) as AuditEntry;
    (entry.cabinet as NonNullable<AuditEntry["cabinet"]>).data = { keyId: "key-2" };
    const bad = structuredClone(packet);
    (bad.entries[1] as EvidencePacket["entries"][number]).entry = auditEntryText(entry);
    // why: the visit is derived from the device's data, which no longer records checkout c-1
    expect(failing(bad)).toEqual(["inclusion", "cabinet_hashes", "visits"]);
  });

  it("refuses a checkpoint of another organization's log", () => {
    const bad = structuredClone(packetOver(3));
    bad.organization.id = "org-2";
    expect(failing(bad)).toEqual(["checkpoint", "inclusion", "organization"]);
  });

  it("refuses stated size or root that differ from the signed note", () => {
    const bad = structuredClone(packetOver(3));
    bad.checkpoint.size += 1;
    expect(failing(bad)).toEqual(["checkpoint", "inclusion"]);
  });

  it("refuses a visit that claims a longer time out than its events show", () => {
    const bad = structuredClone(packetOver(3));
    (bad.visits.items[0] as EvidenceVisit).durationSeconds = 60;
    expect(failing(bad)).toEqual(["visits"]);
  });

  it("derives the visit from the entries alone: names from the actor snapshots, the rest from the device's data", () => {
    const packet = packetOver(0);
    const entries = packet.entries.map((e) => JSON.parse(e.entry) as AuditEntry);
    expect(deriveVisits(entries, packet.visits.unproved)).toEqual(packet.visits.items);
    // why: without the labels only the names the entries do not carry are missing
    expect(deriveVisits(entries, { keys: {}, reasons: {} })[0]).toMatchObject({
      key: { id: "key-1", label: "" },
      reason: { id: "reason-1", code: "", label: "" },
      takenBy: { id: "person-1", name: "Tess Tech" },
    });
  });

  const tampered: [string, (v: EvidenceVisit) => void][] = [
    ["checkoutId", (v) => (v.checkoutId = "c-2")],
    ["key.id", (v) => (v.key.id = "key-2")],
    ["key.label", (v) => (v.key.label = "A102 front")],
    ["takenBy", (v) => (v.takenBy = { id: "person-2", name: "Tess Tech" })],
    ["takenBy.name", (v) => (v.takenBy = { id: "person-1", name: "Someone Else" })],
    ["takenBy null", (v) => (v.takenBy = null)],
    ["takenAt", (v) => (v.takenAt = "2026-06-01T15:00:01.000Z")],
    ["authorized", (v) => (v.authorized = false)],
    ["reason null", (v) => (v.reason = null)],
    ["reason.id", (v) => (v.reason = { id: "reason-2", code: "repair", label: "Repair" })],
    ["reason.label", (v) => (v.reason = { id: "reason-1", code: "repair", label: "Inspection" })],
    ["workOrder", (v) => (v.workOrder = "WO-2")],
    ["dueAt", (v) => (v.dueAt = null)],
    ["returnedAt", (v) => (v.returnedAt = null)],
    ["returnedBy", (v) => (v.returnedBy = null)],
    ["durationSeconds", (v) => (v.durationSeconds = 60)],
    ["outEventId", (v) => (v.outEventId = "e-unit")],
    ["inEventId", (v) => (v.inEventId = null)],
  ];
  it.each(tampered)("refuses a visit whose %s was changed", (_field, change) => {
    const bad = structuredClone(packetOver(2));
    change(bad.visits.items[0] as EvidenceVisit);
    expect(failing(bad)).toEqual(["visits"]);
  });

  it("refuses a packet whose visits leave out one the entries record, or list one twice", () => {
    const removed = structuredClone(packetOver(2));
    removed.visits.items = [];
    expect(failing(removed)).toEqual(["visits"]);
    const doubled = structuredClone(packetOver(2));
    doubled.visits.items.push(structuredClone(doubled.visits.items[0] as EvidenceVisit));
    expect(failing(doubled)).toEqual(["visits"]);
  });

  it("refuses a visit whose return was left out of the entries, since it then reads as still out", () => {
    const bad = structuredClone(packetOver(2));
    bad.entries.pop();
    expect(failing(bad)).toEqual(["visits"]);
    expect(verifyEvidencePacket(bad).checks.find((c) => c.name === "visits")?.detail).toContain(
      "returnedAt, returnedBy, durationSeconds, inEventId",
    );
  });

  it("accepts a relabelled key or reason only where the packet says the labels are unproved, and says so", () => {
    const relabelled = structuredClone(packetOver(2));
    (relabelled.visits.items[0] as EvidenceVisit).key.label = "Front door";
    relabelled.visits.unproved.keys["key-1"] = "Front door";
    const result = verifyEvidencePacket(relabelled, [trusted]);
    expect(result.ok).toBe(true);
    expect(result.checks.find((c) => c.name === "visits")?.detail).toContain("not proven");
    expect(VISITS_NOTE).toContain("not proven");
  });

  it("gives no visit to an out entry that opened no checkout (a conflict), and requires none", () => {
    const entry = JSON.parse(packetOver(0).entries[1]?.entry as string) as AuditEntry;
    entry.event.after = { ...(entry.event.after as object), conflict: { openCheckoutId: "c-0" } };
    expect(deriveVisits([entry], { keys: {}, reasons: {} })).toEqual([]);
  });

  it("gives a key removed without a session the checkout ingest derives from its device and sequence", () => {
    const entry = JSON.parse(packetOver(0).entries[1]?.entry as string) as AuditEntry;
    entry.event.action = "key.removed_without_session";
    delete entry.cabinet;
    const [visit] = deriveVisits([entry], { keys: {}, reasons: {} });
    expect(visit).toMatchObject({
      checkoutId: unattendedCheckoutId("device-1", 1),
      authorized: false,
      reason: null,
      workOrder: null,
      dueAt: null,
    });
    expect(visit?.checkoutId).toMatch(/^u-[0-9a-f]{32}$/);
  });

  it("refuses a trusted key that is not a key, and a file that is not a packet, without throwing", () => {
    expect(failing(packetOver(1), ["not-a-key"])).toEqual(["checkpoint_signature"]);
    expect(verifyEvidencePacket({ format: "something-else" })).toMatchObject({
      ok: false,
      checks: [{ name: "format" }],
    });
    expect(verifyEvidencePacket(null).ok).toBe(false);
    const missing = structuredClone(packetOver(1)) as Partial<EvidencePacket>;
    delete missing.visits;
    expect(failing(missing)).toEqual(["format"]);
  });
});
