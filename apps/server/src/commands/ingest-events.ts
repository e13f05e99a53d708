/**
 * Stores a cabinet's uploaded events exactly once and updates the projections they drive (checkouts, key locations,
 * the cabinet's state, commands), all in one transaction. The chain is checked against the device's stored head under
 * a lock on the device row, so two uploads of one device cannot interleave.
 *
 * why batched: a cabinet back from a long outage uploads hundreds of events; every key, person and checkout the batch
 * touches is loaded in one query each and the rows are written in batches, never one round trip per event.
 */
import { randomUUID } from "node:crypto";
import {
  CABINET_ALARMS,
  CabinetEventData,
  type CabinetEventType,
  type UploadedEvent,
  type UploadResponse,
} from "@keyward/contracts/cabinet-sync";
import type { LiveTopic } from "@keyward/contracts/custody";
import { chunked } from "@keyward/db/chunks";
import type { Tx } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import type { CabinetEventTable, CheckoutTable, EventTable } from "@keyward/db/schema";
import { ALERTING_ACTIONS, alertsForEvent } from "@keyward/domain/alerts";
import { canonicalJson, sha256Hex } from "@keyward/domain/event-chain";
import type { Insertable } from "kysely";
import { sql } from "kysely";
import { type RaiseRequest, raiseAlerts } from "../alerts/raise-alerts.ts";
import { queueForAudit } from "../audit/queue-for-audit.ts";
import { bumpSnapshotVersions, lockPeopleReach } from "../cabinet/snapshot-version.ts";
import { SyncError } from "../cabinet/sync-errors.ts";
import type { ActorSnapshot } from "../events.ts";
import { afterCommit } from "../live/after-commit.ts";

/** The device as authenticated. */
export interface IngestDevice {
  id: string;
  organizationId: string;
  propertyId: string;
  cabinetId: string;
}

type Data<T extends CabinetEventType> = ReturnType<(typeof CabinetEventData)[T]["parse"]>;
const ALARMS: ReadonlySet<string> = new Set(CABINET_ALARMS);
const DOOR_STATE: Partial<Record<CabinetEventType, "open" | "closed">> = {
  "door.opened": "open",
  "door.held_open": "open",
  "door.forced": "open",
  "door.closed": "closed",
};
/** Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters. */
const CHUNK = 200;

/** Validates every event's data against its type; the parsed data drives projections, the raw data is what is kept. */
export function parseEventData(events: readonly UploadedEvent[]): Record<string, unknown>[] {
  return events.map((e) => {
    const parsed = CabinetEventData[e.type].safeParse(e.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SyncError(
        "malformed_upload",
        `Event ${e.seq} (${e.type}): ${issue ? `${issue.path.join(".") || "data"}: ${issue.message}` : "invalid data"}.`,
      );
    }
    return parsed.data as Record<string, unknown>;
  });
}

async function insertChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (const part of chunked(rows, CHUNK)) {
    await insert(part);
  }
}

interface KeyRow {
  id: string;
  property_id: string;
  unit_id: string | null;
  status: string;
  cabinet_id: string | null;
  hook_number: number | null;
  kind: string;
  restricted: number;
}

interface PlannedCheckout extends Insertable<CheckoutTable> {
  id: string;
}

/** One report of a PIN's lockout in the batch: a verified wrong PIN with the count after it, or a matching PIN. */
type PinReport = { credentialId: string; at: string } & ({ failures: number } | { failures: null });

/** A PIN credential's lockout as stored, and as the batch leaves it. */
interface PinLockoutRow {
  personId: string;
  failures: number;
  lastFailureAt: string | null;
  stored: { failures: number; lastFailureAt: string | null };
  /** When a manager last reset the PIN or its owner last set one: reports of earlier events concern the old PIN. */
  pinChangedAt: string | null;
}

