/**
 * The evidence packet for a unit and a period: every audit entry about the unit and its keys, each with its RFC 9162
 * inclusion proof against one signed checkpoint, so a third party holding only the file (and, ideally, the
 * organization's published verifier key) can tell that none of it was changed. The `visits` summary is for people and
 * is derived from the entries; the verifier holds it to them. Pure and portable: the server builds packets with these
 * types, and the command line (or anyone's script, or a browser) verifies them with `verifyEvidencePacket`.
 */
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { type AuditEntry, parseAuditEntry } from "./audit-entry.ts";
import { canonicalJson, eventHash, sha256Hex } from "./event-chain.ts";
import { type Hash, hashToHex, hexToHash, leafHash, verifyInclusion } from "./merkle.ts";
import { localTime } from "./schedule.ts";
import {
  formatVerifierKey,
  type NoteKey,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  verifiedBy,
} from "./signed-note.ts";
import { addDays, instantAtLocal } from "./zoned-time.ts";

export const EVIDENCE_PACKET_FORMAT = "keyward-evidence-packet";
export const EVIDENCE_PACKET_VERSION = 1;
/** The longest period one packet covers, in days. */
export const MAX_EVIDENCE_DAYS = 366;

/** The half-open period [from, to) a packet covers, as instants and as the local days a person asked for. */
export interface EvidencePeriod {
  /** ISO-8601 UTC instant, included. */
  from: string;
  /** ISO-8601 UTC instant, excluded. */
  to: string;
  /** The property's IANA time zone, in which the days below are counted. */
  timeZone: string;
  /** The local date of `from`. */
  firstDay: string;
  /** The local date of the last instant before `to` (the inclusive last day). */
  lastDay: string;
}

/** One time a key of the unit left and (perhaps) came back, as its logged out and in events record it. */
export interface EvidenceVisit {
  checkoutId: string;
  key: { id: string; label: string };
  takenBy: { id: string; name: string } | null;
  takenAt: string;
  /** Whether the cabinet let the key go to an identified person (false: removed without a session). */
  authorized: boolean;
  reason: { id: string; code: string; label: string } | null;
  workOrder: string | null;
  dueAt: string | null;
  returnedAt: string | null;
  returnedBy: { id: string; name: string } | null;
  /** Whole seconds between taken and returned; null while the key is out. */
  durationSeconds: number | null;
  /** The event (an entry of this packet) that recorded the key leaving. */
  outEventId: string;
  /** The event (an entry of this packet) that recorded it coming back. */
  inEventId: string | null;
}

/** One audit log entry with its proof. */
export interface EvidenceEntry {
  /** The entry's position in the organization's log. */
  index: number;
  /** The leaf bytes exactly (canonical JSON of an `AuditEntry`). */
  entry: string;
  /** RFC 9162 inclusion proof against the checkpoint's tree, lowercase hex, deepest first. */
  proof: string[];
}

export interface EvidencePacket {
  format: typeof EVIDENCE_PACKET_FORMAT;
  version: typeof EVIDENCE_PACKET_VERSION;
  organization: { id: string; name: string };
  property: { id: string; name: string; timeZone: string };
  unit: { id: string; number: string; building: { id: string; name: string } | null };
  period: EvidencePeriod;
  generatedAt: string;
  generatedBy: { name: string; role: string };
  checkpoint: {
    /** The C2SP signed note, exactly as signed. */
    note: string;
    /** The verifier key of the note's signer (`name+keyid+base64`); compare it with the one the organization publishes. */
    verifierKey: string;
    size: number;
    /** Lowercase hex of the tree's root. */
    rootHash: string;
  };
  entries: EvidenceEntry[];
  visits: {
    /** Always true: the visits are a reading aid derived from the entries, which are the evidence. */
    derived: true;
    note: string;
    /** Names the entries record only by id, looked up when the packet was made: NOT proven by the entries. */
    unproved: VisitLabels;
    items: EvidenceVisit[];
  };
}

