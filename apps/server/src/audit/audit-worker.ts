/**
 * The audit trail's background work in a server process: append queued events to the logs (right after each commit
 * that queued some, and every few seconds), sign checkpoints when due, copy them offsite with retries and backoff,
 * and verify the whole trail once a night. Each step is also a function the CLI and the tests call directly.
 */
import { randomUUID } from "node:crypto";
import type { AuditOffsiteTable } from "@keyward/db/schema";
import { alertsForEvent, causeKey } from "@keyward/domain/alerts";
import type { Updateable } from "kysely";
import { clearAlerts, raiseAlerts } from "../alerts/raise-alerts.ts";
import { recordEvent } from "../events.ts";
import { inTransaction } from "../http/pipeline.ts";
import { acquireLease, markLeaseRun } from "../scheduler/lease.ts";
import type { Services } from "../services.ts";
import { appendBatch, organizationsWithPending } from "./append-pending.ts";
import { copyOffsite } from "./copy-offsite.ts";
import type { OffsiteTarget } from "./offsite/target.ts";
import { signCheckpointIfDue } from "./sign-checkpoint.ts";
import { parallelScanFor, type VerifyReport, verifyAudit } from "./verify-audit.ts";

/** Consecutive failed copies to one target before the alarm event. */
export const OFFSITE_ALARM_AFTER = 5;
const MINUTE = 60_000;

export interface PassResult {
  appended: number;
  checkpoints: number;
  refusals: { organizationId: string; reason: string }[];
}

/**
 * Appends everything queued and signs the checkpoints that are due, for every organization or one. Safe to run from
 * several processes at once (each batch locks its log).
 */
export async function runAuditPass(services: Services, organizationId?: string): Promise<PassResult> {
  const only = (ids: readonly string[]) =>
    organizationId === undefined ? ids : ids.filter((id) => id === organizationId);
  const { db, handle } = services;
  const prefix = services.config.audit.originPrefix;
  const result: PassResult = { appended: 0, checkpoints: 0, refusals: [] };
  const sign = async (organization: string) => {
    const signer = services.audit.signer;
    if (!signer) {
      return;
    }
    const outcome = await signCheckpointIfDue(db, handle.dialect, signer, organization, prefix, services.now());
    if (outcome.kind === "signed") {
      result.checkpoints++;
    } else if (outcome.kind === "refused") {
      result.refusals.push({ organizationId: organization, reason: outcome.reason });
    }
  };
  for (const organization of only(await organizationsWithPending(db))) {
    for (;;) {
      const batch = await appendBatch(db, handle.dialect, organization, prefix, services.now());
      result.appended += batch.appended;
      await sign(organization);
      if (batch.taken === 0) {
        break;
      }
    }
  }
  const unsigned = await db
    .selectFrom("audit_logs")
    .select("organization_id")
    .whereRef("size", ">", "checkpoint_size")
    .execute();
  for (const organization of only(unsigned.map((u) => u.organization_id))) {
    await sign(organization);
  }
  return result;
}

/** Copies every organization's new checkpoints to every configured target whose retry time has come (or all: `now`). */
export async function runOffsiteCopies(services: Services, now = false): Promise<void> {
  const { db } = services;
  const logs = await db.selectFrom("audit_logs").select("organization_id").execute();
  for (const target of services.audit.offsite) {
    for (const { organization_id: organizationId } of logs) {
      await copyOne(services, target, organizationId, now);
    }
  }
}

