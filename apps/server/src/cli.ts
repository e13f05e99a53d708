/**
 * The `keyward` command: serve, migrate, init, demo, import, backup, restore, agent (and bench). Each subcommand has
 * --help.
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { IMPORT_KINDS, type ImportKind } from "@keyward/contracts/auth";
import { openDatabase } from "@keyward/db/connect";
import { Command, InvalidArgumentError, Option } from "commander";
import { systemActor } from "./auth/actor.ts";
import { backUpDatabase, describeSummary } from "./backup/back-up-database.ts";
import { restoreDatabase } from "./backup/restore-database.ts";
import { addAuditCommands } from "./cli/audit-commands.ts";
import { addPacketCommands } from "./cli/audit-packet-commands.ts";
import { runImport } from "./commands/import-csv.ts";
import { DEMO_ORGANIZATION, DEMO_PASSWORD, seedDemo } from "./commands/seed-demo.ts";
import { setUpOrganization, setupNeeded } from "./commands/set-up-organization.ts";
import { databaseBytes } from "./demo/database-size.ts";
import { generatePortfolio, PORTFOLIO_LOGINS, PORTFOLIO_ORGANIZATION } from "./demo/generate-portfolio.ts";
import { startDemoCabinets } from "./demo-cabinets.ts";
import { ApiError } from "./errors.ts";
import { configFromEnvironment, openMigrated, startServer } from "./runtime.ts";
import { VERSION } from "./version.ts";

function fail(message: string): never {
  process.stderr.write(`keyward: ${message}\n`);
  process.exit(1);
}

function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const details = error.details?.map((d) => `  row ${d.row ?? "-"} ${d.field ?? ""}: ${d.message}`).join("\n");
    return details ? `${error.message}\n${details}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

const program = new Command()
  .name("keyward")
  .description("Keyward — open-source electronic key control")
  .version(VERSION)
  .showHelpAfterError();

program
  .command("serve")
  .description(
    "Migrate the database and serve the API and dashboard (PORT, KEYWARD_DATA_DIR, DATABASE_URL configure it)",
  )
  .action(async () => {
    const config = configFromEnvironment();
    const server = await startServer(config);
    const empty = await setupNeeded(server.handle.db);
    process.stdout.write(
      `\nKeyward ${VERSION} on ${server.handle.dialect} (${server.handle.location})\n  Dashboard: ${server.url}/\n  API:       ${server.url}/api/v1  (OpenAPI: ${server.url}/api/openapi.json)\n${server.auditLines.join("\n")}\n`,
    );
    if (empty) {
      process.stdout.write(`  No organization yet: open ${server.url}/ to create it, or run "keyward init".\n`);
    }
  });

program
  .command("migrate")
  .description("Bring the database schema up to date, then exit")
  .action(async () => {
    const config = configFromEnvironment();
    const handle = await openMigrated(config);
    process.stdout.write(`Database up to date (${handle.dialect}: ${handle.location})\n`);
    await handle.close();
  });

program
  .command("init")
  .description("Create the organization and its first administrator in an empty database")
  .requiredOption("--organization <name>", "the organization's name")
  .requiredOption("--email <email>", "the administrator's e-mail (their sign-in)")
  .option("--first-name <name>", "the administrator's first name", "Admin")
  .option("--last-name <name>", "the administrator's last name", "Administrator")
  .option("--password-stdin", "read the password from standard input instead of prompting")
  .action(
    async (options: {
      organization: string;
      email: string;
      firstName: string;
      lastName: string;
      passwordStdin?: boolean;
    }) => {
      const config = configFromEnvironment();
      const handle = await openMigrated(config);
      try {
        if (!(await setupNeeded(handle.db))) {
          fail("this database already holds an organization; init only sets up an empty one");
        }
        const password = options.passwordStdin
          ? (readFileSync(0, "utf8").split(/\r?\n/)[0] ?? "")
          : await ask("Administrator password: ");
        await handle.db.transaction().execute((tx) =>
          setUpOrganization(
            tx,
            {
              organizationName: options.organization,
              firstName: options.firstName,
              lastName: options.lastName,
              email: options.email,
              password,
            },
            { now: new Date(), source: "cli" },
          ),
        );
        process.stdout.write(
          `Created "${options.organization}" with administrator ${options.email.toLowerCase()}. Run "keyward serve" and sign in.\n`,
        );
      } catch (error) {
        fail(describeError(error));
      } finally {
        await handle.close();
      }
    },
  );

program
  .command("demo")
  .description(
    "Seed the demo organization (or, with --units, generate a whole portfolio and its history) into an empty " +
      "database, then serve it (never touches a database that holds data)",
  )
  .option("--units <n>", "generate a portfolio of this many apartments instead of the small demo", positiveInteger)
  .option("--years <years>", "years of history to generate, ending now (with --units)", positiveYears, 1)
  .option("--seed <n>", "the generator's seed: the same seed gives the same portfolio (with --units)", wholeNumber, 1)
  .option("--no-serve", "seed only, then exit")
  .action(async (options: { serve: boolean; units?: number; years: number; seed: number }) => {
    const config = configFromEnvironment();
    const handle = await openMigrated(config);
    if (options.units !== undefined) {
      await generateAndServe(config, handle, { ...options, units: options.units });
      return;
    }
    const started = Date.now();
    const seeded = await seedDemo(handle.db, new Date());
    const logins = seeded?.logins ?? null;
    if (seeded) {
      process.stdout.write(`Seeded "${DEMO_ORGANIZATION}" in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
    } else {
      process.stdout.write("The database already holds data; the demo seed left it untouched.\n");
    }
    if (!options.serve) {
      await handle.close();
      return;
    }
    // why: the demo's sign-ins and password are printed for all to read; unless HOST says otherwise it stays local
    const host = config.host ?? "localhost";
    const server = await startServer(config, handle, { host, logLevel: "warn" });
    const demo = await startDemoCabinets({
      db: handle.db,
      serverUrl: server.url.replace(
        "localhost",
        ["localhost", "0.0.0.0", "::"].includes(host) ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host,
      ),
      dataDir: config.dataDir,
      firstPort: config.demoKioskPort,
      host,
      users: seeded?.cabinetUsers ?? null,
      takeKeys: seeded !== null,
    });
    server.beforeClose(demo.close);
    const users = demo.users;
    const lines = [
      "",
      `Keyward ${VERSION} is running on ${handle.dialect} (${handle.location})`,
      `  Dashboard: ${server.url}/`,
      `  API:       ${server.url}/api/v1  (OpenAPI: ${server.url}/api/openapi.json)`,
      ...server.auditLines,
      ...demo.cabinets.map((c) => `  Kiosk:     ${c.kioskUrl}/  (cabinet "${c.name}", ${c.propertyName})`),
      "",
      `Demo sign-ins (password for all: ${DEMO_PASSWORD}):`,
      ...(
        logins ?? [
          { email: "admin@demo.keyward.test", role: "administrator" },
          { email: "manager@demo.keyward.test", role: "property manager, both properties" },
          { email: "tech@demo.keyward.test", role: "maintenance technician, Maple Court" },
        ]
      ).map((l) => `  ${l.email.padEnd(32)} ${l.role}`),
      "",
      ...(users.length > 0
        ? [
            "At a kiosk, present a badge and type its PIN (the simulator panel beside the kiosk has them):",
            ...users.map((u) => `  badge ${u.badge}  PIN ${u.pin}  ${u.name}${u.role ? `, ${u.role}` : ""}`),
            "",
          ]
        : []),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  });

/** `keyward demo --units N`: generates the portfolio (printing progress, speed and size), then serves it. */
async function generateAndServe(
  config: ReturnType<typeof configFromEnvironment>,
  handle: Awaited<ReturnType<typeof openMigrated>>,
  options: { serve: boolean; units: number; years: number; seed: number },
): Promise<void> {
  process.stdout.write(
    `Generating a portfolio of ${options.units.toLocaleString("en-US")} units and ${options.years} year(s) of ` +
      `history (seed ${options.seed}) on ${handle.dialect} (${handle.location})…\n`,
  );
  const summary = await generatePortfolio(
    handle,
    { units: options.units, years: options.years, seed: options.seed, now: new Date() },
    (line) => process.stdout.write(`${line}\n`),
  );
  if (summary) {
    const mib = (await databaseBytes(handle)) / 2 ** 20;
    const n = (value: number) => value.toLocaleString("en-US");
    process.stdout.write(
      [
        `Generated "${PORTFOLIO_ORGANIZATION}" in ${summary.seconds} s: ${n(summary.eventsPerSecond)} events/s.`,
        `  ${n(summary.properties)} properties, ${n(summary.buildings)} buildings, ${n(summary.units)} units, ` +
          `${n(summary.keys)} keys, ${n(summary.cabinets)} cabinets, ${n(summary.people)} people`,
        `  ${n(summary.checkouts)} checkouts, ${n(summary.events)} events`,
        `  Database size: ${n(Math.round(mib))} MiB`,
        "",
      ].join("\n"),
    );
  } else {
    process.stdout.write("The database already holds data; the generator left it untouched.\n");
  }
  if (!options.serve) {
    await handle.close();
    return;
  }
  const host = config.host ?? "localhost";
  const server = await startServer(config, handle, { host, logLevel: "warn" });
  process.stdout.write(
    [
      "",
      `Keyward ${VERSION} is running on ${handle.dialect} (${handle.location})`,
      `  Dashboard: ${server.url}/`,
      `  API:       ${server.url}/api/v1  (OpenAPI: ${server.url}/api/openapi.json)`,
      ...server.auditLines,
      "  No demo cabinets run for a generated portfolio: its cabinets are records with a history, not simulated hardware.",
      "",
      `Sign-ins (password for all: ${DEMO_PASSWORD}):`,
      ...PORTFOLIO_LOGINS.map((l) => `  ${l.email.padEnd(34)} ${l.role}`),
      "",
    ].join("\n"),
  );
}

