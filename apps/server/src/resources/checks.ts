/** Checks that generic create and update commands run before writing. */
import type { Executor } from "@keyward/db/connect";
import type { z } from "zod";
import { conflict, invalidInput } from "../errors.ts";
import type { ResourceDef } from "./definition.ts";
import { columnOf, loose } from "./records.ts";

/**
 * Every referenced id must name a row of the same organization — and of the same property where the reference
 * demands it. A bad reference is the caller's input error (400), never a database error.
 */
export async function checkReferences(
  db: Executor,
  def: ResourceDef,
  organizationId: string,
  propertyId: string | null,
  record: Record<string, unknown>,
  changed: readonly string[],
): Promise<void> {
  for (const [field, ref] of Object.entries(def.references)) {
    const value = record[field];
    if (!changed.includes(field) || value === null || value === undefined) {
      continue;
    }
    const row = await loose(db)
      .selectFrom(ref.table)
      .selectAll()
      .where("organization_id", "=", organizationId)
      .where("id", "=", value as string)
      .executeTakeFirst();
    if (!row) {
      throw invalidInput(field, `no ${ref.what} with id ${String(value)} exists in this organization`);
    }
    // why: an organization-wide row (a shared holiday calendar) may be used by any property
    if (
      ref.sameProperty &&
      propertyId !== null &&
      typeof row.property_id === "string" &&
      row.property_id !== propertyId
    ) {
      throw invalidInput(field, `that ${ref.what} belongs to another property`);
    }
  }
}

/** A record must not collide with another on its unique fields: 409 naming what collides. */
export async function checkUniques(
  db: Executor,
  def: ResourceDef,
  organizationId: string,
  propertyId: string | null,
  record: Record<string, unknown>,
  selfId: string | null,
): Promise<void> {
  for (const unique of def.uniques) {
    if (unique.fields.some((f) => record[f] === null || record[f] === undefined)) {
      continue;
    }
    let q = loose(db).selectFrom(def.table).select("id").where("organization_id", "=", organizationId);
    if (unique.scope === "property" && propertyId !== null) {
      q = q.where("property_id", "=", propertyId);
    }
    for (const field of unique.fields) {
      q = q.where(columnOf(field), "=", record[field] as string);
    }
    if (selfId) {
      q = q.where("id", "<>", selfId);
    }
    if (await q.executeTakeFirst()) {
      throw conflict(unique.fields.join(","), unique.message(record));
    }
  }
}

/**
 * Parses command input with the resource's schema, so that every caller — route, import, seed — gets the same
 * defaults and the same validation.
 */
export function parseInput(schema: z.ZodType | null, input: Record<string, unknown>): Record<string, unknown> {
  if (!schema) {
    return input;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "body";
    throw invalidInput(field, issue?.message ?? "is not valid");
  }
  return parsed.data as Record<string, unknown>;
}
