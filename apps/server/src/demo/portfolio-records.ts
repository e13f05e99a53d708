/**
 * Administrative records built the way the server's own commands build them: the create input parsed by the
 * resource's schema and turned into columns (`createRecord`), the event's `after` presented by the resource's
 * presenter. Only the ids and the instants come from the generator.
 */
import type { Executor } from "@keyward/db/connect";
import { parseInput } from "../resources/checks.ts";
import type { ResourceDef } from "../resources/definition.ts";
import { presentRows } from "../resources/present.ts";
import { type Row, toColumns } from "../resources/records.ts";
import type { Cell, RowSink, TableSpec } from "./portfolio-rows.ts";

/**
 * A row as `createRecord` would store it for this input, with every column of the table (absent ones null).
 * @throws the resource's own validation error when the input is not one the API would accept.
 */
export function recordRow(
  def: ResourceDef,
  table: TableSpec,
  organizationId: string,
  id: string,
  at: string,
  input: Record<string, unknown>,
): Row {
  if (!def.create) {
    throw new Error(`${def.what} records have no create input`);
  }
  const parsed = parseInput(def.create, input) as Record<string, unknown>;
  const writable = Object.fromEntries(Object.entries(parsed).filter(([k]) => !def.ignoreOnWrite?.includes(k)));
  const row: Row = {
    ...(def.initialStatus ? { status: def.initialStatus } : {}),
    ...toColumns(writable, def.encoding),
    id,
    organization_id: organizationId,
    created_at: at,
    updated_at: at,
  };
  return completeRow(table, row);
}

/** The row with every column of its table, absent ones null (as it reads back from the database). */
export function completeRow(table: TableSpec, row: Row): Row {
  const full: Row = {};
  for (const [column] of table.columns) {
    full[column] = row[column] ?? null;
  }
  return full;
}

/** The row's values in the table's column order. */
export function valuesOf(table: TableSpec, row: Row): Cell[] {
  return table.columns.map(([column]) => {
    const value = row[column];
    return value === undefined ? null : (value as Cell);
  });
}

/** Adds rows to the sink. */
export function insertRows(sink: RowSink, table: TableSpec, rows: readonly Row[]): void {
  for (const row of rows) {
    sink.add(table, valuesOf(table, row));
  }
}

/**
 * Presents rows as the resource's commands put them in events. Rows whose presenter looks up other records (a
 * person's name) are presented after those records are written: the sink is flushed first.
 */
export async function presentAll(
  def: ResourceDef,
  tx: Executor,
  sink: RowSink,
  rows: readonly Row[],
): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) {
    return [];
  }
  if (def.decorate) {
    await sink.flush();
  }
  return presentRows(def, tx, [...rows]);
}
