/**
 * `keyward audit …`: verify the trail (exit 0 ok, 2 anomalies only, 1 tampered), make a signing key, append and sign
 * now, and show where each organization's log stands. Verification only reads: it can run against a copy.
 */
import { existsSync } from "node:fs";
import { formatSignerKey, formatVerifierKey, generateNoteSigner, parseVerifierKey } from "@keyward/domain/signed-note";
import type { Command } from "commander";
import { runAuditPass, runOffsiteCopies } from "../audit/audit-worker.ts";
import { openOffsiteTarget } from "../audit/offsite/target.ts";
import { signCheckpointIfDue } from "../audit/sign-checkpoint.ts";
import { DEFAULT_KEY_NAME, signerMemory } from "../audit/signer.ts";
import { parallelScanFor, verifyAudit } from "../audit/verify-audit.ts";
import { readAuditStatus } from "../commands/read-audit-status.ts";
import { auditServices, configFromEnvironment, openMigrated, realServices } from "../runtime.ts";

/** Exit status of `keyward audit verify` per report status. */
export const VERIFY_EXIT_CODES = { ok: 0, anomalies: 2, tampered: 1 } as const;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds the `audit` command and its subcommands; returns it so others can add theirs. */
export function addAuditCommands(program: Command): Command {
  const audit = program.command("audit").description("The tamper-evident audit trail: verify it, sign it, inspect it");

  audit
    .command("verify")
    .description(
      "Recompute every organization's log from the database and check it against the signed checkpoints, the offsite copies and the signer's memory; print a JSON report (exit 0 ok, 2 anomalies only, 1 tampered)",
    )
    .option(
      "--offsite <target>",
      "an offsite copy to check against: a directory or s3://BUCKET/PREFIX (repeatable; default: KEYWARD_AUDIT_OFFSITE)",
      collect,
      [],
    )
    .option(
      "--key <verifier>",
      "a trusted checkpoint key (name+hex+base64; repeatable; default: the configured signer's)",
      collect,
      [],
    )
    .option("--organization <id>", "verify one organization only")
    .action(async (options: { offsite: string[]; key: string[]; organization?: string }) => {
      const config = configFromEnvironment();
      const handle = await openMigrated(config);
      try {
        const parts = auditServices(config, { sign: false });
        const keys = options.key.length > 0 ? options.key.map(parseVerifierKey) : parts.verifierKeys;
        if (keys.length === 0) {
          throw new Error(
            "No key to check checkpoints with: pass --key (the organization's published verifier key) or configure the signing key.",
          );
        }
        const offsite =
          options.offsite.length > 0
            ? options.offsite.map((spec) =>
                openOffsiteTarget(spec, { retentionDays: config.audit.retentionDays, s3: config.audit.s3 }),
              )
            : parts.offsite;
        // why: the signer's memory lives beside its key; read it only where it is, never create it
        const memory = existsSync(config.audit.stateFile) ? signerMemory(config.audit.stateFile) : null;
        const report = await verifyAudit(handle.db, {
          dialect: handle.dialect,
          originPrefix: config.audit.originPrefix,
          verifierKeys: keys,
          offsite,
          signerState: memory ?? undefined,
          organizationId: options.organization,
          now: () => new Date(),
          parallel: parallelScanFor(config),
        });
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        process.exitCode = VERIFY_EXIT_CODES[report.status];
      } finally {
        await handle.close();
      }
    });

  audit
    .command("keygen")
    .description("Make a checkpoint signing key: set the first line as KEYWARD_AUDIT_SIGNING_KEY, publish the second")
    .option("--name <name>", "the key's name (no spaces or '+')", DEFAULT_KEY_NAME)
    .action((options: { name: string }) => {
      const key = generateNoteSigner(options.name);
      process.stdout.write(`${formatSignerKey(key)}\n${formatVerifierKey(key)}\n`);
    });

  audit
    .command("checkpoint")
    .description(
      "Append every queued event, sign a checkpoint and copy it offsite now (before a backup, say); prints each log's state",
    )
    .action(async () => {
      const config = configFromEnvironment();
      const handle = await openMigrated(config);
      const services = await realServices(handle, config);
      try {
        await runAuditPass(services);
        const signer = services.audit.signer;
        const logs = await handle.db.selectFrom("audit_logs").select("organization_id").execute();
        for (const { organization_id } of logs) {
          if (signer) {
            const outcome = await signCheckpointIfDue(
              handle.db,
              handle.dialect,
              signer,
              organization_id,
              config.audit.originPrefix,
              new Date(),
              true,
            );
            if (outcome.kind === "refused") {
              process.stderr.write(`keyward: ${organization_id}: checkpoint refused: ${outcome.reason}\n`);
              process.exitCode = 1;
            }
          }
        }
        await runOffsiteCopies(services, true);
        for (const { organization_id } of logs) {
          const status = await readAuditStatus(handle.db, services, organization_id);
          const failing = status.offsite.filter((o) => o.lastError);
          for (const o of failing) {
            process.stderr.write(`keyward: ${organization_id}: copy to ${o.target} failed: ${o.lastError}\n`);
            process.exitCode = 1;
          }
          process.stdout.write(
            `${organization_id}: ${status.size} entries, checkpoint at ${status.checkpoint?.size ?? "none"}, ${status.pending} pending\n`,
          );
        }
      } finally {
        await services.notifier.close();
        await handle.close();
      }
    });

  audit
    .command("status")
    .description("Each organization's log, latest checkpoint, offsite copies and last verification, as JSON")
    .action(async () => {
      const config = configFromEnvironment();
      const handle = await openMigrated(config);
      try {
        const parts = { config, audit: auditServices(config, { sign: false }) };
        const orgs = await handle.db.selectFrom("organizations").select(["id", "name"]).orderBy("name").execute();
        const all = [];
        for (const org of orgs) {
          all.push({ organization: org, ...(await readAuditStatus(handle.db, parts, org.id)) });
        }
        process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      } finally {
        await handle.close();
      }
    });

  return audit;
}
