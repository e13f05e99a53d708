/**
 * What an attacker with the database (and, for some attacks, the signing key) does to the audit trail, for the attack
 * tests: writes past the append-only triggers, and re-hashes the stored tree so that only external evidence (signed
 * checkpoints, offsite copies, the signer's memory) can tell.
 */
import type { Db, Tx } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import { CompactRange, hashToHex, leafHash } from "@keyward/domain/merkle";
import { formatCheckpoint, type NoteSignerKey, signNote } from "@keyward/domain/signed-note";
import { sql } from "kysely";
import { jsonTextFor, leafText, leavesWithRows } from "../src/audit/leaf.ts";
import { sha256, writeNodes } from "../src/audit/tiles.ts";

/** Runs `work` with the append-only triggers out of the way (as a database owner could). */
export async function tamper(db: Db, dialect: Dialect, work: (tx: Tx) => Promise<void>): Promise<void> {
  if (dialect === "postgres") {
    await db.transaction().execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await work(tx);
    });
    return;
  }
  const triggers = await sql<{
    name: string;
    sql: string;
  }>`select name, sql from sqlite_master where type = 'trigger'`.execute(db);
  await db.transaction().execute(async (tx) => {
    for (const t of triggers.rows) {
      await sql`drop trigger ${sql.raw(t.name)}`.execute(tx);
    }
    await work(tx);
    for (const t of triggers.rows) {
      await sql.raw(t.sql).execute(tx);
    }
  });
}

/** Rebuilds the stored tree and the log row from the leaves as they now are (what a careful attacker does). */
export async function rehash(
  tx: Tx,
  dialect: Dialect,
  organizationId: string,
): Promise<{ size: number; root: string }> {
  const json = jsonTextFor(dialect);
  const rows = await leavesWithRows(tx, organizationId, 0, 1_000_000);
  const range = new CompactRange(0, [], sha256);
  const nodes: Parameters<typeof writeNodes>[2][number][] = [];
  for (const row of rows) {
    nodes.push(...range.append(leafHash(Buffer.from(leafText(row, json)), sha256)));
  }
  await tx.deleteFrom("audit_tiles").where("organization_id", "=", organizationId).execute();
  await writeNodes(tx, organizationId, nodes);
  const root = hashToHex(range.root());
  await tx
    .updateTable("audit_logs")
    .set({
      size: range.size,
      root_hash: root,
      edge: JSON.stringify(range.edge().map(hashToHex)),
      checkpoint_size: range.size,
    })
    .where("organization_id", "=", organizationId)
    .execute();
  return { size: range.size, root };
}

/** Replaces the database's checkpoints with ones freshly signed over the leaves as they now are (a stolen key). */
export async function resign(
  tx: Tx,
  dialect: Dialect,
  organizationId: string,
  key: NoteSignerKey,
  sizes: readonly number[],
): Promise<void> {
  const log = await tx
    .selectFrom("audit_logs")
    .select("origin")
    .where("organization_id", "=", organizationId)
    .executeTakeFirstOrThrow();
  await tx.deleteFrom("audit_checkpoints").where("organization_id", "=", organizationId).execute();
  const json = jsonTextFor(dialect);
  const rows = await leavesWithRows(tx, organizationId, 0, 1_000_000);
  const range = new CompactRange(0, [], sha256);
  for (const size of [...sizes].sort((a, b) => a - b)) {
    while (range.size < size) {
      const row = rows[range.size];
      if (!row) {
        throw new Error(`the log holds fewer than ${size} leaves`);
      }
      range.append(leafHash(Buffer.from(leafText(row, json)), sha256));
    }
    const note = signNote(formatCheckpoint({ origin: log.origin, size, rootHash: range.root(), extensions: [] }), key);
    await tx
      .insertInto("audit_checkpoints")
      .values({
        organization_id: organizationId,
        size,
        root_hash: hashToHex(range.root()),
        note,
        key_name: key.name,
        signed_at: new Date().toISOString(),
      })
      .execute();
  }
}
