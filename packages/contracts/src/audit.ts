/**
 * The audit trail as the dashboard and the API read it: the organization's log and its latest signed checkpoint,
 * where copies go and how far they got, and the verifier's last word.
 */
import { z } from "zod";
import { Timestamp } from "./common.ts";

export const VERIFICATION_STATUSES = ["ok", "anomalies", "tampered"] as const;

/** One thing the verifier saw. */
export const AuditFinding = z
  .object({
    code: z.string(),
    severity: z.enum(["failure", "anomaly"]),
    organizationId: z.string(),
    message: z.string(),
    leafIndex: z.number().int().optional(),
    eventId: z.string().optional(),
    deviceId: z.string().optional(),
    seq: z.number().int().optional(),
    source: z.string().optional(),
  })
  .meta({ id: "AuditFinding" });

/** A verification's outcome for the organization that asks. */
export const AuditVerification = z
  .object({
    status: z.enum(VERIFICATION_STATUSES),
    trigger: z.enum(["scheduled", "cli", "dashboard"]),
    startedAt: Timestamp,
    finishedAt: Timestamp,
    /** Entries recomputed. */
    entriesVerified: z.number().int(),
    counts: z.record(z.string(), z.number().int()),
    /** The first findings (at most 50). */
    findings: z.array(AuditFinding),
  })
  .meta({ id: "AuditVerification" });
export type AuditVerification = z.infer<typeof AuditVerification>;

/** How far the log has been copied to one offsite target. */
export const OffsiteCopyState = z.object({
  /** `dir:/…` or `s3://bucket/prefix` (never credentials). */
  target: z.string(),
  copiedSize: z.number().int(),
  lastSuccessAt: Timestamp.nullable(),
  lastAttemptAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  /** Consecutive failed attempts. */
  failures: z.number().int(),
  nextAttemptAt: Timestamp.nullable(),
});

/** `GET /api/v1/audit/status`. */
export const AuditStatus = z
  .object({
    origin: z.string(),
    /** Entries in the log. */
    size: z.number().int(),
    rootHash: z.string(),
    /** Events written and not yet appended (appended within seconds). */
    pending: z.number().int(),
    checkpoint: z
      .object({ size: z.number().int(), rootHash: z.string(), signedAt: Timestamp, note: z.string() })
      .nullable(),
    /** The key checkpoints verify with, in signed-note verifier form (`name+hex+base64`); null when none is set. */
    verifierKey: z.string().nullable(),
    offsite: z.array(OffsiteCopyState),
    lastVerification: AuditVerification.nullable(),
  })
  .meta({ id: "AuditStatus" });
export type AuditStatus = z.infer<typeof AuditStatus>;
