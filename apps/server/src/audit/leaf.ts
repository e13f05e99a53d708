/**
 * Rebuilding audit entries from stored rows, fast. The sequencer and the verifier read thousands of rows a second, so
 * an entry's canonical JSON is assembled by concatenation in RFC 8785 key order instead of building an object and
 * canonicalizing it; `auditEntryText` (the portable definition) must give the same bytes, and a property test holds
 * them to it.
 *
 * why the JSON columns are used verbatim on SQLite: they are stored canonical (see `recordEvent`), so the entry hashes
 * the bytes as kept — re-encoding a stored value, even to an equivalent form, changes the entry and shows. PostgreSQL
 * keeps jsonb, a parsed form with no bytes of its own, which is canonicalized here.
 */
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import { canonicalJson } from "@keyward/domain/event-chain";
import type SqliteDatabase from "better-sqlite3";

/** An event row with its cabinet record (columns prefixed `c_`, null for other events). */
export interface LeafRow {
  id: string;
  organization_id: string;
  property_id: string | null;
  occurred_at: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  actor_type: string;
  actor_id: string | null;
  actor: string;
  before: string | null;
  after: string | null;
  source: string;
  c_cabinet_id: string | null;
  c_device_id: string | null;
  c_seq: number | null;
  c_prev_hash: string | null;
  c_hash: string | null;
  c_occurred_at: string | null;
  c_type: string | null;
  c_data: string | null;
  c_head_signature: string | null;
  c_received_at: string | null;
}

const str = JSON.stringify;
function opt(value: string | null): string {
  return value === null ? "null" : str(value);
}

/** Canonical JSON text of a stored JSON column. */
export type JsonText = (stored: string | null) => string;

/** How a dialect's stored JSON becomes canonical text. */
export function jsonTextFor(dialect: Dialect): JsonText {
  if (dialect === "sqlite") {
    return (stored) => stored ?? "null";
  }
  return (stored) => (stored === null ? "null" : canonicalJson(JSON.parse(stored)));
}

/** The canonical JSON of the audit entry for a row (identical to `auditEntryText` of the same values). */
export function leafText(row: LeafRow, json: JsonText): string {
  const event =
    `{"action":${str(row.action)},"actor":${json(row.actor)},"actorId":${opt(row.actor_id)},` +
    `"actorType":${str(row.actor_type)},"after":${json(row.after)},"before":${json(row.before)},` +
    `"entityId":${opt(row.entity_id)},"entityType":${str(row.entity_type)},"id":${str(row.id)},` +
    `"occurredAt":${str(row.occurred_at)},"organizationId":${str(row.organization_id)},` +
    `"propertyId":${opt(row.property_id)},"source":${str(row.source)}}`;
  if (row.c_device_id === null) {
    return `{"event":${event},"v":1}`;
  }
  const cabinet =
    `{"cabinetId":${str(row.c_cabinet_id)},"data":${json(row.c_data)},"device":${str(row.c_device_id)},` +
    `"hash":${str(row.c_hash)},"headSignature":${opt(row.c_head_signature)},` +
    `"occurredAt":${str(row.c_occurred_at)},"prevHash":${str(row.c_prev_hash)},` +
    `"receivedAt":${str(row.c_received_at)},"seq":${Number(row.c_seq)},"type":${str(row.c_type)}}`;
  return `{"cabinet":${cabinet},"event":${event},"v":1}`;
}

/** The columns of a leaf row, in order (with the leaf's own index and event id first in `leavesWithRows`). */
export const LEAF_COLUMNS = [
  "e.id",
  "e.organization_id",
  "e.property_id",
  "e.occurred_at",
  "e.action",
  "e.entity_type",
  "e.entity_id",
  "e.actor_type",
  "e.actor_id",
  "e.actor",
  "e.before",
  "e.after",
  "e.source",
  "c.cabinet_id as c_cabinet_id",
  "c.device_id as c_device_id",
  "c.seq as c_seq",
  "c.prev_hash as c_prev_hash",
  "c.hash as c_hash",
  "c.occurred_at as c_occurred_at",
  "c.type as c_type",
  "c.data as c_data",
  "c.head_signature as c_head_signature",
  "c.received_at as c_received_at",
] as const;

