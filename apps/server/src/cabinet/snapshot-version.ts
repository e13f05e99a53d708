/**
 * Each property's snapshot version: one counter per property, bumped in the transaction of every change its cabinets'
 * snapshots reflect, so a cabinet that holds version N holds everything committed up to N for its property.
 */
import type { Executor } from "@keyward/db/connect";
import type { EventAction } from "@keyward/domain/event-actions";
import { sql } from "kysely";
import { afterCommit } from "../live/after-commit.ts";

/**
 * The administrative acts a snapshot reflects (people, credentials, profiles and their assignments, holiday calendars,
 * reason codes, keys, units, cabinets and hooks, properties, organization settings). Buildings, key sets, logins and
 * dashboard roles are not in a snapshot; cabinet events bump the versions themselves when they move keys.
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

/** Which properties' snapshots a change reaches: every property of the organization, or the ones listed. */
export type SnapshotReach = "organization" | readonly string[];

/** Rows per upsert: well under SQLite's and PostgreSQL's limits on bound parameters. */
const CHUNK = 200;

/** The change of one event, as far as snapshots care. */
export interface SnapshotChange {
  organizationId: string;
  propertyId: string | null;
  action: EventAction;
  entityId: string | null;
}

/**
 * Takes a row lock on each person (in id order) and returns the properties where any of them holds a profile
 * assignment, revoked ones included: a revoked assignment must still reach the cabinet that has to forget it.
 *
 * why the lock: on PostgreSQL a change of a person and a new assignment of that person elsewhere could otherwise
 * commit side by side, the change bumping only the properties it saw, and the new property's cabinet would keep the
 * old person at a version that never moves. Both sides lock the person's row first, so the later one sees the other.
 * The lock is a plain UPDATE (no FOR UPDATE, which SQLite lacks); it does not conflict with foreign-key checks.
 */
export async function lockPeopleReach(
  tx: Executor,
  organizationId: string,
  personIds: readonly string[],
): Promise<string[]> {
  const ids = [...new Set(personIds)].sort();
  if (ids.length === 0) {
    return [];
  }
  for (const id of ids) {
    await tx
      .updateTable("people")
      .set((eb) => ({ updated_at: eb.ref("updated_at") }))
      .where("organization_id", "=", organizationId)
      .where("id", "=", id)
      .execute();
  }
  const rows = await tx
    .selectFrom("profile_assignments")
    .select("property_id")
    .distinct()
    .where("organization_id", "=", organizationId)
    .where("person_id", "in", ids)
    .execute();
  return rows.map((r) => r.property_id);
}

async function personOf(tx: Executor, change: SnapshotChange): Promise<string | null> {
  if (change.entityId === null) {
    return null;
  }
  const base = change.action.slice(0, change.action.indexOf("."));
  if (base === "person") {
    return change.entityId;
  }
  const table = base === "credential" ? "credentials" : "profile_assignments";
  const row = await tx
    .selectFrom(table)
    .select("person_id")
    .where("organization_id", "=", change.organizationId)
    .where("id", "=", change.entityId)
    .executeTakeFirst();
  return row?.person_id ?? null;
}

/**
 * The properties a snapshot-changing event reaches.
 *
 * why: a person or a credential reaches only the properties where that person holds an assignment — a new badge in an
 * organization of thousands of properties must not send every cabinet its snapshot again; one indexed query finds
 * them. Everything else reaches the property it belongs to, and organization-wide records (reason codes, settings, a
 * shared holiday calendar) every property: they are in every snapshot and change rarely.
 */
export async function snapshotReachOf(tx: Executor, change: SnapshotChange): Promise<SnapshotReach> {
  const base = change.action.slice(0, change.action.indexOf("."));
  if (base === "person" || base === "credential") {
    const personId = await personOf(tx, change);
    return personId === null ? "organization" : lockPeopleReach(tx, change.organizationId, [personId]);
  }
  if (base === "profile_assignment") {
    const personId = await personOf(tx, change);
    if (personId !== null) {
      await lockPeopleReach(tx, change.organizationId, [personId]);
    }
  }
  return change.propertyId === null ? "organization" : [change.propertyId];
}

interface Bumped {
  organizations: Set<string>;
  properties: Set<string>;
}

const bumped = new WeakMap<object, Bumped>();

async function upsertVersions(
  tx: Executor,
  organizationId: string,
  propertyIds: readonly string[],
  iso: string,
): Promise<void> {
  for (let i = 0; i < propertyIds.length; i += CHUNK) {
    await tx
      .insertInto("snapshot_versions")
      .values(
        propertyIds.slice(i, i + CHUNK).map((id) => ({
          property_id: id,
          organization_id: organizationId,
          version: 2,
          changed_at: iso,
        })),
      )
      .onConflict((oc) =>
        oc.column("property_id").doUpdateSet({
          version: sql<number>`snapshot_versions.version + 1`,
          changed_at: iso,
        }),
      )
      .execute();
  }
}

/**
 * Bumps the versions of the properties reached and queues the notification for after the commit. Within one
 * transaction each property's counter moves once: its readers see the transaction's changes all at once anyway.
 */
export async function bumpSnapshotVersions(
  tx: Executor,
  organizationId: string,
  reach: SnapshotReach,
  now: Date,
): Promise<void> {
  const seen: Bumped | null = tx.isTransaction
    ? (bumped.get(tx) ?? { organizations: new Set(), properties: new Set() })
    : null;
  if (seen) {
    bumped.set(tx, seen);
    if (seen.organizations.has(organizationId)) {
      return;
    }
  }
  let ids: string[];
  if (reach === "organization") {
    seen?.organizations.add(organizationId);
    ids = (await tx.selectFrom("properties").select("id").where("organization_id", "=", organizationId).execute()).map(
      (p) => p.id,
    );
  } else {
    ids = [...new Set(reach)].filter((id) => !seen?.properties.has(id));
  }
  for (const id of ids) {
    seen?.properties.add(id);
  }
  if (ids.length === 0) {
    return;
  }
  // why: rows are locked in id order, the same in every transaction, so two bumps wait for each other instead of
  // deadlocking on PostgreSQL
  ids.sort();
  await upsertVersions(tx, organizationId, ids, now.toISOString());
  afterCommit(tx, { channel: "snapshot", organizationId, propertyIds: reach === "organization" ? null : ids });
}

/** The property's current version; 1 before anything was ever bumped. */
export async function currentSnapshotVersion(
  db: Executor,
  organizationId: string,
  propertyId: string,
): Promise<number> {
  const row = await db
    .selectFrom("snapshot_versions")
    .select("version")
    .where("organization_id", "=", organizationId)
    .where("property_id", "=", propertyId)
    .executeTakeFirst();
  return row ? Number(row.version) : 1;
}
