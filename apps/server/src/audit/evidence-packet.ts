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

/** An event row as the selection reads it. */
interface EventRow {
  id: string;
  seq: number;
  occurred_at: string;
  action: string;
  entity_id: string | null;
  before: string | null;
  after: string | null;
}

const EVENT_COLUMNS = ["id", "seq", "occurred_at", "action", "entity_id", "before", "after"] as const;
const OUT_ACTIONS = ["key.taken", "key.removed_without_session"];
/** How far a cabinet's clock may be off another's, for finding the other half of a visit. */
const SKEW_MS = 86_400_000;
const PAGE = 100;

function parsed(text: string | null): Record<string, unknown> {
  const value = text === null ? null : (JSON.parse(text) as unknown);
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The event as an audit entry without its cabinet part: enough to read which checkout it opened or closed. */
function asEntry(row: EventRow, organizationId: string): AuditEntry {
  return {
    v: 1,
    event: {
      id: row.id,
      organizationId,
      propertyId: null,
      occurredAt: row.occurred_at,
      action: row.action,
      entityType: "key",
      entityId: row.entity_id,
      actorType: "",
      actorId: null,
      actor: null,
      before: null,
      after: parsed(row.after),
    },
  } as AuditEntry;
}

/** A point in the log's order of events: when it happened, then the order it was recorded in. */
type Point = { at: string; seq: number };
const before = (a: Point, b: Point) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/**
 * The state of one record (a key's unit and key set, or a key set's unit) through time, replayed from its logged
 * `*.created` and `*.updated` events. Before the first of them it is what that event's `before` says, or (for a record
 * logged without a `created` event, and a field no change ever touched) what the row holds now.
 */
class Timeline {
  private readonly changes: { point: Point; created: boolean; after: Record<string, unknown> }[];
  private readonly initial: Record<string, unknown> | null;

  constructor(rows: readonly EventRow[], current: Record<string, unknown> | null, fields: readonly string[]) {
    const sorted = [...rows].sort((a, b) => (before(point(a), point(b)) ? -1 : 1));
    this.changes = sorted.map((r) => ({ point: point(r), created: r.action.endsWith(".created"), after: parsed(r.after) }));
    if (this.changes.some((c) => c.created)) {
      this.initial = null;
    } else {
      const initial: Record<string, unknown> = {};
      for (const field of fields) {
        const first = sorted.find((r) => field in parsed(r.after));
        initial[field] = first ? (parsed(first.before)[field] ?? null) : (current?.[field] ?? null);
      }
      this.initial = initial;
    }
  }

  /** The state just before `at` (or just after it, with `inclusive`); null when the record did not exist. */
  stateAt(at: Point, inclusive: boolean): Record<string, unknown> | null {
    let state = this.initial;
    for (const c of this.changes) {
      if (!(before(c.point, at) || (inclusive && c.point.at === at.at && c.point.seq === at.seq))) {
        break;
      }
      state = c.created ? { ...c.after } : { ...(state ?? {}), ...c.after };
    }
    return state;
  }
}

function point(row: EventRow): Point {
  return { at: row.occurred_at, seq: Number(row.seq) };
}

/**
 * Which units each key belonged to at any point of the log: directly, or through the key set it was in. Built from the
 * logged changes of the keys that ever named the unit (or one of its key sets) and of the key sets they were ever in.
 */
class Membership {
  private constructor(
    private readonly keys: Map<string, Timeline>,
    private readonly sets: Map<string, Timeline>,
  ) {}

  static async load(db: Executor, organizationId: string, unitId: string): Promise<Membership> {
    const changes = (entityType: string) =>
      db
        .selectFrom("events")
        .select(EVENT_COLUMNS)
        .where("organization_id", "=", organizationId)
        .where("entity_type", "=", entityType)
        .where("action", "in", [`${entityType === "key" ? "key" : "key_set"}.created`, `${entityType === "key" ? "key" : "key_set"}.updated`]);
    const naming = (ids: readonly string[]) => (eb: ExpressionBuilder<DB, "events">) =>
      eb.or(
        ids.flatMap((id) => [
          eb(sql<string>`cast(${sql.ref("before")} as text)`, "like", `%${id}%`),
          eb(sql<string>`cast(${sql.ref("after")} as text)`, "like", `%${id}%`),
        ]),
      );
    const setIds = new Set(
      (
        await db
          .selectFrom("key_sets")
          .select("id")
          .where("organization_id", "=", organizationId)
          .where("unit_id", "=", unitId)
          .execute()
      ).map((r) => r.id),
    );
    // why: a key set that was the unit's once still names it in a logged change; the text match is confirmed below
    for (const r of await changes("keySet").where(naming([unitId])).execute()) {
      const [b, a] = [parsed(r.before), parsed(r.after)];
      if ((b.unitId === unitId || a.unitId === unitId) && r.entity_id) {
        setIds.add(r.entity_id);
      }
    }
    const keyIds = new Set<string>();
    let current = db
      .selectFrom("keys")
      .select("id")
      .where("organization_id", "=", organizationId)
      .where((eb) =>
        eb.or([eb("unit_id", "=", unitId), ...(setIds.size > 0 ? [eb("key_set_id", "in", [...setIds])] : [])]),
      );
    for (const r of await current.execute()) {
      keyIds.add(r.id);
    }
    for (const r of await changes("key").where(naming([unitId, ...setIds])).execute()) {
      const [b, a] = [parsed(r.before), parsed(r.after)];
      const named = [b.unitId, a.unitId, b.keySetId, a.keySetId];
      if (r.entity_id && (named.includes(unitId) || named.some((v) => typeof v === "string" && setIds.has(v)))) {
        keyIds.add(r.entity_id);
      }
    }
    current = db.selectFrom("keys").select("id").where("organization_id", "=", organizationId);
    const keyRows = await loadChanges(changes("key"), [...keyIds]);
    const keyNow = await loadRows(db, "keys", organizationId, [...keyIds]);
    const allSets = new Set(setIds);
    for (const id of keyIds) {
      for (const r of keyRows.get(id) ?? []) {
        for (const v of [parsed(r.before).keySetId, parsed(r.after).keySetId]) {
          if (typeof v === "string") {
            allSets.add(v);
          }
        }
      }
      const set = keyNow.get(id)?.keySetId;
      if (typeof set === "string") {
        allSets.add(set);
      }
    }
    const setRows = await loadChanges(changes("keySet"), [...allSets]);
    const setNow = await loadRows(db, "key_sets", organizationId, [...allSets]);
    const keys = new Map(
      [...keyIds].map((id) => [
        id,
        new Timeline(keyRows.get(id) ?? [], keyNow.get(id) ?? null, ["unitId", "keySetId"]),
      ]),
    );
    const sets = new Map(
      [...allSets].map((id) => [id, new Timeline(setRows.get(id) ?? [], setNow.get(id) ?? null, ["unitId"])]),
    );
    return new Membership(keys, sets);
  }

  /** The keys that ever belonged to the unit. */
  keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** The key sets that ever belonged to the unit, or held one of its keys. */
  setIds(): string[] {
    return [...this.sets.keys()];
  }

  /** The units a key belonged to just before (or, with `inclusive`, just after) a point. */
  unitsOfKey(keyId: string, at: Point, inclusive: boolean): (string | null)[] {
    const state = this.keys.get(keyId)?.stateAt(at, inclusive);
    if (!state) {
      return [];
    }
    const set = typeof state.keySetId === "string" ? this.sets.get(state.keySetId)?.stateAt(at, inclusive) : null;
    return [state.unitId as string | null, (set?.unitId ?? null) as string | null];
  }

  /** Whether a key event concerns the unit: the key was the unit's just before it or just after it. */
  keyEventOf(unitId: string, row: EventRow): boolean {
    const at = point(row);
    return [
      ...this.unitsOfKey(row.entity_id ?? "", at, false),
      ...this.unitsOfKey(row.entity_id ?? "", at, true),
    ].includes(unitId);
  }

  /** Whether a key set event concerns the unit: the set was the unit's just before it or just after it. */
  setEventOf(unitId: string, row: EventRow): boolean {
    const timeline = this.sets.get(row.entity_id ?? "");
    const at = point(row);
    return [timeline?.stateAt(at, false)?.unitId, timeline?.stateAt(at, true)?.unitId].includes(unitId);
  }
}
