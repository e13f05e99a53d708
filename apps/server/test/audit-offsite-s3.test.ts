/**
 * The S3 offsite target against a real Ceph radosgw that enforces Object Lock: copies are locked in COMPLIANCE mode,
 * cannot be deleted, shortened or replaced, and the original stays readable behind overwrites and delete markers.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { runAuditPass, runOffsiteCopies } from "../src/audit/audit-worker.ts";
import { OffsiteConflictError, type OffsiteOptions, openOffsiteTarget } from "../src/audit/offsite/target.ts";
import { verifyAudit } from "../src/audit/verify-audit.ts";
import type { Services } from "../src/services.ts";
import { rehash, resign, tamper } from "./audit-tamper.ts";
import { createTestBucket, freePort, rawS3Client, startCeph, type TestCeph } from "./ceph.ts";
import { Factory } from "./factories.ts";
import { startTestServer } from "./harness.ts";

const RETENTION_DAYS = 3;
const DAY_MS = 86_400_000;
const suffix = randomBytes(4).toString("hex");
const lockedBucket = `keyward-worm-${suffix}`;
const plainBucket = `keyward-plain-${suffix}`;

let ceph: TestCeph | null = null;
let raw: S3Client;

beforeAll(async () => {
  ceph = await startCeph();
  if (ceph === null) {
    console.warn("audit-offsite-s3: skipped — the Ceph binaries are not installed (CI installs them)");
    return;
  }
  raw = rawS3Client(ceph);
  await createTestBucket(raw, lockedBucket, { objectLock: true });
  await createTestBucket(raw, plainBucket, { objectLock: false });
});

afterAll(async () => {
  raw?.destroy();
  await ceph?.stop();
});

/** The running Ceph, or a skipped test with the reason. */
function needCeph(context: TestContext): TestCeph {
  if (ceph === null) {
    context.skip("the Ceph binaries are not installed (CI installs them)");
    throw new Error("unreachable: skip() throws");
  }
  return ceph;
}

function options(c: { endpoint: string; accessKeyId: string; secretAccessKey: string }): OffsiteOptions {
  return {
    retentionDays: RETENTION_DAYS,
    s3: {
      endpoint: c.endpoint,
      region: "us-east-1",
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      forcePathStyle: true,
      timeoutMs: 5_000,
    },
  };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));
const md5 = (b: Uint8Array): string => createHash("md5").update(b).digest("base64");

async function versionsOf(bucket: string, key: string): Promise<string[]> {
  const answer = await raw.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return (answer.Versions ?? []).filter((v) => v.Key === key).map((v) => v.VersionId ?? "");
}

