import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assembleProof,
  CompactRange,
  consistencyProofNodes,
  EMPTY_ROOT,
  foldRange,
  type Hash,
  hashToHex,
  hexToHash,
  inclusionProofNodes,
  leafHash,
  type NodeId,
  nodeHash,
  rangeNodes,
  rootNodes,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";

// ---------------------------------------------------------------------------------------------------------------
// An independent reference, straight from RFC 9162 §2.1: MTH, PATH and SUBPROOF over an array of leaves. It shares
// nothing with merkle.ts but SHA-256 itself.

const MAX_LEAVES = 1000;
const LEAVES: Uint8Array[] = Array.from({ length: MAX_LEAVES }, (_, i) => utf8ToBytes(`entry ${i}`));

function refLeaf(data: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0x00, ...data));
}

function refNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0x01, ...left, ...right));
}

/** The largest power of two strictly less than n. */
function refSplit(n: number): number {
  let k = 1;
  while (k * 2 < n) {
    k *= 2;
  }
  return k;
}

const mthMemo = new Map<number, Uint8Array>();

/** MTH(D[a:b]) over LEAVES. */
function mth(a: number, b: number): Uint8Array {
  const key = a * (MAX_LEAVES + 1) + b;
  const cached = mthMemo.get(key);
  if (cached) {
    return cached;
  }
  const n = b - a;
  let result: Uint8Array;
  if (n === 0) {
    result = sha256(new Uint8Array(0));
  } else if (n === 1) {
    result = refLeaf(LEAVES[a] as Uint8Array);
  } else {
    const k = refSplit(n);
    result = refNode(mth(a, a + k), mth(a + k, b));
  }
  mthMemo.set(key, result);
  return result;
}

/** PATH(m, D[a:b]). */
function refPath(m: number, a: number, b: number): Uint8Array[] {
  const n = b - a;
  if (n === 1) {
    return [];
  }
  const k = refSplit(n);
  return m < k ? [...refPath(m, a, a + k), mth(a + k, b)] : [...refPath(m - k, a + k, b), mth(a, a + k)];
}

/** SUBPROOF(m, D[a:b], whole). */
function refSubproof(m: number, a: number, b: number, whole: boolean): Uint8Array[] {
  const n = b - a;
  if (m === n) {
    return whole ? [] : [mth(a, b)];
  }
  const k = refSplit(n);
  return m <= k
    ? [...refSubproof(m, a, a + k, whole), mth(a + k, b)]
    : [...refSubproof(m - k, a + k, b, false), mth(a, a + k)];
}

/** PROOF(m, D[0:n]). */
function refProof(m: number, n: number): Uint8Array[] {
  return refSubproof(m, 0, n, true);
}

// ---------------------------------------------------------------------------------------------------------------
// A node store built the way the server builds it: append every leaf to a CompactRange and keep what it completes.

const store = new Map<string, Hash>();
{
  const range = new CompactRange();
  for (const leaf of LEAVES) {
    for (const { id, hash } of range.append(leafHash(leaf))) {
      store.set(`${id.level}/${id.index}`, hash);
    }
  }
}

/** A lookup over the nodes complete in a tree of `size`; asking for anything else is a bug in the node maths. */
function lookupIn(size: number): (id: NodeId) => Hash {
  return (id) => {
    const width = 2 ** id.level;
    if ((id.index + 1) * width > size) {
      throw new Error(`node ${id.level}/${id.index} is not complete in a tree of size ${size}`);
    }
    const hash = store.get(`${id.level}/${id.index}`);
    if (!hash) {
      throw new Error(`node ${id.level}/${id.index} was never stored`);
    }
    return hash;
  };
}

function inclusionProof(index: number, size: number): Hash[] {
  return assembleProof(inclusionProofNodes(index, size), lookupIn(size));
}

function consistencyProof(oldSize: number, newSize: number): Hash[] {
  return assembleProof(consistencyProofNodes(oldSize, newSize), lookupIn(newSize));
}

const hex = (hashes: readonly Uint8Array[]): string[] => hashes.map((h) => bytesToHex(h));

function flipped(h: Uint8Array, at = 0): Uint8Array {
  const copy = h.slice();
  copy[at] = (copy[at] as number) ^ 0x10;
  return copy;
}

