/**
 * Local wall-clock times to instants, in an IANA time zone. Pure: built on the runtime's Intl data only.
 */
import { localTime } from "./schedule.ts";

const DAY_MS = 86_400_000;

/** The local date (YYYY-MM-DD) a number of days after (or before, when negative) another. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The zone's offset (local minus UTC, in ms) at an instant, to the minute. */
function offsetAt(instantMs: number, zone: string): number {
  const local = localTime(new Date(instantMs), zone);
  const wall = Date.parse(`${local.date}T00:00:00Z`) + local.minutes * 60_000;
  return wall - Math.floor(instantMs / 60_000) * 60_000;
}

/**
 * The instant at which a local date and minute of day (0–1440; 1440 is the next midnight) occurs in a zone.
 * Like Temporal's "compatible" disambiguation: a time repeated when clocks fall back is its first occurrence; a time
 * skipped when clocks spring forward moves later by the gap (02:30 on a spring-forward night becomes 03:30).
 */
export function instantAtLocal(date: string, minutes: number, zone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  // why: a day either side brackets any real transition; the wall time exists under one, both (overlap) or neither (gap)
  const before = offsetAt(wall - DAY_MS, zone);
  const after = offsetAt(wall + DAY_MS, zone);
  const candidates = [wall - before, wall - after].filter((t) => t + offsetAt(t, zone) === wall);
  if (candidates.length > 0) {
    return new Date(Math.min(...candidates));
  }
  return new Date(wall - before);
}
