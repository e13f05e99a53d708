/**
 * Each user's notification preferences: which channels they are told on, their phone number, the least severe alert
 * sent to them, and their daily digest. Someone who never chose has the defaults, in the zone of their first property.
 */
import { defaultPreferences, type NotificationPreferences } from "@keyward/contracts/alerts";
import type { Executor } from "@keyward/db/connect";
import type { NotificationPreferenceTable } from "@keyward/db/schema";
import { isValidTimeZone } from "@keyward/domain/schedule";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { invalidInput } from "../errors.ts";
import { diff, recordEvent } from "../events.ts";

function presentPreferences(row: NotificationPreferenceTable): NotificationPreferences {
  return {
    email: Boolean(row.email),
    sms: Boolean(row.sms),
    phone: row.phone,
    minSeverity: row.min_severity as NotificationPreferences["minSeverity"],
    digest: Boolean(row.digest),
    digestTime: row.digest_time,
    timeZone: row.time_zone,
  };
}

/** The zone of the actor's first property: their home property, else the first by name where they hold a role. */
async function firstPropertyZone(db: Executor, actor: AuthenticatedActor): Promise<string> {
  const person = actor.personId
    ? await db
        .selectFrom("people")
        .select("home_property_id")
        .where("organization_id", "=", actor.organizationId)
        .where("id", "=", actor.personId)
        .executeTakeFirst()
    : undefined;
  const home = person?.home_property_id ?? null;
  const candidates = [...new Set([...(home ? [home] : []), ...Object.keys(actor.propertyRoles)])];
  if (candidates.length === 0) {
    return "UTC";
  }
  const properties = await db
    .selectFrom("properties")
    .select(["id", "time_zone"])
    .where("organization_id", "=", actor.organizationId)
    .where("id", "in", candidates)
    .orderBy("name")
    .orderBy("id")
    .execute();
  return (properties.find((p) => p.id === home) ?? properties[0])?.time_zone ?? "UTC";
}

/** The actor's preferences: as they chose them, or the defaults. */
export async function readNotificationPreferences(
  db: Executor,
  actor: AuthenticatedActor,
): Promise<NotificationPreferences> {
  const row = await db
    .selectFrom("notification_preferences")
    .selectAll()
    .where("organization_id", "=", actor.organizationId)
    .where("user_id", "=", actor.userId)
    .executeTakeFirst();
  return row ? presentPreferences(row) : defaultPreferences(await firstPropertyZone(db, actor));
}

/**
 * Replaces the actor's preferences and writes the changed fields as `notification_preferences.updated`; nothing is
 * stored or recorded when nothing changes.
 * @throws invalid_input for text messages without a phone number, or a time zone that is not an IANA zone.
 */
export async function writeNotificationPreferences(
  tx: Executor,
  actor: AuthenticatedActor,
  after: NotificationPreferences,
  now: Date,
): Promise<NotificationPreferences> {
  if (after.sms && after.phone === null) {
    throw invalidInput("phone", "text messages need a phone number, in the international format (e.g. +13125550123)");
  }
  if (!isValidTimeZone(after.timeZone)) {
    throw invalidInput("timeZone", `"${after.timeZone}" is not an IANA time zone (e.g. America/Chicago)`);
  }
  const before = await readNotificationPreferences(tx, actor);
  const change = diff(before, after);
  if (!change) {
    return before;
  }
  const iso = now.toISOString();
  const columns = {
    email: after.email ? 1 : 0,
    sms: after.sms ? 1 : 0,
    phone: after.phone,
    min_severity: after.minSeverity,
    digest: after.digest ? 1 : 0,
    digest_time: after.digestTime,
    time_zone: after.timeZone,
    updated_at: iso,
  };
  await tx
    .insertInto("notification_preferences")
    .values({ user_id: actor.userId, organization_id: actor.organizationId, ...columns })
    .onConflict((oc) => oc.column("user_id").doUpdateSet(columns))
    .execute();
  await recordEvent(tx, {
    organizationId: actor.organizationId,
    propertyId: null,
    action: "notification_preferences.updated",
    entityType: "user",
    entityId: actor.userId,
    actor: snapshotOf(actor),
    before: change.before,
    after: change.after,
    now,
  });
  return after;
}
