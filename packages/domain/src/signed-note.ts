/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys (signature type 0x01), and the transparency
 * log checkpoint carried in them (https://c2sp.org/tlog-checkpoint). Byte-compatible with Go's
 * golang.org/x/mod/sumdb/note, so a third party can check Keyward's checkpoints with standard tools. Pure and
 * portable (no Node built-ins).
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { base64 } from "@scure/base";
import { equalBytes } from "./merkle.ts";

/** Signature type byte of Ed25519 in the signed-note registry. */
const ED25519_TYPE = 0x01;
/** Go's limit on signature lines per note; the spec asks verifiers to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;
const SIGNATURE_PREFIX = "\u2014 ";

/** What can be wrong with a note, a key or a checkpoint. */
export type NoteErrorCode =
  /** The note's text or signature block breaks the signed-note syntax. */
  | "malformed"
  /** A key's text, name, id or bytes are invalid. */
  | "invalid_key"
  /** Two different keys given for one (name, key id) pair. */
  | "ambiguous_key"
  /** A signature from a known key does not verify (`verifyNote`). */
  | "invalid_signature"
  /** No signature from a known key (`verifyNote`). */
  | "no_verified_signature"
  /** The text is not a checkpoint. */
  | "malformed_checkpoint";

/** A note, key or checkpoint problem with a stable `code`. */
export class NoteError extends Error {
  readonly code: NoteErrorCode;

  constructor(code: NoteErrorCode, message: string) {
    super(message);
    this.name = "NoteError";
    this.code = code;
  }
}

/** A note verifier key: its name, 4-byte key id and 32-byte Ed25519 public key. */
export interface NoteKey {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

/** A note signer key: the verifier key plus the 32-byte Ed25519 seed. */
export interface NoteSignerKey extends NoteKey {
  secretKey: Uint8Array;
}

/** Whether a key name is valid: non-empty, no Unicode spaces, no "+", and no control characters. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+\p{Cc}\p{Zs}\p{Zl}\p{Zp}]/u.test(name) && !hasLoneSurrogate(name);
}

/** The recommended key id: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. */
export function noteKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  const nameBytes = utf8ToBytes(name);
  const data = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  data.set(nameBytes, 0);
  data[nameBytes.length] = 0x0a;
  data[nameBytes.length + 1] = ED25519_TYPE;
  data.set(publicKey, nameBytes.length + 2);
  return sha256(data).slice(0, 4);
}

/** A new random Ed25519 note signer named `name`. */
export function generateNoteSigner(name: string): NoteSignerKey {
  const { secretKey } = ed25519.keygen();
  return signerFromSeed(name, secretKey);
}

/** The signer for a name and a 32-byte Ed25519 seed. */
export function signerFromSeed(name: string, seed: Uint8Array): NoteSignerKey {
  assertKeyName(name);
  if (seed.length !== 32) {
    throw new NoteError("invalid_key", "an Ed25519 seed is 32 bytes");
  }
  const publicKey = ed25519.getPublicKey(seed);
  return { name, keyId: noteKeyId(name, publicKey), publicKey, secretKey: seed.slice() };
}

/** Go's signer key text: "PRIVATE+KEY+<name>+<hex8>+<base64(0x01‖seed)>". Keep it secret. */
export function formatSignerKey(k: NoteSignerKey): string {
  assertKey(k);
  return `PRIVATE+KEY+${k.name}+${bytesToHex(k.keyId)}+${base64.encode(withType(k.secretKey))}`;
}

/** Parses Go's signer key text, checking that its key id matches the derived public key. */
export function parseSignerKey(text: string): NoteSignerKey {
  const [private1, private2, name, id, encoded] = splitPlus(text, 5);
  if (private1 !== "PRIVATE" || private2 !== "KEY") {
    throw new NoteError("invalid_key", "a signer key starts with PRIVATE+KEY+");
  }
  const seed = decodeTypedKey(encoded);
  assertKeyName(name);
  const signer = signerFromSeed(name, seed);
  assertKeyIdText(id, signer.keyId);
  return signer;
}

/** Go's verifier key text: "<name>+<hex8>+<base64(0x01‖public key)>". */
export function formatVerifierKey(k: NoteKey): string {
  assertKey(k);
  return `${k.name}+${bytesToHex(k.keyId)}+${base64.encode(withType(k.publicKey))}`;
}

/** Parses Go's verifier key text, checking that its key id matches its name and public key. */
export function parseVerifierKey(text: string): NoteKey {
  const [name, id, encoded] = splitPlus(text, 3);
  assertKeyName(name);
  const publicKey = decodeTypedKey(encoded);
  const keyId = noteKeyId(name, publicKey);
  assertKeyIdText(id, keyId);
  return { name, keyId, publicKey };
}

/** The verifier half of a signer key (safe to publish). */
export function verifierKeyOf(k: NoteSignerKey): NoteKey {
  return { name: k.name, keyId: k.keyId.slice(), publicKey: k.publicKey.slice() };
}

/** Signs a note text (valid UTF-8 ending in "\n", no control characters but newlines): text + "\n" + signature. */
export function signNote(text: string, signer: NoteSignerKey): string {
  assertNoteText(text);
  return `${text}\n${signatureLine(text, signer)}`;
}

/**
 * Adds another signature to an already signed note (cosigning). A signature already there from the same
 * (name, key id) is replaced, so a note never carries one key twice.
 */
export function addSignature(note: string, signer: NoteSignerKey): string {
  const { text, lines } = parseNote(note);
  const kept = lines.filter((line) => !(line.name === signer.name && equalBytes(line.keyId, signer.keyId)));
  if (kept.length + 1 > MAX_NOTE_SIGNATURES) {
    throw new NoteError("malformed", `a note carries at most ${MAX_NOTE_SIGNATURES} signatures`);
  }
  return `${text}\n${kept.map((line) => `${line.raw}\n`).join("")}${signatureLine(text, signer)}`;
}

/** One signature of an opened note. `known`: a given key matches its (name, key id); `valid`: it verified. */
export interface NoteSignature {
  name: string;
  keyId: Uint8Array;
  known: boolean;
  valid: boolean;
}

/** A parsed note: its signed text and every signature line, in order. */
export interface OpenedNote {
  text: string;
  signatures: NoteSignature[];
}

/** The keys that verified a signature of each opened note (so `verifiedBy` also compares the public key). */
const verifiedKeys = new WeakMap<OpenedNote, NoteKey[]>();

/**
 * Parses a note and checks each signature whose (name, keyId) matches a given key. Throws NoteError (exported,
 * with a stable `code`: "malformed" | "no_verified_signature" | …) on malformed notes; `openNote` itself does not
 * require a valid signature — `verifiedBy(opened, key)` tells. Signatures from unknown keys are kept, unchecked.
 */
/** Checks an Ed25519 signature (strict RFC 8032); the portable one is the default, a caller may pass a native one. */
export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

export function openNote(note: string, keys: readonly NoteKey[], verify: Ed25519Verify = verifyEd25519): OpenedNote {
  const { text, lines } = parseNote(note);
  const message = utf8ToBytes(text);
  const verified: NoteKey[] = [];
  const signatures = lines.map(({ name, keyId, signature }): NoteSignature => {
    const key = findKey(keys, name, keyId);
    if (!key) {
      return { name, keyId, known: false, valid: false };
    }
    const valid = signature.length === 64 && verify(signature, message, key.publicKey);
    if (valid) {
      verified.push(key);
    }
    return { name, keyId, known: true, valid };
  });
  const opened = { text, signatures };
  verifiedKeys.set(opened, verified);
  return opened;
}

/**
 * Whether `key` (name, key id and public key) verified a signature of a note opened by `openNote`. Only the very
 * object `openNote` returned is known; a copy of it answers false (fails closed).
 */
export function verifiedBy(opened: OpenedNote, key: NoteKey): boolean {
  return (verifiedKeys.get(opened) ?? []).some(
    (k) => k.name === key.name && equalBytes(k.keyId, key.keyId) && equalBytes(k.publicKey, key.publicKey),
  );
}

/**
 * The spec's acceptance rule in one call: opens the note, rejects it if a signature from a known key fails
 * ("invalid_signature") or if none verifies ("no_verified_signature"), and returns it otherwise.
 */
export function verifyNote(note: string, keys: readonly NoteKey[], verify?: Ed25519Verify): OpenedNote {
  const opened = openNote(note, keys, verify);
  const failed = opened.signatures.find((s) => s.known && !s.valid);
  if (failed) {
    throw new NoteError("invalid_signature", `the signature of ${failed.name}+${bytesToHex(failed.keyId)} is invalid`);
  }
  if (!opened.signatures.some((s) => s.valid)) {
    throw new NoteError("no_verified_signature", "no signature on the note is from a known key");
  }
  return opened;
}

/** A transparency log checkpoint: the log's origin, its size and root hash, and optional extension lines. */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions: string[];
}

