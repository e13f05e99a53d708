/**
 * Building a unit's evidence packet from the database: the checkouts of the unit's keys that overlap the period, every
 * event about the unit or its keys in the period (and each checkout's out and in events, whenever they happened), the
 * leaf bytes of each as the log holds them, and an inclusion proof of each against the latest signed checkpoint —
 * appending what is pending and signing a checkpoint first when the log's last signature does not yet cover them, so
 * a packet always proves the latest events. The API and the command line both build packets here.
 */
import type { Executor } from "@keyward/db/connect";
import {
  EVIDENCE_PACKET_FORMAT,
  EVIDENCE_PACKET_VERSION,
  type EvidencePacket,
  type EvidencePeriod,
  type EvidenceVisit,
  VISITS_NOTE,
} from "@keyward/domain/evidence-packet";
import { hashToHex } from "@keyward/domain/merkle";
import { formatVerifierKey, openNote, verifiedBy } from "@keyward/domain/signed-note";
import { ApiError } from "../errors.ts";
import { type ActorSnapshot, recordEvent } from "../events.ts";
import { inTransaction } from "../http/pipeline.ts";
import type { Services } from "../services.ts";
import { runAuditPass } from "./audit-worker.ts";
import { jsonTextFor, leafText, loadLeafRows } from "./leaf.ts";
import { inclusionProof, latestCheckpoint } from "./proofs.ts";
import { signCheckpointIfDue } from "./sign-checkpoint.ts";

/** A unit with what a packet names about it. */
export interface EvidenceUnit {
  organization: EvidencePacket["organization"];
  property: EvidencePacket["property"];
  unit: EvidencePacket["unit"];
}

/** Loads a unit of the organization with its property, building and organization; null when there is none. */
export async function loadEvidenceUnit(
  db: Executor,
  organizationId: string,
  unitId: string,
): Promise<EvidenceUnit | null> {
  const row = await db
    .selectFrom("units as u")
    .innerJoin("properties as p", "p.id", "u.property_id")
    .innerJoin("organizations as o", "o.id", "u.organization_id")
    .leftJoin("buildings as b", "b.id", "u.building_id")
    .select([
      "u.id",
      "u.number",
      "u.building_id",
      "b.name as building_name",
      "p.id as property_id",
      "p.name as property_name",
      "p.time_zone",
      "o.id as organization_id",
      "o.name as organization_name",
    ])
    .where("u.organization_id", "=", organizationId)
    .where("u.id", "=", unitId)
    .executeTakeFirst();
  if (!row) {
    return null;
  }
  return {
    organization: { id: row.organization_id, name: row.organization_name },
    property: { id: row.property_id, name: row.property_name, timeZone: row.time_zone },
    unit: {
      id: row.id,
      number: row.number,
      building: row.building_id ? { id: row.building_id, name: row.building_name ?? "" } : null,
    },
  };
}

/** The audit log could not vouch for the packet's events; the message says why and what to do. */
function logNotReady(message: string): ApiError {
  return new ApiError("conflict", 409, message, { field: "auditLog" });
}

/**
 * Builds the packet of `unit` for `period`. Appends pending events and signs a checkpoint when needed (each in its own
 * transaction, as the audit worker does), then reads.
 * @throws ApiError conflict when the log refuses to sign (run `keyward audit verify`) or no signing key is configured.
 */
