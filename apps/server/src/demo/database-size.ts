/** How much room a database takes: the figure the generator and the report benchmarks print. */
import { statSync } from "node:fs";
import type { DatabaseHandle } from "@keyward/db/connect";
import { sql } from "kysely";

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Bytes on disk: SQLite's file with its write-ahead log and shared memory; PostgreSQL's `pg_database_size`. */
export async function databaseBytes(handle: DatabaseHandle): Promise<number> {
  if (handle.dialect === "sqlite") {
    const file = handle.location;
    return fileBytes(file) + fileBytes(`${file}-wal`) + fileBytes(`${file}-shm`);
  }
  const result = await sql<{ size: number | string }>`select pg_database_size(current_database()) as size`.execute(
    handle.db,
  );
  return Number(result.rows[0]?.size ?? 0);
}