function positiveYears(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 20) {
    throw new InvalidArgumentError("a number of years, more than 0 and at most 20 (e.g. 0.5)");
  }
  return n;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new InvalidArgumentError("a whole number");
  }
  return n;
}

program
  .command("import")
  .description("Import a property's units, keys or people from a CSV file (all or nothing)")
  .requiredOption("--property <code>", "the property's code, e.g. MAPLE")
  .addOption(new Option("--kind <kind>", "what the file holds").choices([...IMPORT_KINDS]).makeOptionMandatory())
  .requiredOption("--file <path>", "the CSV file")
  .option("--dry-run", "check and preview only; write nothing")
  .action(async (options: { property: string; kind: ImportKind; file: string; dryRun?: boolean }) => {
    const config = configFromEnvironment();
    const handle = await openMigrated(config);
    try {
      const property = await handle.db
        .selectFrom("properties")
        .select(["id", "organization_id"])
        .where("code", "=", options.property)
        .execute();
      if (property.length !== 1 || !property[0]) {
        fail(
          property.length === 0
            ? `no property with code ${options.property}`
            : `several organizations have a property ${options.property}`,
        );
      }
      const { id, organization_id } = property[0];
      const csv = readFileSync(options.file, "utf8");
      const actor = systemActor(organization_id, "cli", "command-line import");
      const result = await runImport(handle.db, actor, new Date(), {
        propertyId: id,
        kind: options.kind,
        csv,
        dryRun: !!options.dryRun,
      });
      if (result.errors.length > 0) {
        fail(
          `${result.errors.length} problem(s):\n${result.errors.map((e) => `  row ${e.row} ${e.field}: ${e.message}`).join("\n")}`,
        );
      }
      process.stdout.write(
        options.dryRun
          ? `${result.rowCount} row(s) would be imported.\n`
          : `Imported ${result.created} ${options.kind}.\n`,
      );
    } catch (error) {
      fail(describeError(error));
    } finally {
      await handle.close();
    }
  });

