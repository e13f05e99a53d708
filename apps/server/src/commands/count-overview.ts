/**
 * Counts for the overview: grouped counts over indexed columns, limited to what the actor may read — never a page
 * of rows counted in the browser.
 */
import { CABINET_STATUSES, KEY_STATUSES } from "@keyward/contracts/resources";
import type { Executor } from "@keyward/db/connect";
import { can, type Entity, propertiesWhere } from "@keyward/domain/permissions";
import { localTime } from "@keyward/domain/schedule";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { forbidden, notFound } from "../errors.ts";
import { authorize } from "../http/pipeline.ts";
import { findInOrganization } from "../resources/records.ts";

/** The properties to count for an entity: one (checked), or all the actor may read; "all" needs no filter. */
function scopeFor(actor: AuthenticatedActor, entity: Entity, propertyId: string | null): "all" | string[] {
  if (propertyId) {
    return can(actor, "read", { entity, organizationId: actor.organizationId, propertyId }) ? [propertyId] : [];
  }
  return propertiesWhere(actor, "read", entity);
}

async function countBy<S extends string>(
  db: Executor,
  table: "keys" | "cabinets",
  statuses: readonly S[],
  organizationId: string,
  scope: "all" | string[],
): Promise<Record<S, number>> {
  const counts = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;
  if (scope !== "all" && scope.length === 0) {
    return counts;
  }
  let q = db
    .selectFrom(table)
    .select(["status", db.fn.countAll<number>().as("n")])
    .where("organization_id", "=", organizationId)
    .groupBy("status");
  if (scope !== "all") {
    q = q.where("property_id", "in", scope);
  }
  for (const row of await q.execute()) {
    if ((statuses as readonly string[]).includes(row.status)) {
      counts[row.status as S] = Number(row.n);
    }
  }
  return counts;
}

/**
 * @param propertyId one property, or null for every property the actor may read.
 * @throws not_found for a property the actor cannot see; forbidden when they may read none of it.
 */
export async function countOverview(db: Executor, actor: AuthenticatedActor, propertyId: string | null, now: Date) {
  if (propertyId) {
    const property = await findInOrganization(db, "properties", actor.organizationId, propertyId);
    if (!property) {
      throw notFound("property");
    }
    authorize(actor, "read", { entity: "property", organizationId: actor.organizationId, propertyId }, "property");
  }
  const keyScope = scopeFor(actor, "key", propertyId);
  const cabinetScope = scopeFor(actor, "cabinet", propertyId);
  const personScope = scopeFor(actor, "person", propertyId);
  if ([keyScope, cabinetScope, personScope].every((s) => s !== "all" && s.length === 0)) {
    throw forbidden("see this overview");
  }
  const people =
    personScope === "all" || personScope.length > 0 ? await countPastEndDate(db, actor, personScope, now) : 0;
  return {
    keys: await countBy(db, "keys", KEY_STATUSES, actor.organizationId, keyScope),
    cabinets: await countBy(db, "cabinets", CABINET_STATUSES, actor.organizationId, cabinetScope),
    peopleActivePastEndDate: people,
  };
}

/**
 * People still active after their end date. The date is judged where each person works — their home property's
 * time zone (UTC for people with none) — not at the server's midnight.
 */
async function countPastEndDate(
  db: Executor,
  actor: AuthenticatedActor,
  scope: "all" | string[],
  now: Date,
): Promise<number> {
  // why: no zone is ahead of UTC by more than a day, so this bound keeps the candidates few and the query indexed
  const latest = localTime(new Date(now.getTime() + 86_400_000), "UTC").date;
  let q = db
    .selectFrom("people")
    .leftJoin("properties", "properties.id", "people.home_property_id")
    .select(["people.end_date", "properties.time_zone"])
    .where("people.organization_id", "=", actor.organizationId)
    .where("people.status", "=", "active")
    .where("people.end_date", "<", latest);
  if (scope !== "all") {
    q = q.where("people.home_property_id", "in", scope);
  }
  const candidates = await q.execute();
  return candidates.filter((p) => p.end_date !== null && p.end_date < localTime(now, p.time_zone ?? "UTC").date).length;
}
