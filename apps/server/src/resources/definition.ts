/**
 * The shape of an admin-plane resource: its table, its schemas, how its rows map to a property for authorization,
 * and the checks its commands run. One generic set of commands serves them all; special acts (deactivation,
 * credentials, role grants) have commands of their own.
 */
import type { Executor } from "@keyward/db/connect";
import type { EventAction } from "@keyward/domain/event-actions";
import type { Entity } from "@keyward/domain/permissions";
import type { z } from "zod";
import type { AuthenticatedActor } from "../auth/actor.ts";
import type { Encoding, Row, TableName } from "./records.ts";

export interface Reference {
  table: TableName;
  /** Human name, for messages. */
  what: string;
  /** Whether the referenced row must be at the same property as the referencing one. */
  sameProperty: boolean;
}

export interface Uniqueness {
  fields: readonly string[];
  scope: "organization" | "property";
  /** Names what collides, for the 409. */
  message: (values: Record<string, unknown>) => string;
}

export interface CommandContext {
  tx: Executor;
  actor: AuthenticatedActor;
  now: Date;
}

export interface ResourceDef {
  entity: Entity;
  table: TableName;
  /** URL segment under /api/v1. */
  path: string;
  /** Human name, for messages. */
  what: string;
  /** OpenAPI tag. */
  tag: string;
  /** Event actions of the generic create and update commands (read-only resources have none). */
  events: { created: EventAction; updated: EventAction } | null;
  /** The response schema of one record; its fields are exactly what a presenter lets out. */
  item: z.ZodObject;
  create: z.ZodType | null;
  update: z.ZodType | null;
  listQuery: z.ZodObject;
  encoding: Encoding;
  /**
   * Where a row lives for the resolver: nowhere in particular (an organization-level record), a column holding its
   * property (null value = organization-level), or an SQL expression for records that inherit it (a credential
   * from its person).
   */
  scope:
    | { kind: "organization" }
    | { kind: "column"; column: string }
    | { kind: "derived"; sql: string; fromRow: (tx: Executor, row: Row) => Promise<string | null> };
  /** Where a new record will live, from its create input. */
  propertyOfInput: (input: Record<string, unknown>) => string | null;
  /** List query parameters that filter by equality, camelCase → column. */
  filters: Record<string, string>;
  /** Sortable fields (non-null columns), camelCase; the first is the default. */
  sorts: readonly string[];
  /** Default sort when it is not the first field ascending, e.g. "-seq" for newest first. */
  defaultSort?: string;
  /** List query parameters that bound a column, e.g. `from` → occurred_at >= value. */
  ranges?: Record<string, { column: string; op: ">=" | "<" }>;
  /** Columns that `q` searches. */
  search: readonly string[];
  references: Record<string, Reference>;
  uniques: readonly Uniqueness[];
  /** Domain checks on the record as it would be after the command (merged input over the current record). */
  validate?: (
    ctx: CommandContext,
    record: Record<string, unknown>,
    current: Record<string, unknown> | null,
  ) => Promise<void>;
  /** Extra presented fields computed per row (counts, derived state). */
  decorate?: (db: Executor, rows: Row[]) => Promise<Record<string, unknown>[]>;
  /** Work that belongs to creation (a cabinet's hooks). */
  afterCreate?: (ctx: CommandContext, row: Row) => Promise<void>;
  /**
   * Rows an actor may not see although the resolver lets them read the resource where the row lives — events about
   * entities their role may not read (a login's e-mail in a `user.created` event, for someone with no access to users).
   */
  hiddenFrom?: (actor: AuthenticatedActor) => { column: string; values: string[] } | null;
  /** Status of a new record; null when the create input names it (a key imported as already lost). */
  initialStatus: string | null;
  /** Fields only the create input names that are never columns (a consent checkbox). */
  ignoreOnWrite?: readonly string[];
}
