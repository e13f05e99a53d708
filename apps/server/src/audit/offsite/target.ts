/**
 * Write-once offsite storage for the audit log's signed checkpoints and event bundles: a directory (a mounted drive)
 * or an S3 bucket with Object Lock. A copy there lets a third party notice a rewritten history even when whoever
 * rewrote it controls the database and the server.
 */
import { openDirectoryTarget } from "./directory-target.ts";
import { openS3Target } from "./s3-target.ts";

/** What a stored object is, once stored. */
export interface OffsitePut {
  /** Whether the object is under a retention lock (S3 Object Lock); never for a directory. */
  locked: boolean;
  /** When the lock may end; null when not locked. */
  retainUntil: Date | null;
  /** The S3 version that holds the bytes; null for a directory or an unversioned bucket. */
  versionId: string | null;
}

/** One offsite destination. Object names are relative paths of "/"-separated segments ("checkpoints/000042"). */
export interface OffsiteTarget {
  /** "dir:/abs/path" or "s3://bucket/prefix" — printed in reports and the dashboard (never credentials). */
  readonly description: string;
  /** Stores an object once. Same name with identical bytes already there → succeeds (idempotent retry);
   * different bytes → throws OffsiteConflictError. Locks it (S3 Object Lock COMPLIANCE, retainUntil = now +
   * retentionDays) where the bucket has Object Lock enabled; a directory target writes tmp+fsync+rename, 0444. */
  putOnce(name: string, body: Uint8Array, contentType: string): Promise<OffsitePut>;
  /** The object's ORIGINAL bytes, or null if never written. why: on a versioned bucket a delete without a version
   * id only adds a delete marker; the locked version is still there and is what counts — read by version. */
  get(name: string): Promise<Uint8Array | null>;
  /** Every name ever written under `prefix` (versions behind delete markers included), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Whether new objects are locked (bucket Object Lock enabled / directory: false). */
  lockStatus(): Promise<{ locked: boolean; mode: "COMPLIANCE" | "GOVERNANCE" | null; retentionDays: number | null }>;
}

/** The name is already taken by different bytes: an offsite copy is never replaced. */
export class OffsiteConflictError extends Error {
  override readonly name = "OffsiteConflictError";
}

/** How targets are opened. */
export interface OffsiteOptions {
  /** Days each S3 copy stays locked (COMPLIANCE); the caller's default is 2557 (7 years). */
  retentionDays: number;
  s3?: {
    /** An S3-compatible server's URL (Ceph, MinIO…); AWS when absent. */
    endpoint?: string;
    region: string;
    /** Both or neither: without them the SDK's default chain (environment, profile, instance role) is used. */
    accessKeyId?: string;
    secretAccessKey?: string;
    /** Bucket in the path rather than the host name; most non-AWS servers need it. */
    forcePathStyle?: boolean;
    /** How long one request may take, connecting included; default 15 000 ms. */
    timeoutMs?: number;
  };
}

/** Parses a target spec: an absolute directory path (or "dir:PATH") or "s3://BUCKET/PREFIX". */
export function openOffsiteTarget(spec: string, options: OffsiteOptions): OffsiteTarget {
  if (!Number.isInteger(options.retentionDays) || options.retentionDays < 1) {
    throw new Error(`Offsite retention must be a whole number of days, at least 1 (got ${options.retentionDays}).`);
  }
  if (spec.startsWith("s3://")) {
    return openS3Target(spec, options);
  }
  if (spec.startsWith("dir:")) {
    return openDirectoryTarget(spec.slice("dir:".length));
  }
  if (spec.startsWith("/")) {
    return openDirectoryTarget(spec);
  }
  throw new Error(
    `Offsite target "${spec}" is neither an absolute directory path ("/mnt/worm", "dir:/mnt/worm") nor "s3://BUCKET/PREFIX".`,
  );
}

/**
 * Checks an object name and returns its segments. why: names become file paths and object keys; "..", empty or
 * dot-leading segments could escape the directory or collide with the temporary files of an interrupted write.
 */
export function objectNameSegments(name: string): string[] {
  const segments = name.split("/");
  const bad = segments.find((s) => s === "" || s.startsWith(".") || s.includes("\\") || s.includes("\0"));
  if (bad !== undefined || name.length > 900) {
    throw new Error(
      `Offsite object name "${name}" is not allowed: use "/"-separated segments that are not empty and do not start with ".".`,
    );
  }
  return segments;
}

/** Whether two byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
