/**
 * Proofs from an organization's stored log: that an entry is in the tree a checkpoint signed (inclusion), and that a
 * later tree extends an earlier one (consistency). Each reads a few dozen tiles, whatever the log's size.
 */
import type { Executor } from "@keyward/db/connect";
import { consistencyProofNodes, type Hash, inclusionProofNodes } from "@keyward/domain/merkle";
import { proofFromStore } from "./sign-checkpoint.ts";

/** The RFC 9162 inclusion proof of entry `index` in the tree of `size` entries. */
export function inclusionProof(db: Executor, organizationId: string, index: number, size: number): Promise<Hash[]> {
  return proofFromStore(db, organizationId, inclusionProofNodes(index, size));
}

/** The RFC 9162 consistency proof from the tree of `oldSize` entries to the tree of `newSize`. */
export function consistencyProof(
  db: Executor,
  organizationId: string,
  oldSize: number,
  newSize: number,
): Promise<Hash[]> {
  return proofFromStore(db, organizationId, consistencyProofNodes(oldSize, newSize));
}

/** The latest signed checkpoint of an organization's log, or null before the first. */
export async function latestCheckpoint(
  db: Executor,
  organizationId: string,
): Promise<{ size: number; rootHash: string; note: string; signedAt: string } | null> {
  const row = await db
    .selectFrom("audit_checkpoints")
    .select(["size", "root_hash", "note", "signed_at"])
    .where("organization_id", "=", organizationId)
    .orderBy("size", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { size: Number(row.size), rootHash: row.root_hash, note: row.note, signedAt: row.signed_at } : null;
}
