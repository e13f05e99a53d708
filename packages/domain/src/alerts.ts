/**
 * Alerts: what breaks protocol, how loudly, to whom and when. Pure — the server feeds it events, open checkouts,
 * cabinet states and the clock; it answers which alert each fact raises, what a rule says once its defaults are filled
 * in, when quiet hours hold a message back, and when an alert escalates.
 */
import type { Role } from "./permissions.ts";
import { localTime, minutesOf } from "./schedule.ts";
import { addDays, instantAtLocal } from "./zoned-time.ts";

/** Every cause of an alert. Persisted as stable string keys: add, never rename. */
export const ALERT_KINDS = [
  "key_due_soon",
  "key_overdue",
  "outside_hours_attempt",
  "failed_pins",
  "pin_lockout",
  "duress",
  "door_held_open",
  "door_forced",
  "key_removed_without_session",
  "key_wrong_hook",
  "key_returned_by_other",
  "restricted_key_taken",
  "cabinet_offline",
  "snapshot_too_old",
  "offsite_failing",
  "audit_verification_failing",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Channels a rule may use beyond the dashboard (in-app alerts are always on). */
export const ALERT_CHANNELS = ["email", "sms"] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

/** What a rule's threshold counts, when it has one. */
export interface ThresholdSpec {
  unit: "minutes" | "count";
  default: number;
  min: number;
  max: number;
  /** What the number means, for forms and documentation. */
  label: string;
}

/** How a kind of alert behaves before any rule changes it. */
export interface AlertKindSpec {
  /** A property's rule, or the organization's (the audit trail is the organization's). */
  scope: "property" | "organization";
  /** Raised by an event as it is stored, or by the scheduler's pass over current state. */
  trigger: "event" | "scan";
  severity: AlertSeverity;
  enabled: boolean;
  threshold: ThresholdSpec | null;
  /** A short name, for lists, subjects and forms. */
  title: string;
  /** When it fires, for the rules page. */
  description: string;
}

const MANAGERS: readonly Role[] = ["property_manager"];

/** The kinds and their defaults: a property with no stored rule behaves as these say. */
export const ALERT_KIND_SPECS: Record<AlertKind, AlertKindSpec> = {
  key_due_soon: {
    scope: "property",
    trigger: "scan",
    severity: "info",
    enabled: false,
    threshold: { unit: "minutes", default: 30, min: 5, max: 24 * 60, label: "Minutes before the key is due" },
    title: "Key due soon",
    description: "A key out is due back within the threshold.",
  },
  key_overdue: {
    scope: "property",
    trigger: "scan",
    severity: "warning",
    enabled: true,
    threshold: { unit: "minutes", default: 0, min: 0, max: 24 * 60, label: "Minutes of grace after the due time" },
    title: "Key overdue",
    description: "A key was not back by its due time (plus the grace).",
  },
  outside_hours_attempt: {
    scope: "property",
    trigger: "event",
    severity: "warning",
    enabled: true,
    threshold: null,
    title: "Attempt outside permitted hours",
    description: "Someone tried to take a key outside their permitted hours or on a holiday.",
  },
  failed_pins: {
    scope: "property",
    trigger: "event",
    severity: "warning",
    enabled: true,
    threshold: { unit: "count", default: 3, min: 1, max: 20, label: "Consecutive wrong PINs" },
    title: "Repeated wrong PINs",
    description: "A person's PIN failed this many times in a row at a cabinet.",
  },
  pin_lockout: {
    scope: "property",
    trigger: "event",
    severity: "warning",
    enabled: true,
    threshold: null,
    title: "PIN locked",
    description: "A person's PIN was locked after too many failures.",
  },
  duress: {
    scope: "property",
    trigger: "event",
    severity: "critical",
    enabled: true,
    threshold: null,
    title: "Duress PIN entered",
    description: "Someone identified with their duress PIN (their PIN followed by 9); the cabinet behaved normally.",
  },
  door_held_open: {
    scope: "property",
    trigger: "event",
    severity: "warning",
    enabled: true,
    threshold: null,
    title: "Door held open",
    description: "A cabinet door stayed open longer than the organization allows.",
  },
  door_forced: {
    scope: "property",
    trigger: "event",
    severity: "critical",
    enabled: true,
    threshold: null,
    title: "Door forced",
    description: "A cabinet door opened without being released.",
  },
  key_removed_without_session: {
    scope: "property",
    trigger: "event",
    severity: "critical",
    enabled: true,
    threshold: null,
    title: "Key removed without a session",
    description: "A key left its hook while nobody was identified at the cabinet.",
  },
  key_wrong_hook: {
    scope: "property",
    trigger: "event",
    severity: "warning",
    enabled: true,
    threshold: null,
    title: "Wrong hook",
    description: "A key was lifted from, or hung on, a hook other than the ones the cabinet lit.",
  },
  key_returned_by_other: {
    scope: "property",
    trigger: "event",
    severity: "info",
    enabled: true,
    threshold: null,
    title: "Key returned by someone else",
    description: "A key came back with a person other than the one who took it.",
  },
  restricted_key_taken: {
    scope: "property",
    trigger: "event",
    severity: "warning",
    enabled: true,
    threshold: null,
    title: "Restricted or master key taken",
    description: "A restricted key, or a master or sub-master key, left the cabinet.",
  },
  cabinet_offline: {
    scope: "property",
    trigger: "scan",
    severity: "warning",
    enabled: true,
    threshold: { unit: "minutes", default: 15, min: 2, max: 7 * 24 * 60, label: "Minutes without contact" },
    title: "Cabinet offline",
    description: "A cabinet has not been in contact with the server for longer than the threshold.",
  },
  snapshot_too_old: {
    scope: "property",
    trigger: "scan",
    severity: "critical",
    enabled: true,
    threshold: null,
    title: "Cabinet permissions too old",
    description:
      "A cabinet's permission snapshot is older than the property's maximum offline age, so it grants no ordinary access.",
  },
  offsite_failing: {
    scope: "organization",
    trigger: "event",
    severity: "critical",
    enabled: true,
    threshold: null,
    title: "Offsite audit copy failing",
    description: "Copying the audit trail to an offsite target keeps failing.",
  },
  audit_verification_failing: {
    scope: "organization",
    trigger: "event",
    severity: "critical",
    enabled: true,
    threshold: null,
    title: "Audit verification failed",
    description: "Re-verifying the audit trail found a difference: something was altered, removed or rolled back.",
  },
};

/**
 * Kinds about a key someone holds, whose rule may also tell the holder (bring it back). Never others: above all not a
 * duress alert, which must not reach the phone of the person being forced.
 */
export const HOLDER_KINDS: ReadonlySet<AlertKind> = new Set<AlertKind>(["key_due_soon", "key_overdue"]);

/** Local "HH:MM" to "HH:MM" (may cross midnight) during which non-critical messages wait. */
export interface QuietHours {
  start: string;
  end: string;
}

/** A rule as it applies: a property's (or the organization's) stored choices over the kind's defaults. */
export interface AlertRule {
  kind: AlertKind;
  enabled: boolean;
  severity: AlertSeverity;
  /** The kind's threshold (minutes or a count); null for kinds without one. */
  threshold: number | null;
  /** Roles at the property (or organization-wide) whose holders are told. */
  recipientRoles: Role[];
  /** Users told in addition (checked at send time to still reach the property). */
  recipientUserIds: string[];
  /** Also tell the person the alert is about (the key's holder), when they have a login. */
  notifyHolder: boolean;
  /** Channels beyond the dashboard; each recipient's preferences may narrow them. */
  channels: AlertChannel[];
  /** Non-critical messages during these local hours wait until they end; null: none. */
  quietHours: QuietHours | null;
  /**
   * Minutes after which the alert escalates to the escalation recipients: not acknowledged by then, or — for an
   * overdue key — still not back by then. Null: never.
   */
  escalateAfterMinutes: number | null;
  escalationRoles: Role[];
  escalationUserIds: string[];
}

/** The fields a stored rule may set; anything unset takes the kind's default. */
export type StoredAlertRule = Partial<Omit<AlertRule, "kind">>;

/** The rule a kind has with nothing stored. */
export function defaultAlertRule(kind: AlertKind): AlertRule {
  const spec = ALERT_KIND_SPECS[kind];
  return {
    kind,
    enabled: spec.enabled,
    severity: spec.severity,
    threshold: spec.threshold?.default ?? null,
    recipientRoles: spec.scope === "organization" ? ["administrator"] : [...MANAGERS],
    recipientUserIds: [],
    notifyHolder: kind === "key_due_soon",
    channels: spec.severity === "critical" ? ["email", "sms"] : ["email"],
    quietHours: null,
    // why: the organization's own kinds have nobody above the administrators to escalate to
    escalateAfterMinutes:
      kind === "key_overdue" ? 120 : spec.severity === "critical" && spec.scope === "property" ? 15 : null,
    escalationRoles: spec.scope === "organization" ? [] : ["regional_manager"],
    escalationUserIds: [],
  };
}

/** A stored rule over its kind's defaults. */
export function effectiveAlertRule(kind: AlertKind, stored: StoredAlertRule | null | undefined): AlertRule {
  const base = defaultAlertRule(kind);
  if (!stored) {
    return base;
  }
  const defined = Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== undefined));
  // why: a kind without a threshold keeps none, whatever was stored
  const rule = { ...base, ...defined, kind };
  return ALERT_KIND_SPECS[kind].threshold === null ? { ...rule, threshold: null } : rule;
}