/**
 * The names of keys and reasons, by id, as the organization's records had them when the packet was made. The entries
 * carry only the ids, so these are the one part of the visits that no proof covers.
 */
export interface VisitLabels {
  keys: Record<string, string>;
  reasons: Record<string, { code: string; label: string }>;
}

/** What the `visits.note` of every packet says. */
export const VISITS_NOTE =
  "Derived from the entries above for people to read; the entries and their proofs are the evidence. " +
  "Verification derives the visits again from the entries (one for each key.taken or " +
  "key.removed_without_session entry that opened a checkout, paired with the key.returned entry that closed it) and " +
  "requires the list to be exactly this one. Who took and returned a key are the names the entries recorded at the " +
  "time; key labels and reason codes and labels (under `unproved`) were looked up from the current records when the " +
  "packet was made and are not proven. A visit belongs to the unit its key belonged to when it left, as the log's " +
  "key and key set changes show. A packet proves what it contains, not that nothing was left out: a third party who " +
  "needs completeness checks the unit's keys against the whole log with `keyward audit verify`.";

/** The cabinet events that take a key out of a cabinet, each opening a checkout. */
const OUT_ACTIONS: ReadonlySet<string> = new Set(["key.taken", "key.removed_without_session"]);

/** The checkout a `key.removed_without_session` opens: derived from (device, seq) exactly as ingest derives it. */
export function unattendedCheckoutId(device: string, seq: number): string {
  return `u-${sha256Hex(`${device}:${seq}`).slice(0, 32)}`;
}

/** The device's data of a cabinet entry (chained by the device), or else the event's `after`. */
function dataOf(entry: AuditEntry): Record<string, unknown> {
  const data = entry.cabinet?.data;
  if (isRecord(data)) {
    return data;
  }
  return isRecord(entry.event.after) ? entry.event.after : {};
}

/** What the server noted on the event when it ingested it (a conflict, the checkout a return closed…). */
function notesOf(entry: AuditEntry): Record<string, unknown> {
  return isRecord(entry.event.after) ? entry.event.after : {};
}

/**
 * The checkout an out entry opened, or null when it opened none: a key the server did not know, or a report of a key
 * already out (a conflict: the first checkout stands, as the checkouts the server keeps).
 */
export function checkoutOpenedBy(entry: AuditEntry): string | null {
  const e = entry.event;
  if (!OUT_ACTIONS.has(e.action) || e.entityType !== "key" || typeof e.entityId !== "string") {
    return null;
  }
  const notes = notesOf(entry);
  if (notes.conflict !== undefined || notes.unknownKey === true) {
    return null;
  }
  if (e.action === "key.taken") {
    const id = dataOf(entry).checkoutId;
    return typeof id === "string" ? id : null;
  }
  const device = entry.cabinet?.device ?? notes.deviceId;
  const seq = entry.cabinet?.seq ?? notes.seq;
  return typeof device === "string" && typeof seq === "number" ? unattendedCheckoutId(device, seq) : null;
}

/** The checkout a `key.returned` entry closed, as the server noted it when it ingested the event, or null. */
export function checkoutClosedBy(entry: AuditEntry): string | null {
  const e = entry.event;
  if (e.action !== "key.returned" || e.entityType !== "key") {
    return null;
  }
  const id = notesOf(entry).checkoutId;
  return typeof id === "string" ? id : null;
}

function personActor(event: AuditEntry["event"]): { id: string; name: string } | null {
  if (event.actorType !== "person" || event.actorId === null) {
    return null;
  }
  const name = isRecord(event.actor) && typeof event.actor.name === "string" ? event.actor.name : "";
  return { id: event.actorId, name };
}

const nullableText = (v: unknown): string | null => (typeof v === "string" ? v : null);

function instant(v: unknown): string | null {
  if (typeof v !== "string") {
    return null;
  }
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? v : new Date(ms).toISOString();
}