/** The PIN lockout reports among the batch's events, in order. */
function pinReportsOf(events: readonly UploadedEvent[], data: readonly Record<string, unknown>[]): PinReport[] {
  const reports: PinReport[] = [];
  events.forEach((e, i) => {
    const at = new Date(e.occurredAt).toISOString();
    if (e.type === "cabinet.identification_failed") {
      const d = data[i] as Data<"cabinet.identification_failed">;
      // why: the agent names the count only after a PIN it verified; a try refused during the pause is no failure
      if (d.factor === "pin" && d.credentialId && d.pinFailures !== undefined && d.pinFailures > 0) {
        reports.push({ credentialId: d.credentialId, at, failures: d.pinFailures });
      }
    } else if (e.type === "cabinet.identified") {
      const d = data[i] as Data<"cabinet.identified">;
      if (d.pinCredentialId) {
        reports.push({ credentialId: d.pinCredentialId, at, failures: null });
      }
    }
  });
  return reports;
}

/**
 * Replays the batch's reports on the stored lockouts. Cabinets report independently and their uploads interleave, so
 * a failure keeps the highest count reported and the latest failure; a success clears only failures before it.
 */
function applyPinReports(lockouts: ReadonlyMap<string, PinLockoutRow>, reports: readonly PinReport[]): void {
  for (const r of reports) {
    const row = lockouts.get(r.credentialId);
    if (!row || (row.pinChangedAt !== null && r.at <= row.pinChangedAt)) {
      continue;
    }
    if (r.failures !== null) {
      row.failures = Math.max(row.failures, r.failures);
      row.lastFailureAt = row.lastFailureAt === null || r.at > row.lastFailureAt ? r.at : row.lastFailureAt;
    } else if (row.lastFailureAt === null || r.at > row.lastFailureAt) {
      row.failures = 0;
      row.lastFailureAt = null;
    }
  }
}

/**
 * @param events consecutive, internally checked (`checkBatch`), signed by the device; `data` already validated.
 * @throws chain_fork, sequence_gap, device_retired.
 */
