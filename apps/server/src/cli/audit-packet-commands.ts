/**
 * `keyward audit packet` builds a unit's evidence packet from the configured database (JSON, PDF or both);
 * `keyward audit verify-packet FILE` checks one offline — it reads the file and nothing else, prints a JSON result and
 * exits 0 when every check passes, 1 otherwise.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { type EvidenceVerification, evidencePeriod, verifyEvidencePacket } from "@keyward/domain/evidence-packet";
import type { Command } from "commander";
import { buildEvidencePacket, loadEvidenceUnit, recordPacketExport } from "../audit/evidence-packet.ts";
import { renderEvidencePdf } from "../audit/evidence-pdf.ts";
import type { ActorSnapshot } from "../events.ts";
import { configFromEnvironment, openMigrated, realServices } from "../runtime.ts";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds `packet` and `verify-packet` to the `audit` command. */
export function addPacketCommands(audit: Command): void {
  audit
    .command("packet")
    .description(
      "Build a unit's evidence packet for a period from the configured database: the JSON (entries with proofs against a signed checkpoint) and/or the PDF for people",
    )
    .requiredOption("--unit <id>", "the unit's id (as in the dashboard's address of the unit)")
    .requiredOption("--from <date>", "the first day, YYYY-MM-DD in the property's time zone (or an ISO-8601 instant)")
    .requiredOption(
      "--to <date>",
      "the last day, included, YYYY-MM-DD (or the ISO-8601 instant the period ends before)",
    )
    .option("--json <file>", "write the JSON packet here")
    .option("--pdf <file>", "write the PDF here")
    .action(async (options: { unit: string; from: string; to: string; json?: string; pdf?: string }) => {
      if (!options.json && !options.pdf) {
        throw new Error("say where to write the packet: --json FILE, --pdf FILE, or both");
      }
      const config = configFromEnvironment();
      const handle = await openMigrated(config);
      const services = await realServices(handle, config);
      try {
        // why: the command line runs as the database's operator, across organizations; the unit's id says whose
        const owner = await handle.db
          .selectFrom("units")
          .select("organization_id")
          .where("id", "=", options.unit)
          .executeTakeFirst();
        const unit = owner ? await loadEvidenceUnit(handle.db, owner.organization_id, options.unit) : null;
        if (!unit) {
          throw new Error(`no unit with id ${options.unit}`);
        }
        const period = evidencePeriod(options.from, options.to, unit.property.timeZone);
        if ("problem" in period) {
          throw new Error(period.problem);
        }
        const name = `command line (${userInfo().username})`;
        const packet = await buildEvidencePacket(services, {
          unit,
          period: period.period,
          generatedBy: { name, role: "operator" },
        });
        const actor: ActorSnapshot = { type: "cli", id: null, name };
        if (options.json) {
          writeFileSync(options.json, `${JSON.stringify(packet, null, 2)}\n`);
          await recordPacketExport(services, packet, "json", actor);
          process.stdout.write(`Wrote ${options.json} (${packet.entries.length} entries with proofs)\n`);
        }
        if (options.pdf) {
          writeFileSync(options.pdf, await renderEvidencePdf(packet));
          await recordPacketExport(services, packet, "pdf", actor);
          process.stdout.write(`Wrote ${options.pdf} (${packet.visits.items.length} visits)\n`);
        }
        process.stdout.write(
          `Unit ${packet.unit.number}, ${packet.period.firstDay} to ${packet.period.lastDay} (${packet.period.timeZone}); checkpoint size ${packet.checkpoint.size}, key ${packet.checkpoint.verifierKey}\n`,
        );
      } finally {
        await services.notifier.close();
        await handle.close();
      }
    });

  audit
    .command("verify-packet")
    .description(
      "Check an evidence packet offline (reads only the file): the checkpoint's signature, every entry's inclusion proof, the cabinet hashes, and the visits summary; prints a JSON result, exit 0 when it holds, 1 otherwise",
    )
    .argument("<file>", "the packet's JSON file")
    .option(
      "--key <verifier>",
      "the organization's published verifier key (name+hex+base64; repeatable); without it the packet's own key is used, which shows the file is intact but not who made it",
      collect,
      [],
    )
    .action((file: string, options: { key: string[] }) => {
      let result: EvidenceVerification;
      try {
        result = verifyEvidencePacket(JSON.parse(readFileSync(file, "utf8")), options.key);
      } catch (error) {
        // why: an unreadable file is a failed verification, reported in the same shape as any other
        const detail = `cannot read the file as JSON: ${error instanceof Error ? error.message : String(error)}`;
        result = { ok: false, key: null, checks: [{ name: "format", ok: false, detail }] };
      }
      process.stdout.write(`${JSON.stringify({ file, ...result }, null, 2)}\n`);
      process.exitCode = result.ok ? 0 : 1;
    });
}
