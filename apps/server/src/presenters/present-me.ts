/** What the dashboard learns about the signed-in user: who they are and where they may act. */
import type { Me } from "@keyward/contracts/auth";
import type { Executor } from "@keyward/db/connect";
import { type Role, rolesAt } from "@keyward/domain/permissions";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { fromColumns } from "../resources/records.ts";
import { organizationSettings } from "../services.ts";

/** Presents the signed-in user, their organization and every property they hold a role at. */
export async function presentMe(db: Executor, actor: AuthenticatedActor): Promise<Me> {
  const user = await db
    .selectFrom("users")
    .innerJoin("people", "people.id", "users.person_id")
    .select([
      "users.id",
      "users.email",
      "users.totp_enabled_at",
      "people.id as personId",
      "people.first_name",
      "people.last_name",
    ])
    .where("users.id", "=", actor.userId)
    .executeTakeFirstOrThrow();
  const org = await db
    .selectFrom("organizations")
    .selectAll()
    .where("id", "=", actor.organizationId)
    .executeTakeFirstOrThrow();
  let q = db
    .selectFrom("properties")
    .select(["id", "name", "code", "time_zone"])
    .where("organization_id", "=", actor.organizationId)
    .where("status", "=", "active");
  if (actor.organizationRoles.length === 0) {
    const ids = Object.keys(actor.propertyRoles);
    q = q.where("id", "in", ids.length > 0 ? ids : ["-"]);
  }
  const properties = await q.orderBy("name").execute();
  return {
    user: { id: user.id, email: user.email, totpEnabled: user.totp_enabled_at !== null },
    person: { id: user.personId, firstName: user.first_name, lastName: user.last_name },
    organization: {
      ...(fromColumns(org, {}) as Omit<Me["organization"], "settings">),
      settings: await organizationSettings(db, org.id),
    },
    organizationRoles: [...new Set(actor.organizationRoles)],
    properties: properties.map((p) => ({
      id: p.id,
      name: p.name,
      code: p.code,
      timeZone: p.time_zone,
      roles: [...new Set(rolesAt(actor, p.id))] as Role[],
    })),
    totpEnrollmentRequired: actor.restricted,
  };
}
