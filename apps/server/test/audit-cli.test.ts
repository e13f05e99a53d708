/**
 * `keyward audit …` as an operator runs it, on an embedded database seeded by `keyward demo --no-serve`: the trail
 * verifies (exit 0), a tampered database exits 1 with the finding named, and a restored backup older than the
 * offsite checkpoints is reported as a rollback (A6).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@keyward/db/connect";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VerifyReport } from "../src/audit/verify-audit.ts";
import { recordEvent } from "../src/events.ts";
import { keyward } from "./cli-process.ts";

let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "keyward-audit-cli-"));
  mkdirSync(join(work, "offsite"));
  env = { KEYWARD_DATA_DIR: join(work, "data"), KEYWARD_AUDIT_OFFSITE: join(work, "offsite") };
  const seeded = await keyward(["demo", "--no-serve"], env);
  expect(seeded.code, seeded.err).toBe(0);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function reportOf(out: string): VerifyReport {
  return JSON.parse(out) as VerifyReport;
}

/** Writes to the demo's database as its owner could: past the append-only triggers. */
function tamper(file: string, statement: string): void {
  const db = new Database(file);
  try {
    db.exec("drop trigger events_no_update");
    db.exec(statement);
    db.exec(
      "create trigger events_no_update before update on events begin select raise(abort, 'events are append-only'); end",
    );
  } finally {
    db.close();
  }
}

describe("keyward audit", () => {
  it("checkpoint appends, signs and copies offsite; verify then exits 0 with an ok report", async () => {
    const sealed = await keyward(["audit", "checkpoint"], env);
    expect(sealed.code, sealed.err).toBe(0);
    expect(sealed.out).toMatch(/\d+ entries, checkpoint at \d+, 0 pending/);
    const verified = await keyward(["audit", "verify"], env);
    expect(verified.code, verified.out).toBe(0);
    const report = reportOf(verified.out);
    expect(report.status).toBe("ok");
    expect(report.eventsVerified).toBeGreaterThan(0);
    expect(report.organizations[0]?.checkpoints.offsite).toBeGreaterThan(0);
  }, 60_000);

  it("keygen prints a signing key and the verifier key to publish", async () => {
    const made = await keyward(["audit", "keygen", "--name", "acme-audit"], env);
    expect(made.code).toBe(0);
    const [secret, verifier] = made.out.trim().split("\n");
    expect(secret).toMatch(/^PRIVATE\+KEY\+acme-audit\+[0-9a-f]{8}\+/);
    expect(verifier).toMatch(/^acme-audit\+[0-9a-f]{8}\+/);
  });

  it("A6 a restored backup older than the offsite checkpoints is reported as a rollback (exit 1)", async () => {
    const backup = join(work, "old.jsonl.gz");
    expect((await keyward(["backup", backup], env)).code).toBe(0);
    const restoredEnv = {
      ...env,
      KEYWARD_DATA_DIR: join(work, "restored"),
      KEYWARD_AUDIT_KEY_FILE: join(env.KEYWARD_DATA_DIR as string, "audit-signing.key"),
      KEYWARD_AUDIT_STATE_FILE: join(env.KEYWARD_DATA_DIR as string, "audit-signer-state.json"),
    };
    // the trail moves on past the backup (events written the application's way), is signed and copied offsite
    await growTrail(join(env.KEYWARD_DATA_DIR as string, "keyward.sqlite"));
    const sealed = await keyward(["audit", "checkpoint"], env);
    expect(sealed.code, sealed.err).toBe(0);
    const restored = await keyward(["restore", backup], restoredEnv);
    expect(restored.code, restored.err).toBe(0);
    const verified = await keyward(["audit", "verify"], restoredEnv);
    expect(verified.code).toBe(1);
    const report = reportOf(verified.out);
    expect(report.status).toBe("tampered");
    expect(report.findings.map((f) => f.code)).toContain("rollback");
    // and the signer, pointed at the restored database, refuses to sign over it
    const refused = await keyward(["audit", "checkpoint"], restoredEnv);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refused/);
  }, 120_000);

  it("A1 a tampered database exits 1 and names the changed event", async () => {
    const file = join(env.KEYWARD_DATA_DIR as string, "keyward.sqlite");
    const db = new Database(file);
    const victim = db.prepare("select id from events where action = 'unit.created' limit 1").get() as { id: string };
    db.close();
    tamper(file, `update events set entity_id = 'elsewhere' where id = '${victim.id}'`);
    const verified = await keyward(["audit", "verify"], env);
    expect(verified.code).toBe(1);
    const report = reportOf(verified.out);
    expect(report.findings.some((f) => f.code === "event_changed" && f.eventId === victim.id)).toBe(true);
  }, 60_000);
});

/** Writes a few events the application's way (recordEvent queues each for the log). */
async function growTrail(file: string): Promise<void> {
  const handle = openDatabase({ sqliteFile: file });
  try {
    const org = await handle.db.selectFrom("organizations").select("id").executeTakeFirstOrThrow();
    await handle.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 3; i++) {
        await recordEvent(tx, {
          organizationId: org.id,
          propertyId: null,
          action: "organization.updated",
          entityType: "organization",
          entityId: org.id,
          actor: { type: "cli", id: null, name: "test" },
          after: { note: `change ${i}` },
          now: new Date(),
        });
      }
    });
  } finally {
    await handle.close();
  }
}
