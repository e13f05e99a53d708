/**
 * Configuration, read once from the environment. Every variable is documented here (and in the README's table);
 * all problems are reported at once. Nothing else reads `process.env`.
 */
import { resolve } from "node:path";
import { z } from "zod";

const Env = z.object({
  /** HTTP port of the server. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /**
   * Address to listen on. Unset: every interface for `serve`, but only this machine ("localhost") for `demo`,
   * whose sign-ins and password are public.
   */
  HOST: z.string().min(1).optional(),
  /**
   * Behind a reverse proxy: how client addresses (sign-in throttling, events) are read from X-Forwarded-For. "false"
   * (default) ignores the header; a number trusts that many proxy hops; a comma-separated list of addresses or CIDR
   * ranges trusts those proxies only. Trusting every hop would let a client choose its own address, so "true" is
   * refused.
   */
  KEYWARD_TRUST_PROXY: z
    .string()
    .default("false")
    .refine(
      (v) => v !== "true",
      "trusting every hop lets clients forge their address; give a hop count or the proxies' addresses",
    ),
  /** Folder for the embedded database and other local state. */
  KEYWARD_DATA_DIR: z.string().default("./data"),
  /** A postgres:// URL switches storage to PostgreSQL. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /** Connections per server process on PostgreSQL. */
  KEYWARD_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Set to "true" when the dashboard is served over HTTPS, so session cookies are marked Secure. */
  KEYWARD_SECURE_COOKIES: z.enum(["true", "false"]).default("false"),
  /** Log level (JSON lines on stdout). Unset: "info" for `serve`; "warn" for `demo`, whose console shows the sign-ins. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  /**
   * `demo` only: the port of the first demo cabinet's kiosk; the other demo cabinets take the ports after it (0: each
   * picks a free port).
   */
  KEYWARD_DEMO_KIOSK_PORT: z.coerce.number().int().min(0).max(65500).default(8081),
  /**
   * The audit log's signing key, as `keyward audit keygen` prints it (`PRIVATE+KEY+name+…`). Unset: the key is read
   * from KEYWARD_AUDIT_KEY_FILE. Never stored in the database it protects.
   */
  KEYWARD_AUDIT_SIGNING_KEY: z
    .string()
    .startsWith("PRIVATE+KEY+", "must be a key as `keyward audit keygen` prints it")
    .optional(),
  /** File holding the signing key. Default `<data dir>/audit-signing.key`, created on first start when missing. */
  KEYWARD_AUDIT_KEY_FILE: z.string().optional(),
  /**
   * File where the signer remembers the last checkpoint it signed per log, so it refuses to sign one inconsistent
   * with it (a database rolled back). Default `<data dir>/audit-signer-state.json`. Keep it beside the key.
   */
  KEYWARD_AUDIT_STATE_FILE: z.string().optional(),
  /** The logs' name in their checkpoints: `<this>/<organization id>`. */
  KEYWARD_AUDIT_ORIGIN: z
    .string()
    .regex(/^[^\s+]+$/, "no spaces or '+'")
    .default("keyward.local/audit"),
  /** Further checkpoint verifier keys (comma-separated), e.g. a retired signing key's. */
  KEYWARD_AUDIT_VERIFIER_KEYS: z.string().optional(),
  /**
   * Where checkpoints and event bundles are copied (comma-separated): a directory (a mounted drive) and/or
   * `s3://bucket/prefix`. Unset: no offsite copy (the dashboard says so).
   */
  KEYWARD_AUDIT_OFFSITE: z.string().optional(),
  /** Object Lock retention of offsite copies, in days (default 7 years). */
  KEYWARD_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(2557),
  /** S3 endpoint for a non-AWS store (Ceph, MinIO…); unset: AWS. */
  KEYWARD_AUDIT_S3_ENDPOINT: z.string().url().optional(),
  KEYWARD_AUDIT_S3_REGION: z.string().default("us-east-1"),
  /** Credentials for the offsite bucket; unset: the AWS SDK's usual chain (AWS_* variables, profiles, roles). */
  KEYWARD_AUDIT_S3_ACCESS_KEY_ID: z.string().optional(),
  KEYWARD_AUDIT_S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** Hour of the day (UTC) when the scheduler verifies the audit trail. */
  KEYWARD_AUDIT_VERIFY_HOUR: z.coerce.number().int().min(0).max(23).default(3),
  /**
   * The SMTP server scheduled reports and alert e-mails are sent through: `smtp://host:587` (STARTTLS when the server
   * offers it) or `smtps://host:465`, with `user:password@` when it asks for a login. Unset: messages wait, pending,
   * with "No SMTP server configured" as their last error (no attempts counted; for a report one
   * `report_delivery.failed` event each), and go out on the first pass after the server restarts with it set.
   */
  KEYWARD_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/]/, "must be an smtp:// or smtps:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /** The sender of scheduled reports and alert e-mails. */
  KEYWARD_MAIL_FROM: z.string().min(3).default("Keyward <keyward@localhost>"),
  /** How often (seconds) each server process looks for reports due to be sent and deliveries to retry. */
  KEYWARD_REPORT_DELIVERY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /**
   * The dashboard's public base URL as people reach it (`https://keys.example.com`): alert messages link to
   * `<this>/alerts/<id>`. Unset: messages carry no links.
   */
  KEYWARD_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/]+/, "must be an http:// or https:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /**
   * How often (seconds) the alert scheduler looks at the time-based rules (due soon, overdue, cabinets offline, old
   * snapshots), escalations and digests; one process at a time does it, under a job lease.
   */
  KEYWARD_ALERT_SCAN_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /**
   * How often (seconds) each server process looks for alert messages due (retries, the end of quiet hours); new ones
   * go out at once, without waiting for it.
   */
  KEYWARD_ALERT_DELIVERY_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /**
   * The text-message provider alerts go out through: "twilio" (its Messages REST API). Unset: no text messages; alerts
   * still go by e-mail, webhook and in the dashboard.
   */
  KEYWARD_SMS_PROVIDER: z
    .enum(["twilio"])
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /** The Twilio account's SID (`AC` and 32 hex digits), from the Twilio console. */
  KEYWARD_TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, "must be an account SID: AC and 32 hex digits")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /** The Twilio account's auth token (or the secret that goes with the SID). */
  KEYWARD_TWILIO_AUTH_TOKEN: z.string().optional(),
  /** The sender: a Twilio phone number in E.164 form (`+15551234567`) or an alphanumeric sender ID. */
  KEYWARD_TWILIO_FROM: z.string().optional(),
  /** Or a Twilio Messaging Service (`MG` and 32 hex digits) that picks the sender itself. */
  KEYWARD_TWILIO_MESSAGING_SERVICE_SID: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, "must be a messaging service SID: MG and 32 hex digits")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /** Twilio's API base; only tests (a local server) or a regional edge change it. */
  KEYWARD_TWILIO_API_URL: z
    .string()
    .regex(/^https?:\/\/[^/]+/, "must be an http:// or https:// URL")
    .default("https://api.twilio.com"),
});

