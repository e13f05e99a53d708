/**
 * The audit trail's state for one organization: log, latest checkpoint, offsite copies and the latest verification
 * that looked at it (its findings limited to this organization).
 */
import type { AuditStatus, AuditVerification } from "@keyward/contracts/audit";
import type { Executor } from "@keyward/db/connect";
import { EMPTY_ROOT, hashToHex } from "@keyward/domain/merkle";
import { formatVerifierKey } from "@keyward/domain/signed-note";
import { originOf } from "../audit/append-pending.ts";
import { latestCheckpoint } from "../audit/proofs.ts";
import type { VerifyReport } from "../audit/verify-audit.ts";
import type { Services } from "../services.ts";

/** A stored verification report as one organization sees it. */
export function presentVerification(
  report: VerifyReport,
  organizationId: string,
  row: { started_at: string; finished_at: string; trigger: string },
): AuditVerification {
  const findings = report.findings.filter((f) => f.organizationId === organizationId);
  const organization = report.organizations.find((o) => o.organizationId === organizationId);
  // why: the organization's own verdict and counts cover every finding, even those beyond the listed ones
  const counts: Record<string, number> = {};
  for (const [code, n] of Object.entries(organization?.counts ?? {})) {
    counts[code] = n ?? 0;
  }
  return {
    status: organization?.status ?? "ok",
    trigger: row.trigger as AuditVerification["trigger"],
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    entriesVerified: organization?.size ?? 0,
    counts,
    findings: findings.slice(0, 50),
  };
}

export async function readAuditStatus(
  db: Executor,
  services: Pick<Services, "audit" | "config">,
  organizationId: string,
): Promise<AuditStatus> {
  const log = await db
    .selectFrom("audit_logs")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  const pending = await db
    .selectFrom("audit_pending")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("organization_id", "=", organizationId)
    .executeTakeFirstOrThrow();
  const offsite = await db
    .selectFrom("audit_offsite")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .orderBy("target")
    .execute();
  const configured = new Set(services.audit.offsite.map((t) => t.description));
  const verification = await db
    .selectFrom("audit_verifications")
    .selectAll()
    .where((eb) => eb.or([eb("organization_id", "is", null), eb("organization_id", "=", organizationId)]))
    .orderBy("finished_at", "desc")
    .limit(1)
    .executeTakeFirst();
  const report = verification ? (JSON.parse(verification.report) as VerifyReport) : null;
  const key = services.audit.verifierKeys[0];
  return {
    origin: log?.origin ?? originOf(services.config.audit.originPrefix, organizationId),
    size: Number(log?.size ?? 0),
    rootHash: log?.root_hash ?? hashToHex(EMPTY_ROOT),
    pending: Number(pending.n),
    checkpoint: await latestCheckpoint(db, organizationId),
    verifierKey: key ? formatVerifierKey(key) : null,
    offsite: [
      ...offsite.map((o) => ({
        target: o.target,
        copiedSize: Number(o.copied_size),
        lastSuccessAt: o.last_success_at,
        lastAttemptAt: o.last_attempt_at,
        lastError: o.last_error,
        failures: Number(o.failures),
        nextAttemptAt: o.next_attempt_at,
      })),
      // a configured target not tried yet still shows, with nothing copied
      ...[...configured]
        .filter((t) => !offsite.some((o) => o.target === t))
        .map((target) => ({
          target,
          copiedSize: 0,
          lastSuccessAt: null,
          lastAttemptAt: null,
          lastError: null,
          failures: 0,
          nextAttemptAt: null,
        })),
    ],
    lastVerification: report && verification ? presentVerification(report, organizationId, verification) : null,
  };
}
