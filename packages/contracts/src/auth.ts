/** Sign-in, session, first-run and TOTP shapes. */
import { ROLES } from "@keyward/domain/permissions";
import { z } from "zod";
import { Id } from "./common.ts";
import { Organization } from "./resources.ts";

export const LoginBody = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(256),
  totp: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "enter the 6-digit code from your authenticator app")
    .optional(),
});

export const MeProperty = z.object({
  id: Id,
  name: z.string(),
  code: z.string(),
  timeZone: z.string(),
  roles: z.array(z.enum(ROLES)),
});

export const Me = z
  .object({
    user: z.object({ id: Id, email: z.string(), totpEnabled: z.boolean() }),
    person: z.object({ id: Id, firstName: z.string(), lastName: z.string() }),
    organization: Organization,
    organizationRoles: z.array(z.enum(ROLES)),
    properties: z.array(MeProperty),
    /** True while organization policy requires TOTP and the user has not enrolled: only enrolment is allowed. */
    totpEnrollmentRequired: z.boolean(),
  })
  .meta({ id: "Me" });
export type Me = z.infer<typeof Me>;

export const TotpSetup = z.object({ secret: z.string(), uri: z.string() });
export const TotpConfirm = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "enter the 6-digit code"),
});
/** Starting enrolment: a current code is needed only to replace an authenticator already in use. */
export const TotpStart = z.object({ code: TotpConfirm.shape.code.optional() });

export const SetupStatus = z.object({ needed: z.boolean() });
export const SetupBody = z.object({
  organizationName: z.string().trim().min(1).max(200),
  firstName: z.string().trim().min(1).max(200),
  lastName: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  password: z.string().max(256),
});

/** One scheduled job as health shows it: when it last ran (in any process) and how far behind it is. */
export const HealthJob = z.object({
  /** The job's lease: `alert-scan`, `alert-delivery`, `report-delivery`, `audit-offsite`, `audit-verify`. */
  name: z.string(),
  lastRunAt: z.string().nullable(),
  /** Seconds since the last run; null when it never ran. */
  lagSeconds: z.number().nullable(),
  /** How often the job should run; null for a job whose interval is not known. */
  expectedEverySeconds: z.number().nullable(),
  /** Whether the lag is more than three intervals; null when either is unknown. */
  late: z.boolean().nullable(),
});
export type HealthJob = z.infer<typeof HealthJob>;

export const Health = z.object({
  status: z.literal("ok"),
  database: z.enum(["sqlite", "postgres"]),
  version: z.string(),
  uptimeSeconds: z.number(),
  /** The scheduler's jobs, from their leases (a job appears once it ran somewhere). */
  scheduler: z.object({ jobs: z.array(HealthJob) }),
});

export const IMPORT_KINDS = ["units", "keys", "people"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const ImportBody = z.object({
  csv: z.string().min(1).max(20_000_000),
  dryRun: z.boolean().default(false),
});
export const ImportResult = z.object({
  kind: z.enum(IMPORT_KINDS),
  dryRun: z.boolean(),
  rowCount: z.number().int(),
  created: z.number().int(),
  preview: z.array(z.record(z.string(), z.string())),
  errors: z.array(z.object({ row: z.number().int(), field: z.string(), message: z.string() })),
});
export type ImportResult = z.infer<typeof ImportResult>;

/** A person choosing their own PIN with the one-time activation code a manager handed them. */
export const PinActivationBody = z.object({
  credentialId: Id,
  activationCode: z
    .string()
    .trim()
    .regex(/^\d{10}$/, "enter the 10-digit activation code"),
  pin: z.string().max(32),
});
