/** Starting and stopping a server process: configuration, database, migrations, HTTP. */
import { existsSync } from "node:fs";
import { type DatabaseHandle, migrate, openDatabase } from "@keyward/db/connect";
import { formatVerifierKey } from "@keyward/domain/signed-note";
import type { FastifyInstance } from "fastify";
import { startAlertWorker } from "./alerts/alert-worker.ts";
import { buildApp } from "./app.ts";
import { startAuditWorker } from "./audit/audit-worker.ts";
import { openOffsiteTarget } from "./audit/offsite/target.ts";
import { loadAuditSigner, verifierKeys } from "./audit/signer.ts";
import { type Config, loadConfig } from "./config.ts";
import { createNotifier } from "./live/notifier.ts";
import { startReportDeliveryWorker } from "./reports/deliver-reports.ts";
import { stopReportRenderer } from "./reports/render-worker-client.ts";
import type { AuditServices, Services } from "./services.ts";

/** Opens the configured database and brings its schema up to date. */
export async function openMigrated(config: Config): Promise<DatabaseHandle> {
  const handle = openDatabase({
    databaseUrl: config.databaseUrl,
    sqliteFile: config.sqliteFile,
    poolSize: config.poolSize,
  });
  await migrate(handle);
  return handle;
}

/** The audit trail's parts as configured: the signer (its key file created on first start) and the offsite targets. */
export function auditServices(config: Config, options: { sign: boolean }): AuditServices {
  // why: only a process that signs may create the key file; one that only verifies uses an existing key's public half
  const keyExists = config.audit.signingKey !== undefined || existsSync(config.audit.keyFile);
  const signer = options.sign || keyExists ? loadAuditSigner(config.audit).signer : null;
  return {
    signer: options.sign ? signer : null,
    verifierKeys: verifierKeys(signer, config.audit),
    offsite: config.audit.offsite.map((spec) =>
      openOffsiteTarget(spec, { retentionDays: config.audit.retentionDays, s3: config.audit.s3 }),
    ),
  };
}

/** Services over a handle with the real clock; close `notifier` after the app. */
export async function realServices(handle: DatabaseHandle, config: Config): Promise<Services> {
  return {
    audit: auditServices(config, { sign: true }),
    handle,
    db: handle.db,
    config,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    notifier: await createNotifier(handle, config.databaseUrl),
  };
}

/** Reads the environment once. */
export function configFromEnvironment(): Config {
  // why: the one place that reads process.env (STYLE.md: configuration is read once)
  return loadConfig(process.env);
}

export interface RunningServer {
  app: FastifyInstance;
  handle: DatabaseHandle;
  url: string;
  /** Runs `task` first when the server closes (the demo's cabinet agents stop before the server they talk to). */
  beforeClose(task: () => Promise<void>): void;
  /** What to tell the operator about the audit trail: the key checkpoints verify with, and where copies go. */
  auditLines: string[];
  close(): Promise<void>;
}

/**
 * Migrates and listens, and closes cleanly on SIGTERM or SIGINT: requests in flight finish, then the database
 * closes (on SQLite that checkpoints the WAL into the main file).
 * @param defaults where to listen and what to log when HOST and LOG_LEVEL are not configured.
 */
export async function startServer(
  config: Config,
  handle?: DatabaseHandle,
  defaults: { host: string; logLevel: NonNullable<Config["logLevel"]> } = { host: "0.0.0.0", logLevel: "info" },
): Promise<RunningServer> {
  const db = handle ?? (await openMigrated(config));
  const logLevel = config.logLevel ?? defaults.logLevel;
  const services = await realServices(db, { ...config, logLevel });
  const app = await buildApp(services, { logger: logLevel !== "silent" });
  await app.listen({ port: config.port, host: config.host ?? defaults.host });
  const auditWorker = startAuditWorker(services, (message) => app.log.warn(message));
  const reportWorker = startReportDeliveryWorker(services, (message) => app.log.warn(message));
  const alertWorker = startAlertWorker(services, (message) => app.log.warn(message));
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  let closing: Promise<void> | undefined;
  const tasks: (() => Promise<void>)[] = [];
  const close = () => {
    closing ??= (async () => {
      await Promise.allSettled(tasks.map((task) => task()));
      await app.close();
      await auditWorker.stop();
      await reportWorker.stop();
      await alertWorker.stop();
      await stopReportRenderer();
      await services.notifier.close();
      await db.close();
    })();
    return closing;
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      void close().then(() => process.exit(0));
    });
  }
  const key = services.audit.verifierKeys[0];
  const auditLines = [
    `  Audit:     checkpoints signed by ${key ? formatVerifierKey(key) : "(no key)"}`,
    `             ${config.audit.signingKey ? "key from KEYWARD_AUDIT_SIGNING_KEY" : `key file ${config.audit.keyFile}`}; offsite copies: ${
      services.audit.offsite.map((t) => t.description).join(", ") || "none (set KEYWARD_AUDIT_OFFSITE)"
    }`,
  ];
  return {
    app,
    handle: db,
    url: `http://localhost:${port}`,
    beforeClose: (task) => tasks.push(task),
    auditLines,
    close,
  };
}