/**
 * The problems that span several text-message variables: a provider without its credentials, or credentials without
 * a provider (which would otherwise leave text alerts silently off). Read from the raw environment so they are
 * reported together with every other problem.
 */
function smsProblems(env: Record<string, string | undefined>): string[] {
  const set = (name: string) => (env[name] ?? "") !== "";
  const twilio = [
    "KEYWARD_TWILIO_ACCOUNT_SID",
    "KEYWARD_TWILIO_AUTH_TOKEN",
    "KEYWARD_TWILIO_FROM",
    "KEYWARD_TWILIO_MESSAGING_SERVICE_SID",
  ];
  if (env.KEYWARD_SMS_PROVIDER !== "twilio") {
    return set("KEYWARD_SMS_PROVIDER")
      ? []
      : twilio.filter(set).map((n) => `${n}: set KEYWARD_SMS_PROVIDER=twilio to use it`);
  }
  const problems: string[] = [];
  for (const name of ["KEYWARD_TWILIO_ACCOUNT_SID", "KEYWARD_TWILIO_AUTH_TOKEN"]) {
    if (!set(name)) {
      problems.push(`${name}: required when KEYWARD_SMS_PROVIDER is twilio`);
    }
  }
  const from = set("KEYWARD_TWILIO_FROM");
  const service = set("KEYWARD_TWILIO_MESSAGING_SERVICE_SID");
  if (!from && !service) {
    problems.push(
      "KEYWARD_TWILIO_FROM: required when KEYWARD_SMS_PROVIDER is twilio (or KEYWARD_TWILIO_MESSAGING_SERVICE_SID)",
    );
  }
  if (from && service) {
    problems.push("KEYWARD_TWILIO_FROM: set either it or KEYWARD_TWILIO_MESSAGING_SERVICE_SID, not both");
  }
  return problems;
}

/** How the audit trail is signed, copied and checked. */
export interface AuditConfig {
  signingKey: string | undefined;
  keyFile: string;
  stateFile: string;
  originPrefix: string;
  verifierKeys: string[];
  offsite: string[];
  retentionDays: number;
  s3: { endpoint?: string; region: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };
  verifyHourUtc: number;
}