describe("S3 offsite target on a bucket with Object Lock", () => {
  it("reports COMPLIANCE locking with the retention asked", async (context) => {
    const target = openOffsiteTarget(`s3://${lockedBucket}/audit`, options(needCeph(context)));
    expect(target.description).toBe(`s3://${lockedBucket}/audit`);
    expect(await target.lockStatus()).toEqual({ locked: true, mode: "COMPLIANCE", retentionDays: RETENTION_DAYS });
  });

  it("locks each copy in COMPLIANCE mode until now + retentionDays, and retrying the same bytes stores nothing new", async (context) => {
    const target = openOffsiteTarget(`s3://${lockedBucket}/audit`, options(needCeph(context)));
    const before = Date.now();
    const put = await target.putOnce("checkpoints/000001", bytes("checkpoint 1\n"), "text/plain");
    expect(put.locked).toBe(true);
    expect(put.versionId).toEqual(expect.any(String));
    const until = put.retainUntil?.getTime() ?? 0;
    expect(until).toBeGreaterThanOrEqual(before + RETENTION_DAYS * DAY_MS - 1_000);
    expect(until).toBeLessThanOrEqual(Date.now() + RETENTION_DAYS * DAY_MS + 1_000);

    const retention = await raw.send(
      new GetObjectRetentionCommand({
        Bucket: lockedBucket,
        Key: "audit/checkpoints/000001",
        VersionId: put.versionId ?? "",
      }),
    );
    expect(retention.Retention?.Mode).toBe("COMPLIANCE");
    expect(Math.abs((retention.Retention?.RetainUntilDate?.getTime() ?? 0) - until)).toBeLessThan(1_000);

    const again = await target.putOnce("checkpoints/000001", bytes("checkpoint 1\n"), "text/plain");
    expect(again.versionId).toBe(put.versionId);
    expect(again.locked).toBe(true);
    expect(await versionsOf(lockedBucket, "audit/checkpoints/000001")).toEqual([put.versionId]);
    expect(text(await target.get("checkpoints/000001"))).toBe("checkpoint 1\n");
  });

  it("refuses different bytes under a name already stored, and keeps the original", async (context) => {
    const target = openOffsiteTarget(`s3://${lockedBucket}/audit`, options(needCeph(context)));
    await target.putOnce("checkpoints/000002", bytes("size 2"), "text/plain");
    await expect(target.putOnce("checkpoints/000002", bytes("size 1"), "text/plain")).rejects.toBeInstanceOf(
      OffsiteConflictError,
    );
    expect(await versionsOf(lockedBucket, "audit/checkpoints/000002")).toHaveLength(1);
    expect(text(await target.get("checkpoints/000002"))).toBe("size 2");
  });

  it("cannot delete the locked version or shorten its retention, even bypassing governance", async (context) => {
    const target = openOffsiteTarget(`s3://${lockedBucket}/audit`, options(needCeph(context)));
    const put = await target.putOnce("bundles/000003.json", bytes('{"events":[]}'), "application/json");
    const versionId = put.versionId ?? "";
    const key = "audit/bundles/000003.json";

    await expect(
      raw.send(new DeleteObjectCommand({ Bucket: lockedBucket, Key: key, VersionId: versionId })),
    ).rejects.toMatchObject({ name: "AccessDenied" });
    // why: GOVERNANCE can be lifted by anyone holding s3:BypassGovernanceRetention (the bucket owner here); COMPLIANCE
    // cannot — this is what tells the two modes apart
    await expect(
      raw.send(
        new DeleteObjectCommand({
          Bucket: lockedBucket,
          Key: key,
          VersionId: versionId,
          BypassGovernanceRetention: true,
        }),
      ),
    ).rejects.toMatchObject({ name: "AccessDenied" });
    const shorter = new Date(Date.now() + DAY_MS);
    await expect(
      raw.send(
        new PutObjectRetentionCommand({
          Bucket: lockedBucket,
          Key: key,
          VersionId: versionId,
          BypassGovernanceRetention: true,
          Retention: { Mode: "COMPLIANCE", RetainUntilDate: shorter },
          ContentMD5: md5(bytes("")),
        }),
      ),
    ).rejects.toThrow();
    const retention = await raw.send(
      new GetObjectRetentionCommand({ Bucket: lockedBucket, Key: key, VersionId: versionId }),
    );
    expect(retention.Retention?.RetainUntilDate?.getTime()).toBeGreaterThan(shorter.getTime() + DAY_MS);

    expect(text(await target.get("bundles/000003.json"))).toBe('{"events":[]}');
  });

  it("still reads the original after an overwrite through the raw SDK, and still refuses the overwriting bytes", async (context) => {
    const target = openOffsiteTarget(`s3://${lockedBucket}/audit`, options(needCeph(context)));
    await target.putOnce("checkpoints/000004", bytes("honest root"), "text/plain");
    const forged = bytes("forged root");
    await raw.send(
      new PutObjectCommand({
        Bucket: lockedBucket,
        Key: "audit/checkpoints/000004",
        Body: forged,
        ContentMD5: md5(forged),
      }),
    );
    const latest = await raw.send(new GetObjectCommand({ Bucket: lockedBucket, Key: "audit/checkpoints/000004" }));
    expect(await latest.Body?.transformToString()).toBe("forged root");

    expect(text(await target.get("checkpoints/000004"))).toBe("honest root");
    await expect(target.putOnce("checkpoints/000004", forged, "text/plain")).rejects.toBeInstanceOf(
      OffsiteConflictError,
    );
    expect((await target.putOnce("checkpoints/000004", bytes("honest root"), "text/plain")).locked).toBe(true);
  });

  it("sees through a delete marker: get and list still find the locked version", async (context) => {
    const target = openOffsiteTarget(`s3://${lockedBucket}/audit`, options(needCeph(context)));
    await target.putOnce("checkpoints/000005", bytes("five"), "text/plain");
    const deleted = await raw.send(new DeleteObjectCommand({ Bucket: lockedBucket, Key: "audit/checkpoints/000005" }));
    expect(deleted.DeleteMarker).toBe(true);
    await expect(
      raw.send(new GetObjectCommand({ Bucket: lockedBucket, Key: "audit/checkpoints/000005" })),
    ).rejects.toMatchObject({ name: "NoSuchKey" });

    expect(text(await target.get("checkpoints/000005"))).toBe("five");
    expect(await target.list("checkpoints/")).toContain("checkpoints/000005");
  });

  it("lists every name under a prefix once, sorted, and nothing outside its own prefix", async (context) => {
    const c = needCeph(context);
    const target = openOffsiteTarget(`s3://${lockedBucket}/listing`, options(c));
    const other = openOffsiteTarget(`s3://${lockedBucket}/listing-other`, options(c));
    for (const name of ["b/2", "a/1", "b/10", "a/1"]) {
      await target.putOnce(name, bytes(name), "text/plain");
    }
    await other.putOnce("a/9", bytes("elsewhere"), "text/plain");
    expect(await target.list("")).toEqual(["a/1", "b/10", "b/2"]);
    expect(await target.list("b/")).toEqual(["b/10", "b/2"]);
    expect(await target.list("c/")).toEqual([]);
    expect(await target.get("a/9")).toBeNull();
  });
});

