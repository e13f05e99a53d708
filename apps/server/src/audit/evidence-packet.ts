/**
 * Building a unit's evidence packet from the database: every event about the unit, or about its keys while they were
 * its keys, in the period (and the out and in events of each visit of its keys overlapping the period, whenever they
 * happened), chosen from the logged events alone; the leaf bytes of each as the log holds them, the visits derived
 * from those bytes, and an inclusion proof of each against the latest signed checkpoint —
 * appending what is pending and signing a checkpoint first when the log's last signature does not yet cover them, so
 * a packet always proves the latest events. The API and the command line both build packets here.
 */
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import { type AuditEntry, parseAuditEntry } from "@keyward/domain/audit-entry";
import {
  checkoutClosedBy,
  checkoutOpenedBy,
  deriveVisits,
  EVIDENCE_PACKET_FORMAT,
  EVIDENCE_PACKET_VERSION,
  type EvidencePacket,
  type EvidencePeriod,
  type EvidenceVisit,
  VISITS_NOTE,
  type VisitLabels,
} from "@keyward/domain/evidence-packet";
import { hashToHex } from "@keyward/domain/merkle";
import { formatVerifierKey, openNote, verifiedBy } from "@keyward/domain/signed-note";
import { sql } from "kysely";
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

  await runAuditPass(services, organizationId);
  const membership = await Membership.load(db, organizationId, unitId);
  const eventIds = await eventsOfUnit(db, organizationId, unitId, membership, from, to);
  const leaves = new Map<string, number>();
  for (const part of chunked(eventIds)) {
    for (const leaf of await db
      .selectFrom("audit_leaves")
      .select(["event_id", "idx"])
      .where("organization_id", "=", organizationId)
      .where("event_id", "in", part)
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
  // why: the visits are derived from the very entry bytes the packet proves, by the function the verifier runs
  const logged = entries.map((e) => parseAuditEntry(e.entry));
  const labels = await labelsOf(db, organizationId, deriveVisits(logged, { keys: {}, reasons: {} }));
  const visits = deriveVisits(logged, labels);

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
    visits: { derived: true, note: VISITS_NOTE, unproved: labels, items: visits },
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
    this.changes = sorted.map((r) => ({
      point: point(r),
      created: r.action.endsWith(".created"),
      after: parsed(r.after),
    }));
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
    // why: a key set (or key) that was the unit's once still names it in a logged change; the text match only narrows
    // the search, and each hit is confirmed on the parsed change
    for (const r of await changesNaming(db, organizationId, "keySet", [unitId])) {
      if ((parsed(r.before).unitId === unitId || parsed(r.after).unitId === unitId) && r.entity_id) {
        setIds.add(r.entity_id);
      }
    }
    const keyIds = new Set(
      (
        await db
          .selectFrom("keys")
          .select("id")
          .where("organization_id", "=", organizationId)
          .where((eb) =>
            eb.or([eb("unit_id", "=", unitId), ...(setIds.size > 0 ? [eb("key_set_id", "in", [...setIds])] : [])]),
          )
          .execute()
      ).map((r) => r.id),
    );
    for (const r of await changesNaming(db, organizationId, "key", [unitId, ...setIds])) {
      const named = [parsed(r.before), parsed(r.after)].flatMap((v) => [v.unitId, v.keySetId]);
      if (r.entity_id && named.some((v) => v === unitId || (typeof v === "string" && setIds.has(v)))) {
        keyIds.add(r.entity_id);
      }
    }
    const keyRows = await changesOf(db, organizationId, "key", [...keyIds]);
    const keyNow = await currentRows(db, "keys", organizationId, [...keyIds]);
    const allSets = new Set(setIds);
    for (const id of keyIds) {
      const rows = keyRows.get(id) ?? [];
      const values = [
        ...rows.flatMap((r) => [parsed(r.before).keySetId, parsed(r.after).keySetId]),
        keyNow.get(id)?.keySetId,
      ];
      for (const v of values) {
        if (typeof v === "string") {
          allSets.add(v);
        }
      }
    }
    const setRows = await changesOf(db, organizationId, "keySet", [...allSets]);
    const setNow = await currentRows(db, "key_sets", organizationId, [...allSets]);
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

type Changed = "key" | "keySet";
const CHANGE_ACTIONS: Record<Changed, string[]> = {
  key: ["key.created", "key.updated"],
  keySet: ["key_set.created", "key_set.updated"],
};

function changes(db: Executor, organizationId: string, entityType: Changed) {
  return db
    .selectFrom("events")
    .select(EVENT_COLUMNS)
    .where("organization_id", "=", organizationId)
    .where("entity_type", "=", entityType)
    .where("action", "in", CHANGE_ACTIONS[entityType]);
}

/** The logged changes of keys (or key sets) whose before or after text holds one of `ids`. */
function changesNaming(
  db: Executor,
  organizationId: string,
  entityType: Changed,
  ids: readonly string[],
): Promise<EventRow[]> {
  return changes(db, organizationId, entityType)
    .where((eb) =>
      eb.or(
        ids.flatMap((id) => [
          eb(sql<string>`cast(${sql.ref("before")} as text)`, "like", `%${id}%`),
          eb(sql<string>`cast(${sql.ref("after")} as text)`, "like", `%${id}%`),
        ]),
      ),
    )
    .execute();
}

/** The logged changes of each of the keys (or key sets), by id. */
async function changesOf(
  db: Executor,
  organizationId: string,
  entityType: Changed,
  ids: readonly string[],
): Promise<Map<string, EventRow[]>> {
  const byId = new Map<string, EventRow[]>();
  for (const part of chunked(ids)) {
    for (const r of await changes(db, organizationId, entityType).where("entity_id", "in", part).execute()) {
      const list = byId.get(r.entity_id ?? "") ?? [];
      list.push(r);
      byId.set(r.entity_id ?? "", list);
    }
  }
  return byId;
}

/** The unit and key set each key (or key set) holds now, by id, named as its logged changes name them. */
async function currentRows(
  db: Executor,
  table: "keys" | "key_sets",
  organizationId: string,
  ids: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const part of chunked(ids)) {
    if (table === "keys") {
      for (const r of await db
        .selectFrom("keys")
        .select(["id", "unit_id", "key_set_id"])
        .where("organization_id", "=", organizationId)
        .where("id", "in", part)
        .execute()) {
        byId.set(r.id, { unitId: r.unit_id, keySetId: r.key_set_id });
      }
    } else {
      for (const r of await db
        .selectFrom("key_sets")
        .select(["id", "unit_id"])
        .where("organization_id", "=", organizationId)
        .where("id", "in", part)
        .execute()) {
        byId.set(r.id, { unitId: r.unit_id });
      }
    }
  }
  return byId;
}

/**
 * The events of the unit's packet: the unit's own events in the period; the events in the period of each key (and key
 * set) while it was the unit's, just before or just after the event; and, so each visit of the unit's keys that
 * overlaps the period is whole, the event that took the key out (while it was the unit's) and the one that brought it
 * back, whenever they happened. Read from the logged events alone, never from the checkouts they drive.
 */
async function eventsOfUnit(
  db: Executor,
  organizationId: string,
  unitId: string,
  membership: Membership,
  from: string,
  to: string,
): Promise<string[]> {
  const ids = new Set<string>();
  const inPeriod = (entityType: string) =>
    db
      .selectFrom("events")
      .select(EVENT_COLUMNS)
      .where("organization_id", "=", organizationId)
      .where("entity_type", "=", entityType)
      .where("occurred_at", ">=", from)
      .where("occurred_at", "<", to);
  for (const r of await inPeriod("unit").where("entity_id", "=", unitId).execute()) {
    ids.add(r.id);
  }
  const setIds = membership.setIds();
  for (const part of chunked(setIds)) {
    for (const r of await inPeriod("keySet").where("entity_id", "in", part).execute()) {
      if (membership.setEventOf(unitId, r)) {
        ids.add(r.id);
      }
    }
  }
  const keyIds = membership.keyIds();
  /** Out events of the unit's visits, by checkout, and returns in the period whose out is still to be found. */
  const outs = new Map<string, EventRow>();
  const returns: EventRow[] = [];
  for (const part of chunked(keyIds)) {
    for (const r of await inPeriod("key").where("entity_id", "in", part).execute()) {
      if (!membership.keyEventOf(unitId, r)) {
        continue;
      }
      ids.add(r.id);
      const opened = checkoutOpenedBy(asEntry(r, organizationId));
      if (opened !== null) {
        outs.set(opened, r);
      }
      if (checkoutClosedBy(asEntry(r, organizationId)) !== null) {
        returns.push(r);
      }
    }
  }
  const keyEvents = (keyId: string, actions: string[]) =>
    db
      .selectFrom("events")
      .select(EVENT_COLUMNS)
      .where("organization_id", "=", organizationId)
      .where("entity_type", "=", "key")
      .where("entity_id", "=", keyId)
      .where("action", "in", actions);
  const leftWhileUnits = (r: EventRow) => membership.unitsOfKey(r.entity_id ?? "", point(r), false).includes(unitId);

  // why: a key out when the period began left before it; only the latest checkout opened before it can still be open
  for (const keyId of keyIds) {
    const latest = await keyEvents(keyId, OUT_ACTIONS)
      .where("occurred_at", "<", from)
      .orderBy("occurred_at", "desc")
      .orderBy("seq", "desc")
      .limit(PAGE)
      .execute();
    const open = latest.find((r) => checkoutOpenedBy(asEntry(r, organizationId)) !== null);
    const checkoutId = open ? checkoutOpenedBy(asEntry(open, organizationId)) : null;
    if (open && checkoutId !== null && leftWhileUnits(open)) {
      outs.set(checkoutId, open);
    }
  }
  // why: a return in the period whose key left before it, if the key left as the unit's
  for (const r of returns) {
    const checkoutId = checkoutClosedBy(asEntry(r, organizationId)) as string;
    if (outs.has(checkoutId)) {
      continue;
    }
    const until = new Date(Date.parse(r.occurred_at) + SKEW_MS).toISOString();
    const out = await findPaged(
      (offset) =>
        keyEvents(r.entity_id ?? "", OUT_ACTIONS)
          .where("occurred_at", "<=", until)
          .orderBy("occurred_at", "desc")
          .orderBy("seq", "desc")
          .limit(PAGE)
          .offset(offset)
          .execute(),
      (o) => checkoutOpenedBy(asEntry(o, organizationId)) === checkoutId,
    );
    if (out && leftWhileUnits(out)) {
      outs.set(checkoutId, out);
    }
  }
  for (const [checkoutId, out] of outs) {
    ids.add(out.id);
    const since = new Date(Date.parse(out.occurred_at) - SKEW_MS).toISOString();
    const back = await findPaged(
      (offset) =>
        keyEvents(out.entity_id ?? "", ["key.returned"])
          .where("occurred_at", ">=", since)
          .orderBy("occurred_at")
          .orderBy("seq")
          .limit(PAGE)
          .offset(offset)
          .execute(),
      (r) => checkoutClosedBy(asEntry(r, organizationId)) === checkoutId,
    );
    if (back) {
      ids.add(back.id);
    }
  }
  return [...ids];
}

/** The first row a paged query answers that matches, reading page after page until one does or none are left. */
async function findPaged(
  page: (offset: number) => Promise<EventRow[]>,
  matches: (row: EventRow) => boolean,
): Promise<EventRow | null> {
  for (let offset = 0; ; offset += PAGE) {
    const rows = await page(offset);
    const found = rows.find(matches);
    if (found || rows.length < PAGE) {
      return found ?? null;
    }
  }
}

/** The names of the visits' keys and reasons as the records hold them now: the packet's unproved labels. */
async function labelsOf(db: Executor, organizationId: string, visits: readonly EvidenceVisit[]): Promise<VisitLabels> {
  const labels: VisitLabels = { keys: {}, reasons: {} };
  const keyIds = [...new Set(visits.map((v) => v.key.id))];
  const reasonIds = [...new Set(visits.flatMap((v) => (v.reason ? [v.reason.id] : [])))];
  for (const part of chunked(keyIds)) {
    for (const k of await db
      .selectFrom("keys")
      .select(["id", "label"])
      .where("organization_id", "=", organizationId)
      .where("id", "in", part)
      .execute()) {
      labels.keys[k.id] = k.label;
    }
  }
  for (const part of chunked(reasonIds)) {
    for (const r of await db
      .selectFrom("reason_codes")
      .select(["id", "code", "label"])
      .where("organization_id", "=", organizationId)
      .where("id", "in", part)
      .execute()) {
      labels.reasons[r.id] = { code: r.code, label: r.label };
    }
  }
  return labels;
}