function secondsBetween(from: string, to: string): number | null {
  const seconds = Math.round((Date.parse(to) - Date.parse(from)) / 1000);
  return Number.isFinite(seconds) ? seconds : null;
}

/**
 * The visits the entries record: one for every out entry that opened a checkout (`checkoutOpenedBy`), with the first
 * `key.returned` entry (in log order) that closed that checkout on the same key. Everything comes from the entries —
 * the cabinet's chained data, the server's notes and the actor snapshots taken at the time — except the key and
 * reason names in `labels`. The builder and the verifier both call this, so the packet's visits are exactly these.
 */
export function deriveVisits(entries: readonly AuditEntry[], labels: VisitLabels): EvidenceVisit[] {
  const returns = new Map<string, AuditEntry>();
  for (const entry of entries) {
    const closed = checkoutClosedBy(entry);
    if (closed !== null && !returns.has(closed)) {
      returns.set(closed, entry);
    }
  }
  const visits: EvidenceVisit[] = [];
  for (const entry of entries) {
    const checkoutId = checkoutOpenedBy(entry);
    if (checkoutId === null) {
      continue;
    }
    const out = entry.event;
    const keyId = out.entityId as string;
    const data = dataOf(entry);
    const candidate = returns.get(checkoutId);
    const back = candidate && candidate.event.entityId === keyId ? candidate.event : null;
    const taken = out.action === "key.taken";
    const reasonId = taken ? nullableText(data.reasonCodeId) : null;
    // why: the labels come from a file anyone can write; an id like "constructor" must not reach Object's prototype
    const named = reasonId !== null && Object.hasOwn(labels.reasons, reasonId) ? labels.reasons[reasonId] : undefined;
    visits.push({
      checkoutId,
      key: { id: keyId, label: Object.hasOwn(labels.keys, keyId) ? (labels.keys[keyId] as string) : "" },
      takenBy: personActor(out),
      takenAt: out.occurredAt,
      authorized: taken && data.authorized === true,
      reason: reasonId === null ? null : { id: reasonId, code: named?.code ?? "", label: named?.label ?? "" },
      workOrder: taken ? nullableText(data.workOrder) : null,
      dueAt: taken ? instant(data.dueAt) : null,
      returnedAt: back ? back.occurredAt : null,
      returnedBy: back ? personActor(back) : null,
      durationSeconds: back ? secondsBetween(out.occurredAt, back.occurredAt) : null,
      outEventId: out.id,
      inEventId: back ? back.id : null,
    });
  }
  // why: a stable order both sides reproduce, whatever order the entries hold
  return visits.sort((a, b) =>
    a.takenAt < b.takenAt ? -1 : a.takenAt > b.takenAt ? 1 : a.checkoutId < b.checkoutId ? -1 : 1,
  );
}

/**
 * The period of the days `from`..`to` (both YYYY-MM-DD, `to` included) in a time zone, or of two instants (ISO-8601
 * with a zone, `to` excluded). Mixed forms are allowed. Returns a sentence a person can act on when it is not valid.
 */
