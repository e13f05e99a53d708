/**
 * The verifier behind `keyward audit verify`: recomputes every organization's log from the database rows and checks it
 * against everything that vouches for it — the signed checkpoints in the database, the offsite copies (checkpoints and
 * event bundles) and the signer's memory — then checks each cabinet's chain and signatures and reconciles events with
 * leaves. It reads; it never writes. Findings name what they saw; `failure` means the trail was altered, `anomaly`
 * something an auditor should look at (a cabinet clock off by hours) that no alteration explains.
 */

import { createPublicKey, type KeyObject, verify as nativeVerify } from "node:crypto";
import { availableParallelism } from "node:os";
import type { Executor } from "@keyward/db/connect";
import type { Dialect } from "@keyward/db/migrations";
import { chainHeadMessage, fromBase64Url, GENESIS_HASH, toBase64Url, verifyMessage } from "@keyward/domain/event-chain";
import { CompactRange, type Hash, hashToHex } from "@keyward/domain/merkle";
import {
  type Ed25519Verify,
  NoteError,
  type NoteKey,
  parseCheckpoint,
  verifyEd25519,
  verifyNote,
} from "@keyward/domain/signed-note";
import { originOf } from "./append-pending.ts";
import type { OffsiteTarget } from "./offsite/target.ts";
import { bundlePrefix, checkpointPrefix, parseBundleName } from "./offsite-layout.ts";
import { type DeviceEvent, leafHashOfText, type ScanResult, scanLeaves } from "./scan-leaves.ts";
import { storedRoot } from "./sign-checkpoint.ts";
import type { SignedState } from "./signer.ts";
import { sha256 } from "./tiles.ts";
import { scanInWorker } from "./verify-worker-client.ts";

export const FINDING_CODES = {
  event_changed: "failure",
  event_reencoded: "failure",
  leaf_without_event: "failure",
  event_not_logged: "failure",
  event_logged_twice: "failure",
  leaf_sequence_broken: "failure",
  log_size_mismatch: "failure",
  root_mismatch: "failure",
  checkpoint_bad_signature: "failure",
  checkpoint_malformed: "failure",
  checkpoint_root_mismatch: "failure",
  offsite_checkpoint_mismatch: "failure",
  offsite_bundle_mismatch: "failure",
  offsite_unreadable: "failure",
  signer_state_mismatch: "failure",
  rollback: "failure",
  origin_changed: "failure",
  cabinet_hash_mismatch: "failure",
  cabinet_chain_break: "failure",
  cabinet_sequence_gap: "failure",
  cabinet_signature_invalid: "failure",
  cabinet_unsigned_tail: "failure",
  cabinet_event_unlinked: "failure",
  cabinet_event_replayed: "failure",
  cabinet_record_orphaned: "failure",
  device_key_changed: "failure",
  clock_backwards: "anomaly",
  clock_ahead: "anomaly",
} as const satisfies Record<string, "failure" | "anomaly">;
export type FindingCode = keyof typeof FINDING_CODES;

export interface Finding {
  code: FindingCode;
  severity: "failure" | "anomaly";
  organizationId: string;
  message: string;
  leafIndex?: number;
  eventId?: string;
  deviceId?: string;
  seq?: number;
  /** Where the contradicting evidence came from (`database`, an offsite target, `signer`). */
  source?: string;
}

export interface OrganizationReport {
  organizationId: string;
  origin: string;
  /** Leaves in the database. */
  size: number;
  rootHash: string;
  pending: number;
  events: number;
  checkpoints: { database: number; offsite: number; latestSize: number | null };
  bundlesChecked: number;
  devices: number;
  /** This organization's verdict and counts per finding code (all of them, listed or not). */
  status: "ok" | "anomalies" | "tampered";
  counts: Partial<Record<FindingCode, number>>;
}

export interface VerifyReport {
  status: "ok" | "anomalies" | "tampered";
  checkedAt: string;
  durationMs: number;
  eventsVerified: number;
  organizations: OrganizationReport[];
  /** Counts per finding code (all of them, even beyond the listed findings). */
  counts: Partial<Record<FindingCode, number>>;
  findings: Finding[];
  /** Findings beyond the listed ones. */
  findingsOmitted: number;
}