/** The checkpoint's note text: "origin\nsize\nbase64(root)\n" + one line per extension. */
export function formatCheckpoint(c: Checkpoint): string {
  if (!isCheckpointLine(c.origin)) {
    throw new NoteError("malformed_checkpoint", "the origin must be one non-empty line");
  }
  if (!Number.isSafeInteger(c.size) || c.size < 0) {
    throw new NoteError("malformed_checkpoint", "the size must be a non-negative safe integer");
  }
  if (c.rootHash.length !== 32) {
    throw new NoteError("malformed_checkpoint", "the root hash must be 32 bytes");
  }
  if (!c.extensions.every(isCheckpointLine)) {
    throw new NoteError("malformed_checkpoint", "each extension must be one non-empty line");
  }
  return [c.origin, String(c.size), base64.encode(c.rootHash), ...c.extensions].map((line) => `${line}\n`).join("");
}

/** Parses a checkpoint's note text strictly: decimal size without leading zeros, canonical base64 of 32 bytes. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith("\n")) {
    throw new NoteError("malformed_checkpoint", "a checkpoint ends with a newline");
  }
  const [origin, sizeText, rootText, ...extensions] = text.slice(0, -1).split("\n");
  if (origin === undefined || sizeText === undefined || rootText === undefined) {
    throw new NoteError("malformed_checkpoint", "a checkpoint has at least three lines");
  }
  if (!isCheckpointLine(origin) || !extensions.every(isCheckpointLine)) {
    throw new NoteError("malformed_checkpoint", "checkpoint lines must be non-empty, without control characters");
  }
  // why: one size has exactly one spelling, so two different checkpoint texts never claim the same tree.
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new NoteError("malformed_checkpoint", "the size must be decimal without leading zeros");
  }
  let rootHash: Uint8Array;
  try {
    rootHash = base64.decode(rootText);
  } catch (cause) {
    throw new NoteError("malformed_checkpoint", `the root hash is not base64: ${String(cause)}`);
  }
  if (rootHash.length !== 32) {
    throw new NoteError("malformed_checkpoint", "the root hash must be 32 bytes");
  }
  return { origin, size: Number(sizeText), rootHash, extensions };
}

interface SignatureLine {
  /** The line without its newline. */
  raw: string;
  name: string;
  keyId: Uint8Array;
  signature: Uint8Array;
}

