/**
 * Notifications wait for their transaction to commit: a stream told "version 7" before version 7 is visible would
 * fetch version 6 and stop listening for it. A command adds notifications to its transaction with `afterCommit`;
 * `inTransaction` publishes them once the commit has succeeded and drops them on a rollback.
 */
import type { Executor } from "@keyward/db/connect";
import type { Notification } from "./notifier.ts";

const pending = new WeakMap<object, Notification[]>();

/**
 * Property ids one snapshot notification names at most. Beyond, it names none (null: any property of the
 * organization) and each stream of the organization re-reads its own version.
 * why: PostgreSQL caps a NOTIFY payload at 8000 bytes; 150 ids of 36 characters stay well under it.
 */
export const MAX_NOTIFIED_PROPERTIES = 150;

function mergeProperties(a: readonly string[] | null, b: readonly string[] | null): string[] | null {
  if (a === null || b === null) {
    return null;
  }
  const all = [...new Set([...a, ...b])];
  return all.length > MAX_NOTIFIED_PROPERTIES ? null : all;
}

/** Starts collecting the notifications of a transaction. */
export function collectNotifications(tx: Executor): Notification[] {
  const list: Notification[] = [];
  pending.set(tx, list);
  return list;
}

/**
 * Queues a notification for after the commit of `tx`. Outside a collecting transaction (a factory, the demo seed)
 * there is nobody to tell and nothing is queued: streams catch up from the version they read on connect.
 */
export function afterCommit(tx: Executor, notification: Notification): void {
  const list = pending.get(tx);
  if (!list) {
    return;
  }
  // why: a command touching a hundred records changes a hundred things; one message per subject suffices, and for
  // snapshots one per organization naming every property whose version moved (streams read the version themselves)
  if (notification.channel === "snapshot") {
    const earlier = list.findIndex((n) => n.channel === "snapshot" && n.organizationId === notification.organizationId);
    const before = list[earlier];
    if (before?.channel === "snapshot") {
      list[earlier] = { ...notification, propertyIds: mergeProperties(before.propertyIds, notification.propertyIds) };
      return;
    }
    list.push({ ...notification, propertyIds: mergeProperties([], notification.propertyIds) });
    return;
  }
  const key = JSON.stringify(notification);
  if (!list.some((n) => JSON.stringify(n) === key)) {
    list.push(notification);
  }
}
