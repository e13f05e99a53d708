/**
 * Granting and revoking roles. Nobody hands out more than they hold at that scope, and only administrators make
 * administrators — the privilege-escalation rules live in the domain's `canGrantRole`.
 */
import { randomUUID } from "node:crypto";
import { can, canGrantRole, type Role, type ScopeType } from "@keyward/domain/permissions";
import { snapshotOf } from "../auth/actor.ts";
import { conflict, forbidden, invalidInput } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { authorize } from "../http/pipeline.ts";
import type { CommandContext } from "../resources/definition.ts";
import { people, roleAssignments } from "../resources/definitions.ts";
import { presentRow } from "../resources/present.ts";
import { findInOrganization } from "../resources/records.ts";
import { loadForChange } from "./load-for-change.ts";

async function scopeProperties(ctx: CommandContext, scopeType: ScopeType, scopeId: string | null): Promise<string[]> {
  const org = ctx.actor.organizationId;
  if (scopeType === "organization") {
    if (scopeId) {
      throw invalidInput("scopeId", "an organization-wide role takes no scopeId");
    }
    return [];
  }
  if (!scopeId) {
    throw invalidInput("scopeId", `give the ${scopeType} this role applies to`);
  }
  if (scopeType === "property") {
    if (!(await findInOrganization(ctx.tx, "properties", org, scopeId))) {
      throw invalidInput("scopeId", "no property with that id exists in this organization");
    }
    return [scopeId];
  }
  if (!(await findInOrganization(ctx.tx, "regions", org, scopeId))) {
    throw invalidInput("scopeId", "no region with that id exists in this organization");
  }
  const rows = await ctx.tx
    .selectFrom("properties")
    .select("id")
    .where("organization_id", "=", org)
    .where("region_id", "=", scopeId)
    .execute();
  return rows.map((r) => r.id);
}

function assertMayGrant(
  ctx: CommandContext,
  role: Role,
  scopeType: ScopeType,
  propertyIds: string[],
  verb: string,
): void {
  const organizationId = ctx.actor.organizationId;
  if (scopeType === "property") {
    // why: a property the actor cannot see answers 404 like any hidden record
    authorize(
      ctx.actor,
      "create",
      { entity: "roleAssignment", organizationId, propertyId: propertyIds[0] ?? null },
      "role assignment",
    );
  } else if (!can(ctx.actor, "create", { entity: "roleAssignment", organizationId, propertyId: null })) {
    // why: the organization and its regions are no secret; granting there is simply not the actor's to do
    throw forbidden(`${verb} roles for the whole organization or a region`);
  }
  if (!canGrantRole(ctx.actor, role, { type: scopeType, propertyIds })) {
    throw forbidden(`${verb} the role ${role} there`);
  }
}

/**
 * Changing a person's login or credentials, or whether they are active, needs the right to grant every role they
 * hold: otherwise a property manager could set an executive's password, or PIN, and act as them.
 */
export async function assertMayManagePerson(ctx: CommandContext, personId: string, verb: string): Promise<void> {
  const held = await ctx.tx
    .selectFrom("role_assignments")
    .select(["role", "scope_type", "scope_id"])
    .where("organization_id", "=", ctx.actor.organizationId)
    .where("person_id", "=", personId)
    .where("status", "=", "active")
    .execute();
  for (const assignment of held) {
    const scopeType = assignment.scope_type as ScopeType;
    const propertyIds = await scopeProperties(ctx, scopeType, assignment.scope_id);
    if (!canGrantRole(ctx.actor, assignment.role as Role, { type: scopeType, propertyIds })) {
      throw forbidden(`${verb} someone who holds the role ${assignment.role}`);
    }
  }
}

/** Grants a role to a person at a scope. */
export async function grantRole(
  ctx: CommandContext,
  input: { personId: string; role: Role; scopeType: ScopeType; scopeId?: string | null | undefined },
): Promise<Record<string, unknown>> {
  const scopeId = input.scopeId ?? null;
  const propertyIds = await scopeProperties(ctx, input.scopeType, scopeId);
  assertMayGrant(ctx, input.role, input.scopeType, propertyIds, "grant");
  const { row: person } = await loadForChange(ctx, people, input.personId, "read");
  if (person.status !== "active") {
    throw invalidInput("personId", "this person is inactive; reactivate them first");
  }
  let dup = ctx.tx
    .selectFrom("role_assignments")
    .select("id")
    .where("organization_id", "=", ctx.actor.organizationId)
    .where("person_id", "=", input.personId)
    .where("role", "=", input.role)
    .where("scope_type", "=", input.scopeType)
    .where("status", "=", "active");
  dup = scopeId === null ? dup.where("scope_id", "is", null) : dup.where("scope_id", "=", scopeId);
  if (await dup.executeTakeFirst()) {
    throw conflict("role", `This person already holds the role ${input.role} there.`);
  }
  const iso = ctx.now.toISOString();
  const row = {
    id: randomUUID(),
    organization_id: ctx.actor.organizationId,
    person_id: input.personId,
    role: input.role,
    scope_type: input.scopeType,
    scope_id: scopeId,
    status: "active",
    created_at: iso,
    updated_at: iso,
  };
  await ctx.tx.insertInto("role_assignments").values(row).execute();
  const presented = await presentRow(roleAssignments, ctx.tx, row);
  await recordEvent(ctx.tx, {
    organizationId: ctx.actor.organizationId,
    propertyId: input.scopeType === "property" ? scopeId : null,
    action: "role_assignment.created",
    entityType: "roleAssignment",
    entityId: row.id,
    actor: snapshotOf(ctx.actor),
    after: presented,
    now: ctx.now,
  });
  return presented;
}

/** Revokes (or restores) a role assignment, under the same rules as granting it. */
export async function changeRoleAssignment(
  ctx: CommandContext,
  id: string,
  status: "active" | "revoked",
): Promise<Record<string, unknown>> {
  const { row } = await loadForChange(ctx, roleAssignments, id, "read");
  const scopeType = row.scope_type as ScopeType;
  const propertyIds = await scopeProperties(ctx, scopeType, (row.scope_id as string | null) ?? null);
  assertMayGrant(ctx, row.role as Role, scopeType, propertyIds, status === "revoked" ? "revoke" : "grant");
  if (status === "revoked" && row.person_id === ctx.actor.personId && row.role === "administrator") {
    throw invalidInput("status", "you cannot revoke your own administrator role; ask another administrator");
  }
  if (row.status !== status) {
    const iso = ctx.now.toISOString();
    await ctx.tx.updateTable("role_assignments").set({ status, updated_at: iso }).where("id", "=", id).execute();
    await recordEvent(ctx.tx, {
      organizationId: ctx.actor.organizationId,
      propertyId: scopeType === "property" ? String(row.scope_id) : null,
      action: "role_assignment.updated",
      entityType: "roleAssignment",
      entityId: id,
      actor: snapshotOf(ctx.actor),
      before: { status: row.status },
      after: { status, role: row.role, personId: row.person_id },
      now: ctx.now,
    });
  }
  const updated = await ctx.tx
    .selectFrom("role_assignments")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return presentRow(roleAssignments, ctx.tx, updated);
}