function parseNote(note: string): { text: string; lines: SignatureLine[] } {
  if (hasLoneSurrogate(note) || hasForbiddenControl(note)) {
    throw new NoteError("malformed", "a note is valid UTF-8 without control characters other than newline");
  }
  // why: the text may hold blank lines itself; the last blank line is the one that starts the signatures.
  const split = note.lastIndexOf("\n\n");
  if (split < 0) {
    throw new NoteError("malformed", "a note has a blank line before its signatures");
  }
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith("\n")) {
    throw new NoteError("malformed", "a note ends with signature lines, each ending in a newline");
  }
  const rawLines = block.slice(0, -1).split("\n");
  if (rawLines.length > MAX_NOTE_SIGNATURES) {
    throw new NoteError("malformed", `a note carries at most ${MAX_NOTE_SIGNATURES} signatures`);
  }
  const seen = new Set<string>();
  const lines = rawLines.map((raw) => {
    const line = parseSignatureLine(raw);
    const pair = `${line.name}+${bytesToHex(line.keyId)}`;
    if (seen.has(pair)) {
      throw new NoteError("malformed", `two signatures from ${pair}`);
    }
    seen.add(pair);
    return line;
  });
  return { text, lines };
}

function parseSignatureLine(raw: string): SignatureLine {
  if (!raw.startsWith(SIGNATURE_PREFIX)) {
    throw new NoteError("malformed", "a signature line starts with an em dash and a space");
  }
  const rest = raw.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(" ");
  const name = rest.slice(0, space);
  const encoded = rest.slice(space + 1);
  if (space < 0 || !isValidKeyName(name)) {
    throw new NoteError("malformed", "a signature line holds a valid key name and a signature");
  }
  let bytes: Uint8Array;
  try {
    bytes = base64.decode(encoded);
  } catch (cause) {
    throw new NoteError("malformed", `a signature is not base64: ${String(cause)}`);
  }
  if (bytes.length < 5) {
    throw new NoteError("malformed", "a signature holds a key id and at least one byte");
  }
  return { raw, name, keyId: bytes.slice(0, 4), signature: bytes.slice(4) };
}