/** A problem with a rule: the field at fault (as the API and the form name it) and a sentence saying what to do. */
export interface RuleProblem {
  field: "threshold" | "quietHours" | "escalateAfterMinutes" | "escalationRoles" | "recipientRoles";
  message: string;
}

/** Problems with a rule as a person set it (empty: acceptable). */
export function validateAlertRule(rule: AlertRule): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const spec = ALERT_KIND_SPECS[rule.kind].threshold;
  if (spec && rule.threshold !== null) {
    if (!Number.isInteger(rule.threshold) || rule.threshold < spec.min || rule.threshold > spec.max) {
      const what = `${spec.label.charAt(0).toLowerCase()}${spec.label.slice(1)}`;
      problems.push({
        field: "threshold",
        message: `The threshold must be a whole number from ${spec.min} to ${spec.max} (${what}).`,
      });
    }
  }
  if (rule.quietHours) {
    const valid = /^([01]\d|2[0-3]):[0-5]\d$/;
    if (!valid.test(rule.quietHours.start) || !valid.test(rule.quietHours.end)) {
      problems.push({ field: "quietHours", message: "Quiet hours are two local times, HH:MM." });
    } else if (rule.quietHours.start === rule.quietHours.end) {
      problems.push({ field: "quietHours", message: "Quiet hours must start and end at different times." });
    }
  }
  if (rule.escalateAfterMinutes !== null) {
    if (
      !Number.isInteger(rule.escalateAfterMinutes) ||
      rule.escalateAfterMinutes < 1 ||
      rule.escalateAfterMinutes > 7 * 24 * 60
    ) {
      problems.push({ field: "escalateAfterMinutes", message: "Escalation must come after 1 to 10,080 minutes." });
    } else if (rule.escalationRoles.length === 0 && rule.escalationUserIds.length === 0) {
      problems.push({
        field: "escalationRoles",
        message: "An escalation needs someone to escalate to: choose roles or people.",
      });
    }
  }
  const holder = rule.notifyHolder && HOLDER_KINDS.has(rule.kind);
  if (rule.enabled && rule.recipientRoles.length === 0 && rule.recipientUserIds.length === 0 && !holder) {
    problems.push({
      field: "recipientRoles",
      message: "An enabled rule needs recipients: choose roles, people or the key's holder.",
    });
  }
  return problems;
}