function withFlip(proof: readonly Hash[], at: number): Hash[] {
  return proof.map((h, i) => (i === at ? flipped(h) : h));
}

const ZERO = new Uint8Array(32);

/** Every way `verifyInclusion` must reject a corrupted copy of a valid proof. */
function inclusionProbes(leaf: Hash, index: number, size: number, proof: Hash[], root: Hash) {
  const probes: { desc: string; args: [Hash, number, number, Hash[], Hash] }[] = [
    { desc: "index - 1", args: [leaf, index - 1, size, proof, root] },
    { desc: "index + 1", args: [leaf, index + 1, size, proof, root] },
    { desc: "index ^ 2", args: [leaf, index % 4 >= 2 ? index - 2 : index + 2, size, proof, root] },
    { desc: "size * 2", args: [leaf, index, size * 2, proof, root] },
    { desc: "size / 2", args: [leaf, index, Math.floor(size / 2), proof, root] },
    { desc: "wrong leaf", args: [flipped(leaf), index, size, proof, root] },
    { desc: "empty root", args: [leaf, index, size, proof, EMPTY_ROOT] },
    { desc: "wrong root", args: [leaf, index, size, proof, flipped(root, 31)] },
    { desc: "trailing root", args: [leaf, index, size, [...proof, root], root] },
    { desc: "trailing zero hash", args: [leaf, index, size, [...proof, ZERO], root] },
    { desc: "preceding root", args: [leaf, index, size, [root, ...proof], root] },
    { desc: "short element", args: [leaf, index, size, [...proof, new Uint8Array(0)], root] },
  ];
  for (let i = 0; i < proof.length; i++) {
    probes.push({ desc: `flipped proof[${i}]`, args: [leaf, index, size, withFlip(proof, i), root] });
  }
  if (proof.length > 0) {
    probes.push({ desc: "truncated", args: [leaf, index, size, proof.slice(0, -1), root] });
    probes.push({ desc: "first element dropped", args: [leaf, index, size, proof.slice(1), root] });
  }
  if (proof.length > 1) {
    probes.push({
      desc: "inserted element",
      args: [leaf, index, size, [proof[0] as Hash, ZERO, ...proof.slice(1)], root],
    });
  }
  return probes;
}

/** Every way `verifyConsistency` must reject a corrupted copy of a valid proof. */
function consistencyProbes(oldSize: number, newSize: number, oldRoot: Hash, newRoot: Hash, proof: Hash[]) {
  const probes: { desc: string; args: [number, number, Hash, Hash, Hash[]] }[] = [
    { desc: "oldSize - 1", args: [oldSize - 1, newSize, oldRoot, newRoot, proof] },
    { desc: "oldSize + 1", args: [oldSize + 1, newSize, oldRoot, newRoot, proof] },
    { desc: "oldSize ^ 2", args: [oldSize % 4 >= 2 ? oldSize - 2 : oldSize + 2, newSize, oldRoot, newRoot, proof] },
    { desc: "newSize * 2", args: [oldSize, newSize * 2, oldRoot, newRoot, proof] },
    { desc: "newSize / 2", args: [oldSize, Math.floor(newSize / 2), oldRoot, newRoot, proof] },
    { desc: "wrong old root", args: [oldSize, newSize, flipped(oldRoot), newRoot, proof] },
    { desc: "wrong new root", args: [oldSize, newSize, oldRoot, flipped(newRoot), proof] },
    { desc: "trailing old root", args: [oldSize, newSize, oldRoot, newRoot, [...proof, oldRoot]] },
    { desc: "trailing new root", args: [oldSize, newSize, oldRoot, newRoot, [...proof, newRoot]] },
    { desc: "trailing zero hash", args: [oldSize, newSize, oldRoot, newRoot, [...proof, ZERO]] },
    { desc: "preceding old root", args: [oldSize, newSize, oldRoot, newRoot, [oldRoot, ...proof]] },
    { desc: "preceding new root", args: [oldSize, newSize, oldRoot, newRoot, [newRoot, ...proof]] },
  ];
  if (oldSize !== newSize) {
    probes.push({ desc: "swapped roots", args: [oldSize, newSize, newRoot, oldRoot, proof] });
    probes.push({ desc: "empty proof", args: [oldSize, newSize, oldRoot, newRoot, []] });
  }
  for (let i = 0; i < proof.length; i++) {
    probes.push({ desc: `flipped proof[${i}]`, args: [oldSize, newSize, oldRoot, newRoot, withFlip(proof, i)] });
  }
  if (proof.length > 0) {
    probes.push({ desc: "truncated", args: [oldSize, newSize, oldRoot, newRoot, proof.slice(0, -1)] });
    probes.push({
      desc: "preceding proof[0]",
      args: [oldSize, newSize, oldRoot, newRoot, [proof[0] as Hash, ...proof]],
    });
  }
  return probes;
}