export async function buildEvidencePacket(
  services: Services,
  request: { unit: EvidenceUnit; period: EvidencePeriod; generatedBy: EvidencePacket["generatedBy"] },
): Promise<EvidencePacket> {
  const { db } = services;
  const organizationId = request.unit.organization.id;
  const unitId = request.unit.unit.id;
  const { from, to } = request.period;

  await runAuditPass(services);
  const visits = await loadVisits(db, organizationId, unitId, from, to);
  const keyIds = await keysOfUnit(db, organizationId, unitId, visits);
  const eventIds = await eventsOfUnit(db, organizationId, unitId, keyIds, from, to, visits);
  const leaves = new Map<string, number>();
  for (let i = 0; i < eventIds.length; i += 500) {
    for (const leaf of await db
      .selectFrom("audit_leaves")
      .select(["event_id", "idx"])
      .where("organization_id", "=", organizationId)
      .where("event_id", "in", eventIds.slice(i, i + 500))
      .execute()) {
      leaves.set(leaf.event_id, Number(leaf.idx));
    }
  }
  if (leaves.size !== eventIds.length) {
    throw logNotReady("Some of this unit's events are not in the audit log yet. Try again in a minute.");
  }
  let last = -1;
  for (const index of leaves.values()) {
    last = Math.max(last, index);
  }
  let checkpoint = await latestCheckpoint(db, organizationId);
  if (!checkpoint || checkpoint.size <= last) {
    const signer = services.audit.signer;
    if (!signer) {
      throw logNotReady("No audit signing key is configured here, so the latest events cannot be proven.");
    }
    const outcome = await signCheckpointIfDue(
      db,
      services.handle.dialect,
      signer,
      organizationId,
      services.config.audit.originPrefix,
      services.now(),
      true,
    );
    if (outcome.kind === "refused") {
      throw logNotReady(`The audit log refused a new checkpoint: ${outcome.reason}. Run "keyward audit verify".`);
    }
    checkpoint = await latestCheckpoint(db, organizationId);
  }
  if (!checkpoint || checkpoint.size <= last) {
    throw logNotReady("The audit log has no checkpoint covering this unit's events yet. Try again in a minute.");
  }
  const opened = openNote(checkpoint.note, services.audit.verifierKeys);
  const signedBy = services.audit.verifierKeys.find((k) => verifiedBy(opened, k));
  if (!signedBy) {
    throw logNotReady('The latest checkpoint is not signed by a key this server knows. Run "keyward audit verify".');
  }

  const json = jsonTextFor(services.handle.dialect);
  const rows = new Map((await loadLeafRows(db, organizationId, eventIds)).map((r) => [r.id, r]));
  const ordered = [...leaves].sort((a, b) => a[1] - b[1]);
  const size = checkpoint.size;
  const entries: EvidencePacket["entries"] = [];
  for (const [eventId, index] of ordered) {
    const row = rows.get(eventId);
    if (!row) {
      throw logNotReady(`The event ${eventId} is logged but missing from the database. Run "keyward audit verify".`);
    }
    const proof = await inclusionProof(db, organizationId, index, size);
    entries.push({ index, entry: leafText(row, json), proof: proof.map(hashToHex) });
  }

  return {
    format: EVIDENCE_PACKET_FORMAT,
    version: EVIDENCE_PACKET_VERSION,
    organization: request.unit.organization,
    property: request.unit.property,
    unit: request.unit.unit,
    period: request.period,
    generatedAt: services.now().toISOString(),
    generatedBy: request.generatedBy,
    checkpoint: {
      note: checkpoint.note,
      verifierKey: formatVerifierKey(signedBy),
      size,
      rootHash: checkpoint.rootHash,
    },
    entries,
    visits: { derived: true, note: VISITS_NOTE, items: visits },
  };
}

/** Records that a packet left the system, in its own transaction, once it is built. */
export async function recordPacketExport(
  services: Services,
  packet: EvidencePacket,
  format: "json" | "pdf",
  actor: ActorSnapshot,
): Promise<void> {
  await inTransaction(services, (tx) =>
    recordEvent(tx, {
      organizationId: packet.organization.id,
      propertyId: packet.property.id,
      action: "audit.evidence_packet_exported",
      entityType: "unit",
      entityId: packet.unit.id,
      actor,
      after: {
        unitNumber: packet.unit.number,
        from: packet.period.from,
        to: packet.period.to,
        firstDay: packet.period.firstDay,
        lastDay: packet.period.lastDay,
        format,
        entries: packet.entries.length,
        checkpointSize: packet.checkpoint.size,
      },
      now: services.now(),
    }),
  );
}

/** The file name a packet is offered under: `evidence-<unit>-<first day>-<last day>.<ext>`. */
export function packetFileName(packet: EvidencePacket, extension: "json" | "pdf"): string {
  // why: the name travels in a header and onto people's disks; keep it to characters every system takes
  const unit = packet.unit.number.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60) || "unit";
  return `evidence-${unit}-${packet.period.firstDay}-${packet.period.lastDay}.${extension}`;
}