describe("S3 offsite target on a bucket without Object Lock", () => {
  it("stores unlocked copies and says so", async (context) => {
    const target = openOffsiteTarget(`s3://${plainBucket}`, options(needCeph(context)));
    expect(target.description).toBe(`s3://${plainBucket}`);
    expect(await target.lockStatus()).toEqual({ locked: false, mode: null, retentionDays: null });
    const put = await target.putOnce("checkpoints/000001", bytes("plain"), "text/plain");
    expect(put).toMatchObject({ locked: false, retainUntil: null });
    expect((await target.putOnce("checkpoints/000001", bytes("plain"), "text/plain")).locked).toBe(false);
    await expect(target.putOnce("checkpoints/000001", bytes("other"), "text/plain")).rejects.toBeInstanceOf(
      OffsiteConflictError,
    );
    expect(text(await target.get("checkpoints/000001"))).toBe("plain");
    expect(await target.get("checkpoints/000002")).toBeNull();
    expect(await target.list("")).toEqual(["checkpoints/000001"]);
  });
});

describe("S3 offsite target failures", () => {
  it("names a missing bucket", async (context) => {
    const target = openOffsiteTarget(`s3://no-such-bucket-${suffix}/audit`, options(needCeph(context)));
    await expect(target.putOnce("x", bytes("x"), "text/plain")).rejects.toThrow(
      `Offsite s3://no-such-bucket-${suffix}/audit: reading the bucket's Object Lock configuration failed: the bucket does not exist`,
    );
    await expect(target.list("")).rejects.toThrow(/the bucket does not exist/);
  });

  it("says access is denied for an unknown key or a wrong secret, without printing the secret", async (context) => {
    const c = needCeph(context);
    const unknownKey = openOffsiteTarget(
      `s3://${lockedBucket}/audit`,
      options({ ...c, accessKeyId: "NOSUCHKEY0000000000" }),
    );
    await expect(unknownKey.putOnce("x", bytes("x"), "text/plain")).rejects.toThrow(
      /access denied \(InvalidAccessKeyId\)/,
    );
    const wrongSecret = openOffsiteTarget(
      `s3://${lockedBucket}/audit`,
      options({ ...c, secretAccessKey: "wrong-secret-0123456789" }),
    );
    const failure = await wrongSecret.get("checkpoints/000001").then(
      () => "resolved",
      (error: unknown) => (error instanceof Error ? error.message : "not an Error"),
    );
    expect(failure).toMatch(/access denied \(SignatureDoesNotMatch\)/);
    expect(failure).not.toContain("wrong-secret");
  });

  it("says the endpoint is unreachable when nothing listens there", async () => {
    const port = await freePort();
    const target = openOffsiteTarget(
      "s3://any/audit",
      options({ endpoint: `http://127.0.0.1:${port}`, accessKeyId: "A", secretAccessKey: "B" }),
    );
    await expect(target.lockStatus()).rejects.toThrow(
      `Offsite s3://any/audit: reading the bucket's Object Lock configuration failed: http://127.0.0.1:${port} is unreachable (ECONNREFUSED)`,
    );
  });

  it("gives up on a server that accepts the connection and never answers", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    try {
      const target = openOffsiteTarget("s3://any/audit", {
        retentionDays: 1,
        s3: {
          endpoint: `http://127.0.0.1:${port}`,
          region: "us-east-1",
          accessKeyId: "A",
          secretAccessKey: "B",
          forcePathStyle: true,
          timeoutMs: 300,
        },
      });
      await expect(target.get("x")).rejects.toThrow(`http://127.0.0.1:${port} did not answer within 300 ms`);
    } finally {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("the audit trail copied to S3 with Object Lock", () => {
  it("is copied by the worker, verifies against the locked copy, and a rewrite with the stolen key is caught", async (context) => {
    const c = needCeph(context);
    const server = await startTestServer();
    try {
      const target = openOffsiteTarget(`s3://${lockedBucket}/trail-${suffix}`, options(c));
      const services: Services = { ...server.services, audit: { ...server.services.audit, offsite: [target] } };
      const factory = await Factory.organization(services.db, server.clock.now);
      const property = await factory.property();
      for (let i = 0; i < 5; i++) {
        await factory.unit(property.id as string);
      }
      await runAuditPass(services);
      server.clock.advance(61_000);
      await runAuditPass(services);
      await runOffsiteCopies(services);
      const state = await services.db
        .selectFrom("audit_offsite")
        .selectAll()
        .where("organization_id", "=", factory.organizationId)
        .executeTakeFirstOrThrow();
      expect(state.last_error).toBeNull();
      expect(Number(state.copied_size)).toBeGreaterThan(0);
      const verify = () =>
        verifyAudit(services.db, {
          dialect: services.handle.dialect,
          originPrefix: services.config.audit.originPrefix,
          verifierKeys: services.audit.verifierKeys,
          offsite: [target],
          organizationId: factory.organizationId,
          now: services.now,
        });
      const clean = await verify();
      expect(clean.findings).toEqual([]);
      expect(clean.organizations[0]?.checkpoints.offsite).toBe(1);

      // the copy is locked: its version cannot be deleted
      const names = await target.list(`${factory.organizationId}/checkpoints/`);
      const key = `trail-${suffix}/${names[0]}`;
      const [version] = await versionsOf(lockedBucket, key);
      await expect(
        raw.send(new DeleteObjectCommand({ Bucket: lockedBucket, Key: key, VersionId: version })),
      ).rejects.toMatchObject({ name: "AccessDenied" });

      // the database's owner, with the signing key, rewrites an event and re-signs everything
      const sizes = [Number(state.copied_size)];
      const victim = await services.db
        .selectFrom("events")
        .select("id")
        .where("organization_id", "=", factory.organizationId)
        .where("action", "=", "unit.created")
        .executeTakeFirstOrThrow();
      await tamper(services.db, services.handle.dialect, async (tx) => {
        await tx.updateTable("events").set({ entity_id: "elsewhere" }).where("id", "=", victim.id).execute();
        await rehash(tx, services.handle.dialect, factory.organizationId);
        const signer = services.audit.signer;
        if (!signer) {
          throw new Error("no signer");
        }
        await resign(tx, services.handle.dialect, factory.organizationId, signer.key, sizes);
      });
      // …and overwrites the offsite checkpoint with its own: a new version, the locked original still wins
      const forged = await services.db
        .selectFrom("audit_checkpoints")
        .select("note")
        .where("organization_id", "=", factory.organizationId)
        .executeTakeFirstOrThrow();
      await raw.send(
        new PutObjectCommand({
          Bucket: lockedBucket,
          Key: key,
          Body: bytes(forged.note),
          ContentMD5: md5(bytes(forged.note)),
        }),
      );
      const caught = await verify();
      expect(caught.status).toBe("tampered");
      expect(caught.counts.offsite_checkpoint_mismatch).toBeGreaterThan(0);
      expect(caught.counts.offsite_bundle_mismatch).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  }, 60_000);
});