/** Where a verification may open more connections to the same database, for scanning in parallel. */
export interface ParallelScan {
  connection: { databaseUrl?: string; sqliteFile: string };
  /** Worker threads (at most). */
  workers: number;
  /** Logs shorter than this are scanned in-process (default `PARALLEL_FROM`). */
  minEntries?: number;
}

export interface VerifyOptions {
  dialect: Dialect;
  originPrefix: string;
  verifierKeys: readonly NoteKey[];
  offsite: readonly OffsiteTarget[];
  /** The signer's memory of what it signed (per origin), when this machine has it. */
  signerState?: (origin: string) => SignedState | null;
  organizationId?: string;
  now: () => Date;
  /** Rows per read. */
  pageSize?: number;
  /** Findings listed in full (the rest are counted). */
  maxFindings?: number;
  /** Scan a long log in worker threads, each on its own connection (the CLI and the scheduler do). */
  parallel?: ParallelScan;
}

/** The parallel scan for a configured database: a worker per core, two at most (the database is the other side). */
export function parallelScanFor(config: { databaseUrl?: string; sqliteFile: string }): ParallelScan {
  return {
    connection: { databaseUrl: config.databaseUrl, sqliteFile: config.sqliteFile },
    workers: Math.min(2, availableParallelism()),
  };
}

/** Below this many entries a log is scanned in-process: a worker's start costs more than it saves. */
export const PARALLEL_FROM = 20_000;

/**
 * Scans the whole log, in ranges: in worker threads when asked and worth it, else here. The ranges' results come back
 * in index order.
 */
async function scanAll(
  db: Executor,
  organizationId: string,
  options: VerifyOptions,
  recordedSize: number,
): Promise<ScanResult[]> {
  const last = await db
    .selectFrom("audit_leaves")
    .select((eb) => eb.fn.max("idx").as("top"))
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  // why: scan to the last leaf there is, whatever the log row says (it may have been altered)
  const end = Math.max(recordedSize, last?.top === null || last?.top === undefined ? 0 : Number(last.top) + 1);
  const workers =
    options.parallel && end >= (options.parallel.minEntries ?? PARALLEL_FROM)
      ? Math.max(1, options.parallel.workers)
      : 1;
  if (workers === 1 || !options.parallel) {
    return [await scanLeaves(db, options.dialect, organizationId, 0, end, options.pageSize)];
  }
  const step = Math.ceil(end / workers);
  const ranges = Array.from({ length: workers }, (_, i) => [i * step, Math.min(end, (i + 1) * step)] as const);
  const { connection } = options.parallel;
  return Promise.all(
    ranges.map(([from, to]) =>
      scanInWorker({ connection, dialect: options.dialect, organizationId, from, to, pageSize: options.pageSize }),
    ),
  );
}

/** How far a cabinet's clock may run backwards between events, or ahead of the server, before it is flagged. */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;

interface Reference {
  size: number;
  rootHash: string;
  source: string;
  code: FindingCode;
}

class Findings {
  readonly list: Finding[] = [];
  readonly counts: Partial<Record<FindingCode, number>> = {};
  readonly byOrganization = new Map<string, Partial<Record<FindingCode, number>>>();
  omitted = 0;
  constructor(private readonly max: number) {}
  add(organizationId: string, code: FindingCode, message: string, extra: Partial<Finding> = {}): void {
    this.counts[code] = (this.counts[code] ?? 0) + 1;
    const own = this.byOrganization.get(organizationId) ?? {};
    own[code] = (own[code] ?? 0) + 1;
    this.byOrganization.set(organizationId, own);
    if (this.list.length >= this.max) {
      this.omitted++;
      return;
    }
    this.list.push({ code, severity: FINDING_CODES[code], organizationId, message, ...extra });
  }
}

/**
 * Ed25519 checks through OpenSSL, with the public keys decoded once. why: a million-entry log carries thousands of
 * checkpoint and upload signatures, and OpenSSL checks one about ten times faster than the portable code. OpenSSL's
 * check is strict RFC 8032 (cofactorless), so what it accepts the portable check accepts too; callers hand whatever
 * it does not accept to the portable check, so the answer is always the portable definition's.
 */
class NativeEd25519 {
  private readonly keys = new Map<string, KeyObject | null>();

