/**
 * What reports of the cabinets' state share: JSON columns read safely, units as printed, and the periods a cabinet
 * could not reach the server, derived from the events it uploaded late.
 */
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";

/** A JSON column's object (an event's `after`, an actor snapshot), or an empty object for null or anything else. */
export function jsonObject(text: string | null): Record<string, unknown> {
  if (text === null) {
    return {};
  }
  const value: unknown = typeof text === "string" ? JSON.parse(text) : text;
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A JSON column's array (a profile's windows), or an empty array for null or anything else. */
export function jsonArray(text: string | null): unknown[] {
  const value: unknown = typeof text === "string" ? JSON.parse(text) : text;
  return Array.isArray(value) ? value : [];
}

/** A unit as reports print it: its number, and its building in brackets when it has one. */
export function unitLabel(number: string | null, building: string | null): string | null {
  return number === null ? null : building ? `${number} (${building})` : number;
}

/**
 * An event received this long after it happened was held by a cabinet that could not reach the server: well past the
 * device's clock tolerance (the server refuses requests more than 5 minutes off its own clock) and the agent's retries.
 */
export const LATE_UPLOAD_MINUTES = 15;

/** A stretch of time a cabinet could not reach the server, derived from the events it uploaded late. */
export interface OfflinePeriod {
  cabinetId: string;
  /** The first late event's device time: the cabinet was cut off from then at the latest. */
  from: string;
  /** When those events reached the server: the cabinet was back by then. */
  to: string;
  /** How many events the late uploads carried. */
  events: number;
}

/**
 * The periods each cabinet could not reach the server, as far as its own events show. Gaps between contacts are not
 * stored; each cabinet event keeps its device time and the time the server received it, so an upload whose oldest
 * event is {@link LATE_UPLOAD_MINUTES} or more older than its receipt marks a period from that event to the receipt.
 * Overlapping periods (a long backlog sent in several uploads) are merged. An outage during which nothing happened at
 * the cabinet leaves no late event, and so no period.
 */
export async function offlinePeriods(
  db: Executor,
  organizationId: string,
  cabinetIds: readonly string[],
  fromInstant: string,
  toInstant: string,
): Promise<Map<string, OfflinePeriod[]>> {
  const uploads: { cabinetId: string; receivedAt: string; first: string; events: number }[] = [];
  for (const ids of chunked(cabinetIds)) {
    // why: served by cabinet_events (organization_id, cabinet_id, occurred_at); one row per upload, not per event
    const rows = await db
      .selectFrom("cabinet_events")
      .select([
        "cabinet_id",
        "received_at",
        (eb) => eb.fn.min("occurred_at").as("first"),
        (eb) => eb.fn.countAll<number>().as("n"),
      ])
      .where("organization_id", "=", organizationId)
      .where("cabinet_id", "in", ids)
      .where("occurred_at", ">=", fromInstant)
      .where("occurred_at", "<", toInstant)
      .groupBy(["cabinet_id", "received_at"])
      .execute();
    for (const r of rows) {
      uploads.push({
        cabinetId: r.cabinet_id,
        receivedAt: new Date(r.received_at).toISOString(),
        first: new Date(r.first).toISOString(),
        events: Number(r.n),
      });
    }
  }
  const late = uploads
    .filter((u) => Date.parse(u.receivedAt) - Date.parse(u.first) >= LATE_UPLOAD_MINUTES * 60_000)
    .sort((a, b) => (a.cabinetId < b.cabinetId ? -1 : a.cabinetId > b.cabinetId ? 1 : a.first < b.first ? -1 : 1));
  const periods = new Map<string, OfflinePeriod[]>();
  for (const u of late) {
    const list = periods.get(u.cabinetId) ?? [];
    const last = list[list.length - 1];
    if (last && u.first <= last.to) {
      if (u.receivedAt > last.to) {
        last.to = u.receivedAt;
      }
      last.events += u.events;
    } else {
      list.push({ cabinetId: u.cabinetId, from: u.first, to: u.receivedAt, events: u.events });
    }
    periods.set(u.cabinetId, list);
  }
  return periods;
}
