/**
 * The words of alert messages: an e-mail's subject and body, a text message's one line, the daily digest. Pure — the
 * delivery worker loads the alerts, their places and rules, and hands them here; tests read the text alone.
 */
import { ALERT_SEVERITIES, type AlertKind, type AlertSeverity } from "@keyward/domain/alerts";
import { localStamp } from "../pdf/pdfmake.ts";

/** One alert as a message tells it. */
export interface MessageAlert {
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  status: string;
  title: string;
  summary: string;
  /** The property's name; null for the organization's own alerts (the audit trail). */
  propertyName: string | null;
  /** The property's zone (UTC for the organization's alerts): every time is read on its clock, the zone named. */
  timeZone: string;
  openedAt: string;
  acknowledgedByName: string | null;
  /** For an escalation: the rule's minutes (null when the rule no longer escalates). */
  escalateAfterMinutes: number | null;
}

/** What every message needs besides its alerts. */
export interface MessageContext {
  /** The organization's name, for its own alerts' place. */
  organizationName: string;
  /** The dashboard's public base URL (KEYWARD_PUBLIC_URL, no trailing slash); links are left out without it. */
  publicUrl: string | undefined;
}

/** Why an alert message is sent to people (acknowledgements and resolutions go to webhooks only). */
export type PeopleReason = "opened" | "escalated";

/** An e-mail's subject and plain-text body. */
export interface EmailText {
  subject: string;
  text: string;
}

/** The longest text message built here: one short line, well within a single provider message. */
export const SMS_LINE_LENGTH = 300;
/** The longest subject built here; a list of titles beyond it ends with "…". */
const SUBJECT_LENGTH = 160;

const byRank = (a: MessageAlert, b: MessageAlert) =>
  ALERT_SEVERITIES.indexOf(b.severity) - ALERT_SEVERITIES.indexOf(a.severity) || a.openedAt.localeCompare(b.openedAt);

/** The link to an alert in the dashboard, or null without a public URL. */
export function alertLink(publicUrl: string | undefined, alertId: string): string | null {
  return publicUrl === undefined ? null : `${publicUrl}/alerts/${encodeURIComponent(alertId)}`;
}

/** Where an alert happened, as a message names it. */
function placeOf(alert: MessageAlert, context: MessageContext): string {
  return alert.propertyName ?? context.organizationName;
}

/** An instant on a zone's clock, the zone named: "2026-06-01 10:00 (America/Chicago)". */
function stamp(iso: string, zone: string): string {
  return `${localStamp(iso, zone)} (${zone})`;
}

