/**
 * The verifier's hot loop: a range of an organization's log read with its events, every entry rebuilt from the rows
 * and hashed, and compared with the stored leaf hash; cabinet records re-hashed as their devices chained them. A range
 * is independent of the others, so a long log is scanned in parallel (`verify-worker.ts`) and the ranges' results are
 * put back together in order by `verifyAudit`.
 */
import { hash as nativeHash } from "node:crypto";
import { CABINET_EVENT_TYPES } from "@keyward/contracts/cabinet-sync";
import type { Executor } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import { canonicalJson, eventHash } from "@keyward/domain/event-chain";
import type { Hash } from "@keyward/domain/merkle";
import type SqliteDatabase from "better-sqlite3";
import { type JsonText, jsonTextFor, type LeafRow, leafText, leavesWithRows, sqliteLeavesWithRows } from "./leaf.ts";
import { TILE_WIDTH } from "./tiles.ts";

/** One cabinet record met in the scan, for the chain checks that follow. */
export interface DeviceEvent {
  deviceId: string;
  seq: number;
  prevHash: string;
  hash: string;
  occurredAt: string;
  receivedAt: string;
  headSignature: string | null;
  leafIndex: number;
  eventId: string;
}

/** What a scan saw (the verifier adds the organization and severity). */
export interface ScanFinding {
  code:
    | "event_changed"
    | "event_reencoded"
    | "leaf_without_event"
    | "leaf_sequence_broken"
    | "cabinet_event_unlinked"
    | "cabinet_hash_mismatch";
  message: string;
  leafIndex?: number;
  eventId?: string;
  deviceId?: string;
  seq?: number;
}

export interface ScanResult {
  /** Leaves read, in index order. */
  count: number;
  /** Their hashes, 32 bytes each, recomputed from the rows (the stored hash where the event is gone). */
  hashes: Uint8Array;
  /** Leaves whose event is in the database. */
  eventsSeen: number;
  findings: ScanFinding[];
  /** Device → public key, from the enrolment events met. */
  enrolled: [string, string][];
  devices: DeviceEvent[];
}

type ScanAdd = (code: ScanFinding["code"], message: string, extra?: Omit<ScanFinding, "code" | "message">) => void;