program
  .command("backup")
  .description("Write the whole database to FILE (gzip'd JSON lines) as one consistent snapshot")
  .argument("<file>", "the backup file to write, e.g. keyward-2026-06-01.jsonl.gz")
  .action(async (file: string) => {
    const config = configFromEnvironment();
    // why: a backup records the database as it is; migrating it first would change what is being backed up
    const handle = openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: config.sqliteFile, poolSize: 2 });
    try {
      const summary = await backUpDatabase(handle, file, { now: new Date() });
      process.stdout.write(`${describeSummary("Backed up", summary, `from ${handle.dialect} to ${file}`)}\n`);
    } catch (error) {
      await handle.close();
      fail(describeError(error));
    }
    await handle.close();
  });

program
  .command("restore")
  .description(
    "Restore a backup FILE into the configured database (DATABASE_URL or KEYWARD_DATA_DIR), which must be empty",
  )
  .argument("<file>", "a file written by keyward backup")
  .action(async (file: string) => {
    const config = configFromEnvironment();
    // why: restore migrates the database itself, first to the backup's schema, then to this build's
    const handle = openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: config.sqliteFile, poolSize: 2 });
    try {
      const summary = await restoreDatabase(handle, file);
      process.stdout.write(
        `${describeSummary("Restored", summary, `from ${file} into ${handle.dialect} (${handle.location})`)}\n`,
      );
    } catch (error) {
      await handle.close();
      fail(describeError(error));
    }
    await handle.close();
  });

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError("a port number, 0 to 65535");
  }
  return n;
}

