/**
 * The S3 offsite target, for AWS or any S3-compatible server (Ceph radosgw, MinIO…). On a bucket created with Object
 * Lock, each copy is locked in COMPLIANCE mode: nobody, the account's root included, can delete or shorten it before
 * its retention ends. The credentials need PutObject, GetObject(Version), ListBucketVersions and
 * GetBucketObjectLockConfiguration — and should have no delete permission at all.
 */
import { createHash } from "node:crypto";
import {
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import {
  OffsiteConflictError,
  type OffsiteOptions,
  type OffsitePut,
  type OffsiteTarget,
  objectNameSegments,
  sameBytes,
} from "./target.ts";

const DAY_MS = 86_400_000;
const DEFAULT_TIMEOUT_MS = 15_000;

/** One stored version of an object. */
interface StoredVersion {
  bytes: Uint8Array;
  put: OffsitePut;
}

/** Opens an "s3://BUCKET/PREFIX" target. Nothing is sent until the first call. */
export function openS3Target(spec: string, options: OffsiteOptions): OffsiteTarget {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(spec);
  const bucket = match?.[1];
  if (bucket === undefined || !/^[A-Za-z0-9._-]+$/.test(bucket)) {
    // why: never echo credentials someone wrote into the URL
    throw new Error(`Offsite target "${spec.replace(/\/\/[^/@]*@/, "//…@")}" is not "s3://BUCKET/PREFIX".`);
  }
  const prefix = (match?.[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix !== "") {
    objectNameSegments(prefix);
  }
  const keyPrefix = prefix === "" ? "" : `${prefix}/`;
  const description = prefix === "" ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
  const s3 = options.s3;
  if ((s3?.accessKeyId === undefined) !== (s3?.secretAccessKey === undefined)) {
    throw new Error(`Offsite ${description}: give both the access key id and the secret access key, or neither.`);
  }
  const timeoutMs = s3?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const where = s3?.endpoint ? endpointOrigin(s3.endpoint, description) : "AWS S3";

  const config: S3ClientConfig = {
    // why: Ceph 16 radosgw predates the SDK's default CRC32 checksums and rejects the aws-chunked bodies they bring
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // why: the copy scheduler retries with backoff; retrying here too would multiply the wait before an alarm
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  };
  if (s3?.region) {
    config.region = s3.region;
  }
  if (s3?.endpoint) {
    config.endpoint = s3.endpoint;
  }
  if (s3?.forcePathStyle !== undefined) {
    config.forcePathStyle = s3.forcePathStyle;
  }
  if (s3?.accessKeyId !== undefined && s3.secretAccessKey !== undefined) {
    config.credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  }
  const client = new S3Client(config);

  const fail = (what: string, error: unknown): Error =>
    new Error(`Offsite ${description}: ${what} failed: ${explainS3Error(error, where, timeoutMs)}`, { cause: error });

  /** The object's versions, newest first (S3 lists a key's versions newest first). */
  const versionIdsOf = async (key: string): Promise<string[]> => {
    const ids: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: key,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      for (const v of page.Versions ?? []) {
        if (v.Key === key) {
          ids.push(v.VersionId ?? "null");
        }
      }
      if (!page.IsTruncated) {
        return ids;
      }
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
  };

  const readVersion = async (key: string, versionId: string): Promise<StoredVersion> => {
    // why: "null" is the id of an object written while versioning was off; asking for it by id is not portable
    const answer = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId === "null" ? {} : { VersionId: versionId }) }),
    );
    const bytes = answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array();
    const retainUntil = answer.ObjectLockRetainUntilDate ?? null;
    return {
      bytes,
      put: { locked: answer.ObjectLockMode !== undefined, retainUntil, versionId: answer.VersionId ?? null },
    };
  };

  // why: the first version is the copy that counts; later PUTs under the same name (an attacker's, or a racing
  // writer's) and delete markers never replace it
  const original = async (key: string): Promise<StoredVersion | null> => {
    const oldest = (await versionIdsOf(key)).at(-1);
    return oldest === undefined ? null : await readVersion(key, oldest);
  };

  const lockStatus: OffsiteTarget["lockStatus"] = async () => {
    try {
      const answer = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
      if (answer.ObjectLockConfiguration?.ObjectLockEnabled === "Enabled") {
        // why: every put sets its own COMPLIANCE retention, which overrides the bucket's default rule
        return { locked: true, mode: "COMPLIANCE", retentionDays: options.retentionDays };
      }
    } catch (error) {
      if (!(error instanceof Error && error.name === "ObjectLockConfigurationNotFoundError")) {
        throw fail("reading the bucket's Object Lock configuration", error);
      }
    }
    return { locked: false, mode: null, retentionDays: null };
  };

  return {
    description,

    async putOnce(name, body, contentType) {
      const key = keyPrefix + objectNameSegments(name).join("/");
      const lock = await lockStatus();
      let existing: StoredVersion | null;
      try {
        existing = await original(key);
      } catch (error) {
        throw fail(`reading ${name}`, error);
      }
      if (existing !== null) {
        if (sameBytes(existing.bytes, body)) {
          return existing.put;
        }
        throw new OffsiteConflictError(`Offsite ${description}: ${name} already holds different bytes; it is kept.`);
      }
      const retainUntil = lock.locked ? new Date(Date.now() + options.retentionDays * DAY_MS) : null;
      let versionId: string | null;
      try {
        const answer = await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            ContentLength: body.byteLength,
            // why: S3 requires an integrity header on Object Lock puts, and the SDK sends none at WHEN_REQUIRED
            ContentMD5: createHash("md5").update(body).digest("base64"),
            ...(retainUntil ? { ObjectLockMode: "COMPLIANCE", ObjectLockRetainUntilDate: retainUntil } : {}),
          }),
        );
        versionId = answer.VersionId ?? null;
      } catch (error) {
        throw fail(`storing ${name}`, error);
      }
      // why: two writers can both find the name free and both put; the older version wins, the other is refused
      let first: StoredVersion | null;
      try {
        const oldest = (await versionIdsOf(key)).at(-1);
        first = oldest === undefined || oldest === (versionId ?? "null") ? null : await readVersion(key, oldest);
      } catch (error) {
        throw fail(`reading ${name} back`, error);
      }
      if (first !== null && !sameBytes(first.bytes, body)) {
        throw new OffsiteConflictError(`Offsite ${description}: ${name} already holds different bytes; it is kept.`);
      }
      return first?.put ?? { locked: retainUntil !== null, retainUntil, versionId };
    },

    async get(name) {
      const key = keyPrefix + objectNameSegments(name).join("/");
      try {
        return (await original(key))?.bytes ?? null;
      } catch (error) {
        throw fail(`reading ${name}`, error);
      }
    },

    async list(listPrefix) {
      const names = new Set<string>();
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      try {
        for (;;) {
          const page = await client.send(
            new ListObjectVersionsCommand({
              Bucket: bucket,
              Prefix: keyPrefix + listPrefix,
              KeyMarker: keyMarker,
              VersionIdMarker: versionIdMarker,
            }),
          );
          // why: Versions only — a delete marker is not a copy, and the version behind it still is one
          for (const v of page.Versions ?? []) {
            if (v.Key !== undefined) {
              names.add(v.Key.slice(keyPrefix.length));
            }
          }
          if (!page.IsTruncated) {
            break;
          }
          keyMarker = page.NextKeyMarker;
          versionIdMarker = page.NextVersionIdMarker;
        }
      } catch (error) {
        throw fail(`listing ${listPrefix === "" ? "the prefix" : listPrefix}`, error);
      }
      return [...names].sort();
    },

    lockStatus,
  };
}

