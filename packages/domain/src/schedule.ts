/**
 * Weekly access windows, evaluated in the property's time zone. Pure: the instant is passed in.
 */

/** ISO weekday numbers: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One weekly window, local wall-clock times "HH:MM"; `end` after `start`, or "24:00" for end of day. */
export interface WeeklyWindow {
  days: Weekday[];
  start: string;
  end: string;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Minutes since local midnight for "HH:MM". */
export function minutesOf(time: string): number {
  const [h, m] = time.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Problems with a list of windows, each naming the window's index; empty when valid. */
export function validateWindows(windows: readonly WeeklyWindow[]): string[] {
  const problems: string[] = [];
  windows.forEach((w, i) => {
    if (w.days.length === 0) {
      problems.push(`windows[${i}].days: choose at least one day`);
    }
    if (!TIME.test(w.start) || w.start === "24:00") {
      problems.push(`windows[${i}].start: use a time between 00:00 and 23:59`);
    }
    if (!TIME.test(w.end)) {
      problems.push(`windows[${i}].end: use a time between 00:01 and 24:00`);
    }
    if (TIME.test(w.start) && TIME.test(w.end) && minutesOf(w.end) <= minutesOf(w.start)) {
      problems.push(`windows[${i}].end: must be later than the start (${w.start})`);
    }
  });
  return problems;
}

/** Whether an IANA time zone name is known to the runtime's Intl data. */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

// why: building a DateTimeFormat costs far more than formatting with one; reports read thousands of instants per zone
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = FORMATTERS.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    FORMATTERS.set(zone, formatter);
  }
  return formatter;
}

const WEEKDAYS: Record<string, Weekday> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The local weekday, date (YYYY-MM-DD) and minute of day of an instant in a time zone. */
export function localTime(instant: Date, zone: string): { weekday: Weekday; date: string; minutes: number } {
  const parts = formatterFor(zone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    weekday: WEEKDAYS[get("weekday")] ?? 1,
    date: `${get("year")}-${get("month")}-${get("day")}`,
    minutes: Number(get("hour")) * 60 + Number(get("minute")),
  };
}

/**
 * Whether an instant falls inside any window, in the zone, and is not a holiday.
 * @param holidays local dates (YYYY-MM-DD) on which ordinary windows do not apply.
 */
export function isWithinWindows(
  instant: Date,
  zone: string,
  windows: readonly WeeklyWindow[],
  holidays: readonly string[] = [],
): boolean {
  const local = localTime(instant, zone);
  if (holidays.includes(local.date)) {
    return false;
  }
  return windows.some(
    (w) => w.days.includes(local.weekday) && local.minutes >= minutesOf(w.start) && local.minutes < minutesOf(w.end),
  );
}
