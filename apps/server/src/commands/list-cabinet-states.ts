/** Each cabinet's live state as the dashboard shows it: online, door, alarms, keys in, snapshot in force. */
import type { CabinetState } from "@keyward/contracts/custody";
import type { Executor } from "@keyward/db/connect";
import { can, propertiesWhere } from "@keyward/domain/permissions";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { forbidden, notFound } from "../errors.ts";
import { authorize } from "../http/pipeline.ts";

/** A cabinet is online when its agent was heard from this recently. */
export const ONLINE_SECONDS = 90;

/**
 * @param propertyId one property (404 when the actor may not see it, 403 when they may but not its cabinets), or
 *   null for every cabinet they may see (403 when that is none).
 */
export async function listCabinetStates(
  db: Executor,
  actor: AuthenticatedActor,
  propertyId: string | null,
  now: Date,
): Promise<{ items: CabinetState[] }> {
  const organizationId = actor.organizationId;
  let properties: "all" | string[];
  if (propertyId) {
    const property = await db
      .selectFrom("properties")
      .select("id")
      .where("organization_id", "=", organizationId)
      .where("id", "=", propertyId)
      .executeTakeFirst();
    if (!property) {
      throw notFound("property");
    }
    authorize(actor, "read", { entity: "property", organizationId, propertyId }, "property");
    if (!can(actor, "read", { entity: "cabinet", organizationId, propertyId })) {
      throw forbidden("see this property's cabinets");
    }
    properties = [propertyId];
  } else {
    properties = propertiesWhere(actor, "read", "cabinet");
    if (properties !== "all" && properties.length === 0) {
      throw forbidden("see cabinets");
    }
  }
  let q = db
    .selectFrom("cabinets as c")
    .leftJoin("cabinet_states as s", "s.cabinet_id", "c.id")
    .leftJoin("snapshot_versions as v", "v.property_id", "c.property_id")
    .select([
      "c.id",
      "c.property_id",
      "c.name",
      "c.modules",
      "c.hooks_per_module",
      "c.device_public_key",
      "s.door",
      "s.last_contact_at",
      "s.last_event_at",
      "s.snapshot_version",
      "v.version as currentVersion",
      "s.open_alarms",
      "s.last_alarm",
      "s.last_alarm_at",
    ])
    .where("c.organization_id", "=", organizationId);
  if (properties !== "all") {
    q = q.where("c.property_id", "in", properties);
  }
  const cabinets = await q.orderBy("c.name").orderBy("c.id").execute();
  const ids = cabinets.map((c) => c.id);
  const keysIn = new Map<string, number>();
  if (ids.length > 0) {
    for (const row of await db
      .selectFrom("keys")
      .select(["cabinet_id", db.fn.countAll<number>().as("n")])
      .where("organization_id", "=", organizationId)
      .where("status", "=", "in")
      .where("cabinet_id", "in", ids)
      .groupBy("cabinet_id")
      .execute()) {
      if (row.cabinet_id) {
        keysIn.set(row.cabinet_id, Number(row.n));
      }
    }
  }
  const onlineSince = now.getTime() - ONLINE_SECONDS * 1000;
  return {
    items: cabinets.map((c) => ({
      cabinetId: c.id,
      propertyId: c.property_id,
      name: c.name,
      enrolled: c.device_public_key !== null,
      online: c.last_contact_at !== null && Date.parse(c.last_contact_at) >= onlineSince,
      lastContactAt: c.last_contact_at,
      lastEventAt: c.last_event_at,
      snapshotVersion: c.snapshot_version,
      // why: as currentSnapshotVersion reads it: a property without a row is at version 1
      currentSnapshotVersion: c.currentVersion === null ? 1 : Number(c.currentVersion),
      door: c.door === "open" || c.door === "closed" ? c.door : "unknown",
      openAlarms: c.open_alarms ?? 0,
      lastAlarm: c.last_alarm && c.last_alarm_at ? { action: c.last_alarm, at: c.last_alarm_at } : null,
      keysIn: keysIn.get(c.id) ?? 0,
      hookCount: c.modules * c.hooks_per_module,
    })),
  };
}
