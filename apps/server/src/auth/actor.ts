/**
 * Builds the resolver's `Actor` for a user: active role assignments, with region assignments expanded to the
 * properties in those regions.
 */
import { OrganizationSettings } from "@keyward/contracts/resources";
import type { Executor } from "@keyward/db/connect";
import { type Actor, allRoles, PEOPLE_MANAGING_ROLES, type Role } from "@keyward/domain/permissions";
import type { ActorSnapshot } from "../events.ts";

/** The actor plus what an event needs to remember about them. */
export interface AuthenticatedActor extends Actor {
  name: string;
  email: string;
  sessionId: string | null;
  /** Set while a required TOTP enrolment is outstanding. */
  restricted: boolean;
  /** Who is acting: a signed-in user, or the system itself (demo seed, CLI import) on the organization's behalf. */
  kind?: "user" | "system" | "cli";
}

/**
 * Loads the actor of a user; `null` when the user or their person is not active. Whether the actor is restricted to
 * TOTP enrolment is decided here, on every request, from the roles and policy as they are now — a promotion or a
 * policy switched on applies to sessions already open.
 */
export async function loadActor(
  db: Executor,
  userId: string,
  sessionId: string | null,
): Promise<AuthenticatedActor | null> {
  const user = await db
    .selectFrom("users")
    .innerJoin("people", "people.id", "users.person_id")
    .innerJoin("organizations", "organizations.id", "users.organization_id")
    .select([
      "users.totp_enabled_at as totpEnabledAt",
      "organizations.settings as settings",
      "users.id as userId",
      "users.email",
      "users.organization_id as organizationId",
      "users.status as userStatus",
      "people.id as personId",
      "people.first_name as firstName",
      "people.last_name as lastName",
      "people.status as personStatus",
    ])
    .where("users.id", "=", userId)
    .executeTakeFirst();
  if (user?.userStatus !== "active" || user.personStatus !== "active") {
    return null;
  }
  const assignments = await db
    .selectFrom("role_assignments")
    .select(["role", "scope_type", "scope_id"])
    .where("organization_id", "=", user.organizationId)
    .where("person_id", "=", user.personId)
    .where("status", "=", "active")
    .execute();
  const organizationRoles: Role[] = [];
  const propertyRoles: Record<string, Role[]> = {};
  const regionRoles: Record<string, Role[]> = {};
  const regionIds: string[] = [];
  const add = (map: Record<string, Role[]>, key: string, role: Role) => {
    map[key] = [...(map[key] ?? []), role];
  };
  for (const a of assignments) {
    const role = a.role as Role;
    if (a.scope_type === "organization") {
      organizationRoles.push(role);
    } else if (a.scope_type === "region" && a.scope_id) {
      add(regionRoles, a.scope_id, role);
      regionIds.push(a.scope_id);
    } else if (a.scope_type === "property" && a.scope_id) {
      add(propertyRoles, a.scope_id, role);
    }
  }
  if (regionIds.length > 0) {
    const inRegions = await db
      .selectFrom("properties")
      .select(["id", "region_id"])
      .where("organization_id", "=", user.organizationId)
      .where("region_id", "in", regionIds)
      .execute();
    for (const p of inRegions) {
      for (const role of regionRoles[p.region_id ?? ""] ?? []) {
        add(propertyRoles, p.id, role);
      }
    }
  }
  const actor: AuthenticatedActor = {
    userId: user.userId,
    personId: user.personId,
    organizationId: user.organizationId,
    organizationRoles,
    propertyRoles,
    regionRoles,
    name: `${user.firstName} ${user.lastName}`,
    email: user.email,
    sessionId,
    restricted: false,
  };
  const policy = OrganizationSettings.parse(JSON.parse(user.settings));
  actor.restricted = policy.requireTotpForManagers && user.totpEnabledAt === null && managesPeople(actor);
  return actor;
}

/** Whether organization policy would demand TOTP of this actor. */
export function managesPeople(actor: Actor): boolean {
  return allRoles(actor).some((role) => PEOPLE_MANAGING_ROLES.includes(role));
}

/** The snapshot an event keeps of the actor. */
export function snapshotOf(actor: AuthenticatedActor): ActorSnapshot {
  const type = actor.kind ?? "user";
  if (type !== "user") {
    return { type, id: null, name: actor.name };
  }
  return { type, id: actor.userId, name: actor.name, email: actor.email, roles: [...new Set(allRoles(actor))] };
}

/** An organization-wide administrator acting as the system (the demo seed) or the command line (CLI import). */
export function systemActor(organizationId: string, kind: "system" | "cli", name: string): AuthenticatedActor {
  return {
    userId: `${kind}:${name}`,
    personId: null,
    organizationId,
    organizationRoles: ["administrator"],
    propertyRoles: {},
    regionRoles: {},
    name,
    email: "",
    sessionId: null,
    restricted: false,
    kind,
  };
}
