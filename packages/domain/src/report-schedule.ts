/**
 * When a scheduled report runs: daily, weekly on a weekday, or monthly on a day of the month, at a local "HH:MM" in an
 * IANA time zone, and which days a periodic report then covers. Pure: the instant is passed in.
 *
 * Daylight-saving days: a time the clocks skip runs at the first minute after the gap (02:30 on a spring-forward night
 * runs at 03:00); a time they repeat runs once, at its first occurrence.
 */
import { localTime, type Weekday } from "./schedule.ts";
import { addDays, instantAtLocal } from "./zoned-time.ts";

/** How often a schedule runs. Persisted: stable string keys. */
export const REPORT_FREQUENCIES = ["daily", "weekly", "monthly"] as const;
export type ReportFrequency = (typeof REPORT_FREQUENCIES)[number];

/** A schedule's recurrence: `weekday` (1 = Monday … 7 = Sunday) for weekly, `monthDay` (1–31) for monthly. */
export interface Recurrence {
  frequency: ReportFrequency;
  weekday: Weekday | null;
  monthDay: number | null;
  /** "HH:MM", 00:00–23:59, on the zone's wall clock. */
  localTime: string;
  timeZone: string;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;
// why: the longest wait between two runs is a month (31 days); a day either side covers zones whose dates jump
const SEARCH_DAYS = 34;

/** Problems with a recurrence, each naming its field; empty when valid. */
export function validateRecurrence(r: Recurrence): string[] {
  const problems: string[] = [];
  if (!HH_MM.test(r.localTime)) {
    problems.push("localTime: use a time between 00:00 and 23:59");
  }
  if (r.frequency === "weekly" && (r.weekday === null || r.weekday < 1 || r.weekday > 7)) {
    problems.push("weekday: a weekly schedule needs a weekday from 1 (Monday) to 7 (Sunday)");
  }
  if (r.frequency === "monthly" && (r.monthDay === null || r.monthDay < 1 || r.monthDay > 31)) {
    problems.push("monthDay: a monthly schedule needs a day of the month from 1 to 31");
  }
  if (r.frequency !== "weekly" && r.weekday !== null) {
    problems.push("weekday: only a weekly schedule takes a weekday");
  }
  if (r.frequency !== "monthly" && r.monthDay !== null) {
    problems.push("monthDay: only a monthly schedule takes a day of the month");
  }
  return problems;
}

/** The number of days in the month of a date (YYYY-MM-DD). */
function daysInMonth(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The ISO weekday of a date (YYYY-MM-DD). */
function weekdayOf(date: string): Weekday {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return (day === 0 ? 7 : day) as Weekday;
}

/** Whether the schedule runs on a local date. */
export function runsOn(r: Recurrence, date: string): boolean {
  switch (r.frequency) {
    case "daily":
      return true;
    case "weekly":
      return weekdayOf(date) === r.weekday;
    case "monthly": {
      // why: day 31 (or 29, 30) runs on the month's last day in a shorter month, so no month is skipped
      const day = Math.min(r.monthDay ?? 1, daysInMonth(date));
      return Number(date.slice(8, 10)) === day;
    }
  }
}

/** The wall-clock time of an instant in a zone, as ms since the epoch read as if UTC (minute resolution). */
function wallOf(instantMs: number, zone: string): number {
  const local = localTime(new Date(instantMs), zone);
  return Date.parse(`${local.date}T00:00:00Z`) + local.minutes * MINUTE_MS;
}

/**
 * The instant a schedule's run on a local date happens: the local time, or — when the clocks skip it that day — the
 * first minute after the gap.
 */
export function runInstant(date: string, time: string, zone: string): Date {
  const [h, m] = time.split(":").map(Number);
  const minutes = (h ?? 0) * 60 + (m ?? 0);
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * MINUTE_MS;
  const compatible = instantAtLocal(date, minutes, zone);
  if (wallOf(compatible.getTime(), zone) === wall) {
    return compatible;
  }
  // why: the time falls in a gap. `compatible` lies past the gap's end and the instant a gap's length earlier lies
  // before the gap; the end of the gap (the first minute whose wall time is past the asked time) lies between them
  let after = compatible.getTime();
  let before = after - (wallOf(after, zone) - wall) - MINUTE_MS;
  while (after - before > MINUTE_MS) {
    const mid = before + Math.floor((after - before) / 2 / MINUTE_MS) * MINUTE_MS;
    if (wallOf(mid, zone) > wall) {
      after = mid;
    } else {
      before = mid;
    }
  }
  return new Date(after);
}

/**
 * The schedule's first run strictly after an instant.
 * @throws Error when the recurrence is invalid (see `validateRecurrence`).
 */
export function nextRunAfter(r: Recurrence, after: Date): Date {
  const problems = validateRecurrence(r);
  if (problems.length > 0) {
    throw new Error(`invalid recurrence: ${problems.join("; ")}`);
  }
  const start = addDays(localTime(after, r.timeZone).date, -1);
  for (let i = 0; i <= SEARCH_DAYS; i++) {
    const date = addDays(start, i);
    if (!runsOn(r, date)) {
      continue;
    }
    const at = runInstant(date, r.localTime, r.timeZone);
    if (at.getTime() > after.getTime()) {
      return at;
    }
  }
  throw new Error("no run found within a month");
}

/**
 * The latest run at or before `now`, counting from a run that was due (`due`, at or before `now`): what a server that
 * was down for days delivers, once, instead of every run it missed.
 */
export function latestRunBy(r: Recurrence, due: Date, now: Date): Date {
  // why: runs are at most a month apart, so the latest one lies within the last 32 days; a schedule missed for years
  // does not walk through every run since
  const floor = new Date(now.getTime() - 32 * 86_400_000);
  let run = due.getTime() >= floor.getTime() ? due : nextRunAfter(r, floor);
  for (let next = nextRunAfter(r, run); next.getTime() <= now.getTime(); next = nextRunAfter(r, next)) {
    run = next;
  }
  return run;
}

/**
 * The days a periodic report covers when it runs on a local date: the full days before it — yesterday for a daily
 * run, the seven days before a weekly one, the month before a monthly one (from the day of the month's previous run:
 * `monthDay` a month earlier, or that month's last day when it is shorter; without `monthDay`, the run's own day).
 */
export function periodBefore(
  frequency: ReportFrequency,
  runDate: string,
  monthDay: number | null = null,
): { from: string; to: string } {
  const to = addDays(runDate, -1);
  switch (frequency) {
    case "daily":
      return { from: to, to };
    case "weekly":
      return { from: addDays(runDate, -7), to };
    case "monthly": {
      const year = Number(runDate.slice(0, 4));
      const month = Number(runDate.slice(5, 7));
      const previous = new Date(Date.UTC(year, month - 2, 1)).toISOString().slice(0, 10);
      // why: a run on the 30th of April for day 31 follows the run of 31 March, not of the 30th
      const day = Math.min(monthDay ?? Number(runDate.slice(8, 10)), daysInMonth(previous));
      return { from: `${previous.slice(0, 8)}${String(day).padStart(2, "0")}`, to };
    }
  }
}
