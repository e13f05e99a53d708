/**
 * Reading the database behind the API's back, for assertions that a call wrote nothing, or exactly one event.
 */
import type { Executor } from "@keyward/db/connect";
import { loose, type TableName } from "../src/resources/records.ts";

/** Rows in a table, across all organizations. */
export async function countOf(db: Executor, table: TableName): Promise<number> {
  const row = await loose(db)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Row counts of several tables plus the events, to compare before and after a call. */
export async function countsOf(db: Executor, tables: readonly TableName[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [...tables, "events" as const]) {
    counts[table] = await countOf(db, table);
  }
  return counts;
}

/** One row by id, as stored. */
export async function rowOf(db: Executor, table: TableName, id: string): Promise<Record<string, unknown> | undefined> {
  return loose(db).selectFrom(table).selectAll().where("id", "=", id).executeTakeFirst();
}

/** An event as the API presents it. */
export interface ApiEvent {
  id: string;
  seq: number;
  propertyId: string | null;
  occurredAt: string;
  action: string;
  entityType: string;
  entityId: string | null;
  actor: { type: string; id: string | null; name: string; email?: string | null; roles?: string[] };
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: string;
}