export function evidencePeriod(
  from: string,
  to: string,
  timeZone: string,
): { period: EvidencePeriod } | { problem: string } {
  const start = boundary(from, timeZone, "start");
  const end = boundary(to, timeZone, "end");
  if (!start || !end) {
    return { problem: "from and to are dates (YYYY-MM-DD) or instants (ISO-8601 with a time zone)" };
  }
  if (end.getTime() <= start.getTime()) {
    return { problem: "to must not be before from" };
  }
  const firstDay = localTime(start, timeZone).date;
  const lastDay = localTime(new Date(end.getTime() - 1), timeZone).date;
  // why: counted in local days, so a period across a daylight-saving change is not a day short or long
  if (addDays(firstDay, MAX_EVIDENCE_DAYS - 1) < lastDay) {
    return { problem: `a packet covers at most ${MAX_EVIDENCE_DAYS} days; ask for a shorter period` };
  }
  return {
    period: { from: start.toISOString(), to: end.toISOString(), timeZone, firstDay, lastDay },
  };
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function boundary(value: string, zone: string, side: "start" | "end"): Date | null {
  if (DATE.test(value)) {
    if (new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
      return null;
    }
    // why: `to` names the last day included, so the period ends at the next local midnight
    return instantAtLocal(side === "start" ? value : addDays(value, 1), 0, zone);
  }
  if (INSTANT.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : new Date(ms);
  }
  return null;
}

// ------------------------------------------------------------------------------------------------- verification

/** The checks of a packet, in the order they run. */
export const EVIDENCE_CHECKS = [
  /** The file is a Keyward evidence packet of a known version, with every field in place. */
  "format",
  /** The checkpoint's signed note verifies with the trusted key (or, failing one, the key the packet carries). */
  "checkpoint_signature",
  /** The checkpoint is the organization's log, and the size and root the packet states are the note's. */
  "checkpoint",
  /** Each entry's leaf hash is in the checkpoint's tree at its index. */
  "inclusion",
  /** Each entry is a Keyward audit entry. */
  "entries",
  /** Each cabinet record inside an entry re-hashes to the hash its device chained. */
  "cabinet_hashes",
  /** Each entry is an event of the packet's organization. */
  "organization",
  /** The visits summary is exactly the visits the entries record (`deriveVisits`): none missing, none added. */
  "visits",
] as const;
export type EvidenceCheckName = (typeof EVIDENCE_CHECKS)[number];

export interface EvidenceCheck {
  name: EvidenceCheckName;
  ok: boolean;
  detail: string;
}

export interface EvidenceVerification {
  ok: boolean;
  /** The key that verified the checkpoint, for a reader to compare with the organization's published one. */
  key: { name: string; keyId: string; verifierKey: string; trusted: boolean } | null;
  checks: EvidenceCheck[];
}

/**
 * Verifies a packet offline. With `trustedKeys` (verifier key texts, e.g. the organization's published key), the
 * checkpoint must be signed by one of them; without, it is checked with the key the packet carries — which proves the
 * packet is intact but not who made it, and the result says so. Never throws.
 */
export function verifyEvidencePacket(packet: unknown, trustedKeys: readonly string[] = []): EvidenceVerification {
  const shape = shapeProblem(packet);
  if (shape !== null) {
    return { ok: false, key: null, checks: [{ name: "format", ok: false, detail: shape }] };
  }
  const p = packet as EvidencePacket;
  const checks: EvidenceCheck[] = [
    { name: "format", ok: true, detail: `${EVIDENCE_PACKET_FORMAT} version ${EVIDENCE_PACKET_VERSION}` },
  ];
  const signature = checkSignature(p, trustedKeys);
  checks.push(signature.check);
  const tree = checkCheckpoint(p);
  checks.push(tree.check);
  checks.push(checkInclusion(p, tree.size, tree.root));
  const parsed = p.entries.map((e) => tryParse(e.entry));
  const broken = parsed.flatMap((entry, i) => (entry ? [] : [describeEntry(p, i)]));
  checks.push(
    broken.length === 0
      ? { name: "entries", ok: true, detail: `${parsed.length} audit entries, each of version 1` }
      : { name: "entries", ok: false, detail: `not a Keyward audit entry: ${listSome(broken)}` },
  );
  const entries = parsed.filter((e): e is AuditEntry => e !== null);
  checks.push(checkCabinetHashes(entries));
  const foreign = entries.filter((e) => e.event.organizationId !== p.organization.id).map((e) => e.event.id);
  checks.push(
    foreign.length === 0
      ? { name: "organization", ok: true, detail: `every entry is an event of ${p.organization.name}` }
      : {
          name: "organization",
          ok: false,
          detail: `events of another organization than ${p.organization.id}: ${listSome(foreign)}`,
        },
  );
  checks.push(checkVisits(p, entries));
  return { ok: checks.every((c) => c.ok), key: signature.key, checks };
}

function checkSignature(
  p: EvidencePacket,
  trustedKeys: readonly string[],
): { check: EvidenceCheck; key: EvidenceVerification["key"] } {
  const fail = (detail: string) => ({ check: { name: "checkpoint_signature" as const, ok: false, detail }, key: null });
  const trusted = trustedKeys.length > 0;
  let keys: NoteKey[];
  try {
    keys = (trusted ? trustedKeys : [p.checkpoint.verifierKey]).map((text) => parseVerifierKey(text.trim()));
  } catch (error) {
    return fail(`${trusted ? "a key given" : "the packet's verifier key"} is not a verifier key: ${message(error)}`);
  }
  try {
    const opened = openNote(p.checkpoint.note, keys);
    const invalid = opened.signatures.find((s) => s.known && !s.valid);
    const key = keys.find((k) => verifiedBy(opened, k));
    if (invalid || !key) {
      const named = invalid ? `${invalid.name}+${bytesToHex(invalid.keyId)}` : null;
      return fail(
        named
          ? `the signature of ${named} on the checkpoint is forged or the checkpoint was altered`
          : `no signature on the checkpoint is from ${trusted ? "a key given" : "the key the packet carries"}`,
      );
    }
    const text = formatVerifierKey(key);
    const result = { name: key.name, keyId: bytesToHex(key.keyId), verifierKey: text, trusted };
    const detail = trusted
      ? `signed by ${key.name}+${result.keyId}, a key you trust (${text})`
      : `signed by ${key.name}+${result.keyId}, checked only with the key the packet carries (${text}): this shows ` +
        "the packet is intact, not who made it; compare that key with the one the organization publishes, or " +
        "verify again with --key";
    return { check: { name: "checkpoint_signature", ok: true, detail }, key: result };
  } catch (error) {
    return fail(`the checkpoint is not a signed note: ${message(error)}`);
  }
}

function checkCheckpoint(p: EvidencePacket): { check: EvidenceCheck; size: number; root: Hash | null } {
  const fail = (detail: string) => ({ check: { name: "checkpoint" as const, ok: false, detail }, size: 0, root: null });
  let checkpoint: ReturnType<typeof parseCheckpoint>;
  try {
    const note = p.checkpoint.note;
    const split = note.lastIndexOf("\n\n");
    checkpoint = parseCheckpoint(split < 0 ? note : note.slice(0, split + 1));
  } catch (error) {
    return fail(`the signed note is not a log checkpoint: ${message(error)}`);
  }
  const root = hashToHex(checkpoint.rootHash);
  if (!checkpoint.origin.endsWith(`/${p.organization.id}`)) {
    return fail(`the checkpoint is of the log ${checkpoint.origin}, not of organization ${p.organization.id}'s`);
  }
  if (checkpoint.size !== p.checkpoint.size || root !== p.checkpoint.rootHash) {
    return fail(
      `the packet states size ${p.checkpoint.size} and root ${p.checkpoint.rootHash}, but the signed checkpoint ` +
        `says size ${checkpoint.size} and root ${root}`,
    );
  }
  return {
    check: { name: "checkpoint", ok: true, detail: `${checkpoint.origin} at size ${checkpoint.size}, root ${root}` },
    size: checkpoint.size,
    root: checkpoint.rootHash,
  };
}

function checkInclusion(p: EvidencePacket, size: number, root: Hash | null): EvidenceCheck {
  if (root === null) {
    return { name: "inclusion", ok: false, detail: "not checked: there is no valid checkpoint to prove against" };
  }
  const failed: string[] = [];
  const seen = new Set<number>();
  p.entries.forEach((e, i) => {
    let proof: Hash[];
    try {
      proof = e.proof.map(hexToHash);
    } catch {
      failed.push(`${describeEntry(p, i)} (a proof element is not a hash)`);
      return;
    }
    const leaf = leafHash(utf8ToBytes(e.entry));
    if (seen.has(e.index) || !verifyInclusion(leaf, e.index, size, proof, root)) {
      failed.push(describeEntry(p, i));
    }
    seen.add(e.index);
  });
  return failed.length === 0
    ? { name: "inclusion", ok: true, detail: `all ${p.entries.length} entries are in the log of size ${size}` }
    : {
        name: "inclusion",
        ok: false,
        detail: `not in the signed log as stated (changed, moved, or its proof altered): ${listSome(failed)}`,
      };
}

function checkCabinetHashes(entries: readonly AuditEntry[]): EvidenceCheck {
  const withCabinet = entries.filter((e) => e.cabinet !== undefined);
  const failed = withCabinet.flatMap((e) => {
    const c = e.cabinet as NonNullable<AuditEntry["cabinet"]>;
    const data = c.data;
    const ok =
      typeof data === "object" &&
      data !== null &&
      !Array.isArray(data) &&
      eventHash(c.device, {
        seq: c.seq,
        prevHash: c.prevHash,
        occurredAt: c.occurredAt,
        type: c.type,
        data: data as Record<string, unknown>,
      }) === c.hash;
    return ok ? [] : [`event ${e.event.id} (device ${c.device}, seq ${c.seq})`];
  });
  return failed.length === 0
    ? {
        name: "cabinet_hashes",
        ok: true,
        detail: `${withCabinet.length} cabinet records re-hash to the hashes their devices chained`,
      }
    : { name: "cabinet_hashes", ok: false, detail: `a cabinet record does not match its hash: ${listSome(failed)}` };
}

/** Whether two values are the same JSON (key order aside); false for anything JSON cannot hold. */
function same(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a ?? null) === canonicalJson(b ?? null);
  } catch {
    return false;
  }
}

