/**
 * Notifications wait for their transaction to commit: a stream told "version 7" before version 7 is visible would
 * fetch version 6 and stop listening for it. A command adds notifications to its transaction with `afterCommit`;
 * `inTransaction` publishes them once the commit has succeeded and drops them on a rollback.
 */
import type { Executor } from "@keyward/db/connect";
import type { Notification } from "./notifier.ts";

const pending = new WeakMap<object, Notification[]>();

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
  // why: a command touching a hundred records changes a hundred things; one message per subject suffices, and for a
  // snapshot only the newest version matters
  if (notification.channel === "snapshot") {
    const earlier = list.findIndex((n) => n.channel === "snapshot" && n.organizationId === notification.organizationId);
    if (earlier !== -1) {
      list[earlier] = notification;
      return;
    }
  }
  const key = JSON.stringify(notification);
  if (!list.some((n) => JSON.stringify(n) === key)) {
    list.push(notification);
  }
}
