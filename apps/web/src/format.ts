/** Formatting of instants and dates: always in a named time zone, because a property's staff read its local time. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
      timeZoneName: "short",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The browser's own zone, for organization-level records when no property is chosen. */
export const BROWSER_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "Jun 1, 2026, 10:00 AM CDT": an ISO instant in the given IANA zone, with the zone named. */
export function formatInstant(iso: string | null | undefined, zone: string): string {
  if (!iso) {
    return "—";
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return formatter(zone).format(date);
}

/** "Jun 1, 2026" for a local date (YYYY-MM-DD): a calendar date has no zone, so none is applied. */
export function formatLocalDate(date: string | null | undefined): string {
  if (!date) {
    return "—";
  }
  const [y, m, d] = date.split("-").map(Number);
  if (!y || !m || !d) {
    return date;
  }
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-US", {
    timeZone: "UTC",
    year: "numeric",
    month: "short",
    day: "numeric",
  });
}

/** Today's date (YYYY-MM-DD) in a zone: "has this person's end date passed?" is a question of local dates. */
export function todayIn(zone: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(now);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** "90 min", "8 h", "1 h 30 min", "2 d". */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) {
    return "—";
  }
  if (minutes % 1440 === 0) {
    return `${minutes / 1440} d`;
  }
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) {
    return `${m} min`;
  }
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Every IANA zone the browser knows, for the property form. */
export function timeZones(): string[] {
  return Intl.supportedValuesOf("timeZone");
}

/** "just now", "12 min ago", "3 h 5 min ago", "2 d 4 h ago": how long ago an instant was, to the minute. */
export function formatAgo(iso: string, now: Date): string {
  const minutes = Math.floor((now.getTime() - new Date(iso).getTime()) / 60_000);
  if (Number.isNaN(minutes)) {
    return "—";
  }
  if (minutes < 1) {
    return "just now";
  }
  if (minutes < 1440) {
    return `${formatMinutes(minutes)} ago`;
  }
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  return hours === 0 ? `${days} d ago` : `${days} d ${hours} h ago`;
}

/** "America/Chicago (CDT)": an IANA zone with its current abbreviation, for a screen that says which zone it shows. */
export function describeZone(zone: string, now = new Date()): string {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
    .formatToParts(now)
    .find((p) => p.type === "timeZoneName")?.value;
  return name ? `${zone} (${name})` : zone;
}