/** The event columns and the cabinet record of every event, joined. */
export function leafRows(db: Executor) {
  return db.selectFrom("events as e").leftJoin("cabinet_events as c", "c.event_id", "e.id").select(LEAF_COLUMNS);
}

/** A leaf row as `leavesWithRows` gives it. */
export type IndexedLeafRow = LeafRow & { leaf_idx: number; leaf_event_id: string };

/**
 * The same rows as `leavesWithRows`, read through SQLite's driver as arrays. why: the verifier reads a million rows;
 * the driver builds a 25-property object far slower than JavaScript builds one from an array (about 7 µs a row).
 */
export function sqliteLeavesWithRows(
  sqlite: SqliteDatabase.Database,
): (organizationId: string, from: number, limit: number) => IndexedLeafRow[] {
  const columns = LEAF_COLUMNS.map((c) => c.replace(/ as .*$/, "")).join(", ");
  const statement = sqlite
    .prepare(
      `select l.idx, l.event_id, ${columns} from audit_leaves l left join events e on e.id = l.event_id ` +
        "left join cabinet_events c on c.event_id = e.id where l.organization_id = ? and l.idx >= ? order by l.idx limit ?",
    )
    .raw(true);
  return (organizationId, from, limit) =>
    (statement.all(organizationId, from, limit) as unknown[][]).map((r) => ({
      leaf_idx: r[0] as number,
      leaf_event_id: r[1] as string,
      id: r[2] as string,
      organization_id: r[3] as string,
      property_id: r[4] as string | null,
      occurred_at: r[5] as string,
      action: r[6] as string,
      entity_type: r[7] as string,
      entity_id: r[8] as string | null,
      actor_type: r[9] as string,
      actor_id: r[10] as string | null,
      actor: r[11] as string,
      before: r[12] as string | null,
      after: r[13] as string | null,
      source: r[14] as string,
      c_cabinet_id: r[15] as string | null,
      c_device_id: r[16] as string | null,
      c_seq: r[17] as number | null,
      c_prev_hash: r[18] as string | null,
      c_hash: r[19] as string | null,
      c_occurred_at: r[20] as string | null,
      c_type: r[21] as string | null,
      c_data: r[22] as string | null,
      c_head_signature: r[23] as string | null,
      c_received_at: r[24] as string | null,
    }));
}

/** An organization's leaves in order, from `from`, with their events' rows (null columns for a missing event). */
export async function leavesWithRows(
  db: Executor,
  organizationId: string,
  from: number,
  limit: number,
): Promise<IndexedLeafRow[]> {
  const rows = await db
    .selectFrom("audit_leaves as l")
    .leftJoin("events as e", "e.id", "l.event_id")
    .leftJoin("cabinet_events as c", "c.event_id", "e.id")
    .select(LEAF_COLUMNS)
    .select(["l.idx as leaf_idx", "l.event_id as leaf_event_id"])
    .where("l.organization_id", "=", organizationId)
    .where("l.idx", ">=", from)
    .orderBy("l.idx")
    .limit(limit)
    .execute();
  return rows as unknown as IndexedLeafRow[];
}

/** The rows of these events that belong to the organization (any order). */
export async function loadLeafRows(
  db: Executor,
  organizationId: string,
  eventIds: readonly string[],
): Promise<LeafRow[]> {
  const rows: LeafRow[] = [];
  for (const part of chunked(eventIds)) {
    // why: looked up by id alone (the unique index) and kept only when the organization's. With the organization in
    // the WHERE clause, SQLite's planner (without statistics) walks every event of the organization through an
    // (organization_id, …) index instead of a few hundred id lookups: one full scan per sequencer batch, so appending
    // a log of a million events took hours
    const found = (await leafRows(db).where("e.id", "in", part).execute()) as LeafRow[];
    rows.push(...found.filter((r) => r.organization_id === organizationId));
  }
  return rows;
}