  /** Whether OpenSSL accepts the signature (false, never an exception, for anything malformed). */
  accepts(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const id = Buffer.from(publicKey).toString("base64");
    let key = this.keys.get(id);
    if (key === undefined) {
      try {
        key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: toBase64Url(publicKey) }, format: "jwk" });
      } catch {
        key = null;
      }
      this.keys.set(id, key);
    }
    try {
      return key !== null && nativeVerify(null, message, key, signature);
    } catch {
      return false;
    }
  }

  /** A checkpoint's signature, as `signed-note` asks for it. */
  readonly note: Ed25519Verify = (signature, message, publicKey) =>
    this.accepts(publicKey, message, signature) || verifyEd25519(signature, message, publicKey);

  /** A device's signature over a message (base64url key and signature), as `verifyMessage` decides it. */
  device(publicKey: string, message: string, signature: string): boolean {
    let fast = false;
    try {
      fast = this.accepts(fromBase64Url(publicKey), Buffer.from(message, "utf8"), fromBase64Url(signature));
    } catch {
      // a key or signature that does not decode: the portable check says so
    }
    return fast || verifyMessage(publicKey, message, signature);
  }
}

/** Verifies every organization's log (or one). */
export async function verifyAudit(db: Executor, options: VerifyOptions): Promise<VerifyReport> {
  const started = options.now();
  const findings = new Findings(options.maxFindings ?? 1000);
  let orgs = await db.selectFrom("organizations").select("id").orderBy("id").execute();
  if (options.organizationId) {
    orgs = orgs.filter((o) => o.id === options.organizationId);
  }
  const organizations: OrganizationReport[] = [];
  let eventsVerified = 0;
  for (const { id } of orgs) {
    const report = await verifyOrganization(db, id, options, findings);
    eventsVerified += report.size;
    const counts = findings.byOrganization.get(id) ?? {};
    organizations.push({ ...report, counts, status: statusOf(counts) });
  }
  return {
    status: statusOf(findings.counts),
    checkedAt: started.toISOString(),
    durationMs: options.now().getTime() - started.getTime(),
    eventsVerified,
    organizations,
    counts: findings.counts,
    findings: findings.list,
    findingsOmitted: findings.omitted,
  };
}