function checkInclusion(index: number, size: number): void {
  const proof = inclusionProof(index, size);
  expect(hex(proof), `PATH(${index}, D[${size}])`).toEqual(hex(refPath(index, 0, size)));
  const leaf = leafHash(LEAVES[index] as Uint8Array);
  const root = mth(0, size);
  expect(verifyInclusion(leaf, index, size, proof, root), `inclusion ${index}/${size}`).toBe(true);
  const accepted = inclusionProbes(leaf, index, size, proof, root)
    .filter((p) => verifyInclusion(...p.args))
    .map((p) => p.desc);
  expect(accepted, `corruptions accepted for inclusion ${index}/${size}`).toEqual([]);
}

function checkConsistency(oldSize: number, newSize: number): void {
  const proof = consistencyProof(oldSize, newSize);
  expect(hex(proof), `PROOF(${oldSize}, D[${newSize}])`).toEqual(hex(refProof(oldSize, newSize)));
  const oldRoot = mth(0, oldSize);
  const newRoot = mth(0, newSize);
  expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof), `consistency ${oldSize}→${newSize}`).toBe(true);
  const accepted = consistencyProbes(oldSize, newSize, oldRoot, newRoot, proof)
    .filter((p) => verifyConsistency(...p.args))
    .map((p) => p.desc);
  expect(accepted, `corruptions accepted for consistency ${oldSize}→${newSize}`).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------------------
// Known answers from transparency-dev/merkle (rfc6962/rfc6962_test.go, proof/verify_test.go).

