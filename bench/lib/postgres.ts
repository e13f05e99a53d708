/**
 * A PostgreSQL database for a benchmark: a fresh database on the server KEYWARD_BENCH_DATABASE_URL names, or else a
 * throwaway server started with .ci/postgres.sh (as CI does). Either way it is removed afterwards.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

/** A database the benchmark may fill, and how to be rid of it. */
export interface BenchPostgres {
  url: string;
  stop(): Promise<void>;
}

const SCRIPT = resolve(fileURLToPath(new URL("../../.ci/postgres.sh", import.meta.url)));

/** Starts (or creates on the given server) an empty database. */
export async function startPostgres(): Promise<BenchPostgres> {
  const given = process.env.KEYWARD_BENCH_DATABASE_URL;
  if (given) {
    const name = `keyward_bench_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: given });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(given);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      stop: async () => {
        const client = new pg.Client({ connectionString: given });
        await client.connect();
        await client.query(`drop database if exists ${name} with (force)`);
        await client.end();
      },
    };
  }
  // why: the server runs as the postgres user, who cannot enter a private temporary folder of ours; the script makes
  // and owns this one
  const pgdata = join(tmpdir(), `keyward-bench-pg-${randomBytes(6).toString("hex")}`);
  const env = { ...process.env, KEYWARD_PGDATA: pgdata };
  let url: string;
  try {
    url = execFileSync("bash", [SCRIPT, "start"], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
  } catch (error) {
    throw new Error(
      "could not start a PostgreSQL for the benchmark; set KEYWARD_BENCH_DATABASE_URL to a server it may create a " +
        "database on",
      { cause: error },
    );
  }
  return {
    url,
    stop: async () => {
      execFileSync("bash", [SCRIPT, "stop"], { env, stdio: "inherit" });
    },
  };
}