/** Who vouched for a root, in words. */
function voucher(source: string): string {
  return source === "database"
    ? "a checkpoint in the database"
    : source === "signer"
      ? "the signer's memory"
      : `the offsite copy ${source}`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The verdict of a set of findings: any failure is tampering; anomalies alone are not. */
function statusOf(counts: Partial<Record<FindingCode, number>>): "ok" | "anomalies" | "tampered" {
  const codes = Object.entries(counts).filter(([, n]) => (n ?? 0) > 0);
  if (codes.some(([code]) => FINDING_CODES[code as FindingCode] === "failure")) {
    return "tampered";
  }
  return codes.length > 0 ? "anomalies" : "ok";
}

/** Reads and checks a signed checkpoint note; null (with a finding) when it does not verify. */
function readCheckpoint(
  note: string,
  origin: string,
  keys: readonly NoteKey[],
  organizationId: string,
  source: string,
  findings: Findings,
  native: NativeEd25519,
): { size: number; rootHash: string } | null {
  try {
    let text: string;
    try {
      // why: the note's whole rule: some known key verifies it, and no known key's signature on it fails
      text = verifyNote(note, keys, native.note).text;
    } catch (error) {
      if (
        error instanceof NoteError &&
        (error.code === "no_verified_signature" || error.code === "invalid_signature")
      ) {
        findings.add(
          organizationId,
          "checkpoint_bad_signature",
          `A checkpoint from ${source} is not signed by a known key.`,
          { source },
        );
        return null;
      }
      throw error;
    }
    const checkpoint = parseCheckpoint(text);
    if (checkpoint.origin !== origin) {
      findings.add(
        organizationId,
        "checkpoint_malformed",
        `A checkpoint from ${source} names another log (${checkpoint.origin}).`,
        { source },
      );
      return null;
    }
    return { size: checkpoint.size, rootHash: hashToHex(checkpoint.rootHash) };
  } catch (error) {
    findings.add(
      organizationId,
      "checkpoint_malformed",
      `A checkpoint from ${source} cannot be read: ${error instanceof Error ? error.message : String(error)}.`,
      { source },
    );
    return null;
  }
}

async function verifyOrganization(
  db: Executor,
  organizationId: string,
  options: VerifyOptions,
  findings: Findings,
): Promise<Omit<OrganizationReport, "status" | "counts">> {
  const add = (code: FindingCode, message: string, extra?: Partial<Finding>) =>
    findings.add(organizationId, code, message, extra);
  const native = new NativeEd25519();
  const log = await db
    .selectFrom("audit_logs")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  // why: the log's name comes from configuration; a renamed row is itself a finding (the signer refuses it too)
  const origin = originOf(options.originPrefix, organizationId);
  if (log && log.origin !== origin) {
    add("origin_changed", `The log row names the log "${log.origin}", not "${origin}": it was altered.`);
  }

  // ---------------------------------------------------------------- what vouches for the log
  const references: Reference[] = [];
  const dbCheckpoints = await db
    .selectFrom("audit_checkpoints")
    .select(["size", "root_hash", "note"])
    .where("organization_id", "=", organizationId)
    .orderBy("size")
    .execute();
  for (const row of dbCheckpoints) {
    const c = readCheckpoint(row.note, origin, options.verifierKeys, organizationId, "database", findings, native);
    if (c) {
      references.push({ ...c, source: "database", code: "checkpoint_root_mismatch" });
    }
  }
  let offsiteCount = 0;
  const bundles: { target: OffsiteTarget; name: string; from: number; to: number }[] = [];
  for (const target of options.offsite) {
    try {
      for (const name of await target.list(checkpointPrefix(organizationId))) {
        const bytes = await target.get(name);
        if (!bytes) {
          continue;
        }
        const c = readCheckpoint(
          Buffer.from(bytes).toString("utf8"),
          origin,
          options.verifierKeys,
          organizationId,
          target.description,
          findings,
          native,
        );
        if (c) {
          offsiteCount++;
          references.push({ ...c, source: target.description, code: "offsite_checkpoint_mismatch" });
        }
      }
      for (const name of await target.list(bundlePrefix(organizationId))) {
        const range = parseBundleName(organizationId, name);
        if (range) {
          bundles.push({ target, name, ...range });
        }
      }
    } catch (error) {
      add(
        "offsite_unreadable",
        `The offsite copy ${target.description} cannot be read: ${error instanceof Error ? error.message : String(error)}.`,
        { source: target.description },
      );
    }
  }
  const remembered = options.signerState?.(origin);
  if (remembered) {
    references.push({ ...remembered, source: "signer", code: "signer_state_mismatch" });
  }
  const bySize = new Map<number, Reference[]>();
  for (const r of references) {
    bySize.set(r.size, [...(bySize.get(r.size) ?? []), r]);
  }

  // ---------------------------------------------------------------- the leaves, recomputed from the rows
  const range = new CompactRange(0, [], sha256);
  const checkRoot = (size: number, root: string) => {
    for (const r of bySize.get(size) ?? []) {
      if (r.rootHash !== root) {
        add(
          r.code,
          `The log's first ${size} entries do not hash to the root that ${voucher(r.source)} vouches for: history was changed after it was signed.`,
          { source: r.source },
        );
      }
    }
  };
  checkRoot(0, hashToHex(range.root()));
  const scans = await scanAll(db, organizationId, options, Number(log?.size ?? 0));
  // why: only offsite bundles are compared leaf by leaf afterwards
  const leafHashes: Hash[] = [];
  const devices = new Map<string, DeviceEvent[]>();
  const enrolledKeys = new Map<string, string>();
  let eventsSeen = 0;
  for (const scan of scans) {
    for (const f of scan.findings) {
      add(f.code, f.message, f);
    }
    for (const [deviceId, publicKey] of scan.enrolled) {
      enrolledKeys.set(deviceId, publicKey);
    }
    for (const e of scan.devices) {
      let list = devices.get(e.deviceId);
      if (!list) {
        list = [];
        devices.set(e.deviceId, list);
      }
      list.push(e);
    }
    eventsSeen += scan.eventsSeen;
    for (let i = 0; i < scan.count; i++) {
      const hash = scan.hashes.subarray(i * 32, (i + 1) * 32);
      if (bundles.length > 0) {
        leafHashes.push(hash);
      }
      range.append(hash);
      if (bySize.has(range.size)) {
        checkRoot(range.size, hashToHex(range.root()));
      }
    }
  }
  for (const twice of await db
    .selectFrom("audit_leaves")
    .select("event_id")
    .where("organization_id", "=", organizationId)
    .groupBy("event_id")
    .having((eb) => eb.fn.countAll(), ">", 1)
    .limit(1000)
    .execute()) {
    add("event_logged_twice", `Event ${twice.event_id} is in the log more than once.`, { eventId: twice.event_id });
  }
  const size = range.size;
  const rootHash = hashToHex(range.root());

  // ---------------------------------------------------------------- the log's own bookkeeping
  const top = references.reduce((m, r) => Math.max(m, r.size), 0);
  if (top > size) {
    const r = references.find((x) => x.size === top) as Reference;
    add(
      "rollback",
      `${capitalized(voucher(r.source))} vouches for ${top} entries but the database holds ${size}: the database was rolled back (an older backup restored) or truncated.`,
      { source: r.source },
    );
  }
  // why: re-read after the scan: on a live database the sequencer may have appended meanwhile, which is growth, not
  // tampering; what must hold is that the log covers what was scanned and its stored tree agrees at that size
  const now = await db
    .selectFrom("audit_logs")
    .select(["size", "root_hash"])
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (now) {
    const recorded = Number(now.size);
    const grew = recorded > size;
    if (recorded < size || (!grew && now.root_hash !== rootHash)) {
      add(
        "log_size_mismatch",
        `The log records ${recorded} entries (root ${now.root_hash.slice(0, 12)}…) but its leaves recompute to ${size} (root ${rootHash.slice(0, 12)}…).`,
      );
    }
    try {
      const atScan = hashToHex(await storedRoot(db, organizationId, Math.min(size, recorded)));
      const atRecorded = hashToHex(await storedRoot(db, organizationId, recorded));
      if ((recorded >= size && atScan !== rootHash) || atRecorded !== now.root_hash) {
        add("root_mismatch", "The stored tree (used to prove inclusion) does not hash to the log's root.");
      }
    } catch (error) {
      add("root_mismatch", `The stored tree is incomplete: ${error instanceof Error ? error.message : String(error)}.`);
    }
  }
  const pending = Number(
    (
      await db
        .selectFrom("audit_pending")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("organization_id", "=", organizationId)
        .executeTakeFirstOrThrow()
    ).n,
  );
  const events = Number(
    (
      await db
        .selectFrom("events")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("organization_id", "=", organizationId)
        .executeTakeFirstOrThrow()
    ).n,
  );
  if (events !== eventsSeen + pending) {
    const missing = await db
      .selectFrom("events as e")
      .select("e.id")
      .where("e.organization_id", "=", organizationId)
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom("audit_leaves as l").select("l.idx").whereRef("l.event_id", "=", "e.id"))),
      )
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom("audit_pending as p").select("p.id").whereRef("p.event_id", "=", "e.id"))),
      )
      .limit(1000)
      .execute();
    for (const m of missing) {
      add(
        "event_not_logged",
        `Event ${m.id} is in the database but not in the log: it was inserted behind the application's back.`,
        { eventId: m.id },
      );
    }
  }
  const orphans = await db
    .selectFrom("cabinet_events as c")
    .select(["c.device_id", "c.seq"])
    .where("c.organization_id", "=", organizationId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom("events as e").select("e.id").whereRef("e.id", "=", "c.event_id"))))
    .limit(1000)
    .execute();
  for (const o of orphans) {
    add("cabinet_record_orphaned", `Cabinet record ${o.device_id} #${o.seq} has lost its event.`, {
      deviceId: o.device_id,
      seq: Number(o.seq),
    });
  }

  // ---------------------------------------------------------------- cabinet chains
  const deviceRows = await db
    .selectFrom("cabinet_devices")
    .select(["id", "public_key", "last_seq"])
    .where("organization_id", "=", organizationId)
    .execute();
  const deviceKeys = new Map(deviceRows.map((d) => [d.id, d.public_key]));
  const deviceHeads = new Map(deviceRows.map((d) => [d.id, Number(d.last_seq)]));
  for (const [deviceId, list] of devices) {
    list.sort((a, b) => a.seq - b.seq);
    const logged = enrolledKeys.get(deviceId);
    const current = deviceKeys.get(deviceId);
    if (logged && current && logged !== current) {
      add("device_key_changed", `Cabinet device ${deviceId}'s public key differs from the one its enrolment logged.`, {
        deviceId,
      });
    }
    const publicKey = logged ?? current;
    checkChain(deviceId, list, publicKey ?? null, native, add, deviceHeads.get(deviceId) ?? 0);
  }

  // ---------------------------------------------------------------- offsite bundles, byte for byte
  let bundlesChecked = 0;
  for (const b of bundles) {
    let bytes: Uint8Array | null;
    try {
      bytes = await b.target.get(b.name);
    } catch (error) {
      add(
        "offsite_unreadable",
        `Bundle ${b.name} on ${b.target.description} cannot be read: ${error instanceof Error ? error.message : String(error)}.`,
        { source: b.target.description },
      );
      continue;
    }
    if (!bytes) {
      continue;
    }
    bundlesChecked++;
    const lines = Buffer.from(bytes)
      .toString("utf8")
      .split("\n")
      .filter((l) => l !== "");
    lines.forEach((line, i) => {
      const index = b.from + i;
      const ours = leafHashes[index];
      if (ours && Buffer.compare(leafHashOfText(line), ours) !== 0) {
        add(
          "offsite_bundle_mismatch",
          `Leaf ${index} differs from its offsite copy in ${b.name} (${b.target.description}).`,
          { leafIndex: index, source: b.target.description },
        );
      }
    });
    if (lines.length !== b.to - b.from) {
      add(
        "offsite_bundle_mismatch",
        `Bundle ${b.name} on ${b.target.description} holds ${lines.length} entries, not ${b.to - b.from}.`,
        { source: b.target.description },
      );
    }
  }

  const latest = references.length > 0 ? references.reduce((m, r) => Math.max(m, r.size), 0) : null;
  return {
    organizationId,
    origin,
    size,
    rootHash,
    pending,
    events,
    checkpoints: { database: dbCheckpoints.length, offsite: offsiteCount, latestSize: latest },
    bundlesChecked,
    devices: devices.size,
  };
}