function checkVisits(p: EvidencePacket, entries: readonly AuditEntry[]): EvidenceCheck {
  const derived = deriveVisits(entries, p.visits.unproved);
  const stated = new Map<string, EvidenceVisit>();
  const problems: string[] = [];
  for (const v of p.visits.items) {
    if (stated.has(v.checkoutId)) {
      problems.push(`checkout ${v.checkoutId}: listed twice`);
    }
    stated.set(v.checkoutId, v);
  }
  const expected = new Set<string>();
  for (const v of derived) {
    expected.add(v.checkoutId);
    const listed = stated.get(v.checkoutId);
    if (listed === undefined) {
      problems.push(`checkout ${v.checkoutId}: the entries record it (out event ${v.outEventId}) but it is not listed`);
    } else if (!same(listed, v)) {
      const fields = (Object.keys(v) as (keyof EvidenceVisit)[]).filter((k) => !same(listed[k], v[k]));
      problems.push(`checkout ${v.checkoutId}: ${fields.join(", ") || "a field"} differs from its entries`);
    }
  }
  for (const v of p.visits.items) {
    if (!expected.has(v.checkoutId)) {
      problems.push(`checkout ${v.checkoutId}: no out event among the entries opened it`);
    }
  }
  if (
    problems.length === 0 &&
    !same(
      p.visits.items.map((v) => v.checkoutId),
      derived.map((v) => v.checkoutId),
    )
  ) {
    problems.push("the visits are not in the order of the times the keys left");
  }
  return problems.length === 0
    ? {
        name: "visits",
        ok: true,
        detail:
          `${derived.length} visits, exactly those the entries record (key and reason labels are as looked up when ` +
          "the packet was made, not proven)",
      }
    : { name: "visits", ok: false, detail: `the visits summary disagrees with the entries: ${listSome(problems)}` };
}

