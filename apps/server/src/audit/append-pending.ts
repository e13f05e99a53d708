/**
 * The sequencer: appends queued events to their organization's log, a batch per transaction. A batch never crosses a
 * multiple of 256 entries, so a checkpoint can cover exactly every 256th size. The log row is locked for the batch;
 * a crash anywhere rolls the whole batch back, so the log is either as it was or longer by whole, consistent batches.
 */
import { chunked } from "@keyward/db/chunks";
import type { Db, Executor } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import { CompactRange, EMPTY_ROOT, hashToHex, hexToHash, leafHash } from "@keyward/domain/merkle";
import { jsonTextFor, leafText, loadLeafRows } from "./leaf.ts";
import { sha256, TILE_WIDTH, writeNodes } from "./tiles.ts";

/** A checkpoint is due at every multiple of this size (and after 60 s otherwise). */
export const CHECKPOINT_EVERY = TILE_WIDTH;

/** The log's name in its checkpoints. */
export function originOf(originPrefix: string, organizationId: string): string {
  return `${originPrefix}/${organizationId}`;
}

/** The organization's log row, created empty when missing; locked for the transaction on PostgreSQL. */
export async function lockLog(tx: Executor, dialect: Dialect, organizationId: string, originPrefix: string, now: Date) {
  await tx
    .insertInto("audit_logs")
    .values({
      organization_id: organizationId,
      origin: originOf(originPrefix, organizationId),
      size: 0,
      root_hash: hashToHex(EMPTY_ROOT),
      edge: "[]",
      checkpoint_size: 0,
      checkpoint_at: null,
      first_unsigned_at: null,
      updated_at: now.toISOString(),
    })
    .onConflict((oc) => oc.column("organization_id").doNothing())
    .execute();
  let query = tx.selectFrom("audit_logs").selectAll().where("organization_id", "=", organizationId);
  if (dialect === "postgres") {
    // why: one appender at a time per log (other server processes wait here); SQLite serializes writers anyway
    query = query.forUpdate();
  }
  const log = await query.executeTakeFirstOrThrow();
  return { ...log, size: Number(log.size), checkpoint_size: Number(log.checkpoint_size) };
}

export interface AppendResult {
  appended: number;
  /** Queue rows consumed (an event that vanished is consumed without being appended). */
  taken: number;
  size: number;
}

/** Appends one batch of the organization's queued events (at most `maxBatch`, never across a multiple of 256). */
export async function appendBatch(
  db: Db,
  dialect: Dialect,
  organizationId: string,
  originPrefix: string,
  now: Date,
  maxBatch = CHECKPOINT_EVERY,
): Promise<AppendResult> {
  return db.transaction().execute(async (tx) => {
    const log = await lockLog(tx, dialect, organizationId, originPrefix, now);
    const room = Math.min(maxBatch, CHECKPOINT_EVERY - (log.size % CHECKPOINT_EVERY));
    const pending = await tx
      .selectFrom("audit_pending")
      .select(["id", "event_id"])
      .where("organization_id", "=", organizationId)
      .orderBy("id")
      .limit(room)
      .execute();
    if (pending.length === 0) {
      return { appended: 0, taken: 0, size: log.size };
    }
    const rows = new Map(
      (
        await loadLeafRows(
          tx,
          organizationId,
          pending.map((p) => p.event_id),
        )
      ).map((r) => [r.id, r]),
    );
    const json = jsonTextFor(dialect);
    const range = new CompactRange(log.size, (JSON.parse(log.edge) as string[]).map(hexToHash), sha256);
    const nodes: Parameters<typeof writeNodes>[2][number][] = [];
    const leaves: { organization_id: string; idx: number; event_id: string; sequenced_at: string }[] = [];
    const iso = now.toISOString();
    for (const p of pending) {
      const row = rows.get(p.event_id);
      // why: a queued event that is not there (never committed with its queue row, or removed) has nothing to log;
      // its queue row goes, and the verifier's reconciliation reports any event the log lacks
      if (!row) {
        continue;
      }
      leaves.push({ organization_id: organizationId, idx: range.size, event_id: row.id, sequenced_at: iso });
      nodes.push(...range.append(leafHash(Buffer.from(leafText(row, json)), sha256)));
    }
    await writeNodes(tx, organizationId, nodes);
    for (const part of chunked(leaves, 200)) {
      await tx.insertInto("audit_leaves").values(part).execute();
    }
    await tx
      .deleteFrom("audit_pending")
      .where(
        "id",
        "in",
        pending.map((p) => p.id),
      )
      .execute();
    await tx
      .updateTable("audit_logs")
      .set({
        size: range.size,
        root_hash: hashToHex(range.root()),
        edge: JSON.stringify(range.edge().map(hashToHex)),
        first_unsigned_at: log.first_unsigned_at ?? (leaves.length > 0 ? iso : null),
        updated_at: iso,
      })
      .where("organization_id", "=", organizationId)
      .execute();
    return { appended: leaves.length, taken: pending.length, size: range.size };
  });
}

/** Organizations with queued events. */
export async function organizationsWithPending(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom("audit_pending").select("organization_id").distinct().execute();
  return rows.map((r) => r.organization_id);
}