async function copyOne(
  services: Services,
  target: OffsiteTarget,
  organizationId: string,
  force: boolean,
): Promise<void> {
  const { db } = services;
  const now = services.now();
  const key = { organization_id: organizationId, target: target.description };
  await db
    .insertInto("audit_offsite")
    .values({
      ...key,
      copied_size: 0,
      last_success_at: null,
      last_attempt_at: null,
      last_error: null,
      failures: 0,
      next_attempt_at: null,
      alarm_raised: 0,
    })
    .onConflict((oc) => oc.columns(["organization_id", "target"]).doNothing())
    .execute();
  const state = await db
    .selectFrom("audit_offsite")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where("target", "=", target.description)
    .executeTakeFirstOrThrow();
  if (!force && state.next_attempt_at && Date.parse(state.next_attempt_at) > now.getTime()) {
    return;
  }
  const update = (set: Updateable<AuditOffsiteTable>) =>
    db
      .updateTable("audit_offsite")
      .set(set)
      .where("organization_id", "=", organizationId)
      .where("target", "=", target.description)
      .execute();
  try {
    await copyOffsite(db, services.handle.dialect, target, organizationId, Number(state.copied_size), async (size) => {
      await update({ copied_size: size, last_success_at: services.now().toISOString() });
    });
    await update({
      last_attempt_at: now.toISOString(),
      last_error: null,
      failures: 0,
      next_attempt_at: null,
      alarm_raised: 0,
    });
    if (state.alarm_raised) {
      await raise(services, organizationId, "audit.offsite_recovered", { target: target.description });
    }
  } catch (error) {
    const failures = Number(state.failures) + 1;
    const message = error instanceof Error ? error.message : String(error);
    // why: 30 s, 1, 2, 4… minutes, at most an hour between attempts: a store that is down is not hammered
    const wait = Math.min(60 * MINUTE, 30_000 * 2 ** (failures - 1));
    const alarm = failures >= OFFSITE_ALARM_AFTER && !state.alarm_raised;
    await update({
      last_attempt_at: now.toISOString(),
      last_error: message.slice(0, 500),
      failures,
      next_attempt_at: new Date(now.getTime() + wait).toISOString(),
      alarm_raised: state.alarm_raised || alarm ? 1 : 0,
    });
    if (alarm) {
      await raise(services, organizationId, "audit.offsite_failing", {
        target: target.description,
        failures,
        error: message.slice(0, 500),
      });
    }
  }
}

async function raise(
  services: Services,
  organizationId: string,
  action:
    | "audit.offsite_failing"
    | "audit.offsite_recovered"
    | "audit.checkpoint_refused"
    | "audit.verification_failed",
  after: Record<string, unknown>,
): Promise<void> {
  await inTransaction(services, async (tx) => {
    const now = services.now();
    await recordEvent(tx, {
      organizationId,
      propertyId: null,
      action,
      entityType: "auditLog",
      entityId: organizationId,
      actor: { type: "system", id: null, name: "Keyward audit trail" },
      after,
      source: "system",
      now,
    });
    // why: the trail's own alarms are alerts too, raised (or cleared) with the event that states them
    if (action === "audit.offsite_recovered") {
      await clearAlerts(
        tx,
        organizationId,
        [causeKey("offsite_failing", String(after.target))],
        now,
        "Copies succeed again.",
      );
      return;
    }
    const candidates = alertsForEvent({
      eventId: "",
      action,
      occurredAt: now.toISOString(),
      cabinetId: null,
      data: after,
    });
    await raiseAlerts(
      tx,
      organizationId,
      candidates.map((candidate) => ({ propertyId: null, candidate })),
      now,
    );
  });
}

/** Verifies the whole trail with everything this process can reach, and stores the result. */
export async function runVerification(
  services: Services,
  trigger: "scheduled" | "cli" | "dashboard",
  organizationId?: string,
): Promise<VerifyReport> {
  const started = services.now();
  const report = await verifyAudit(services.db, {
    dialect: services.handle.dialect,
    originPrefix: services.config.audit.originPrefix,
    verifierKeys: services.audit.verifierKeys,
    offsite: services.audit.offsite,
    signerState: services.audit.signer ? (origin) => services.audit.signer?.lastSigned(origin) ?? null : undefined,
    organizationId,
    now: services.now,
    parallel: parallelScanFor(services.config),
  });
  await services.db
    .insertInto("audit_verifications")
    .values({
      id: randomUUID(),
      organization_id: organizationId ?? null,
      started_at: started.toISOString(),
      finished_at: services.now().toISOString(),
      status: report.status,
      trigger,
      report: JSON.stringify(report),
    })
    .execute();
  if (report.status !== "ok") {
    for (const organizationId of new Set(report.findings.map((f) => f.organizationId))) {
      await raise(services, organizationId, "audit.verification_failed", {
        status: report.status,
        counts: report.counts,
      });
    }
  }
  return report;
}