/** The endpoint's scheme, host and port — never a user or password written into the URL. */
function endpointOrigin(endpoint: string, description: string): string {
  try {
    return new URL(endpoint).origin;
  } catch (error) {
    throw new Error(`Offsite ${description}: the S3 endpoint "${endpoint}" is not a URL (say "https://host:port").`, {
      cause: error,
    });
  }
}

/** A sentence for an S3 or network failure that tells the operator what to fix. */
function explainS3Error(error: unknown, where: string, timeoutMs: number): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const code = "code" in error && typeof error.code === "string" ? error.code : error.name;
  switch (code) {
    case "NoSuchBucket":
      return "the bucket does not exist";
    case "AccessDenied":
    case "InvalidAccessKeyId":
    case "SignatureDoesNotMatch":
    case "InvalidToken":
    case "ExpiredToken":
      return `access denied (${code}): check the access key, the secret and what the bucket policy allows`;
    case "CredentialsProviderError":
      return "no credentials: configure an access key or the AWS environment variables or profile";
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ECONNRESET":
      return `${where} is unreachable (${code})`;
    case "ETIMEDOUT":
    case "TimeoutError":
    case "RequestTimeout":
      return `${where} did not answer within ${timeoutMs} ms`;
    default:
      return `${code}: ${error.message}`;
  }
}
