/**
 * Copies an organization's signed checkpoints, and the entries each one adds, to an offsite target. Each object is
 * written once under a name that never changes (a bundle of entries, then the checkpoint that covers it), so a WORM
 * store can lock it for years; a retry rewrites identical bytes, which the target accepts.
 */
import type { Executor } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import { jsonTextFor, leafText, leavesWithRows } from "./leaf.ts";
import type { OffsiteTarget } from "./offsite/target.ts";
import { bundleName, checkpointName } from "./offsite-layout.ts";

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
    while (copied < size) {
      const to = Math.min(size, copied + BUNDLE_MAX);
      const rows = await leavesWithRows(db, organizationId, copied, to - copied);
      const lines: string[] = [];
      for (const row of rows) {
        if (row.id === null) {
          throw new Error(`Entry ${row.leaf_idx} of the log has no event in the database; it cannot be copied.`);
        }
        lines.push(leafText(row, json));
      }
      if (lines.length !== to - copied) {
        throw new Error(`The log lacks entries between ${copied} and ${to}; they cannot be copied.`);
      }
      await target.putOnce(
        bundleName(organizationId, copied, to),
        Buffer.from(`${lines.join("\n")}\n`),
        "application/x-ndjson",
      );
      copied = to;
    }
    await target.putOnce(
      checkpointName(organizationId, size),
      Buffer.from(checkpoint.note),
      "text/plain; charset=utf-8",
    );
    await onProgress(size);
  }
  return copied;
}