function isCanonical(text: string | null): boolean {
  if (text === null) {
    return true;
  }
  try {
    return canonicalJson(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

const DEVICE_TYPES: ReadonlySet<string> = new Set(CABINET_EVENT_TYPES);

const str = JSON.stringify;

/**
 * `leafHash` of a leaf's text, in one native call. why: the verifier's hot path; the UTF-8 bytes of "\0" + text are
 * exactly 0x00 ‖ UTF-8(text), the RFC 6962 leaf input, without two intermediate buffers per leaf.
 */
export function leafHashOfText(text: string): Hash {
  return nativeHash("sha256", `\0${text}`, "buffer");
}

/**
 * Whether a cabinet record still has the hash its device gave it, exactly as `eventHash` decides. why: the hot path
 * of a verification; the canonical body is assembled from the data's canonical text (stored canonical on SQLite,
 * canonicalized on PostgreSQL) and hashed natively, and only a mismatch pays for the portable definition, whose
 * answer then stands — so a record whose stored text is not canonical is judged by its values, as before.
 */
function deviceHashMatches(row: LeafRow, json: JsonText): boolean {
  const seq = Number(row.c_seq);
  const body =
    `{"data":${json(row.c_data)},"device":${str(row.c_device_id)},"occurredAt":${str(row.c_occurred_at)},` +
    `"prevHash":${str(row.c_prev_hash)},"seq":${seq},"type":${str(row.c_type)},"v":1}`;
  if (nativeHash("sha256", body, "hex") === row.c_hash) {
    return true;
  }
  const recomputed = eventHash(row.c_device_id as string, {
    seq,
    prevHash: row.c_prev_hash as string,
    occurredAt: row.c_occurred_at as string,
    type: row.c_type as string,
    data: JSON.parse(row.c_data as string) as Record<string, unknown>,
  });
  return recomputed === row.c_hash;
}

/** Scans the leaves [from, to) of an organization's log. */
export async function scanLeaves(
  db: Executor,
  dialect: Dialect,
  organizationId: string,
  from: number,
  to: number,
  pageSize = 5000,
  sqlite?: SqliteDatabase.Database,
): Promise<ScanResult> {
  const read = sqlite ? sqliteLeavesWithRows(sqlite) : null;
  const json = jsonTextFor(dialect);
  const findings: ScanFinding[] = [];
  const add: ScanAdd = (code, message, extra = {}) => {
    findings.push({ code, message, ...extra });
  };
  const chunks: Hash[] = [];
  const devices: DeviceEvent[] = [];
  const enrolled: [string, string][] = [];
  let eventsSeen = 0;
  let expected = from;
  while (expected < to) {
    const limit = Math.min(pageSize, to - expected);
    const page = read
      ? read(organizationId, expected, limit)
      : await leavesWithRows(db, organizationId, expected, limit);
    if (page.length === 0) {
      break;
    }
    const firstTile = Math.floor(Number(page[0]?.leaf_idx) / TILE_WIDTH);
    const lastTile = Math.floor(Number(page[page.length - 1]?.leaf_idx) / TILE_WIDTH);
    const tiles = new Map<number, Uint8Array>();
    for (const t of await db
      .selectFrom("audit_tiles")
      .select(["idx", "hashes"])
      .where("organization_id", "=", organizationId)
      .where("level", "=", 0)
      .where("idx", ">=", firstTile)
      .where("idx", "<=", lastTile)
      .execute()) {
      tiles.set(Number(t.idx), new Uint8Array(t.hashes));
    }
    for (const row of page) {
      const index = Number(row.leaf_idx);
      if (index >= to) {
        break;
      }
      if (index !== expected) {
        add("leaf_sequence_broken", `Leaves ${expected} to ${index - 1} are missing from the log.`, {
          leafIndex: expected,
        });
        // why: the tree cannot be recomputed past a hole; everything after it is reported by the roots
        expected = index;
      }
      const tile = tiles.get(Math.floor(index / TILE_WIDTH));
      const at = (index % TILE_WIDTH) * 32;
      const stored = tile && tile.length >= at + 32 ? tile.subarray(at, at + 32) : null;
      let hash: Hash;
      if (row.id === null) {
        add(
          "leaf_without_event",
          `Leaf ${index} is event ${row.leaf_event_id}, which is no longer in the database: it was deleted.`,
          { leafIndex: index, eventId: row.leaf_event_id },
        );
        hash = stored ?? new Uint8Array(32);
      } else {
        eventsSeen++;
        hash = leafHashOfText(leafText(row, json));
        if (!stored || Buffer.compare(stored, hash) !== 0) {
          const reencoded =
            dialect === "sqlite" && [row.actor, row.before, row.after, row.c_data].some((t) => !isCanonical(t));
          add(
            reencoded ? "event_reencoded" : "event_changed",
            reencoded
              ? `Event ${row.id} (leaf ${index}) was rewritten in the database with different bytes.`
              : `Event ${row.id} (leaf ${index}) differs from the event that was logged: it was changed, or moved.`,
            { leafIndex: index, eventId: row.id },
          );
        }
        checkCabinetPart(row, index, json, devices, enrolled, add);
      }
      chunks.push(hash);
      expected = index + 1;
    }
    if (page.length < limit) {
      break;
    }
  }
  const hashes = new Uint8Array(chunks.length * 32);
  chunks.forEach((h, i) => {
    hashes.set(h, i * 32);
  });
  return { count: chunks.length, hashes, eventsSeen, findings, enrolled, devices };
}

function checkCabinetPart(
  row: LeafRow,
  index: number,
  json: JsonText,
  devices: DeviceEvent[],
  enrolledKeys: [string, string][],
  add: ScanAdd,
): void {
  if (row.action === "cabinet.enrolled" && row.after) {
    const after = JSON.parse(row.after) as { deviceId?: unknown; publicKey?: unknown };
    if (typeof after.deviceId === "string" && typeof after.publicKey === "string") {
      enrolledKeys.push([after.deviceId, after.publicKey]);
    }
  }
  if (row.c_device_id === null) {
    // why: whatever source it claims, only a cabinet reports these actions, always with its signed record
    if (DEVICE_TYPES.has(row.action)) {
      add(
        "cabinet_event_unlinked",
        `Event ${row.id} (leaf ${index}) claims to come from a cabinet but has no signed cabinet record: a copy or an invention.`,
        { leafIndex: index, eventId: row.id },
      );
    }
    return;
  }
  const seq = Number(row.c_seq);
  if (!deviceHashMatches(row, json)) {
    add(
      "cabinet_hash_mismatch",
      `Cabinet event ${row.c_device_id} #${seq} no longer matches the hash its device gave it.`,
      { leafIndex: index, eventId: row.id, deviceId: row.c_device_id, seq },
    );
  }
  devices.push({
    deviceId: row.c_device_id,
    seq,
    prevHash: row.c_prev_hash as string,
    hash: row.c_hash as string,
    occurredAt: row.c_occurred_at as string,
    receivedAt: row.c_received_at as string,
    headSignature: row.c_head_signature,
    leafIndex: index,
    eventId: row.id,
  });
}