async function loadVisits(
  db: Executor,
  organizationId: string,
  unitId: string,
  from: string,
  to: string,
): Promise<EvidenceVisit[]> {
  const rows = await db
    .selectFrom("checkouts as c")
    .innerJoin("keys as k", "k.id", "c.key_id")
    .leftJoin("people as h", "h.id", "c.person_id")
    .leftJoin("people as rb", "rb.id", "c.returned_by")
    .leftJoin("reason_codes as r", "r.id", "c.reason_code_id")
    .select([
      "c.id",
      "c.key_id",
      "k.label as key_label",
      "c.person_id",
      "h.first_name as holder_first",
      "h.last_name as holder_last",
      "c.authorized",
      "c.reason_code_id",
      "r.code as reason_code",
      "r.label as reason_label",
      "c.work_order",
      "c.out_at",
      "c.due_at",
      "c.returned_at",
      "c.returned_by",
      "rb.first_name as returner_first",
      "rb.last_name as returner_last",
      "c.out_event_id",
      "c.in_event_id",
    ])
    .where("c.organization_id", "=", organizationId)
    .where("c.unit_id", "=", unitId)
    // why: a visit overlaps [from, to) when the key left before the end and came back (if at all) at or after the start
    .where("c.out_at", "<", to)
    .where((eb) => eb.or([eb("c.returned_at", "is", null), eb("c.returned_at", ">=", from)]))
    .orderBy("c.out_at")
    .orderBy("c.id")
    .execute();
  const named = (id: string | null, first: string | null, last: string | null) =>
    id ? { id, name: `${first ?? ""} ${last ?? ""}`.trim() } : null;
  return rows.map((c) => ({
    checkoutId: c.id,
    key: { id: c.key_id, label: c.key_label },
    takenBy: named(c.person_id, c.holder_first, c.holder_last),
    takenAt: c.out_at,
    authorized: Boolean(c.authorized),
    reason:
      c.reason_code_id && c.reason_code !== null
        ? { id: c.reason_code_id, code: c.reason_code, label: c.reason_label ?? c.reason_code }
        : null,
    workOrder: c.work_order,
    dueAt: c.due_at,
    returnedAt: c.returned_at,
    returnedBy: named(c.returned_by, c.returner_first, c.returner_last),
    durationSeconds:
      c.returned_at === null ? null : Math.round((Date.parse(c.returned_at) - Date.parse(c.out_at)) / 1000),
    outEventId: c.out_event_id,
    inEventId: c.in_event_id,
  }));
}

/** The unit's keys: those it holds now (directly or through a key set) and those that left as its keys. */
async function keysOfUnit(
  db: Executor,
  organizationId: string,
  unitId: string,
  visits: readonly EvidenceVisit[],
): Promise<string[]> {
  const rows = await db
    .selectFrom("keys")
    .select("id")
    .where("organization_id", "=", organizationId)
    .where((eb) =>
      eb.or([
        eb("unit_id", "=", unitId),
        eb(
          "key_set_id",
          "in",
          eb
            .selectFrom("key_sets")
            .select("id")
            .where("organization_id", "=", organizationId)
            .where("unit_id", "=", unitId),
        ),
      ]),
    )
    .execute();
  return [...new Set([...rows.map((r) => r.id), ...visits.map((v) => v.key.id)])];
}

async function eventsOfUnit(
  db: Executor,
  organizationId: string,
  unitId: string,
  keyIds: readonly string[],
  from: string,
  to: string,
  visits: readonly EvidenceVisit[],
): Promise<string[]> {
  const ids = new Set<string>();
  const inPeriod = db
    .selectFrom("events")
    .select("id")
    .where("organization_id", "=", organizationId)
    .where("occurred_at", ">=", from)
    .where("occurred_at", "<", to);
  for (const r of await inPeriod.where("entity_type", "=", "unit").where("entity_id", "=", unitId).execute()) {
    ids.add(r.id);
  }
  for (let i = 0; i < keyIds.length; i += 500) {
    const chunk = keyIds.slice(i, i + 500);
    for (const r of await inPeriod.where("entity_type", "=", "key").where("entity_id", "in", chunk).execute()) {
      ids.add(r.id);
    }
  }
  // why: a visit that began before the period (or ends after it) still brings both of its events, so each is proven
  for (const v of visits) {
    ids.add(v.outEventId);
    if (v.inEventId) {
      ids.add(v.inEventId);
    }
  }
  return [...ids];
}