type Add = (code: FindingCode, message: string, extra?: Partial<Finding>) => void;

function checkChain(
  deviceId: string,
  list: readonly DeviceEvent[],
  publicKey: string | null,
  native: NativeEd25519,
  add: Add,
  head: number,
): void {
  let previous: DeviceEvent | null = null;
  for (const e of list) {
    const where = { deviceId, seq: e.seq, leafIndex: e.leafIndex, eventId: e.eventId };
    if (previous && e.seq === previous.seq) {
      add("cabinet_event_replayed", `Cabinet event ${deviceId} #${e.seq} is in the log twice.`, where);
      continue;
    }
    const expectedSeq = previous ? previous.seq + 1 : 1;
    if (e.seq !== expectedSeq) {
      add("cabinet_sequence_gap", `Cabinet ${deviceId}'s events ${expectedSeq} to ${e.seq - 1} are missing.`, where);
    } else if (e.prevHash !== (previous ? previous.hash : GENESIS_HASH)) {
      add("cabinet_chain_break", `Cabinet event ${deviceId} #${e.seq} does not follow the event before it.`, where);
    }
    if (
      e.headSignature !== null &&
      e.headSignature !== "" &&
      (!publicKey || !native.device(publicKey, chainHeadMessage(deviceId, e.seq, e.hash), e.headSignature))
    ) {
      add(
        "cabinet_signature_invalid",
        `The device's signature over its chain at ${deviceId} #${e.seq} does not verify.`,
        where,
      );
    }
    if (previous && Date.parse(e.occurredAt) < Date.parse(previous.occurredAt) - CLOCK_TOLERANCE_MS) {
      add(
        "clock_backwards",
        `Cabinet ${deviceId}'s clock ran backwards at #${e.seq} (${e.occurredAt} after ${previous.occurredAt}); order is kept from the sequence.`,
        where,
      );
    }
    if (Date.parse(e.occurredAt) > Date.parse(e.receivedAt) + CLOCK_TOLERANCE_MS) {
      add(
        "clock_ahead",
        `Cabinet ${deviceId}'s clock was ahead of the server at #${e.seq} (${e.occurredAt}, received ${e.receivedAt}).`,
        where,
      );
    }
    previous = e;
  }
  const last = list[list.length - 1];
  // why: the rest of an upload may still be queued (the sequencer splits batches at multiples of 256); records stored
  // before signatures were kept say so ("")
  const queuedAfter = last !== undefined && last.seq < head;
  if (last && last.headSignature === null && !queuedAfter) {
    add("cabinet_unsigned_tail", `Cabinet ${deviceId}'s latest events (to #${last.seq}) carry no device signature.`, {
      deviceId,
      seq: last.seq,
    });
  }
}