/** Cuts a text to `max` characters, ending with "…" when it was longer (never splitting a character). */
function fit(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join("")}…`;
}

/** The sentence saying why an alert escalated. */
export function escalationLine(alert: Pick<MessageAlert, "kind" | "escalateAfterMinutes">): string {
  const within = alert.escalateAfterMinutes === null ? "in time" : `within ${minutes(alert.escalateAfterMinutes)}`;
  if (alert.kind === "key_overdue") {
    return alert.escalateAfterMinutes === null
      ? "Escalated: the key is still out."
      : `Escalated: the key is still out ${minutes(alert.escalateAfterMinutes)} after it became overdue.`;
  }
  return `Escalated: nobody acknowledged this alert ${within}.`;
}

function minutes(n: number): string {
  return n === 1 ? "1 minute" : `${n} minutes`;
}

/** The place all alerts share ("Oakwood"), or how many places they span ("3 properties"). */
function sharedPlace(alerts: readonly MessageAlert[], context: MessageContext): string {
  const places = new Set(alerts.map((a) => placeOf(a, context)));
  const [only] = places;
  return places.size === 1 && only !== undefined ? only : `${places.size} properties`;
}

/** One alert's block in an e-mail: headline, sentence, facts and link. */
function alertBlock(alert: MessageAlert, reason: PeopleReason, context: MessageContext): string[] {
  const link = alertLink(context.publicUrl, alert.id);
  return [
    `${alert.severity.toUpperCase()}: ${alert.title} — ${placeOf(alert, context)}`,
    alert.summary,
    ...(reason === "escalated" ? [escalationLine(alert)] : []),
    `Property: ${alert.propertyName ?? `${context.organizationName} (the organization)`}`,
    `Opened: ${stamp(alert.openedAt, alert.timeZone)}`,
    `Severity: ${alert.severity}`,
    ...(alert.acknowledgedByName ? [`Acknowledged by ${alert.acknowledgedByName}`] : []),
    ...(link ? [`Open it: ${link}`] : []),
  ];
}

const FOOTER =
  "Sent by Keyward because an alert rule names you. Choose your channels, phone number and the least severe alert " +
  "you receive under Notification preferences in the dashboard.";

/**
 * The e-mail for alerts going to one address at once: one alert's own subject (`[Keyward] CRITICAL: Door forced —
 * Oakwood`), or for several one subject listing them (`[Keyward] 3 alerts at Oakwood: …`), most severe first.
 */
export function alertEmail(alerts: readonly MessageAlert[], reason: PeopleReason, context: MessageContext): EmailText {
  const sorted = [...alerts].sort(byRank);
  const [first] = sorted;
  if (first === undefined) {
    throw new RangeError("An alert e-mail tells of at least one alert");
  }
  const escalated = reason === "escalated" ? " (escalated)" : "";
  if (sorted.length === 1) {
    return {
      subject: `[Keyward] ${first.severity.toUpperCase()}${escalated}: ${first.title} — ${placeOf(first, context)}`,
      text: `${[...alertBlock(first, reason, context), "", FOOTER].join("\n")}\n`,
    };
  }
  const head = `${sorted.length} alerts at ${sharedPlace(sorted, context)}${escalated}`;
  const titles = sorted.map((a) => `${a.severity.toUpperCase()} ${a.title}`).join(", ");
  const blocks = sorted.flatMap((a, i) => [`${i + 1}. ${alertBlock(a, reason, context).join("\n   ")}`, ""]);
  const list = context.publicUrl ? [`All alerts: ${context.publicUrl}/alerts`, ""] : [];
  return {
    subject: fit(`[Keyward] ${head}: ${titles}`, SUBJECT_LENGTH),
    text: `${[`${head}:`, "", ...blocks, ...list, FOOTER].join("\n")}\n`,
  };
}

/** The text message for alerts going to one phone at once: one line of at most `SMS_LINE_LENGTH` characters. */
export function alertSms(alerts: readonly MessageAlert[], reason: PeopleReason, context: MessageContext): string {
  const sorted = [...alerts].sort(byRank);
  const [first] = sorted;
  if (first === undefined) {
    throw new RangeError("An alert text message tells of at least one alert");
  }
  const escalated = reason === "escalated" ? " ESCALATED" : "";
  if (sorted.length === 1) {
    const link = alertLink(context.publicUrl, first.id);
    const tail = link ? ` ${link}` : "";
    const line = `Keyward${escalated} ${first.severity.toUpperCase()}: ${first.title} at ${placeOf(first, context)}. ${first.summary}`;
    // why: the link is what the reader acts on; it is kept whole and the sentence is cut instead
    return `${fit(line, SMS_LINE_LENGTH - tail.length)}${tail}`;
  }
  const tail = context.publicUrl ? ` ${context.publicUrl}/alerts` : "";
  const titles = sorted.map((a) => `${a.severity.toUpperCase()} ${a.title}`).join("; ");
  const line = `Keyward${escalated}: ${sorted.length} alerts at ${sharedPlace(sorted, context)}: ${titles}.`;
  return `${fit(line, SMS_LINE_LENGTH - tail.length)}${tail}`;
}

/** Counts per severity. */
export type SeverityCounts = Record<AlertSeverity, number>;

/** One property's part of a digest. */
export interface DigestGroup {
  /** The property's name; null for the organization's own alerts. */
  propertyName: string | null;
  counts: SeverityCounts;
  /** The alerts listed (the most severe and newest first; at most a few per property). */
  alerts: MessageAlert[];
}

/** What a user's daily digest covers. */
export interface DigestInput {
  /** The user's local date the digest is for. */
  date: string;
  /** Alerts opened from this instant on are told, with every alert still not resolved. */
  since: string;
  /** The user's zone (for `since`). */
  timeZone: string;
  groups: DigestGroup[];
}

/** Whether a digest has anything to tell. */
export function digestIsEmpty(digest: DigestInput): boolean {
  return digest.groups.every((g) => total(g.counts) === 0);
}

function total(counts: SeverityCounts): number {
  return ALERT_SEVERITIES.reduce((n, s) => n + counts[s], 0);
}

function countsLine(counts: SeverityCounts): string {
  const n = total(counts);
  const parts = [...ALERT_SEVERITIES]
    .reverse()
    .map((s) => `${counts[s]} ${s}`)
    .join(", ");
  return `${n} ${n === 1 ? "alert" : "alerts"}: ${parts}`;
}

function statusWords(alert: MessageAlert): string {
  if (alert.status === "acknowledged") {
    return alert.acknowledgedByName ? `acknowledged by ${alert.acknowledgedByName}` : "acknowledged";
  }
  return alert.status;
}

/** The daily digest: subject "Keyward daily digest — <date>", alerts grouped by property with counts per severity. */
export function digestEmail(digest: DigestInput, context: MessageContext): EmailText {
  const totals = Object.fromEntries(
    ALERT_SEVERITIES.map((s) => [s, digest.groups.reduce((n, g) => n + g.counts[s], 0)]),
  ) as SeverityCounts;
  const lines = [
    `Keyward daily digest — ${digest.date}`,
    "",
    `Alerts opened since ${stamp(digest.since, digest.timeZone)}, and those still open, where you follow alerts.`,
    `In all, ${countsLine(totals)}.`,
    "",
  ];
  for (const group of digest.groups) {
    if (total(group.counts) === 0) {
      continue;
    }
    lines.push(
      `${group.propertyName ?? `${context.organizationName} (the organization)`} — ${countsLine(group.counts)}`,
    );
    for (const alert of group.alerts) {
      const link = alertLink(context.publicUrl, alert.id);
      lines.push(
        `  • ${alert.severity.toUpperCase()} ${alert.title} — opened ${stamp(alert.openedAt, alert.timeZone)} — ${statusWords(alert)}`,
        `    ${alert.summary}`,
        ...(link ? [`    ${link}`] : []),
      );
    }
    const more = total(group.counts) - group.alerts.length;
    if (more > 0) {
      lines.push(`  … and ${more} more${context.publicUrl ? `: ${context.publicUrl}/alerts` : ""}`);
    }
    lines.push("");
  }
  lines.push("Sent by Keyward because the daily digest is on in your notification preferences.");
  return { subject: `Keyward daily digest — ${digest.date}`, text: `${lines.join("\n")}\n` };
}