function tryParse(text: string): AuditEntry | null {
  try {
    const entry = parseAuditEntry(text);
    const e = entry.event as unknown;
    return isRecord(e) && typeof e.id === "string" && typeof e.organizationId === "string" ? entry : null;
  } catch {
    return null;
  }
}

function describeEntry(p: EvidencePacket, i: number): string {
  return `entry ${i + 1} (log index ${p.entries[i]?.index})`;
}

/** The first few items of a list, and how many more. */
function listSome(items: readonly string[]): string {
  const shown = items.slice(0, 5).join("; ");
  return items.length > 5 ? `${shown}; and ${items.length - 5} more` : shown;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ------------------------------------------------------------------------------------------------- shape

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isString = (v: unknown): v is string => typeof v === "string";
const isNullableString = (v: unknown) => v === null || isString(v);
const isIndex = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isNamed = (v: unknown) => isRecord(v) && isString(v.id) && isString(v.name);

function visitProblem(v: unknown): string | null {
  if (!isRecord(v)) {
    return "is not an object";
  }
  const ok =
    isString(v.checkoutId) &&
    isRecord(v.key) &&
    isString(v.key.id) &&
    isString(v.key.label) &&
    (v.takenBy === null || isNamed(v.takenBy)) &&
    isString(v.takenAt) &&
    typeof v.authorized === "boolean" &&
    (v.reason === null ||
      (isRecord(v.reason) && isString(v.reason.id) && isString(v.reason.code) && isString(v.reason.label))) &&
    isNullableString(v.workOrder) &&
    isNullableString(v.dueAt) &&
    isNullableString(v.returnedAt) &&
    (v.returnedBy === null || isNamed(v.returnedBy)) &&
    (v.durationSeconds === null || typeof v.durationSeconds === "number") &&
    isString(v.outEventId) &&
    isNullableString(v.inEventId);
  return ok ? null : "lacks a field or has one of the wrong type";
}

function labelsShapeOk(v: unknown): boolean {
  return (
    isRecord(v) &&
    isRecord(v.keys) &&
    Object.values(v.keys).every(isString) &&
    isRecord(v.reasons) &&
    Object.values(v.reasons).every((r) => isRecord(r) && isString(r.code) && isString(r.label))
  );
}

/** Why a value is not a packet this verifier reads, or null. */
function shapeProblem(value: unknown): string | null {
  if (!isRecord(value) || value.format !== EVIDENCE_PACKET_FORMAT) {
    return `not a Keyward evidence packet (format "${EVIDENCE_PACKET_FORMAT}")`;
  }
  if (value.version !== EVIDENCE_PACKET_VERSION) {
    return `version ${String(value.version)} is not one this verifier reads (${EVIDENCE_PACKET_VERSION})`;
  }
  const { organization, checkpoint, entries, visits } = value;
  if (!isNamed(organization)) {
    return "organization must have an id and a name";
  }
  if (
    !isRecord(checkpoint) ||
    !isString(checkpoint.note) ||
    !isString(checkpoint.verifierKey) ||
    !isIndex(checkpoint.size) ||
    !isString(checkpoint.rootHash)
  ) {
    return "checkpoint must have a note, a verifierKey, a size and a rootHash";
  }
  if (!Array.isArray(entries)) {
    return "entries must be a list";
  }
  const badEntry = entries.findIndex(
    (e: unknown) =>
      !isRecord(e) || !isIndex(e.index) || !isString(e.entry) || !Array.isArray(e.proof) || !e.proof.every(isString),
  );
  if (badEntry >= 0) {
    return `entry ${badEntry + 1} must have an index, an entry text and a proof (a list of hex hashes)`;
  }
  if (!isRecord(visits) || visits.derived !== true || !Array.isArray(visits.items)) {
    return "visits must be the derived summary ({ derived: true, unproved: {...}, items: [...] })";
  }
  if (!labelsShapeOk(visits.unproved)) {
    return "visits.unproved must name keys ({ id: label }) and reasons ({ id: { code, label } })";
  }
  for (const [i, v] of visits.items.entries()) {
    const problem = visitProblem(v);
    if (problem) {
      return `visit ${i + 1} ${problem}`;
    }
  }
  return null;
}