const KAT_LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map((h) => hexToBytes(h));
const KAT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
/** Leaf numbers are 1-based, as in the Go vectors. */
const KAT_INCLUSION: { leaf: number; size: number; proof: string[] }[] = [
  {
    leaf: 1,
    size: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    leaf: 6,
    size: 8,
    proof: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { leaf: 3, size: 3, proof: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    leaf: 2,
    size: 5,
    proof: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];
const KAT_CONSISTENCY: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
];

/** The KAT tree's complete subtrees, from its leaves alone. */
function katLookup(id: NodeId): Hash {
  const width = 2 ** id.level;
  return rootOf(KAT_LEAVES.slice(id.index * width, (id.index + 1) * width).map((leaf) => leafHash(leaf)));
}

describe("RFC 6962 hashes", () => {
  it("gives the known answers for the empty tree, leaves and nodes", () => {
    expect(bytesToHex(EMPTY_ROOT)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(bytesToHex(rootOf([]))).toBe(bytesToHex(EMPTY_ROOT));
    expect(bytesToHex(leafHash(new Uint8Array(0)))).toBe(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    );
    expect(bytesToHex(leafHash(utf8ToBytes("L123456")))).toBe(
      "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56",
    );
    expect(bytesToHex(nodeHash(utf8ToBytes("N123"), utf8ToBytes("N456")))).toBe(
      "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb",
    );
  });

  it("gives the known roots of trees of 1 to 8 leaves", () => {
    for (let size = 1; size <= 8; size++) {
      const hashes = KAT_LEAVES.slice(0, size).map((leaf) => leafHash(leaf));
      expect(bytesToHex(rootOf(hashes)), `size ${size}`).toBe(KAT_ROOTS[size - 1]);
      expect(bytesToHex(foldRange(rootNodes(size).map(katLookup))), `size ${size} from nodes`).toBe(
        KAT_ROOTS[size - 1],
      );
    }
  });

  it("produces and accepts the known inclusion proofs", () => {
    for (const { leaf, size, proof } of KAT_INCLUSION) {
      const nodes = inclusionProofNodes(leaf - 1, size);
      expect(hex(assembleProof(nodes, katLookup)), `leaf ${leaf} of ${size}`).toEqual(proof);
      const root = hexToBytes(KAT_ROOTS[size - 1] as string);
      const hash = leafHash(KAT_LEAVES[leaf - 1] as Uint8Array);
      expect(verifyInclusion(hash, leaf - 1, size, proof.map(hexToBytes), root)).toBe(true);
    }
  });

  it("produces and accepts the known consistency proofs", () => {
    for (const { size1, size2, proof } of KAT_CONSISTENCY) {
      const nodes = consistencyProofNodes(size1, size2);
      expect(hex(assembleProof(nodes, katLookup)), `${size1} → ${size2}`).toEqual(proof);
      const root1 = hexToBytes(KAT_ROOTS[size1 - 1] as string);
      const root2 = hexToBytes(KAT_ROOTS[size2 - 1] as string);
      expect(verifyConsistency(size1, size2, root1, root2, proof.map(hexToBytes))).toBe(true);
    }
  });

  it("uses the hash function it is given", () => {
    const doubled = (data: Uint8Array) => sha256(sha256(data));
    const hashes = KAT_LEAVES.map((leaf) => leafHash(leaf, doubled));
    expect(bytesToHex(rootOf(hashes, doubled))).not.toBe(KAT_ROOTS[7]);
    const lookup = (id: NodeId) => {
      const width = 2 ** id.level;
      return rootOf(hashes.slice(id.index * width, (id.index + 1) * width), doubled);
    };
    const proof = assembleProof(inclusionProofNodes(5, 8), lookup, doubled);
    expect(verifyInclusion(hashes[5] as Hash, 5, 8, proof, rootOf(hashes, doubled), doubled)).toBe(true);
    expect(verifyInclusion(hashes[5] as Hash, 5, 8, proof, rootOf(hashes, doubled))).toBe(false);
  });
});

describe("proofs against the RFC's recursive definitions", () => {
  it("match and verify for every index and old size of every tree up to 64 leaves", () => {
    for (let size = 1; size <= 64; size++) {
      for (let i = 0; i < size; i++) {
        checkInclusion(i, size);
        checkConsistency(i + 1, size);
      }
    }
  });

  it("match and verify for sampled trees up to 1,000 leaves", () => {
    const sizeAndPoint = fc
      .integer({ min: 1, max: MAX_LEAVES })
      .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));
    fc.assert(
      fc.property(sizeAndPoint, ([size, point]) => {
        checkInclusion(point, size);
        checkConsistency(point + 1, size);
      }),
      { numRuns: 400 },
    );
  });

  it("cover the whole tree: an inclusion proof's subtrees and the leaf partition [0, size)", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
          .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }))),
        ([size, index]) => {
          const spans = inclusionProofNodes(index, size)
            .flat()
            .map(({ level, index: at }) => [at * 2 ** level, (at + 1) * 2 ** level] as const);
          spans.push([index, index + 1]);
          spans.sort((a, b) => a[0] - b[0]);
          let covered = 0;
          for (const [from, to] of spans) {
            expect(from).toBe(covered);
            covered = to;
          }
          expect(covered).toBe(size);
        },
      ),
    );
  });

  it("reject a pair of leaves passed off as one leaf where their node stands (A9)", () => {
    for (let size = 2; size <= 512; size *= 2) {
      const root = mth(0, size);
      for (let pair = 0; pair < size / 2; pair++) {
        const left = LEAVES[2 * pair] as Uint8Array;
        const right = LEAVES[2 * pair + 1] as Uint8Array;
        // The proof of the pair's node in the tree one level up: the leaf's proof without its sibling leaf.
        const upper = inclusionProof(2 * pair, size).slice(1);
        const node = nodeHash(leafHash(left), leafHash(right));
        expect(verifyInclusion(node, pair, size / 2, upper, root), "the positions line up").toBe(true);
        const forged = leafHash(Uint8Array.of(...leafHash(left), ...leafHash(right)));
        expect(verifyInclusion(forged, pair, size / 2, upper, root), `forged leaf ${pair} of ${size}`).toBe(false);
      }
    }
  });

  it("answer false, never throw, on malformed input", () => {
    const root = mth(0, 8);
    const leaf = leafHash(LEAVES[3] as Uint8Array);
    const proof = inclusionProof(3, 8);
    expect(verifyInclusion(leaf, 3, 8, proof, root)).toBe(true);
    for (const [index, size] of [
      [-1, 8],
      [3.5, 8],
      [Number.NaN, 8],
      [3, Number.POSITIVE_INFINITY],
      [8, 8],
      [0, 0],
      [3, 2 ** 60],
    ] as const) {
      expect(verifyInclusion(leaf, index, size, proof, root), `${index}/${size}`).toBe(false);
    }
    expect(verifyInclusion(leaf.subarray(1), 3, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 3, 8, proof, root.subarray(1))).toBe(false);
    expect(verifyInclusion(leaf, 3, 8, [...proof.slice(0, 2), new Uint8Array(33)], root)).toBe(false);

    const old = mth(0, 3);
    const consistency = consistencyProof(3, 8);
    expect(verifyConsistency(3, 8, old, root, consistency)).toBe(true);
    expect(verifyConsistency(8, 3, root, old, consistency)).toBe(false);
    expect(verifyConsistency(-3, 8, old, root, consistency)).toBe(false);
    expect(verifyConsistency(3, 8.5, old, root, consistency)).toBe(false);
    expect(verifyConsistency(3, 8, old.subarray(1), root, consistency)).toBe(false);
    expect(verifyConsistency(3, 8, old, root, [...consistency.slice(0, 1), new Uint8Array(31)])).toBe(false);
  });

  it("treat equal sizes and the empty tree strictly", () => {
    const root = mth(0, 5);
    expect(verifyConsistency(5, 5, root, root, [])).toBe(true);
    expect(verifyConsistency(5, 5, root, flipped(root), [])).toBe(false);
    expect(verifyConsistency(5, 5, root, root, [root])).toBe(false);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, root, [])).toBe(true);
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true);
    expect(verifyConsistency(0, 5, root, root, [])).toBe(false);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, root, [EMPTY_ROOT])).toBe(false);
  });

  it("refuse to describe impossible proofs", () => {
    expect(() => inclusionProofNodes(5, 5)).toThrow(RangeError);
    expect(() => inclusionProofNodes(-1, 5)).toThrow(RangeError);
    expect(() => inclusionProofNodes(0.5, 5)).toThrow(RangeError);
    expect(() => consistencyProofNodes(0, 5)).toThrow(RangeError);
    expect(() => consistencyProofNodes(6, 5)).toThrow(RangeError);
    expect(() => rangeNodes(5, 4)).toThrow(RangeError);
    expect(() => assembleProof([[]], () => ZERO)).toThrow(RangeError);
    expect(inclusionProofNodes(0, 1)).toEqual([]);
    expect(consistencyProofNodes(7, 7)).toEqual([]);
  });
});

