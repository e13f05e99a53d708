/** Lists a resource's records the actor may read: filtered, searched, sorted and cursor-paginated. */
import type { Executor } from "@keyward/db/connect";
import { can, propertiesWhere } from "@keyward/domain/permissions";
import { type Expression, type SqlBool, sql } from "kysely";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { forbidden, invalidInput } from "../errors.ts";
import type { ResourceDef } from "../resources/definition.ts";
import { presentRows } from "../resources/present.ts";
import { columnOf, decodeCursor, encodeCursor, loose, searchAny } from "../resources/records.ts";

/** Sort fields held in numeric columns; every other sort field is text (or, named …At, an instant). */
const NUMERIC_SORTS: ReadonlySet<string> = new Set(["seq", "sortOrder"]);

export interface ListInput {
  limit: number;
  cursor?: string | undefined;
  sort?: string | undefined;
  q?: string | undefined;
  [filter: string]: unknown;
}

/**
 * One page of records.
 * @throws forbidden when the actor may read this kind of record nowhere.
 */
export async function listRecords(
  db: Executor,
  def: ResourceDef,
  actor: AuthenticatedActor,
  input: ListInput,
): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  const readable = propertiesWhere(actor, "read", def.entity);
  const orgLevel = can(actor, "read", { entity: def.entity, organizationId: actor.organizationId, propertyId: null });
  if (readable !== "all" && readable.length === 0 && !orgLevel) {
    throw forbidden(`list ${def.what} records`);
  }
  const sortSpec = input.sort ?? def.defaultSort ?? def.sorts[0] ?? "id";
  const descending = sortSpec.startsWith("-");
  const sortField = descending ? sortSpec.slice(1) : sortSpec;
  if (!def.sorts.includes(sortField)) {
    throw invalidInput("sort", `sort by one of ${def.sorts.join(", ")} (prefix with - for descending)`);
  }
  const sortColumn = columnOf(sortField);
  const scopeSql =
    def.scope.kind === "column"
      ? sql.ref(def.scope.column)
      : def.scope.kind === "derived"
        ? sql.raw(def.scope.sql)
        : null;

  let query = loose(db).selectFrom(def.table).selectAll().where("organization_id", "=", actor.organizationId);
  if (scopeSql === null) {
    if (!orgLevel) {
      throw forbidden(`list ${def.what} records`);
    }
  } else if (readable !== "all") {
    query = query.where((eb) => {
      const ors: Expression<SqlBool>[] = [];
      if (readable.length > 0) {
        ors.push(eb(scopeSql, "in", readable));
      }
      if (orgLevel) {
        ors.push(eb(scopeSql, "is", null));
      }
      return eb.or(ors);
    });
  }
  const hidden = def.hiddenFrom?.(actor);
  if (hidden && hidden.values.length > 0) {
    query = query.where(hidden.column, "not in", hidden.values);
  }
  for (const [param, column] of Object.entries(def.filters)) {
    const value = input[param];
    if (value !== undefined) {
      query = query.where(column, "=", value as string);
    }
  }
  for (const [param, range] of Object.entries(def.ranges ?? {})) {
    const value = input[param];
    if (value !== undefined) {
      query = query.where(range.column, range.op, value as string);
    }
  }
  if (input.q && def.search.length > 0) {
    query = query.where(searchAny(def.search, input.q));
  }
  if (input.cursor) {
    const decoded = decodeCursor(input.cursor);
    if (!decoded) {
      throw invalidInput("cursor", "this cursor is not valid; start again from the first page");
    }
    const [value, id] = decoded;
    // why: a cursor is the client's to hold; one whose value does not fit the sort column would reach the database
    // as a type error on PostgreSQL (SQLite compares anything), so both answer 400 instead
    const numeric = NUMERIC_SORTS.has(sortField);
    const instant = sortField.endsWith("At");
    if (numeric !== (typeof value === "number") || (instant && Number.isNaN(Date.parse(String(value))))) {
      throw invalidInput("cursor", "this cursor is not valid; start again from the first page");
    }
    const op = descending ? "<" : ">";
    query = query.where((eb) =>
      eb.or([eb(sortColumn, op, value), eb.and([eb(sortColumn, "=", value), eb("id", op, id)])]),
    );
  }
  const rows = await query
    .orderBy(sortColumn, descending ? "desc" : "asc")
    .orderBy("id", descending ? "desc" : "asc")
    .limit(input.limit + 1)
    .execute();
  const pageRows = rows.slice(0, input.limit);
  const last = pageRows[pageRows.length - 1];
  const nextCursor =
    rows.length > input.limit && last ? encodeCursor(last[sortColumn] as string | number, String(last.id)) : null;
  return { items: await presentRows(def, db, pageRows), nextCursor };
}