export async function ingestEvents(
  tx: Tx,
  dialect: Dialect,
  device: IngestDevice,
  events: readonly UploadedEvent[],
  parsed: readonly Record<string, unknown>[],
  now: Date,
  headSignature: string,
): Promise<UploadResponse> {
  const iso = now.toISOString();
  const org = device.organizationId;
  let head = tx
    .selectFrom("cabinet_devices")
    .select(["status", "last_seq", "last_hash"])
    .where("organization_id", "=", org)
    .where("id", "=", device.id);
  if (dialect === "postgres") {
    // why: two uploads of one device (a retry racing the original) must see each other's head; SQLite serializes writers
    head = head.forUpdate();
  }
  const stored = await head.executeTakeFirstOrThrow();
  if (stored.status !== "active") {
    throw new SyncError("device_retired", "This cabinet was enrolled again; this device may no longer upload.");
  }
  const first = events[0];
  const last = events[events.length - 1];
  if (!first || !last) {
    throw new SyncError("malformed_upload", "An upload carries at least one event.");
  }
  const lastSeq = Number(stored.last_seq);
  const expected = { expectedSeq: lastSeq + 1, headHash: stored.last_hash };
  if (first.seq > lastSeq + 1) {
    throw new SyncError(
      "sequence_gap",
      `Events ${lastSeq + 1} to ${first.seq - 1} are missing; upload from ${lastSeq + 1}.`,
      expected,
    );
  }
  const overlap = events.filter((e) => e.seq <= lastSeq);
  if (overlap.length > 0) {
    const known = await tx
      .selectFrom("cabinet_events")
      .select(["seq", "hash"])
      .where("device_id", "=", device.id)
      .where("seq", ">=", first.seq)
      .where("seq", "<=", Math.min(last.seq, lastSeq))
      .execute();
    const hashes = new Map(known.map((k) => [Number(k.seq), k.hash]));
    const differs = overlap.find((e) => hashes.get(e.seq) !== e.hash);
    if (differs) {
      throw new SyncError(
        "chain_fork",
        `Event ${differs.seq} differs from the one stored; this device's chain has forked.`,
        expected,
      );
    }
  }
  const fresh = events.filter((e) => e.seq > lastSeq);
  const freshData = parsed.slice(events.length - fresh.length);
  const firstFresh = fresh[0];
  if (!firstFresh) {
    return { acknowledgedSeq: lastSeq, stored: 0, duplicates: overlap.length };
  }
  if (firstFresh.prevHash !== stored.last_hash) {
    throw new SyncError("chain_fork", `Event ${firstFresh.seq} does not continue the stored chain.`, expected);
  }

  // ------------------------------------------------------------ load what the batch touches, one query each
  const keyIds = new Set<string>();
  const personIds = new Set<string>();
  const reasonIds = new Set<string>();
  fresh.forEach((_, i) => {
    const d = freshData[i] as { keyId?: string | null; personId?: string | null; reasonCodeId?: string | null };
    if (d.keyId) {
      keyIds.add(d.keyId);
    }
    if (d.personId) {
      personIds.add(d.personId);
    }
    if (d.reasonCodeId) {
      reasonIds.add(d.reasonCodeId);
    }
  });
  const cabinet = await tx
    .selectFrom("cabinets")
    .select(["name", "modules", "hooks_per_module"])
    .where("organization_id", "=", org)
    .where("id", "=", device.cabinetId)
    .executeTakeFirstOrThrow();
  // why: a hook number the cabinet does not have (a faulty reader, a misconfigured driver) must not place a key on it;
  // the key is then in the cabinet on no known hook, and the event says so
  const hookExists = (hook: number) => hook >= 1 && hook <= cabinet.modules * cabinet.hooks_per_module;
  const keys = new Map<string, KeyRow>();
  if (keyIds.size > 0) {
    // why: a cabinet hangs its own property's keys; an id of any other key is noted as unknown and touches nothing
    for (const k of await tx
      .selectFrom("keys")
      .select(["id", "property_id", "unit_id", "status", "cabinet_id", "hook_number", "kind", "restricted"])
      .where("organization_id", "=", org)
      .where("property_id", "=", device.propertyId)
      .where("id", "in", [...keyIds])
      .execute()) {
      keys.set(k.id, k);
    }
  }
  const people = new Map<string, string>();
  if (personIds.size > 0) {
    for (const p of await tx
      .selectFrom("people")
      .select(["id", "first_name", "last_name"])
      .where("organization_id", "=", org)
      .where("id", "in", [...personIds])
      .execute()) {
      people.set(p.id, `${p.first_name} ${p.last_name}`);
    }
  }
  const reasons = new Set<string>();
  if (reasonIds.size > 0) {
    for (const r of await tx
      .selectFrom("reason_codes")
      .select("id")
      .where("organization_id", "=", org)
      .where("id", "in", [...reasonIds])
      .execute()) {
      reasons.add(r.id);
    }
  }
  const pinReports = pinReportsOf(fresh, freshData);
  const lockouts = new Map<string, PinLockoutRow>();
  const pinIds = [...new Set(pinReports.map((r) => r.credentialId))].sort();
  if (pinIds.length > 0) {
    let rows = tx
      .selectFrom("credentials")
      .select(["id", "person_id", "pin_failures", "pin_last_failure_at"])
      .where("organization_id", "=", org)
      .where("kind", "=", "pin")
      .where("id", "in", pinIds)
      .orderBy("id");
    if (dialect === "postgres") {
      // why: two cabinets' uploads about one PIN must not both read the old count and overwrite each other
      rows = rows.forUpdate();
    }
    const changes = await tx
      .selectFrom("events")
      .select(["entity_id", (eb) => eb.fn.max("occurred_at").as("changedAt")])
      .where("organization_id", "=", org)
      .where("entity_type", "=", "credential")
      .where("entity_id", "in", pinIds)
      .where("action", "in", ["credential.pin_reset", "credential.pin_set"])
      .groupBy("entity_id")
      .execute();
    const changedAt = new Map(changes.map((c) => [c.entity_id, new Date(c.changedAt).toISOString()]));
    for (const c of await rows.execute()) {
      const stored = { failures: Number(c.pin_failures), lastFailureAt: c.pin_last_failure_at };
      lockouts.set(c.id, { personId: c.person_id, ...stored, stored, pinChangedAt: changedAt.get(c.id) ?? null });
    }
    applyPinReports(lockouts, pinReports);
  }
  /** The open checkout of each key, as stored before this batch: id only. */
  const openStored = new Map<string, string>();
  /** Who holds each stored open checkout, by checkout id (whose keys out a return changes). */
  const holders = new Map<string, string>();
  if (keys.size > 0) {
    for (const c of await tx
      .selectFrom("checkouts")
      .select(["id", "key_id", "person_id"])
      .where("organization_id", "=", org)
      .where("status", "=", "open")
      .where("key_id", "in", [...keys.keys()])
      .execute()) {
      openStored.set(c.key_id, c.id);
      if (c.person_id) {
        holders.set(c.id, c.person_id);
      }
    }
  }

  // ------------------------------------------------------------ replay the batch in memory
  const eventIds: string[] = fresh.map(() => randomUUID());
  const notes: Record<string, unknown>[] = fresh.map(() => ({}));
  /** Open checkout per key as the batch goes: a stored id, or a planned one. */
  const open = new Map<string, { id: string; planned: PlannedCheckout | null }>(
    [...openStored].map(([keyId, id]) => [keyId, { id, planned: null }]),
  );
  const planned: PlannedCheckout[] = [];
  /** Who held each key returned in the batch, by event index (for "returned by someone else"). */
  const returnHolders = new Map<number, string | null>();
  const closes: { id: string; keyId: string; set: Partial<CheckoutTable> }[] = [];
  const keyFinal = new Map<string, { status: string; cabinet_id: string | null; hook_number: number | null }>();
  const commandsExecuted: { id: string; at: string }[] = [];
  let door: "open" | "closed" | null = null;
  let alarms = 0;
  let lastAlarm: { action: string; at: string } | null = null;
  let snapshotApplied: number | null = null;
  let lastEventAt = "";
  const person = (id: string | null | undefined) => (id && people.has(id) ? id : null);

  /** Opens a checkout for a key that left this cabinet at `at`; `fields` are what differs between the ways out. */
  const openCheckout = (
    i: number,
    keyId: string,
    checkoutId: string,
    at: string,
    fields: Pick<PlannedCheckout, "person_id" | "authorized" | "hook_out" | "reason_code_id" | "work_order" | "due_at">,
  ) => {
    const key = keys.get(keyId);
    if (!key) {
      notes[i] = { ...notes[i], unknownKey: true };
      return;
    }
    keyFinal.set(keyId, { status: "out", cabinet_id: null, hook_number: null });
    const already = open.get(keyId);
    if (already) {
      // why: two cabinets (or a lost return) can report a key taken twice; the first checkout stands, the event says so
      notes[i] = { ...notes[i], conflict: { openCheckoutId: already.id } };
      return;
    }
    const row: PlannedCheckout = {
      id: checkoutId,
      organization_id: org,
      property_id: key.property_id,
      key_id: keyId,
      unit_id: key.unit_id,
      status: "open",
      ...fields,
      cabinet_id: device.cabinetId,
      out_at: at,
      returned_at: null,
      returned_by: null,
      return_cabinet_id: null,
      hook_in: null,
      out_event_id: eventIds[i] as string,
      in_event_id: null,
      created_at: iso,
      updated_at: iso,
    };
    planned.push(row);
    open.set(keyId, { id: checkoutId, planned: row });
  };

  fresh.forEach((e, i) => {
    const at = new Date(e.occurredAt).toISOString();
    lastEventAt = at > lastEventAt ? at : lastEventAt;
    const eventId = eventIds[i] as string;
    const door_ = DOOR_STATE[e.type];
    if (door_) {
      door = door_;
    }
    if (ALARMS.has(e.type)) {
      alarms += 1;
      lastAlarm = { action: e.type, at };
    }
    switch (e.type) {
      case "key.taken": {
        const d = freshData[i] as Data<"key.taken">;
        openCheckout(i, d.keyId, d.checkoutId, at, {
          person_id: person(d.personId),
          authorized: d.authorized ? 1 : 0,
          hook_out: d.hook,
          reason_code_id: d.reasonCodeId && reasons.has(d.reasonCodeId) ? d.reasonCodeId : null,
          work_order: d.workOrder,
          due_at: d.dueAt ? new Date(d.dueAt).toISOString() : null,
        });
        break;
      }
      case "key.removed_without_session": {
        const d = freshData[i] as Data<"key.removed_without_session">;
        if (d.keyId) {
          // why: derived from (device, seq), so the checkout id is the same however often the event arrives
          const id = `u-${sha256Hex(`${device.id}:${e.seq}`).slice(0, 32)}`;
          openCheckout(i, d.keyId, id, at, {
            person_id: null,
            authorized: 0,
            hook_out: d.hook,
            reason_code_id: null,
            work_order: null,
            due_at: null,
          });
        }
        break;
      }
      case "key.returned": {
        const d = freshData[i] as Data<"key.returned">;
        if (!keys.has(d.keyId)) {
          notes[i] = { unknownKey: true };
          break;
        }
        const hook = hookExists(d.hook) ? d.hook : null;
        if (hook === null) {
          notes[i] = { unknownHook: true };
        }
        // why: a hook holds one key; whatever the server thought hung there has left it
        for (const [otherId, final] of keyFinal) {
          if (
            hook !== null &&
            otherId !== d.keyId &&
            final.cabinet_id === device.cabinetId &&
            final.hook_number === hook
          ) {
            keyFinal.set(otherId, { ...final, cabinet_id: null, hook_number: null });
          }
        }
        keyFinal.set(d.keyId, { status: "in", cabinet_id: device.cabinetId, hook_number: hook });
        const current = open.get(d.keyId);
        if (!current) {
          notes[i] = { ...notes[i], noOpenCheckout: true };
          break;
        }
        returnHolders.set(i, current.planned ? (current.planned.person_id ?? null) : (holders.get(current.id) ?? null));
        const set = {
          status: "returned",
          returned_at: at,
          returned_by: person(d.personId),
          return_cabinet_id: device.cabinetId,
          hook_in: hook,
          in_event_id: eventId,
          updated_at: iso,
        };
        if (current.planned) {
          Object.assign(current.planned, set);
        } else {
          closes.push({ id: current.id, keyId: d.keyId, set });
        }
        notes[i] = { ...notes[i], checkoutId: current.id };
        open.delete(d.keyId);
        break;
      }
      case "cabinet.snapshot_applied":
        snapshotApplied = (freshData[i] as Data<"cabinet.snapshot_applied">).version;
        break;
      case "cabinet.remote_release_executed":
        commandsExecuted.push({ id: (freshData[i] as Data<"cabinet.remote_release_executed">).commandId, at });
        break;
      default:
        break;
    }
  });

  // ------------------------------------------------------------ write
  const inserted = new Set<string>();
  await insertChunks(planned, async (chunk) => {
    // why: another cabinet's upload may have opened a checkout for the same key a moment ago; the unique index on open
    // checkouts keeps the first, and this one is noted as a conflict instead of failing the whole upload
    const rows = await tx
      .insertInto("checkouts")
      .values(chunk)
      .onConflict((oc) => oc.doNothing())
      .returning("id")
      .execute();
    for (const r of rows) {
      inserted.add(r.id);
    }
  });
  for (const row of planned) {
    if (!inserted.has(row.id)) {
      const i = eventIds.indexOf(row.out_event_id);
      notes[i] = { ...notes[i], conflict: { openCheckoutId: null } };
    }
  }
  // why: rows are locked in id order, the same in every upload, so two cabinets' uploads wait for each other on
  // PostgreSQL instead of deadlocking
  closes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const c of closes) {
    await tx
      .updateTable("checkouts")
      .set(c.set)
      .where("organization_id", "=", org)
      .where("id", "=", c.id)
      .where("status", "=", "open")
      .execute();
  }

  const receivedAt = iso;
  const eventRows: Insertable<EventTable>[] = fresh.map((e, i) => {
    const d = freshData[i] as { personId?: string | null; keyId?: string | null };
    const personId = person(d.personId);
    const actor: ActorSnapshot = personId
      ? { type: "person", id: personId, name: people.get(personId) ?? "" }
      : { type: "cabinet", id: device.cabinetId, name: cabinet.name };
    const isKey = e.type.startsWith("key.") && d.keyId && keys.has(d.keyId);
    return {
      id: eventIds[i] as string,
      organization_id: org,
      property_id: device.propertyId,
      occurred_at: new Date(e.occurredAt).toISOString(),
      action: e.type,
      entity_type: isKey ? "key" : "cabinet",
      entity_id: isKey ? (d.keyId as string) : device.cabinetId,
      actor_type: actor.type,
      actor_id: actor.id,
      actor: canonicalJson(actor),
      before: null,
      after: canonicalJson({
        ...e.data,
        ...notes[i],
        cabinetId: device.cabinetId,
        deviceId: device.id,
        seq: e.seq,
        hash: e.hash,
        receivedAt,
      }),
      source: "cabinet",
    };
  });
  await insertChunks(eventRows, (chunk) => tx.insertInto("events").values(chunk).execute());
  const cabinetRows: Insertable<CabinetEventTable>[] = fresh.map((e, i) => ({
    device_id: device.id,
    seq: e.seq,
    organization_id: org,
    property_id: device.propertyId,
    cabinet_id: device.cabinetId,
    type: e.type,
    occurred_at: e.occurredAt,
    received_at: receivedAt,
    prev_hash: e.prevHash,
    hash: e.hash,
    data: canonicalJson(e.data),
    event_id: eventIds[i] as string,
    // why: the signature vouches for the chain up to the upload's last event, and so for every event before it
    head_signature: i === fresh.length - 1 ? headSignature : null,
  }));
  await insertChunks(cabinetRows, (chunk) => tx.insertInto("cabinet_events").values(chunk).execute());
  await queueForAudit(
    tx,
    org,
    eventRows.map((e) => e.id),
  );

  if (keyFinal.size > 0) {
    const hooksTaken = [...keyFinal.values()]
      .filter((k) => k.cabinet_id === device.cabinetId && k.hook_number !== null)
      .map((k) => k.hook_number as number);
    if (hooksTaken.length > 0) {
      await tx
        .updateTable("keys")
        .set({ cabinet_id: null, hook_number: null, updated_at: iso })
        .where("organization_id", "=", org)
        .where("cabinet_id", "=", device.cabinetId)
        .where("hook_number", "in", hooksTaken)
        .execute();
    }
    for (const [keyId, final] of [...keyFinal].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      await tx
        .updateTable("keys")
        .set({ ...final, updated_at: iso })
        .where("organization_id", "=", org)
        .where("id", "=", keyId)
        .execute();
    }
  }
  for (const c of commandsExecuted) {
    await tx
      .updateTable("cabinet_commands")
      .set({ status: "executed", executed_at: c.at })
      .where("organization_id", "=", org)
      .where("cabinet_id", "=", device.cabinetId)
      .where("id", "=", c.id)
      .where("status", "=", "pending")
      .execute();
  }
  const alarm = lastAlarm as { action: string; at: string } | null;
  await tx
    .updateTable("cabinet_states")
    .set({
      ...(door ? { door } : {}),
      ...(snapshotApplied !== null ? { snapshot_version: snapshotApplied } : {}),
      ...(alarm ? { last_alarm: alarm.action, last_alarm_at: alarm.at } : {}),
      open_alarms: sql<number>`open_alarms + ${alarms}`,
      last_event_at: sql<string>`case when last_event_at is null or last_event_at < ${lastEventAt} then ${lastEventAt} else last_event_at end`,
      last_contact_at: iso,
      updated_at: iso,
    })
    .where("cabinet_id", "=", device.cabinetId)
    .where("organization_id", "=", org)
    .execute();
  await tx
    .updateTable("cabinet_devices")
    .set({ last_seq: last.seq, last_hash: last.hash })
    .where("id", "=", device.id)
    .execute();

  const lockedOut: string[] = [];
  for (const [id, row] of lockouts) {
    if (row.failures === row.stored.failures && row.lastFailureAt === row.stored.lastFailureAt) {
      continue;
    }
    await tx
      .updateTable("credentials")
      .set({ pin_failures: row.failures, pin_last_failure_at: row.lastFailureAt })
      .where("organization_id", "=", org)
      .where("id", "=", id)
      .execute();
    lockedOut.push(row.personId);
  }

  // why: in the upload's transaction, so an alert exists exactly when its event does, and only once however often
  // the upload is retried (a repeated upload stores no fresh events)
  const alertRequests: RaiseRequest[] = [];
  fresh.forEach((e, i) => {
    if (!ALERTING_ACTIONS.has(e.type)) {
      return;
    }
    const d = freshData[i] as { keyId?: string | null; checkoutId?: string | null };
    const key = d.keyId ? keys.get(d.keyId) : undefined;
    const candidates = alertsForEvent({
      eventId: eventIds[i] as string,
      action: e.type,
      occurredAt: new Date(e.occurredAt).toISOString(),
      cabinetId: device.cabinetId,
      data: freshData[i] as Record<string, unknown>,
      key: key ? { id: key.id, kind: key.kind, restricted: Boolean(key.restricted) } : null,
      holderId: returnHolders.get(i) ?? null,
    });
    for (const candidate of candidates) {
      alertRequests.push({
        propertyId: device.propertyId,
        candidate,
        checkoutId: candidate.kind === "restricted_key_taken" ? (d.checkoutId ?? null) : null,
      });
    }
  });
  await raiseAlerts(tx, org, alertRequests, now);

  const custody = keyFinal.size > 0;
  if (custody || lockedOut.length > 0) {
    // why: the keys are this property's; and each holder's keys out (anywhere in the organization, for the keys-out
    // limit) are in the snapshot of every property where that holder has an assignment, so those move too. A PIN's
    // lockout is in the snapshot of every property where its owner has one, so that the next cabinet counts it.
    const custodians = [
      ...planned.filter((c) => inserted.has(c.id)).map((c) => c.person_id),
      ...closes.map((c) => holders.get(c.id)),
    ].filter((id): id is string => typeof id === "string");
    const reach = await lockPeopleReach(tx, org, [...custodians, ...lockedOut]);
    await bumpSnapshotVersions(tx, org, custody ? [device.propertyId, ...reach] : reach, now);
  }
  const topics: LiveTopic[] = custody ? ["checkouts", "keys", "cabinets", "events"] : ["cabinets", "events"];
  afterCommit(tx, {
    channel: "live",
    organizationId: org,
    message: { topics, propertyId: device.propertyId, at: iso },
  });
  return { acknowledgedSeq: last.seq, stored: fresh.length, duplicates: overlap.length };
}
