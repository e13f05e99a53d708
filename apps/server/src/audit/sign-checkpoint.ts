/**
 * Signing checkpoints: (origin, size, root) as a C2SP signed note, every 256 entries or 60 seconds after the first
 * entry no checkpoint covers, whichever comes first. The root is recomputed from the stored tiles, and before signing
 * the log must prove (a consistency proof from the same tiles) that it extends both the last checkpoint in the
 * database and the last one this signer remembers signing. A log that does not — rolled back, truncated, rewritten —
 * gets no signature; the refusal is returned for the caller to raise.
 */
import type { Db, Executor } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import {
  assembleProof,
  consistencyProofNodes,
  EMPTY_ROOT,
  foldRange,
  type Hash,
  hashToHex,
  hexToHash,
  type NodeId,
  rootNodes,
  verifyConsistency,
} from "@keyward/domain/merkle";
import { formatCheckpoint, signNote } from "@keyward/domain/signed-note";
import { CHECKPOINT_EVERY, lockLog, originOf } from "./append-pending.ts";
import type { AuditSigner, SignedState } from "./signer.ts";
import { nodeKey, readNodes, sha256 } from "./tiles.ts";

/** How long an entry may wait for a checkpoint. */
export const CHECKPOINT_MAX_WAIT_MS = 60_000;

export type CheckpointOutcome =
  | { kind: "signed"; size: number; rootHash: string; note: string }
  | { kind: "not_due" }
  | { kind: "refused"; reason: string };

/** The MTH of the first `size` entries, from the stored tiles. */
export async function storedRoot(db: Executor, organizationId: string, size: number): Promise<Hash> {
  const ids = rootNodes(size);
  const nodes = await readNodes(db, organizationId, ids);
  return ids.length === 0
    ? EMPTY_ROOT
    : foldRange(
        ids.map((id) => nodes.get(nodeKey(id)) as Hash),
        sha256,
      );
}

/** Proof hashes for node groups, read in one pass over the tiles. */
export async function proofFromStore(db: Executor, organizationId: string, groups: NodeId[][]): Promise<Hash[]> {
  const nodes = await readNodes(db, organizationId, groups.flat());
  return assembleProof(groups, (id) => nodes.get(nodeKey(id)) as Hash, sha256);
}

/** Why the log at (size, root) does not extend `earlier`, or null when it does. */
async function inconsistency(
  db: Executor,
  organizationId: string,
  size: number,
  root: Hash,
  earlier: SignedState,
  whose: string,
): Promise<string | null> {
  if (earlier.size > size) {
    return `the log holds ${size} entries but ${whose} covers ${earlier.size}: it was truncated or rolled back`;
  }
  if (earlier.size === size) {
    return hashToHex(root) === earlier.rootHash ? null : `the log at size ${size} differs from ${whose}: rewritten`;
  }
  if (earlier.size === 0) {
    return null;
  }
  const proof = await proofFromStore(db, organizationId, consistencyProofNodes(earlier.size, size));
  return verifyConsistency(earlier.size, size, hexToHash(earlier.rootHash), root, proof, sha256)
    ? null
    : `the log does not extend ${whose} (size ${earlier.size}): history was rewritten`;
}

/** Signs a checkpoint of the organization's log if one is due (or `force` and anything is unsigned). */
export async function signCheckpointIfDue(
  db: Db,
  dialect: Dialect,
  signer: AuditSigner,
  organizationId: string,
  originPrefix: string,
  now: Date,
  force = false,
): Promise<CheckpointOutcome> {
  return db.transaction().execute(async (tx): Promise<CheckpointOutcome> => {
    const log = await lockLog(tx, dialect, organizationId, originPrefix, now);
    // why: the name comes from configuration, never from the row: a row renamed by someone with the database would
    // otherwise make the signer look up (and find no) memory under the new name and sign a rewritten log
    const origin = originOf(originPrefix, organizationId);
    if (log.origin !== origin) {
      return {
        kind: "refused",
        reason: `the log is recorded under the name "${log.origin}", not "${origin}": the log row was altered (or KEYWARD_AUDIT_ORIGIN changed)`,
      };
    }
    if (log.size <= log.checkpoint_size) {
      // why: a rolled-back database may hold fewer entries than its own last checkpoint says; still worth refusing
      const remembered = signer.lastSigned(origin);
      if (remembered && remembered.size > log.size) {
        return {
          kind: "refused",
          reason: `the log holds ${log.size} entries but the signer signed ${remembered.size}: it was truncated or rolled back`,
        };
      }
      return { kind: "not_due" };
    }
    const waited = log.first_unsigned_at ? now.getTime() - Date.parse(log.first_unsigned_at) : 0;
    const due =
      force ||
      log.size % CHECKPOINT_EVERY === 0 ||
      log.size - log.checkpoint_size >= CHECKPOINT_EVERY ||
      waited >= CHECKPOINT_MAX_WAIT_MS;
    if (!due) {
      return { kind: "not_due" };
    }
    const root = await storedRoot(tx, organizationId, log.size);
    if (hashToHex(root) !== log.root_hash) {
      return { kind: "refused", reason: "the stored tree and the log's recorded root disagree: the store was altered" };
    }
    const lastInDb = await tx
      .selectFrom("audit_checkpoints")
      .select(["size", "root_hash"])
      .where("organization_id", "=", organizationId)
      .orderBy("size", "desc")
      .limit(1)
      .executeTakeFirst();
    const references: [SignedState | null, string][] = [
      [lastInDb ? { size: Number(lastInDb.size), rootHash: lastInDb.root_hash } : null, "the last stored checkpoint"],
      [signer.lastSigned(origin), "the last checkpoint this signer signed"],
    ];
    for (const [earlier, whose] of references) {
      const problem = earlier ? await inconsistency(tx, organizationId, log.size, root, earlier, whose) : null;
      if (problem) {
        return { kind: "refused", reason: problem };
      }
    }
    const rootHash = hashToHex(root);
    const note = signNote(formatCheckpoint({ origin, size: log.size, rootHash: root, extensions: [] }), signer.key);
    // why: remembered before it is stored or published; if the commit then fails, the memory holds a state the
    // log really had (the entries were committed by the sequencer), so nothing inconsistent is ever signed
    signer.remember(origin, { size: log.size, rootHash });
    const iso = now.toISOString();
    await tx
      .insertInto("audit_checkpoints")
      .values({
        organization_id: organizationId,
        size: log.size,
        root_hash: rootHash,
        note,
        key_name: signer.key.name,
        signed_at: iso,
      })
      .onConflict((oc) => oc.columns(["organization_id", "size"]).doNothing())
      .execute();
    await tx
      .updateTable("audit_logs")
      .set({ checkpoint_size: log.size, checkpoint_at: iso, first_unsigned_at: null, updated_at: iso })
      .where("organization_id", "=", organizationId)
      .execute();
    return { kind: "signed", size: log.size, rootHash, note };
  });
}
