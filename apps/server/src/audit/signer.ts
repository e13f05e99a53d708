/**
 * The checkpoint signer: an Ed25519 key that lives outside the database it protects (configured, or a file beside the
 * data), and a small state file where it remembers the last checkpoint it signed for each log. Before signing, the
 * log must prove itself consistent with that memory, so a database rolled back or rewritten gets no signature.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import {
  formatSignerKey,
  generateNoteSigner,
  type NoteKey,
  type NoteSignerKey,
  parseSignerKey,
  parseVerifierKey,
} from "@keyward/domain/signed-note";
import type { AuditConfig } from "../config.ts";

/** What the signer last signed for one log. */
export interface SignedState {
  size: number;
  /** Hex root hash. */
  rootHash: string;
}

export interface AuditSigner {
  key: NoteSignerKey;
  lastSigned(origin: string): SignedState | null;
  /** Remembers a signature durably (write, fsync, rename) before it is published. */
  remember(origin: string, state: SignedState): void;
}

/** The key name a generated key carries. */
export const DEFAULT_KEY_NAME = "keyward-audit";

function writeDurably(file: string, text: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dir = openSync(dirname(file), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

function readState(stateFile: string): Record<string, SignedState> {
  return existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as Record<string, SignedState>) : {};
}

/** What the signer remembers signing, per origin, read from its state file (the verifier's "witness"). */
export function signerMemory(stateFile: string): (origin: string) => SignedState | null {
  return (origin) => readState(stateFile)[origin] ?? null;
}

/** A lock file older than this is left over from a crash and is taken over. */
const STALE_LOCK_MS = 30_000;

/** Runs `work` holding an exclusive lock file (created with O_EXCL), waiting up to ten seconds for it. */
function withFileLock(lock: string, work: () => void): void {
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      closeSync(openSync(lock, "wx", 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw error;
      }
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) {
          rmSync(lock, { force: true });
          continue;
        }
      } catch {
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`The audit signer's state is locked by another process (${lock}).`);
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** A signer over a key and a state file (created when missing). */
export function createAuditSigner(key: NoteSignerKey, stateFile: string): AuditSigner {
  const read = () => readState(stateFile);
  return {
    key,
    // why: read the file each time, not a cached copy: another process on this machine may share it
    lastSigned: signerMemory(stateFile),
    remember: (origin, state) => {
      // why: server processes on one machine may share the file while signing different logs; the read, change and
      // write happen under a lock so that neither loses the other's memory
      withFileLock(`${stateFile}.lock`, () => {
        const all = read();
        all[origin] = state;
        writeDurably(stateFile, `${JSON.stringify(all, null, 2)}\n`, 0o600);
      });
    },
  };
}

/**
 * The configured signer: KEYWARD_AUDIT_SIGNING_KEY, else the key file (generated on first start, readable by this
 * user only). Returns whether a key was generated, so the caller can say where.
 */
export function loadAuditSigner(config: AuditConfig): { signer: AuditSigner; generated: boolean } {
  if (config.signingKey) {
    return { signer: createAuditSigner(parseSignerKey(config.signingKey), config.stateFile), generated: false };
  }
  if (existsSync(config.keyFile)) {
    const text = readFileSync(config.keyFile, "utf8").trim();
    return { signer: createAuditSigner(parseSignerKey(text), config.stateFile), generated: false };
  }
  const key = generateNoteSigner(DEFAULT_KEY_NAME);
  writeDurably(config.keyFile, `${formatSignerKey(key)}\n`, 0o600);
  return { signer: createAuditSigner(key, config.stateFile), generated: true };
}

/** The keys checkpoints are verified with: the signer's own and any configured (retired) ones. */
export function verifierKeys(signer: AuditSigner | null, config: AuditConfig): NoteKey[] {
  const keys: NoteKey[] = config.verifierKeys.map(parseVerifierKey);
  if (signer) {
    keys.unshift({ name: signer.key.name, keyId: signer.key.keyId, publicKey: signer.key.publicKey });
  }
  return keys;
}
