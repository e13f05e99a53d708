/**
 * A cabinet's event chain: canonical bytes (RFC 8785), each event's SHA-256 over its predecessor's hash and its own
 * canonical body, and the device's Ed25519 signature over a chain head. The agent builds the chain, the server
 * verifies it, and a third party can re-check it from the stored rows alone. Pure and portable (no Node built-ins),
 * so the browser and the command line verify with the very same code.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { base64urlnopad } from "@scure/base";
import canonicalize from "canonicalize";

/** The `prevHash` of a device's first event. */
export const GENESIS_HASH = "0".repeat(64);

/** RFC 8785 canonical JSON of a value: the bytes every hash and signature is computed over. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) {
    throw new TypeError("value has no canonical JSON form");
  }
  return text;
}

/** Lowercase hex SHA-256 of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** The signed part of a cabinet event, as the device records it. */
export interface ChainedEventBody {
  seq: number;
  prevHash: string;
  /** The device's clock, ISO-8601 UTC. */
  occurredAt: string;
  type: string;
  data: Record<string, unknown>;
}

/** A cabinet event with its hash. */
export interface ChainedEvent extends ChainedEventBody {
  hash: string;
}

/**
 * The hash of one event: SHA-256 over the canonical JSON of the body and the device it belongs to.
 * why: the device id is inside the hash, so an event cannot be replayed as another cabinet's.
 */
export function eventHash(deviceId: string, body: ChainedEventBody): string {
  return sha256Hex(
    canonicalJson({
      v: 1,
      device: deviceId,
      seq: body.seq,
      prevHash: body.prevHash,
      occurredAt: body.occurredAt,
      type: body.type,
      data: body.data,
    }),
  );
}

/** Appends an event to a chain whose head is (`headSeq`, `headHash`). */
export function chainEvent(
  deviceId: string,
  head: { seq: number; hash: string },
  event: { occurredAt: string; type: string; data: Record<string, unknown> },
): ChainedEvent {
  const body: ChainedEventBody = { seq: head.seq + 1, prevHash: head.hash, ...event };
  return { ...body, hash: eventHash(deviceId, body) };
}

/** What goes wrong when a batch does not continue a chain. */
export type ChainProblem =
  | { problem: "gap"; seq: number; expectedSeq: number }
  | { problem: "fork"; seq: number }
  | { problem: "bad_hash"; seq: number }
  | { problem: "not_consecutive"; seq: number };

/**
 * Checks that `events` (ascending seq) are internally consistent: consecutive sequence numbers, each hash right and
 * each `prevHash` the previous event's hash. Where the batch begins relative to the stored head is the caller's
 * business (it may overlap already stored events). Returns the first problem, or null.
 */
export function checkBatch(deviceId: string, events: readonly ChainedEvent[]): ChainProblem | null {
  let previous: ChainedEvent | null = null;
  for (const event of events) {
    if (eventHash(deviceId, event) !== event.hash) {
      return { problem: "bad_hash", seq: event.seq };
    }
    if (previous) {
      if (event.seq !== previous.seq + 1) {
        return { problem: "not_consecutive", seq: event.seq };
      }
      if (event.prevHash !== previous.hash) {
        return { problem: "fork", seq: event.seq };
      }
    }
    previous = event;
  }
  return null;
}

/** The message a device signs to vouch for its chain up to `seq`. */
export function chainHeadMessage(deviceId: string, seq: number, hash: string): string {
  return `keyward-chain/v1\n${deviceId}\n${seq}\n${hash}`;
}

/** The message the server signs to vouch for a snapshot body (its canonical JSON). */
export function snapshotMessage(body: string): string {
  return `keyward-snapshot/v1\n${sha256Hex(body)}`;
}

/**
 * The message the server signs to vouch for a command it sends a cabinet: the command's canonical JSON, exactly as the
 * stream carries it (every field, so nothing in it can be changed on the way).
 */
export function commandMessage(command: unknown): string {
  return `keyward-command/v1\n${sha256Hex(canonicalJson(command))}`;
}

/** The message a device signs to authenticate one HTTP request to the server. */
export function requestMessage(method: string, path: string, time: string, body: string): string {
  return `keyward-request/v1\n${method.toUpperCase()}\n${path}\n${time}\n${sha256Hex(body)}`;
}

/** An Ed25519 key pair, each half base64url-encoded (raw 32-byte keys). */
export interface SigningKeyPair {
  publicKey: string;
  secretKey: string;
}

/** A fresh Ed25519 key pair. */
export function generateSigningKeyPair(): SigningKeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { publicKey: toBase64Url(publicKey), secretKey: toBase64Url(secretKey) };
}

/** The public half of a base64url secret key. */
export function publicKeyOf(secretKey: string): string {
  return toBase64Url(ed25519.getPublicKey(fromBase64Url(secretKey)));
}

/** Signs a UTF-8 message; the signature is base64url. */
export function signMessage(secretKey: string, message: string): string {
  return toBase64Url(ed25519.sign(utf8ToBytes(message), fromBase64Url(secretKey)));
}

/** Whether `signature` (base64url) is `publicKey`'s signature of the UTF-8 message. Malformed input is false. */
export function verifyMessage(publicKey: string, message: string, signature: string): boolean {
  try {
    return ed25519.verify(fromBase64Url(signature), utf8ToBytes(message), fromBase64Url(publicKey));
  } catch {
    return false;
  }
}

/** Whether a string is a 64-digit lowercase hex hash. */
export function isHash(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}

/** base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Decodes base64url without padding; throws on anything else. */
export function fromBase64Url(text: string): Uint8Array {
  return base64urlnopad.decode(text);
}
