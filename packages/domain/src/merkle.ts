/**
 * RFC 6962 / RFC 9162 §2.1 Merkle tree maths for the audit log: leaf and node hashes, tree heads, inclusion and
 * consistency proofs, and a compact range for appending. Storage keeps only complete subtrees (which never change
 * once complete), so every proof element is described as the complete subtrees whose fold is that element; the
 * store fetches those hashes in one query and `assembleProof` folds them. Pure and portable (no Node built-ins), so
 * the server, the command-line verifier and a browser check proofs with the very same code. Sizes and indices are
 * JS numbers; every arithmetic step avoids 32-bit bitwise operators so they stay exact up to 2^53.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";

/** A SHA-256 digest: 32 bytes. */
export type Hash = Uint8Array;

/** A hash function over bytes; default is noble's sha256. The server may pass node:crypto's for speed. */
export type Sha256 = (data: Uint8Array) => Uint8Array;

/** Length of every hash in the tree. */
export const HASH_SIZE = 32;

/** The root of the empty tree: SHA-256 of nothing (e3b0c442…b855). */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

const defaultSha: Sha256 = (data) => sha256(data);

/** SHA-256(0x00 ‖ leaf): the hash of one log entry. */
export function leafHash(leaf: Uint8Array, sha: Sha256 = defaultSha): Hash {
  const buffer = new Uint8Array(1 + leaf.length);
  // why: the 0x00/0x01 prefixes keep a leaf from ever being passed off as an interior node (second preimage).
  buffer[0] = 0x00;
  buffer.set(leaf, 1);
  return sha(buffer);
}

/** SHA-256(0x01 ‖ left ‖ right): the hash of an interior node. */
export function nodeHash(left: Hash, right: Hash, sha: Sha256 = defaultSha): Hash {
  const buffer = new Uint8Array(1 + left.length + right.length);
  buffer[0] = 0x01;
  buffer.set(left, 1);
  buffer.set(right, 1 + left.length);
  return sha(buffer);
}

/** Root (MTH) of a list of leaf hashes, in memory. Size 0 → EMPTY_ROOT. */
export function rootOf(leafHashes: readonly Hash[], sha: Sha256 = defaultSha): Hash {
  const range = new CompactRange(0, [], sha);
  for (const hash of leafHashes) {
    range.append(hash);
  }
  return range.root();
}

/** A complete subtree: the leaves [index·2^level, (index+1)·2^level). Level 0 is a leaf hash. */
export interface NodeId {
  level: number;
  index: number;
}

/**
 * Storage keeps only complete subtrees. Any range [start, end) the RFC's proofs need decomposes into complete
 * subtrees, left to right, largest first; `foldRange` turns their hashes into the range's MTH (fold from the right:
 * h = last; for i = n-2..0: h = nodeHash(nodes[i], h)).
 *
 * Any other range gets its minimal cover by complete subtrees, left to right (sizes then grow before they shrink,
 * and folding them is not an MTH).
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  assertSize(start, "start");
  assertSize(end, "end");
  if (start > end) {
    throw new RangeError(`range [${start}, ${end}) is reversed`);
  }
  const nodes: NodeId[] = [];
  let at = start;
  while (at < end) {
    // why: the largest subtree that starts at `at` is bounded by `at`'s alignment and by what is left of the range.
    let width = largestPowerOfTwoAtMost(end - at);
    while (at % width !== 0) {
      width /= 2;
    }
    nodes.push({ level: log2Exact(width), index: at / width });
    at += width;
  }
  return nodes;
}

/** The MTH of a range from the hashes of its `rangeNodes`; no nodes is the empty range (EMPTY_ROOT). */
export function foldRange(hashes: readonly Hash[], sha: Sha256 = defaultSha): Hash {
  const last = hashes[hashes.length - 1];
  if (last === undefined) {
    // why: a copy, so a caller that mutates the returned hash cannot corrupt the shared constant.
    return EMPTY_ROOT.slice();
  }
  let hash = last;
  for (let i = hashes.length - 2; i >= 0; i--) {
    hash = nodeHash(hashes[i] as Hash, hash, sha);
  }
  return hash;
}

