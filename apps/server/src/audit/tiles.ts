/**
 * Where an organization's Merkle tree lives: tiles in the manner of C2SP tlog-tiles. A tile row holds up to 256
 * consecutive hashes of one tree level that is a multiple of 8 (leaf hashes at level 0, then level 8, 16…); the seven
 * levels between are recomputed from them when asked. A log of ten million entries is about forty thousand rows, and
 * any proof needs a few dozen of them.
 */
import { hash as nodeCryptoHash } from "node:crypto";
import type { Executor } from "@keyward/db/connect";
import { type Hash, type NodeId, nodeHash, type Sha256 } from "@keyward/domain/merkle";

/** Hashes per tile. */
export const TILE_WIDTH = 256;
/** Tree levels a tile spans. */
export const TILE_HEIGHT = 8;
const HASH_BYTES = 32;

/** SHA-256 through Node's native implementation: the hot path of the sequencer and the verifier. */
export const sha256: Sha256 = (data) => nodeCryptoHash("sha256", data, "buffer");

/** The tile that holds the hashes a complete subtree is computed from, and which of them. */
function locate(id: NodeId): { level: number; idx: number; from: number; count: number } {
  const level = id.level - (id.level % TILE_HEIGHT);
  const span = 2 ** (id.level - level);
  const first = id.index * span;
  return { level, idx: Math.floor(first / TILE_WIDTH), from: first % TILE_WIDTH, count: span };
}

function hashAt(tile: Uint8Array, position: number): Hash {
  return tile.subarray(position * HASH_BYTES, (position + 1) * HASH_BYTES);
}

/** The hash of `count` (a power of two) consecutive hashes of a tile, as one complete subtree. */
function foldComplete(tile: Uint8Array, from: number, count: number): Hash {
  let layer: Hash[] = [];
  for (let i = 0; i < count; i++) {
    layer.push(hashAt(tile, from + i));
  }
  while (layer.length > 1) {
    const next: Hash[] = [];
    for (let i = 0; i < layer.length; i += 2) {
      next.push(nodeHash(layer[i] as Hash, layer[i + 1] as Hash, sha256));
    }
    layer = next;
  }
  return layer[0] as Hash;
}

const keyOf = (level: number, idx: number) => `${level}/${idx}`;

/** Reads the hashes of complete subtrees; throws if the store does not hold one (a tree smaller than asked). */
export async function readNodes(
  db: Executor,
  organizationId: string,
  ids: readonly NodeId[],
): Promise<Map<string, Hash>> {
  const wanted = new Map<number, Set<number>>();
  for (const id of ids) {
    const at = locate(id);
    let set = wanted.get(at.level);
    if (!set) {
      set = new Set();
      wanted.set(at.level, set);
    }
    set.add(at.idx);
  }
  const tiles = new Map<string, Uint8Array>();
  for (const [level, idxs] of wanted) {
    const rows = await db
      .selectFrom("audit_tiles")
      .select(["idx", "hashes"])
      .where("organization_id", "=", organizationId)
      .where("level", "=", level)
      .where("idx", "in", [...idxs])
      .execute();
    for (const row of rows) {
      tiles.set(keyOf(level, Number(row.idx)), new Uint8Array(row.hashes));
    }
  }
  const result = new Map<string, Hash>();
  for (const id of ids) {
    const at = locate(id);
    const tile = tiles.get(keyOf(at.level, at.idx));
    if (!tile || tile.length < (at.from + at.count) * HASH_BYTES) {
      throw new Error(`The audit log's store lacks node ${id.level}/${id.index}.`);
    }
    result.set(nodeKey(id), foldComplete(tile, at.from, at.count));
  }
  return result;
}

/** The map key of a node in `readNodes`'s answer. */
export function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

/**
 * Stores the complete subtrees an append finished (as `CompactRange.append` reports them); only levels that are
 * multiples of 8 are kept. Nodes arrive in order, so each tile only ever grows at its end.
 */
export async function writeNodes(
  tx: Executor,
  organizationId: string,
  nodes: readonly { id: NodeId; hash: Hash }[],
): Promise<void> {
  const grown = new Map<string, { level: number; idx: number; start: number; hashes: Hash[] }>();
  for (const node of nodes) {
    if (node.id.level % TILE_HEIGHT !== 0) {
      continue;
    }
    const idx = Math.floor(node.id.index / TILE_WIDTH);
    const key = keyOf(node.id.level, idx);
    let entry = grown.get(key);
    if (!entry) {
      entry = { level: node.id.level, idx, start: node.id.index % TILE_WIDTH, hashes: [] };
      grown.set(key, entry);
    }
    entry.hashes.push(node.hash);
  }
  for (const entry of grown.values()) {
    const existing = await tx
      .selectFrom("audit_tiles")
      .select("hashes")
      .where("organization_id", "=", organizationId)
      .where("level", "=", entry.level)
      .where("idx", "=", entry.idx)
      .executeTakeFirst();
    const before = existing ? new Uint8Array(existing.hashes) : new Uint8Array(0);
    // why: a tile only grows at its end; anything else means two appenders raced past the log's lock
    if (before.length !== entry.start * HASH_BYTES) {
      throw new Error(
        `Audit tile ${entry.level}/${entry.idx} holds ${before.length / HASH_BYTES} hashes; expected ${entry.start}.`,
      );
    }
    const hashes = Buffer.concat([before, ...entry.hashes]);
    if (existing) {
      await tx
        .updateTable("audit_tiles")
        .set({ hashes })
        .where("organization_id", "=", organizationId)
        .where("level", "=", entry.level)
        .where("idx", "=", entry.idx)
        .execute();
    } else {
      await tx
        .insertInto("audit_tiles")
        .values({ organization_id: organizationId, level: entry.level, idx: entry.idx, hashes })
        .execute();
    }
  }
}
