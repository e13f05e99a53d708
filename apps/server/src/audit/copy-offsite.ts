/**
 * Copies an organization's signed checkpoints, and the entries each one adds, to an offsite target. Each object is
 * written once under a name that never changes (a bundle of entries, then the checkpoint that covers it), so a WORM
 * store can lock it for years; a retry rewrites identical bytes, which the target accepts.
 */
import type { Executor } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import { CompactRange, equalBytes, leafHash, rootNodes } from "@keyward/domain/merkle";
import { openNote, parseCheckpoint } from "@keyward/domain/signed-note";
import { jsonTextFor, leafText, leavesWithRows } from "./leaf.ts";
import type { OffsiteTarget } from "./offsite/target.ts";
import { bundleName, checkpointName } from "./offsite-layout.ts";
import { nodeKey, readNodes, sha256 } from "./tiles.ts";

/** Entries per bundle at most (a first copy of a long log is split). */
export const BUNDLE_MAX = 4096;

/** Copies every checkpoint the target lacks; returns the size now copied. Throws on the first failure. */
export async function copyOffsite(
  db: Executor,
  dialect: Dialect,
  target: OffsiteTarget,
  organizationId: string,
  copiedSize: number,
  onProgress: (size: number) => Promise<void>,
): Promise<number> {
  const json = jsonTextFor(dialect);
  const checkpoints = await db
    .selectFrom("audit_checkpoints")
    .select(["size", "note"])
    .where("organization_id", "=", organizationId)
    .where("size", ">", copiedSize)
    .orderBy("size")
    .execute();
  let copied = copiedSize;
  for (const checkpoint of checkpoints) {
    const size = Number(checkpoint.size);
    const signed = parseCheckpoint(openNote(checkpoint.note, []).text);
    // why: the copy must be what was signed, not what the rows say now: the entries are re-hashed onto the tree of
    // everything already copied (from the stored tiles, proved when it was copied) and must reach the signed root
    const prefix = rootNodes(copied);
    const stored = await readNodes(db, organizationId, prefix);
    const range = new CompactRange(
      copied,
      prefix.map((id) => stored.get(nodeKey(id)) as Uint8Array),
      sha256,
    );
    const bundles: { name: string; body: Buffer }[] = [];
    for (let from = copied; from < size; ) {
      const to = Math.min(size, from + BUNDLE_MAX);
      const rows = await leavesWithRows(db, organizationId, from, to - from);
      const lines: string[] = [];
      for (const row of rows) {
        if (row.id === null) {
          throw new Error(`Entry ${row.leaf_idx} of the log has no event in the database; it cannot be copied.`);
        }
        const line = leafText(row, json);
        range.append(leafHash(Buffer.from(line), sha256));
        lines.push(line);
      }
      if (lines.length !== to - from) {
        throw new Error(`The log lacks entries between ${from} and ${to}; they cannot be copied.`);
      }
      bundles.push({ name: bundleName(organizationId, from, to), body: Buffer.from(`${lines.join("\n")}\n`) });
      from = to;
    }
    if (!equalBytes(range.root(), signed.rootHash)) {
      throw new Error(
        `Entries ${copied} to ${size} no longer hash to the checkpoint signed at size ${size}: the database was altered after signing. Nothing more is copied; run keyward audit verify.`,
      );
    }
    for (const bundle of bundles) {
      await target.putOnce(bundle.name, bundle.body, "application/x-ndjson");
    }
    await target.putOnce(
      checkpointName(organizationId, size),
      Buffer.from(checkpoint.note),
      "text/plain; charset=utf-8",
    );
    copied = size;
    await onProgress(size);
  }
  return copied;
}