export interface Config {
  port: number;
  /** The address to listen on; undefined when not configured (each command picks its safe default). */
  host: string | undefined;
  /** Which proxies to believe: none, a number of hops, or a list of proxy addresses/CIDRs. */
  trustProxy: false | number | string[];
  dataDir: string;
  sqliteFile: string;
  databaseUrl: string | undefined;
  poolSize: number;
  secureCookies: boolean;
  /** Undefined when not configured: each command picks its default. */
  logLevel: z.infer<typeof Env>["LOG_LEVEL"];
  /** `demo` only: the first demo kiosk's port. */
  demoKioskPort: number;
  audit: AuditConfig;
  /** How scheduled reports go out. */
  mail: { smtpUrl: string | undefined; from: string };
  /** Seconds between the report delivery worker's passes. */
  reportDeliverySeconds: number;
  /** The dashboard's public base URL, without a trailing slash; undefined: messages carry no links. */
  publicUrl: string | undefined;
  /** Seconds between the alert scheduler's passes. */
  alertScanSeconds: number;
  /** Seconds between the alert delivery worker's regular passes. */
  alertDeliverySeconds: number;
  /** How text messages go out; null when no provider is configured. */
  sms: SmsConfig | null;
}

/** A text-message provider's settings: Twilio's account, credentials and sender (a number or a messaging service). */
export interface SmsConfig {
  provider: "twilio";
  accountSid: string;
  authToken: string;
  from?: string;
  messagingServiceSid?: string;
  /** The API's base URL, without a trailing slash. */
  apiUrl: string;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/**
 * Parses the environment; throws one error listing every problem.
 * @param env the environment (process.env at the edge, a literal in tests).
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = Env.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)),
    ...smsProblems(env),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new Error(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.KEYWARD_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    trustProxy:
      e.KEYWARD_TRUST_PROXY === "false"
        ? false
        : /^\d+$/.test(e.KEYWARD_TRUST_PROXY)
          ? Number(e.KEYWARD_TRUST_PROXY)
          : e.KEYWARD_TRUST_PROXY.split(",").map((a) => a.trim()),
    dataDir,
    sqliteFile: resolve(dataDir, "keyward.sqlite"),
    databaseUrl: e.DATABASE_URL,
    poolSize: e.KEYWARD_DB_POOL_SIZE,
    secureCookies: e.KEYWARD_SECURE_COOKIES === "true",
    logLevel: e.LOG_LEVEL,
    demoKioskPort: e.KEYWARD_DEMO_KIOSK_PORT,
    audit: {
      signingKey: e.KEYWARD_AUDIT_SIGNING_KEY,
      keyFile: resolve(dataDir, e.KEYWARD_AUDIT_KEY_FILE ?? "audit-signing.key"),
      stateFile: resolve(dataDir, e.KEYWARD_AUDIT_STATE_FILE ?? "audit-signer-state.json"),
      originPrefix: e.KEYWARD_AUDIT_ORIGIN,
      verifierKeys: list(e.KEYWARD_AUDIT_VERIFIER_KEYS),
      offsite: list(e.KEYWARD_AUDIT_OFFSITE),
      retentionDays: e.KEYWARD_AUDIT_RETENTION_DAYS,
      s3: {
        endpoint: e.KEYWARD_AUDIT_S3_ENDPOINT,
        region: e.KEYWARD_AUDIT_S3_REGION,
        accessKeyId: e.KEYWARD_AUDIT_S3_ACCESS_KEY_ID,
        secretAccessKey: e.KEYWARD_AUDIT_S3_SECRET_ACCESS_KEY,
        // why: S3-compatible stores on a plain host name (Ceph, MinIO) address buckets by path
        forcePathStyle: e.KEYWARD_AUDIT_S3_ENDPOINT !== undefined,
      },
      verifyHourUtc: e.KEYWARD_AUDIT_VERIFY_HOUR,
    },
    mail: { smtpUrl: e.KEYWARD_SMTP_URL, from: e.KEYWARD_MAIL_FROM },
    reportDeliverySeconds: e.KEYWARD_REPORT_DELIVERY_SECONDS,
    publicUrl: e.KEYWARD_PUBLIC_URL?.replace(/\/+$/, ""),
    alertScanSeconds: e.KEYWARD_ALERT_SCAN_SECONDS,
    alertDeliverySeconds: e.KEYWARD_ALERT_DELIVERY_SECONDS,
    sms:
      e.KEYWARD_SMS_PROVIDER === "twilio" && e.KEYWARD_TWILIO_ACCOUNT_SID && e.KEYWARD_TWILIO_AUTH_TOKEN
        ? {
            provider: "twilio",
            accountSid: e.KEYWARD_TWILIO_ACCOUNT_SID,
            authToken: e.KEYWARD_TWILIO_AUTH_TOKEN,
            ...(e.KEYWARD_TWILIO_FROM ? { from: e.KEYWARD_TWILIO_FROM } : {}),
            ...(e.KEYWARD_TWILIO_MESSAGING_SERVICE_SID
              ? { messagingServiceSid: e.KEYWARD_TWILIO_MESSAGING_SERVICE_SID }
              : {}),
            apiUrl: e.KEYWARD_TWILIO_API_URL.replace(/\/+$/, ""),
          }
        : null,
  };
}
