/**
 * Creates an organization with its first administrator: the first-run page, `keyward init` and the demo seed all
 * start here.
 */
import { randomUUID } from "node:crypto";
import type { Executor } from "@keyward/db/connect";
import { assertAcceptablePassword, hashSecret } from "../auth/passwords.ts";
import { type ActorSnapshot, recordEvent } from "../events.ts";

/** Reason codes every new organization starts with; it may rename, add or archive them. */
export const DEFAULT_REASON_CODES = [
  { code: "preventive_maintenance", label: "Preventive maintenance", requiresWorkOrder: false, defaultDueMinutes: 240 },
  { code: "work_order", label: "Work order", requiresWorkOrder: true, defaultDueMinutes: 240 },
  { code: "inspection", label: "Inspection", requiresWorkOrder: false, defaultDueMinutes: 120 },
  { code: "move_in", label: "Move-in", requiresWorkOrder: false, defaultDueMinutes: 120 },
  { code: "move_out", label: "Move-out", requiresWorkOrder: false, defaultDueMinutes: 240 },
  { code: "showing", label: "Showing", requiresWorkOrder: false, defaultDueMinutes: 60 },
  { code: "pest_control", label: "Pest control", requiresWorkOrder: false, defaultDueMinutes: 240 },
  { code: "painting", label: "Painting", requiresWorkOrder: true, defaultDueMinutes: 480 },
  { code: "appliance_replacement", label: "Appliance replacement", requiresWorkOrder: true, defaultDueMinutes: 240 },
  { code: "vendor", label: "Vendor visit", requiresWorkOrder: true, defaultDueMinutes: 240 },
  { code: "emergency", label: "Emergency", requiresWorkOrder: false, defaultDueMinutes: 60 },
] as const;

export interface SetUpInput {
  organizationName: string;
  firstName: string;
  lastName: string;
  email: string;
  password: string;
}

/** Whether no organization exists yet (a fresh deployment). */
export async function setupNeeded(db: Executor): Promise<boolean> {
  const row = await db.selectFrom("organizations").select("id").limit(1).executeTakeFirst();
  return !row;
}

/**
 * Creates the organization, its administrator (person, user, organization-wide administrator role) and the default
 * reason codes, with their events.
 * @returns the ids created.
 */
export async function setUpOrganization(
  tx: Executor,
  input: SetUpInput,
  context: { now: Date; source: "api" | "cli" },
): Promise<{ organizationId: string; personId: string; userId: string }> {
  const email = input.email.trim().toLowerCase();
  assertAcceptablePassword(input.password, [email.split("@")[0] ?? "", input.organizationName]);
  const iso = context.now.toISOString();
  const organizationId = randomUUID();
  const personId = randomUUID();
  const userId = randomUUID();
  const actor: ActorSnapshot = {
    type: context.source === "cli" ? "cli" : "system",
    id: null,
    name: "first-run set-up",
  };
  const settings = { pinMinLength: 6, requireTotpForManagers: false, sessionIdleMinutes: 30, sessionMaxHours: 12 };
  await tx
    .insertInto("organizations")
    .values({
      id: organizationId,
      name: input.organizationName.trim(),
      settings: JSON.stringify(settings),
      created_at: iso,
      updated_at: iso,
    })
    .execute();
  const event = { organizationId, propertyId: null, actor, now: context.now, source: context.source };
  await recordEvent(tx, {
    ...event,
    action: "organization.created",
    entityType: "organization",
    entityId: organizationId,
    after: { name: input.organizationName.trim(), settings },
  });
  await tx
    .insertInto("people")
    .values({
      id: personId,
      organization_id: organizationId,
      home_property_id: null,
      kind: "employee",
      first_name: input.firstName.trim(),
      last_name: input.lastName.trim(),
      employee_number: null,
      company: null,
      email,
      phone: null,
      status: "active",
      start_date: null,
      end_date: null,
      deactivated_at: null,
      created_at: iso,
      updated_at: iso,
    })
    .execute();
  await recordEvent(tx, {
    ...event,
    action: "person.created",
    entityType: "person",
    entityId: personId,
    after: { firstName: input.firstName.trim(), lastName: input.lastName.trim(), email },
  });
  await tx
    .insertInto("users")
    .values({
      id: userId,
      organization_id: organizationId,
      person_id: personId,
      email,
      password_hash: await hashSecret(input.password),
      totp_secret: null,
      totp_enabled_at: null,
      status: "active",
      last_login_at: null,
      created_at: iso,
      updated_at: iso,
    })
    .execute();
  await recordEvent(tx, {
    ...event,
    action: "user.created",
    entityType: "user",
    entityId: userId,
    after: { email, personId },
  });
  const roleId = randomUUID();
  await tx
    .insertInto("role_assignments")
    .values({
      id: roleId,
      organization_id: organizationId,
      person_id: personId,
      role: "administrator",
      scope_type: "organization",
      scope_id: null,
      status: "active",
      created_at: iso,
      updated_at: iso,
    })
    .execute();
  await recordEvent(tx, {
    ...event,
    action: "role_assignment.created",
    entityType: "roleAssignment",
    entityId: roleId,
    after: { personId, role: "administrator", scopeType: "organization", scopeId: null },
  });
  for (const [i, reason] of DEFAULT_REASON_CODES.entries()) {
    const id = randomUUID();
    await tx
      .insertInto("reason_codes")
      .values({
        id,
        organization_id: organizationId,
        code: reason.code,
        label: reason.label,
        requires_work_order: reason.requiresWorkOrder ? 1 : 0,
        default_due_minutes: reason.defaultDueMinutes,
        sort_order: (i + 1) * 10,
        status: "active",
        created_at: iso,
        updated_at: iso,
      })
      .execute();
    await recordEvent(tx, {
      ...event,
      action: "reason_code.created",
      entityType: "reasonCode",
      entityId: id,
      after: { ...reason },
    });
  }
  return { organizationId, personId, userId };
}