function signatureLine(text: string, signer: NoteSignerKey): string {
  assertKey(signer);
  if (signer.secretKey.length !== 32) {
    throw new NoteError("invalid_key", "an Ed25519 seed is 32 bytes");
  }
  // why: a key id that does not belong to the seed would sign notes nobody can match to the key.
  if (!equalBytes(ed25519.getPublicKey(signer.secretKey), signer.publicKey)) {
    throw new NoteError("invalid_key", "the signer's public key does not belong to its seed");
  }
  const signature = ed25519.sign(utf8ToBytes(text), signer.secretKey);
  const bytes = new Uint8Array(4 + signature.length);
  bytes.set(signer.keyId, 0);
  bytes.set(signature, 4);
  return `${SIGNATURE_PREFIX}${signer.name} ${base64.encode(bytes)}\n`;
}

function findKey(keys: readonly NoteKey[], name: string, keyId: Uint8Array): NoteKey | undefined {
  const matches = keys.filter((k) => k.name === name && equalBytes(k.keyId, keyId));
  const first = matches[0];
  if (first && matches.some((k) => !equalBytes(k.publicKey, first.publicKey))) {
    throw new NoteError("ambiguous_key", `two different keys are named ${name}+${bytesToHex(keyId)}`);
  }
  return first;
}

/** The portable strict RFC 8032 check. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    // why: strict RFC 8032 verification, so a signature has one encoding and cannot be malleated.
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

function assertNoteText(text: string): void {
  if (!text.endsWith("\n") || hasLoneSurrogate(text) || hasForbiddenControl(text)) {
    throw new NoteError(
      "malformed",
      "a note text is valid UTF-8 ending in a newline, without control characters other than newline",
    );
  }
}

function assertKeyName(name: string | undefined): asserts name is string {
  if (name === undefined || !isValidKeyName(name)) {
    throw new NoteError("invalid_key", "a key name is non-empty, without spaces or '+'");
  }
}

function assertKey(k: NoteKey): void {
  assertKeyName(k.name);
  if (k.keyId.length !== 4 || k.publicKey.length !== 32) {
    throw new NoteError("invalid_key", "a key has a 4-byte key id and a 32-byte public key");
  }
}

function assertKeyIdText(text: string | undefined, keyId: Uint8Array): void {
  if (text === undefined || !/^[0-9a-fA-F]{8}$/.test(text) || !equalBytes(hexToBytes(text.toLowerCase()), keyId)) {
    throw new NoteError("invalid_key", "the key id does not match the key");
  }
}

/** Splits at the first `count - 1` plus signs (the last field is base64, which may hold "+"). */
function splitPlus(text: string, count: number): (string | undefined)[] {
  const fields: (string | undefined)[] = [];
  let rest = text;
  for (let i = 0; i < count - 1; i++) {
    const plus = rest.indexOf("+");
    if (plus < 0) {
      throw new NoteError("invalid_key", "a key has name, key id and key fields separated by '+'");
    }
    fields.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  fields.push(rest);
  return fields;
}

function decodeTypedKey(encoded: string | undefined): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base64.decode(encoded ?? "");
  } catch (cause) {
    throw new NoteError("invalid_key", `the key is not base64: ${String(cause)}`);
  }
  if (bytes.length !== 33 || bytes[0] !== ED25519_TYPE) {
    throw new NoteError("invalid_key", "only Ed25519 keys (type 0x01, 32 bytes) are supported");
  }
  return bytes.slice(1);
}

function withType(key: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(1 + key.length);
  bytes[0] = ED25519_TYPE;
  bytes.set(key, 1);
  return bytes;
}

function isCheckpointLine(line: string): boolean {
  return line.length > 0 && !hasForbiddenControl(line) && !line.includes("\n") && !hasLoneSurrogate(line);
}

/** Whether the text holds an ASCII control character other than newline. */
function hasForbiddenControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) {
      return true;
    }
  }
  return false;
}

function hasLoneSurrogate(text: string): boolean {
  // why: in a `u` regex, surrogate classes only match halves that are not part of a pair (invalid UTF-16/UTF-8).
  return /\p{Surrogate}/u.test(text);
}
