/**
 * A throwaway Ceph radosgw for the S3 Object Lock tests, started with `.ci/ceph.sh` in a folder and on a port of its
 * own, so several test runs on one machine never meet. Ceph is the S3 server here because it enforces Object Lock:
 * a server that ignores the lock headers would let a broken WORM copy pass.
 */
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";

const run = promisify(execFile);
const script = fileURLToPath(new URL("../../../.ci/ceph.sh", import.meta.url));
const binaries = ["ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph", "monmaptool", "ceph-authtool"];

/** A running radosgw and how to reach it. */
export interface TestCeph {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops the daemons and deletes their folder. */
  stop(): Promise<void>;
}

/** Why Ceph cannot run here, or null when its binaries are installed. */
export function cephMissingReason(): string | null {
  const missing = binaries.filter((b) => spawnSync("sh", ["-c", `command -v ${b}`]).status !== 0);
  return missing.length === 0
    ? null
    : `Ceph is not installed (missing ${missing.join(", ")}): ` +
        "apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common";
}

/** Starts a radosgw on a free loopback port; null when the Ceph binaries are missing (CI installs them). */
export async function startCeph(): Promise<TestCeph | null> {
  if (cephMissingReason() !== null) {
    return null;
  }
  const env = {
    ...process.env,
    KEYWARD_CEPH_DIR: `/tmp/keyward-test-ceph-${randomBytes(6).toString("hex")}`,
    RGW_PORT: String(await freePort()),
  };
  const stop = async (): Promise<void> => {
    process.off("exit", stopNow);
    await run("bash", [script, "stop"], { env });
  };
  // why: a test worker that dies without its afterAll must not leave three daemons behind
  const stopNow = (): void => {
    spawnSync("bash", [script, "stop"], { env });
  };
  process.on("exit", stopNow);
  let stdout: string;
  try {
    ({ stdout } = await run("bash", [script, "start"], { env, timeout: 110_000 }));
  } catch (error) {
    stopNow();
    throw error;
  }
  const value = (key: string): string | undefined => new RegExp(`^${key}=(.+)$`, "m").exec(stdout)?.[1];
  const endpoint = value("CEPH_S3_ENDPOINT");
  const accessKeyId = value("CEPH_S3_ACCESS_KEY_ID");
  const secretAccessKey = value("CEPH_S3_SECRET_ACCESS_KEY");
  if (!endpoint || !accessKeyId || !secretAccessKey) {
    await stop();
    throw new Error(`ceph.sh start printed no endpoint and keys:\n${stdout}`);
  }
  return { endpoint, accessKeyId, secretAccessKey, stop };
}

/** A plain SDK client on the radosgw, for what a test does behind the target's back. */
export function rawS3Client(ceph: TestCeph): S3Client {
  return new S3Client({
    endpoint: ceph.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Creates a bucket: with Object Lock (which turns versioning on), or plain — optionally versioned. */
export async function createTestBucket(
  client: S3Client,
  name: string,
  options: { objectLock: boolean; versioned?: boolean },
): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: options.objectLock }));
  if (!options.objectLock && options.versioned) {
    await client.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }));
  }
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") {
          resolve(address.port);
        } else {
          reject(new Error("no port"));
        }
      });
    });
  });
}