export interface AuditWorker {
  stop(): Promise<void>;
  /** Resolves when the work asked for so far is done (tests, shutdown). */
  idle(): Promise<void>;
}

/** Runs the audit trail's background work until stopped. */
export function startAuditWorker(services: Services, log: (message: string) => void): AuditWorker {
  const holder = randomUUID();
  let chain: Promise<unknown> = Promise.resolve();
  let scheduled = false;
  let stopped = false;
  const lastRefusal = new Map<string, number>();
  const serial = (task: () => Promise<unknown>) => {
    chain = chain
      .then(task)
      .catch((error: unknown) => log(`audit: ${error instanceof Error ? error.message : String(error)}`));
    return chain;
  };
  const pass = () =>
    serial(async () => {
      scheduled = false;
      const result = await runAuditPass(services);
      for (const refusal of result.refusals) {
        const at = services.now().getTime();
        // why: a refusal repeats on every pass until someone acts; the trail needs it once an hour, not every 5 s
        if ((lastRefusal.get(refusal.organizationId) ?? 0) + 60 * MINUTE <= at) {
          lastRefusal.set(refusal.organizationId, at);
          log(`audit: checkpoint refused for ${refusal.organizationId}: ${refusal.reason}`);
          await raise(services, refusal.organizationId, "audit.checkpoint_refused", { reason: refusal.reason });
        }
      }
    });
  let kickTimer: NodeJS.Timeout | null = null;
  const kick = () => {
    if (!scheduled && !stopped) {
      scheduled = true;
      kickTimer = setTimeout(() => {
        kickTimer = null;
        void pass();
      }, 200);
      kickTimer.unref();
    }
  };
  // why: the nightly verification reads for minutes on a big log; it runs beside the appends, never in their queue,
  // so the 60-second checkpoint promise holds while it runs
  let verifying: Promise<void> | null = null;
  const nightly = async () => {
    const now = services.now();
    if (now.getUTCHours() !== services.config.audit.verifyHourUtc) {
      return;
    }
    const last = await services.db
      .selectFrom("audit_verifications")
      .select("finished_at")
      .where("trigger", "=", "scheduled")
      .where("organization_id", "is", null)
      .orderBy("finished_at", "desc")
      .limit(1)
      .executeTakeFirst();
    if (last && now.getTime() - Date.parse(last.finished_at) < 20 * 60 * MINUTE) {
      return;
    }
    if (await acquireLease(services.db, "audit-verify", holder, 60 * MINUTE, now)) {
      const report = await runVerification(services, "scheduled");
      await markLeaseRun(services.db, "audit-verify", holder, services.now());
      log(`audit: nightly verification ${report.status} (${report.eventsVerified} entries)`);
    }
  };
  const unsubscribe = services.notifier.subscribe((n) => {
    if (n.channel === "audit" || n.channel === "resync") {
      kick();
    }
  });
  const timers = [
    setInterval(kick, 5_000),
    setInterval(() => {
      if (services.audit.offsite.length > 0) {
        void serial(async () => {
          if (await acquireLease(services.db, "audit-offsite", holder, 2 * MINUTE, services.now())) {
            await runOffsiteCopies(services);
            await markLeaseRun(services.db, "audit-offsite", holder, services.now());
          }
        });
      }
    }, 30_000),
    setInterval(() => {
      if (!verifying && !stopped) {
        verifying = nightly()
          .catch((error: unknown) => log(`audit: ${error instanceof Error ? error.message : String(error)}`))
          .finally(() => {
            verifying = null;
          });
      }
    }, 5 * MINUTE),
  ];
  for (const t of timers) {
    t.unref();
  }
  kick();
  return {
    stop: async () => {
      stopped = true;
      unsubscribe();
      for (const t of timers) {
        clearInterval(t);
      }
      if (kickTimer) {
        clearTimeout(kickTimer);
      }
      await chain;
      await verifying;
    },
    idle: async () => {
      await pass();
    },
  };
}