describe("rangeNodes", () => {
  it("splits a tree's root into its complete subtrees, largest first", () => {
    expect(rootNodes(0)).toEqual([]);
    expect(rootNodes(1)).toEqual([{ level: 0, index: 0 }]);
    expect(rootNodes(13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(rangeNodes(8, 15)).toEqual([
      { level: 2, index: 2 },
      { level: 1, index: 6 },
      { level: 0, index: 14 },
    ]);
    expect(rootNodes(2 ** 52 + 1)).toEqual([
      { level: 52, index: 0 },
      { level: 0, index: 2 ** 52 },
    ]);
  });

  it("covers any range exactly with aligned complete subtrees", () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 48 }), fc.nat({ max: 2 ** 20 }), (start, length) => {
        let at = start;
        for (const { level, index } of rangeNodes(start, start + length)) {
          expect(index * 2 ** level).toBe(at);
          at += 2 ** level;
        }
        expect(at).toBe(start + length);
      }),
    );
  });
});

describe("CompactRange", () => {
  it("keeps the root of everything appended and reports each subtree as it completes", () => {
    const range = new CompactRange();
    expect(bytesToHex(range.root())).toBe(bytesToHex(EMPTY_ROOT));
    let reported = 0;
    for (let size = 1; size <= 300; size++) {
      const completed = range.append(leafHash(LEAVES[size - 1] as Uint8Array));
      expect(range.size).toBe(size);
      expect(bytesToHex(range.root()), `root at ${size}`).toBe(bytesToHex(mth(0, size)));
      expect(completed[0]?.id).toEqual({ level: 0, index: size - 1 });
      for (const { id, hash } of completed) {
        const width = 2 ** id.level;
        expect((id.index + 1) * width, `node ${id.level}/${id.index} ends at the new size`).toBe(size);
        expect(bytesToHex(hash)).toBe(bytesToHex(mth(id.index * width, (id.index + 1) * width)));
      }
      reported += completed.length;
      // why: a tree of n leaves has 2n - popcount(n) complete subtrees; each must be reported exactly once.
      expect(reported).toBe(2 * size - rootNodes(size).length);
      expect(hex(range.edge())).toEqual(hex(rootNodes(size).map(lookupIn(size))));
    }
  });

  it("resumes from a size and its edge exactly where it left off", () => {
    const original = new CompactRange();
    const edges: Hash[][] = [original.edge()];
    const outputs: string[] = [];
    for (let i = 0; i < 200; i++) {
      const completed = original.append(leafHash(LEAVES[i] as Uint8Array));
      outputs.push(JSON.stringify(completed.map(({ id, hash }) => [id, bytesToHex(hash)])));
      edges.push(original.edge());
    }
    for (const size of [0, 1, 2, 3, 7, 8, 63, 64, 100, 127, 199]) {
      const resumed = new CompactRange(size, edges[size]);
      const fromStore = new CompactRange(size, rootNodes(size).map(lookupIn(size)));
      for (let i = size; i < 200; i++) {
        const leaf = leafHash(LEAVES[i] as Uint8Array);
        const completed = resumed.append(leaf);
        fromStore.append(leaf);
        expect(JSON.stringify(completed.map(({ id, hash }) => [id, bytesToHex(hash)]))).toBe(outputs[i]);
      }
      expect(bytesToHex(resumed.root())).toBe(bytesToHex(original.root()));
      expect(bytesToHex(fromStore.root())).toBe(bytesToHex(original.root()));
    }
  });

  it("refuses an edge that does not fit its size", () => {
    expect(() => new CompactRange(3, [ZERO])).toThrow(RangeError);
    expect(() => new CompactRange(4, [ZERO, ZERO])).toThrow(RangeError);
    expect(() => new CompactRange(1, [new Uint8Array(31)])).toThrow(RangeError);
    expect(() => new CompactRange(-1, [])).toThrow(RangeError);
    expect(() => new CompactRange().append(new Uint8Array(31))).toThrow(RangeError);
  });

  it("does not share its state with callers", () => {
    const range = new CompactRange();
    range.append(leafHash(LEAVES[0] as Uint8Array));
    range.edge().pop();
    expect(range.edge()).toHaveLength(1);
    const root = new CompactRange().root();
    root[0] = 0;
    expect(bytesToHex(new CompactRange().root())).toBe(bytesToHex(EMPTY_ROOT));
  });
});

describe("hashToHex and hexToHash", () => {
  it("round-trip lowercase hex and refuse anything else", () => {
    const hash = mth(0, 10);
    expect(bytesToHex(hexToHash(hashToHex(hash)))).toBe(bytesToHex(hash));
    expect(hashToHex(hash)).toMatch(/^[0-9a-f]{64}$/);
    expect(() => hexToHash(hashToHex(hash).toUpperCase())).toThrow(RangeError);
    expect(() => hexToHash(hashToHex(hash).slice(2))).toThrow(RangeError);
    expect(() => hexToHash(`${hashToHex(hash)}00`)).toThrow(RangeError);
    expect(() => hexToHash(`${hashToHex(hash).slice(1)}g`)).toThrow(RangeError);
    expect(() => hashToHex(new Uint8Array(31))).toThrow(RangeError);
  });
});