/** Whether an instant falls in a rule's quiet hours, read on the property's wall clock. */
export function inQuietHours(quiet: QuietHours | null, zone: string, now: Date): boolean {
  if (!quiet) {
    return false;
  }
  const minute = localTime(now, zone).minutes;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/**
 * When a message of this severity may go out: now, or — inside quiet hours and below critical — when they end.
 * Critical alerts (a forced door, a duress PIN) never wait.
 */
export function sendAfter(rule: Pick<AlertRule, "quietHours">, severity: AlertSeverity, zone: string, now: Date): Date {
  const quiet = rule.quietHours;
  if (!quiet || severity === "critical" || !inQuietHours(quiet, zone, now)) {
    return now;
  }
  const local = localTime(now, zone);
  const end = minutesOf(quiet.end);
  // why: hours crossing midnight end tomorrow when we are in their evening part
  const date = local.minutes < end ? local.date : addDays(local.date, 1);
  return instantAtLocal(date, end, zone);
}

/** Where a key out stands against its rules at an instant. */
export type DueState = "not_due" | "due_soon" | "overdue";

/** A checkout's state against the due-soon lead and the overdue grace (both in minutes). */
export function dueState(dueAt: Date | null, now: Date, leadMinutes: number | null, graceMinutes: number): DueState {
  if (dueAt === null) {
    return "not_due";
  }
  const t = now.getTime();
  if (t >= dueAt.getTime() + graceMinutes * 60_000) {
    return "overdue";
  }
  if (leadMinutes !== null && t >= dueAt.getTime() - leadMinutes * 60_000 && t < dueAt.getTime()) {
    return "due_soon";
  }
  return "not_due";
}

/**
 * When an open alert escalates, or null when it never will. An unacknowledged alert escalates `escalateAfterMinutes`
 * after it opened; an overdue key escalates that long after it became overdue whether or not someone acknowledged
 * (the key is still not back). An alert escalates once.
 */
export function escalationAt(
  rule: Pick<AlertRule, "escalateAfterMinutes" | "escalationRoles" | "escalationUserIds">,
  alert: { kind: AlertKind; openedAt: Date; acknowledged: boolean; escalated: boolean; overdueSince?: Date | null },
): Date | null {
  if (rule.escalateAfterMinutes === null || alert.escalated) {
    return null;
  }
  if (rule.escalationRoles.length === 0 && rule.escalationUserIds.length === 0) {
    return null;
  }
  const after = rule.escalateAfterMinutes * 60_000;
  if (alert.kind === "key_overdue") {
    return new Date((alert.overdueSince ?? alert.openedAt).getTime() + after);
  }
  return alert.acknowledged ? null : new Date(alert.openedAt.getTime() + after);
}

/** The identity of a cause: one alert stays open per cause, however often it recurs. */
export function causeKey(kind: AlertKind, subjectId: string): string {
  return `${kind}:${subjectId}`;
}

/** What a stored event says, as the alert rules need it. */
export interface AlertEventInput {
  eventId: string;
  action: string;
  occurredAt: string;
  cabinetId: string | null;
  /** The event's data (a cabinet event's payload, or a server event's `after`). */
  data: Record<string, unknown>;
  /** For key events: the key's kind and restricted flag. */
  key?: { id: string; kind: string; restricted: boolean } | null;
  /** For a return: who held the key (null: unknown or nobody). */
  holderId?: string | null;
}

/** An alert an event asks for, before rules and de-duplication. */
export interface AlertCandidate {
  kind: AlertKind;
  /** What one open alert stands for (a cabinet, a key's checkout, a person's PIN, a target). */
  subjectType: "cabinet" | "key" | "checkout" | "credential" | "person" | "offsite_target" | "audit_log";
  subjectId: string;
  eventId: string;
  occurredAt: string;
  personId: string | null;
  keyId: string | null;
  cabinetId: string | null;
  /** A count compared with the rule's threshold (wrong PINs in a row); null for kinds without one. */
  count: number | null;
  /** Facts for the message (a denial code, a target's error…). */
  details: Record<string, unknown>;
}

/** The actions `alertsForEvent` reads (any other raises nothing): a writer skips the rest without asking. */
export const ALERTING_ACTIONS: ReadonlySet<string> = new Set([
  "cabinet.access_denied",
  "cabinet.identification_failed",
  "cabinet.duress_signalled",
  "door.held_open",
  "door.forced",
  "key.removed_without_session",
  "key.wrong_hook",
  "key.returned",
  "key.taken",
  "audit.offsite_failing",
  "audit.verification_failed",
]);

const OUTSIDE_HOURS_DENIALS: ReadonlySet<string> = new Set(["outside_hours", "holiday"]);
const MASTER_KEY_KINDS: ReadonlySet<string> = new Set(["master", "sub_master"]);

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

/**
 * The alerts one stored event raises (most raise none). Thresholds and on/off come later, from the rule: this only
 * reads the event.
 */
export function alertsForEvent(event: AlertEventInput): AlertCandidate[] {
  const d = event.data;
  const personId = str(d.personId);
  const keyId = event.key?.id ?? str(d.keyId);
  const base = {
    eventId: event.eventId,
    occurredAt: event.occurredAt,
    personId,
    keyId,
    cabinetId: event.cabinetId,
    count: null,
    details: {},
  };
  const cabinet = event.cabinetId;
  switch (event.action) {
    case "cabinet.access_denied": {
      const code = str(d.code);
      if (code && OUTSIDE_HOURS_DENIALS.has(code) && personId) {
        return [
          { ...base, kind: "outside_hours_attempt", subjectType: "person", subjectId: personId, details: { code } },
        ];
      }
      return [];
    }
    case "cabinet.identification_failed": {
      const credentialId = str(d.credentialId);
      const code = str(d.code);
      const failures = typeof d.pinFailures === "number" ? d.pinFailures : null;
      const subject = credentialId ?? personId;
      if (!subject || d.factor !== "pin") {
        return [];
      }
      const out: AlertCandidate[] = [];
      if (failures !== null) {
        out.push({ ...base, kind: "failed_pins", subjectType: "credential", subjectId: subject, count: failures });
      }
      if (code === "pin_locked" && failures !== null) {
        out.push({ ...base, kind: "pin_lockout", subjectType: "credential", subjectId: subject, count: failures });
      }
      return out;
    }
    case "cabinet.duress_signalled":
      // why: one alert per signal — each is someone in danger now, never folded into an earlier one
      return [
        { ...base, kind: "duress", subjectType: "person", subjectId: `${personId ?? "unknown"}:${event.eventId}` },
      ];
    case "door.held_open":
      return cabinet ? [{ ...base, kind: "door_held_open", subjectType: "cabinet", subjectId: cabinet }] : [];
    case "door.forced":
      return cabinet ? [{ ...base, kind: "door_forced", subjectType: "cabinet", subjectId: cabinet }] : [];
    case "key.removed_without_session":
      return keyId
        ? [{ ...base, kind: "key_removed_without_session", subjectType: "key", subjectId: keyId }]
        : cabinet
          ? [{ ...base, kind: "key_removed_without_session", subjectType: "cabinet", subjectId: cabinet }]
          : [];
    case "key.wrong_hook":
      return cabinet
        ? [
            {
              ...base,
              kind: "key_wrong_hook",
              subjectType: "cabinet",
              subjectId: cabinet,
              details: { hook: d.hook ?? null, expectedHooks: Array.isArray(d.expectedHooks) ? d.expectedHooks : [] },
            },
          ]
        : [];
    case "key.returned": {
      const holder = event.holderId ?? null;
      if (keyId && holder && personId && holder !== personId) {
        return [
          {
            ...base,
            kind: "key_returned_by_other",
            subjectType: "key",
            subjectId: `${keyId}:${event.eventId}`,
            details: { holderId: holder },
          },
        ];
      }
      return [];
    }
    case "key.taken": {
      const key = event.key;
      if (key && (key.restricted || MASTER_KEY_KINDS.has(key.kind))) {
        const checkoutId = str(d.checkoutId) ?? event.eventId;
        return [
          {
            ...base,
            kind: "restricted_key_taken",
            subjectType: "checkout",
            subjectId: checkoutId,
            details: { keyKind: key.kind, restricted: key.restricted },
          },
        ];
      }
      return [];
    }
    case "audit.offsite_failing": {
      const target = str(d.target) ?? "offsite";
      return [
        {
          ...base,
          kind: "offsite_failing",
          subjectType: "offsite_target",
          subjectId: target,
          details: { error: d.error ?? null },
        },
      ];
    }
    case "audit.verification_failed":
      return [
        {
          ...base,
          kind: "audit_verification_failing",
          subjectType: "audit_log",
          subjectId: "log",
          details: { status: d.status ?? null, counts: d.counts ?? null },
        },
      ];
    default:
      return [];
  }
}

/** Whether a candidate passes its rule: enabled, and its count at or over the threshold where the kind counts. */
export function ruleFires(rule: AlertRule, candidate: Pick<AlertCandidate, "count">): boolean {
  if (!rule.enabled) {
    return false;
  }
  if (ALERT_KIND_SPECS[rule.kind].threshold?.unit === "count" && rule.threshold !== null) {
    return (candidate.count ?? 0) >= rule.threshold;
  }
  return true;
}
