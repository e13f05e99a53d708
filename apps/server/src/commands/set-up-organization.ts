/**
 * Creates an organization with its first administrator: the first-run page, `keyward init` and the demo seed all
 * start here.
 */
import { randomUUID } from "node:crypto";
import { OrganizationSettings } from "@keyward/contracts/resources";
import type { Executor } from "@keyward/db/connect";
import { snapshotOf, systemActor } from "../auth/actor.ts";
import { assertAcceptablePassword } from "../auth/passwords.ts";
import { recordEvent } from "../events.ts";
import type { CommandContext } from "../resources/definition.ts";
import { people, reasonCodes } from "../resources/definitions.ts";
import { createRecord } from "./create-record.ts";
import { grantRole } from "./grant-role.ts";
import { createUser } from "./manage-users.ts";

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
  const name = input.organizationName.trim();
  const settings = OrganizationSettings.parse({});
  await tx
    .insertInto("organizations")
    .values({ id: organizationId, name, settings: JSON.stringify(settings), created_at: iso, updated_at: iso })
    .execute();
  // why: from here on the set-up acts through the same commands as everyone else, so every record gets its event
  const actor = systemActor(organizationId, context.source === "cli" ? "cli" : "system", "first-run set-up");
  const ctx: CommandContext = { tx, actor, now: context.now };
  await recordEvent(tx, {
    organizationId,
    propertyId: null,
    action: "organization.created",
    entityType: "organization",
    entityId: organizationId,
    actor: snapshotOf(actor),
    after: { name, settings },
    source: context.source,
    now: context.now,
  });
  const person = await createRecord(ctx, people, { firstName: input.firstName, lastName: input.lastName, email });
  const personId = String(person.id);
  await grantRole(ctx, { personId, role: "administrator", scopeType: "organization", scopeId: null });
  const user = await createUser(ctx, { personId, email, password: input.password });
  for (const [i, reason] of DEFAULT_REASON_CODES.entries()) {
    await createRecord(ctx, reasonCodes, { ...reason, sortOrder: (i + 1) * 10 });
  }
  return { organizationId, personId, userId: String(user.id) };
}