addPacketCommands(addAuditCommands(program));

const agent = program.command("agent").description("The cabinet agent: enrol it with the server, then run it");

agent
  .command("enroll")
  .description("Register this cabinet's agent with a one-time code from the dashboard (Cabinets → Enrol)")
  .requiredOption("--server <url>", "the Keyward server's address, e.g. https://keys.example.com")
  .requiredOption("--code <code>", "the one-time enrolment code")
  .option("--data <dir>", "where the agent keeps its journal and identity", "./data/agent")
  .action(async (options: { server: string; code: string; data: string }) => {
    // why: the agent's modules (driver, kiosk server) load only for the agent's commands
    const { enrollAgent } = await import("@keyward/agent/agent");
    try {
      const enrolled = await enrollAgent({ serverUrl: options.server, code: options.code, dataDir: options.data });
      process.stdout.write(
        `Enrolled as cabinet "${enrolled.cabinetName}" (device ${enrolled.deviceId}). Run "keyward agent run --data ${options.data}".\n`,
      );
    } catch (error) {
      fail(describeError(error));
    }
  });

agent
  .command("run")
  .description("Run an enrolled agent and serve its kiosk")
  .option("--data <dir>", "the agent's data directory (as given to enroll)", "./data/agent")
  .option("--port <port>", "the kiosk's port", portNumber, 8081)
  .option("--host <host>", "the kiosk's address (the console's browser runs on this computer)", "127.0.0.1")
  .option("--simulated", "drive the simulated cabinet (the only driver Keyward ships; see docs/hardware-driver.md)")
  .action(async (options: { data: string; port: number; host: string; simulated?: boolean }) => {
    if (!options.simulated) {
      fail("no hardware driver is configured: pass --simulated, or see docs/hardware-driver.md to write one");
    }
    const { startAgent } = await import("@keyward/agent/agent");
    try {
      const running = await startAgent({ dataDir: options.data, kioskPort: options.port, kioskHost: options.host });
      process.stdout.write(`Cabinet agent running. Kiosk: ${running.kioskUrl}/\n`);
      const stop = () => {
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    } catch (error) {
      fail(describeError(error));
    }
  });

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError("a whole number, 1 or more");
  }
  return n;
}

program
  .command("bench")
  .description("Run the benchmarks in bench/ (all, or the one named): print each table, write bench/results/NAME.json")
  .argument("[name]", "one benchmark, e.g. api-list")
  .option("--rounds <n>", "measurements of each side, interleaved", positiveInteger, 3)
  .option("--duration <seconds>", "seconds per measurement", positiveInteger, 5)
  .option("--connections <n>", "concurrent connections of the load generator", positiveInteger, 10)
  .action(async (name: string | undefined, options: { rounds: number; duration: number; connections: number }) => {
    // why: bench/ sits outside the server and needs dev dependencies (autocannon); load it only for this command
    const { runBenchmarks } = await import("../../../bench/run.ts");
    // why: a benchmark that ran is a success even when it misses its goal — the figure, the limit and "met" are in
    // its result file and table; a failure to run (an unknown name, a crash) still exits non-zero
    await runBenchmarks(name, {
      rounds: options.rounds,
      durationSeconds: options.duration,
      connections: options.connections,
    });
  });

program.parseAsync(process.argv).catch((error: unknown) => fail(describeError(error)));
