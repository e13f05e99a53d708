/**
 * Writing to the append-only events table. Every command calls `recordEvent` inside its own transaction, so a change
 * and its event commit together or not at all.
 */
import { randomUUID } from "node:crypto";
import type { LiveTopic } from "@keyward/contracts/custody";
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import type { EventTable } from "@keyward/db/schema";
import type { EventAction } from "@keyward/domain/event-actions";
import { canonicalJson } from "@keyward/domain/event-chain";
import type { Insertable } from "kysely";
import { queueForAudit } from "./audit/queue-for-audit.ts";
import { bumpSnapshotVersions, changesSnapshot, snapshotReachOf } from "./cabinet/snapshot-version.ts";
import { afterCommit } from "./live/after-commit.ts";

/** Who acted, as they were at that moment. */
export interface ActorSnapshot {
  /** `cabinet`: a cabinet acting on its own (a door forced); `person`: someone identified at a cabinet. */
  type: "user" | "system" | "cli" | "cabinet" | "person";
  id: string | null;
  name: string;
  email?: string | null;
  roles?: string[];
}

export interface NewEvent {
  organizationId: string;
  propertyId: string | null;
  action: EventAction;
  entityType: string;
  entityId: string | null;
  actor: ActorSnapshot;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  source?: "api" | "import" | "cli" | "system" | "cabinet";
  now: Date;
}

/** What an open dashboard refetches after a change to a record of this kind. */
function liveTopicsOf(entityType: string): LiveTopic[] {
  switch (entityType) {
    case "key":
    case "keySet":
    case "unit":
    case "building":
      return ["keys", "events"];
    case "cabinet":
    case "hook":
      return ["cabinets", "keys", "events"];
    case "alert":
      return ["alerts", "events"];
    case "person":
      // why: the keys-out board names each holder
      return ["checkouts", "events"];
    default:
      return ["events"];
  }
}

/**
 * Appends one event. The one place every change passes through, so it is also where a change that cabinets must
 * learn of bumps the snapshot versions of the properties it reaches (in the same transaction), and where open
 * dashboards are told, after the commit, what to refetch.
 */
export async function recordEvent(tx: Executor, event: NewEvent): Promise<void> {
  if (!tx.isTransaction) {
    // why: the event and its place in the audit log's queue commit together or not at all; a caller writing one
    // event on its own (a failed sign-in) gets a transaction of its own
    await tx.transaction().execute((own) => recordEvent(own, event));
    return;
  }
  if (changesSnapshot(event.action)) {
    await bumpSnapshotVersions(tx, event.organizationId, await snapshotReachOf(tx, event), event.now);
  }
  const row = eventRow(event);
  await tx.insertInto("events").values(row).execute();
  await queueForAudit(tx, event.organizationId, [row.id]);
  afterCommit(tx, {
    channel: "live",
    organizationId: event.organizationId,
    message: { topics: liveTopicsOf(event.entityType), propertyId: event.propertyId, at: event.now.toISOString() },
  });
}

/**
 * Appends many events of one organization at once (a scheduler pass opening thousands of alerts): the rows in
 * batches, one queue for the audit log. For actions that change no cabinet's snapshot only.
 */
export async function recordEvents(tx: Executor, organizationId: string, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) {
    return;
  }
  if (!tx.isTransaction) {
    await tx.transaction().execute((own) => recordEvents(own, organizationId, events));
    return;
  }
  const rows = events.map((event) => {
    if (event.organizationId !== organizationId || changesSnapshot(event.action)) {
      throw new Error(`recordEvents takes ${organizationId}'s events that change no snapshot; got ${event.action}`);
    }
    return eventRow(event);
  });
  for (const part of chunked(rows, 200)) {
    await tx.insertInto("events").values(part).execute();
  }
  await queueForAudit(
    tx,
    organizationId,
    rows.map((r) => r.id),
  );
  const last = events[events.length - 1] as NewEvent;
  const properties = [...new Set(events.map((e) => e.propertyId))];
  for (const propertyId of properties.length > 20 ? [null] : properties) {
    afterCommit(tx, {
      channel: "live",
      organizationId,
      message: { topics: liveTopicsOf(last.entityType), propertyId, at: last.now.toISOString() },
    });
  }
}

function eventRow(event: NewEvent): Insertable<EventTable> {
  return {
    id: randomUUID(),
    organization_id: event.organizationId,
    property_id: event.propertyId,
    occurred_at: event.now.toISOString(),
    action: event.action,
    entity_type: event.entityType,
    entity_id: event.entityId,
    actor_type: event.actor.type,
    actor_id: event.actor.id,
    // why: canonical (RFC 8785) text, because the audit log hashes it as stored (see audit/leaf.ts)
    actor: canonicalJson(event.actor),
    before: event.before ? canonicalJson(event.before) : null,
    after: event.after ? canonicalJson(event.after) : null,
    // why: the seed, set-up and command-line imports act as the system or the CLI, never as "the API"
    source: event.source ?? (event.actor.type === "user" ? "api" : event.actor.type),
  };
}

/** The fields that differ between two presented records, as before/after halves. */
export function diff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } | null {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === "updatedAt") {
      continue;
    }
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key] ?? null;
      a[key] = after[key] ?? null;
    }
  }
  return Object.keys(a).length === 0 ? null : { before: b, after: a };
}
