/**
 * The organization's snapshot version: one counter, bumped in the transaction of every change a cabinet's snapshot
 * reflects, so a cabinet that holds version N holds everything committed up to N.
 */
import type { Executor } from "@keyward/db/connect";
import type { EventAction } from "@keyward/domain/event-actions";
import { sql } from "kysely";
import { afterCommit } from "../live/after-commit.ts";

/**
 * The administrative acts a snapshot reflects (people, credentials, profiles and their assignments, holiday calendars,
 * reason codes, keys, units, cabinets and hooks, properties, organization settings). Buildings, key sets, logins and
 * dashboard roles are not in a snapshot; cabinet events bump the version themselves when they move keys.
 */
const SNAPSHOT_ACTIONS: ReadonlySet<EventAction> = new Set<EventAction>([
  "organization.updated",
  "property.created",
  "property.updated",
  "unit.created",
  "unit.updated",
  "key.created",
  "key.updated",
  "cabinet.created",
  "cabinet.updated",
  "cabinet.enrolled",
  "hook.updated",
  "person.created",
  "person.updated",
  "person.deactivated",
  "person.reactivated",
  "credential.issued",
  "credential.updated",
  "credential.pin_reset",
  "credential.pin_set",
  "access_profile.created",
  "access_profile.updated",
  "profile_assignment.created",
  "profile_assignment.updated",
  "holiday_calendar.created",
  "holiday_calendar.updated",
  "reason_code.created",
  "reason_code.updated",
]);

/** Whether an event of this action changes what a cabinet's snapshot holds. */
export function changesSnapshot(action: EventAction): boolean {
  return SNAPSHOT_ACTIONS.has(action);
}

const bumped = new WeakMap<object, Set<string>>();

/**
 * Bumps the organization's version and queues the notification for after the commit. Within one transaction the
 * counter moves once: its readers see the transaction's changes all at once anyway.
 */
export async function bumpSnapshotVersion(tx: Executor, organizationId: string, now: Date): Promise<void> {
  if (tx.isTransaction) {
    const seen = bumped.get(tx) ?? new Set<string>();
    if (seen.has(organizationId)) {
      return;
    }
    seen.add(organizationId);
    bumped.set(tx, seen);
  }
  const row = await tx
    .insertInto("snapshot_versions")
    .values({ organization_id: organizationId, version: 2, changed_at: now.toISOString() })
    .onConflict((oc) =>
      oc.column("organization_id").doUpdateSet({
        version: sql<number>`snapshot_versions.version + 1`,
        changed_at: now.toISOString(),
      }),
    )
    .returning("version")
    .executeTakeFirstOrThrow();
  afterCommit(tx, { channel: "snapshot", organizationId, version: Number(row.version) });
}

/** The organization's current version; 1 before anything was ever bumped. */
export async function currentSnapshotVersion(db: Executor, organizationId: string): Promise<number> {
  const row = await db
    .selectFrom("snapshot_versions")
    .select("version")
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  return row ? Number(row.version) : 1;
}