/** The root of a tree of `size` as complete subtrees (rangeNodes(0, size)). */
export function rootNodes(size: number): NodeId[] {
  return rangeNodes(0, size);
}

/**
 * The proof elements of RFC 9162 §2.1.3.1 (inclusion of leaf `index` in a tree of `size`), each as the complete
 * subtrees whose fold is that element, in proof order (deepest first, as the RFC's verifier expects).
 */
export function inclusionProofNodes(index: number, size: number): NodeId[][] {
  assertSize(index, "index");
  assertSize(size, "size");
  if (index >= size) {
    throw new RangeError(`index ${index} is not in a tree of size ${size}`);
  }
  // PATH(m, D[start:start+n]), walked from the root down; the RFC lists the siblings from the leaf up.
  const siblings: NodeId[][] = [];
  let start = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = largestPowerOfTwoBelow(n);
    if (m < k) {
      siblings.push(rangeNodes(start + k, start + n));
      n = k;
    } else {
      siblings.push([{ level: log2Exact(k), index: start / k }]);
      start += k;
      n -= k;
      m -= k;
    }
  }
  return siblings.reverse();
}

/** Likewise for RFC 9162 §2.1.4.1 consistency proofs from `oldSize` to `newSize` (0 < oldSize <= newSize). */
export function consistencyProofNodes(oldSize: number, newSize: number): NodeId[][] {
  assertSize(oldSize, "oldSize");
  assertSize(newSize, "newSize");
  if (oldSize === 0 || oldSize > newSize) {
    throw new RangeError(`no consistency proof from size ${oldSize} to ${newSize}`);
  }
  // SUBPROOF(m, D[start:start+n], b), walked from the root down.
  const siblings: NodeId[][] = [];
  let start = 0;
  let n = newSize;
  let m = oldSize;
  let whole = true;
  while (m < n) {
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      siblings.push(rangeNodes(start + k, start + n));
      n = k;
    } else {
      siblings.push([{ level: log2Exact(k), index: start / k }]);
      start += k;
      n -= k;
      m -= k;
      whole = false;
    }
  }
  siblings.reverse();
  // why: SUBPROOF(m, D[m], true) is empty (the verifier already holds the old root); with b = false it is MTH(D[m]).
  return whole ? siblings : [rangeNodes(start, start + m), ...siblings];
}

/** Turns node groups into proof hashes with a lookup (the caller fetched the hashes in one query). */
export function assembleProof(
  groups: readonly NodeId[][],
  lookup: (id: NodeId) => Hash,
  sha: Sha256 = defaultSha,
): Hash[] {
  return groups.map((group) => {
    if (group.length === 0) {
      throw new RangeError("a proof element covers no subtree");
    }
    return foldRange(group.map(lookup), sha);
  });
}

/** RFC 9162 §2.1.3.2 verification; false on any mismatch or malformed input (never throws). */
export function verifyInclusion(
  leafHash: Hash,
  index: number,
  size: number,
  proof: readonly Hash[],
  root: Hash,
  sha: Sha256 = defaultSha,
): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) {
    return false;
  }
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) {
    return false;
  }
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) {
      return false;
    }
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r, sha);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p, sha);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, root);
}

/**
 * RFC 9162 §2.1.4.2 verification; oldSize === newSize needs an empty proof and equal roots. The empty tree is
 * consistent with every tree, but only under its own root (EMPTY_ROOT) and with an empty proof.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Hash,
  newRoot: Hash,
  proof: readonly Hash[],
  sha: Sha256 = defaultSha,
): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) {
    return false;
  }
  if (!isHash(oldRoot) || !isHash(newRoot) || !proof.every(isHash)) {
    return false;
  }
  if (oldSize === 0) {
    return proof.length === 0 && equalBytes(oldRoot, EMPTY_ROOT);
  }
  if (oldSize === newSize) {
    return proof.length === 0 && equalBytes(oldRoot, newRoot);
  }
  if (proof.length === 0) {
    return false;
  }
  // why: when the old tree is a complete subtree the proof omits its root, which the verifier already holds.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Hash;
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Hash;
    if (sn === 0) {
      return false;
    }
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr, sha);
      sr = nodeHash(c, sr, sha);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c, sha);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, oldRoot) && equalBytes(sr, newRoot);
}

/**
 * Appending leaves one by one with O(log n) state (the right edge of complete subtrees). `append` returns every
 * complete subtree it finishes (the leaf itself at level 0, then each parent completed), so a store can persist
 * exactly those nodes. `root()` is the MTH of everything appended. Constructible from a size and the hashes of
 * rootNodes(size) so a store can resume an existing tree.
 */
export class CompactRange {
  #size: number;
  /** The hashes of rootNodes(size), left to right (largest subtree first). */
  readonly #edge: Hash[];
  readonly #sha: Sha256;

  constructor(size = 0, edge: readonly Hash[] = [], sha: Sha256 = defaultSha) {
    assertSize(size, "size");
    const expected = rootNodes(size).length;
    if (edge.length !== expected) {
      throw new RangeError(`a tree of size ${size} has ${expected} edge hashes, not ${edge.length}`);
    }
    if (!edge.every(isHash)) {
      throw new RangeError(`edge hashes must be ${HASH_SIZE} bytes`);
    }
    this.#size = size;
    this.#edge = [...edge];
    this.#sha = sha;
  }

  /** The number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash; returns the leaf and every subtree it completed, smallest first. */
  append(leafHash: Hash): { id: NodeId; hash: Hash }[] {
    if (!isHash(leafHash)) {
      throw new RangeError(`a leaf hash must be ${HASH_SIZE} bytes`);
    }
    if (this.#size >= Number.MAX_SAFE_INTEGER) {
      throw new RangeError("the tree is full");
    }
    const completed = [{ id: { level: 0, index: this.#size }, hash: leafHash }];
    let hash = leafHash;
    let level = 0;
    let position = this.#size;
    // why: each set low bit of the old size is a complete subtree on the edge that the new leaf now pairs with.
    while (isOdd(position)) {
      const left = this.#edge.pop() as Hash;
      hash = nodeHash(left, hash, this.#sha);
      level += 1;
      position = half(position);
      completed.push({ id: { level, index: position }, hash });
    }
    this.#edge.push(hash);
    this.#size += 1;
    return completed;
  }

  /** The MTH of every leaf appended (EMPTY_ROOT while empty). */
  root(): Hash {
    return foldRange(this.#edge, this.#sha);
  }

  /** The hashes of rootNodes(size), left to right (what the constructor takes). */
  edge(): Hash[] {
    return [...this.#edge];
  }
}

/** Lowercase hex of a hash. */
export function hashToHex(h: Hash): string {
  if (!isHash(h)) {
    throw new RangeError(`a hash must be ${HASH_SIZE} bytes`);
  }
  return bytesToHex(h);
}

/** Parses 64 lowercase hex digits; throws on anything else. */
export function hexToHash(s: string): Hash {
  if (!/^[0-9a-f]{64}$/.test(s)) {
    throw new RangeError("a hash is 64 lowercase hex digits");
  }
  return hexToBytes(s);
}

/** Whether two byte strings are equal (hashes are public, so no constant-time comparison is needed). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

function isHash(h: Uint8Array): boolean {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function assertSize(n: number, name: string): void {
  if (!isSize(n)) {
    throw new RangeError(`${name} must be a non-negative safe integer, not ${n}`);
  }
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && largestPowerOfTwoAtMost(n) === n;
}

/** The largest power of two ≤ n (n ≥ 1). */
function largestPowerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) {
    p *= 2;
  }
  return p;
}

/** The RFC's k: the largest power of two strictly below n (n ≥ 2). */
function largestPowerOfTwoBelow(n: number): number {
  let p = 1;
  while (p * 2 < n) {
    p *= 2;
  }
  return p;
}

/** log2 of a power of two. */
function log2Exact(p: number): number {
  let level = 0;
  while (p > 1) {
    p /= 2;
    level += 1;
  }
  return level;
}
