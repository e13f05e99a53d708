/**
 * Raising alerts: each candidate an event or the scheduler found becomes an open alert — unless its rule is off, or
 * an alert of the same cause is still open (nobody has acknowledged it yet), in which case that alert counts one more
 * occurrence and nobody is told again (no storms). Once someone acknowledged it, a new incident of the cause is news
 * and opens a new alert (the scheduler's conditions are the exception: it raises a cause only while none is
 * unresolved). The database decides "still open" (a unique index over open causes), so two server processes raising
 * the same cause at once open it once. Opening writes `alert.opened` to the history and queues the messages,
 * in the caller's transaction; clearing resolves alerts whose condition ended (a key back, a cabinet in contact).
 */
import { randomUUID } from "node:crypto";
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import type { AlertTable } from "@keyward/db/schema";
import {
  ALERT_KIND_SPECS,
  type AlertCandidate,
  type AlertKind,
  type AlertRule,
  causeKey,
  escalationAt,
  ruleFires,
  sendAfter,
} from "@keyward/domain/alerts";
import { type Insertable, sql } from "kysely";
import { type ActorSnapshot, type NewEvent, recordEvents } from "../events.ts";
import { localStamp } from "../pdf/pdfmake.ts";
import { type AlertRules, loadAlertRules } from "./alert-rules.ts";
import { type AlertRow, type QueuedAlert, queueAlertMessages, queueAlertWebhooks } from "./queue-deliveries.ts";

/** The history's actor for alerts the system raises, clears or escalates. */
export const ALERTS_ACTOR: ActorSnapshot = { type: "system", id: null, name: "Keyward alerts" };

/** A candidate at a place: the property it happened at (null: the organization). */
export interface RaiseRequest {
  propertyId: string | null;
  candidate: AlertCandidate;
  /** The checkout it is about (due soon, overdue, a restricted key taken). */
  checkoutId?: string | null;
  /** For an overdue key: when it became overdue (its escalation counts from then). */
  overdueSince?: string | null;
}

/** What raising did. */
export interface RaiseResult {
  opened: AlertRow[];
  /** Candidates folded into an alert of the same cause still open. */
  repeated: number;
  /** Candidates whose rule is off or whose count is under its threshold. */
  ignored: number;
}

/** Names that make an alert's sentence readable, loaded once per batch. */
interface Names {
  people: Map<string, string>;
  keys: Map<string, string>;
  cabinets: Map<string, string>;
  properties: Map<string, { name: string; timeZone: string }>;
}

async function loadNames(tx: Executor, organizationId: string, requests: readonly RaiseRequest[]): Promise<Names> {
  const ids = (pick: (r: RaiseRequest) => (string | null | undefined)[]) => [
    ...new Set(requests.flatMap(pick).filter((v): v is string => typeof v === "string")),
  ];
  const names: Names = { people: new Map(), keys: new Map(), cabinets: new Map(), properties: new Map() };
  for (const part of chunked(ids((r) => [r.candidate.personId, r.candidate.details.holderId as string | undefined]))) {
    for (const p of await tx
      .selectFrom("people")
      .select(["id", "first_name", "last_name"])
      .where("organization_id", "=", organizationId)
      .where("id", "in", part)
      .execute()) {
      names.people.set(p.id, `${p.first_name} ${p.last_name}`);
    }
  }
  for (const part of chunked(ids((r) => [r.candidate.keyId]))) {
    for (const k of await tx
      .selectFrom("keys")
      .select(["id", "label"])
      .where("organization_id", "=", organizationId)
      .where("id", "in", part)
      .execute()) {
      names.keys.set(k.id, k.label);
    }
  }
  for (const part of chunked(ids((r) => [r.candidate.cabinetId]))) {
    for (const c of await tx
      .selectFrom("cabinets")
      .select(["id", "name"])
      .where("organization_id", "=", organizationId)
      .where("id", "in", part)
      .execute()) {
      names.cabinets.set(c.id, c.name);
    }
  }
  for (const part of chunked(ids((r) => [r.propertyId]))) {
    for (const p of await tx
      .selectFrom("properties")
      .select(["id", "name", "time_zone"])
      .where("organization_id", "=", organizationId)
      .where("id", "in", part)
      .execute()) {
      names.properties.set(p.id, { name: p.name, timeZone: p.time_zone });
    }
  }
  return names;
}

/** The property's zone, or UTC for the organization's own alerts. */
function zoneOf(names: Names, propertyId: string | null): string {
  return (propertyId && names.properties.get(propertyId)?.timeZone) || "UTC";
}

/** One sentence a manager can act on: who, which key or cabinet, when on the property's clock. */
export function summaryOf(kind: AlertKind, c: AlertCandidate, names: Names, zone: string, rule: AlertRule): string {
  const when = (iso: unknown) => (typeof iso === "string" ? `${localStamp(iso, zone)} (${zone})` : "an unknown time");
  const person = c.personId ? (names.people.get(c.personId) ?? "An unknown person") : "Nobody identified";
  const key = c.keyId ? (names.keys.get(c.keyId) ?? "A key") : "A key";
  const cabinet = c.cabinetId ? (names.cabinets.get(c.cabinetId) ?? "a cabinet") : "a cabinet";
  const holderId = typeof c.details.holderId === "string" ? c.details.holderId : null;
  const holder = holderId ? (names.people.get(holderId) ?? "someone else") : "someone else";
  const d = c.details;
  switch (kind) {
    case "key_due_soon":
      return `${key}, held by ${person}, is due back at ${when(d.dueAt)}.`;
    case "key_overdue":
      return `${key}, taken by ${person} at ${when(d.outAt)}, was due back at ${when(d.dueAt)} and is not back.`;
    case "outside_hours_attempt":
      return `${person} tried to take keys at ${cabinet} at ${when(c.occurredAt)}, ${
        d.code === "holiday" ? "on a holiday" : "outside their permitted hours"
      }.`;
    case "failed_pins":
      return `${person}'s PIN failed ${c.count ?? rule.threshold} times in a row at ${cabinet} (last at ${when(c.occurredAt)}).`;
    case "pin_lockout":
      return `${person}'s PIN was locked at ${cabinet} at ${when(c.occurredAt)}; a manager must issue a new activation code.`;
    case "duress":
      return `${person} entered their duress PIN at ${cabinet} at ${when(c.occurredAt)}. The cabinet behaved normally; check on them now.`;
    case "door_held_open":
      return `The door of ${cabinet} was held open at ${when(c.occurredAt)}.`;
    case "door_forced":
      return `The door of ${cabinet} was forced open at ${when(c.occurredAt)}.`;
    case "key_removed_without_session":
      return `${c.keyId ? key : "A key"} was removed from ${cabinet} at ${when(c.occurredAt)} while nobody was identified.`;
    case "key_wrong_hook": {
      const lit = Array.isArray(d.expectedHooks) && d.expectedHooks.length > 0 ? d.expectedHooks.join(", ") : null;
      const hook = typeof d.hook === "number" ? `hook ${d.hook}` : "a hook";
      return `${c.personId ? person : "Someone"} used the wrong hook at ${cabinet} at ${when(c.occurredAt)}: ${hook}${
        lit ? `, where the cabinet had lit ${lit}` : ""
      }.`;
    }
    case "key_returned_by_other":
      return `${key} was returned by ${person} at ${when(c.occurredAt)}; ${holder} had taken it.`;
    case "restricted_key_taken":
      return `${person} took ${key} (${d.restricted ? "restricted" : "master"} key) from ${cabinet} at ${when(c.occurredAt)}.`;
    case "cabinet_offline":
      return `${cabinet} has not been in contact since ${when(d.lastContactAt)}, more than ${rule.threshold} minutes.`;
    case "snapshot_too_old":
      return d.reported
        ? `${cabinet} reported at ${when(c.occurredAt)} that its permissions expired; it grants no ordinary access until it reconnects.`
        : `${cabinet}'s permissions are older than the property's ${d.maxOfflineMinutes} minutes (no contact since ${when(d.lastContactAt)}); it grants no ordinary access until it reconnects.`;
    case "offsite_failing":
      return `Copying the audit trail to ${c.subjectId} keeps failing${typeof d.error === "string" ? `: ${d.error}` : ""}.`;
    case "audit_verification_failing":
      return `Re-verifying the audit trail at ${when(c.occurredAt)} found problems; open the audit page for the findings.`;
  }
}

/** Raises alerts for candidates of one organization, in the caller's transaction. */
export async function raiseAlerts(
  tx: Executor,
  organizationId: string,
  requests: readonly RaiseRequest[],
  now: Date,
  preloaded?: AlertRules,
): Promise<RaiseResult> {
  const result: RaiseResult = { opened: [], repeated: 0, ignored: 0 };
  if (requests.length === 0) {
    return result;
  }
  const rules =
    preloaded ??
    (await loadAlertRules(
      tx,
      organizationId,
      requests.map((r) => r.propertyId),
    ));
  const firing: { request: RaiseRequest; rule: AlertRule; cause: string }[] = [];
  const byCause = new Map<string, number>();
  for (const request of requests) {
    const { candidate } = request;
    const rule = rules.ruleFor(candidate.kind, request.propertyId);
    if (!ruleFires(rule, candidate)) {
      result.ignored += 1;
      continue;
    }
    const cause = causeKey(candidate.kind, candidate.subjectId);
    const seen = byCause.get(cause);
    if (seen !== undefined) {
      // why: a batch reporting one cause twice (a door held open twice in one upload) opens one alert
      byCause.set(cause, seen + 1);
      continue;
    }
    byCause.set(cause, 1);
    firing.push({ request, rule, cause });
  }
  if (firing.length === 0) {
    return result;
  }
  const names = await loadNames(
    tx,
    organizationId,
    firing.map((f) => f.request),
  );
  const iso = now.toISOString();
  const rows: Insertable<AlertTable>[] = firing.map(({ request, rule, cause }) => {
    const c = request.candidate;
    const zone = zoneOf(names, request.propertyId);
    // why: escalation counts from when the first recipients can be told — an alert held by quiet hours must not
    // escalate overnight and reach everyone at once in the morning
    const toldAt = sendAfter(rule, rule.severity, zone, now);
    const overdueSince = request.overdueSince ? new Date(request.overdueSince) : null;
    const escalateAt = escalationAt(rule, {
      kind: c.kind,
      openedAt: toldAt,
      acknowledged: false,
      escalated: false,
      overdueSince: overdueSince && toldAt > now && overdueSince < toldAt ? toldAt : overdueSince,
    });
    return {
      id: randomUUID(),
      organization_id: organizationId,
      property_id: request.propertyId,
      kind: c.kind,
      cause_key: cause,
      severity: rule.severity,
      status: "open",
      subject_type: c.subjectType,
      subject_id: c.subjectId,
      cabinet_id: c.cabinetId,
      key_id: c.keyId,
      person_id: c.personId,
      checkout_id: request.checkoutId ?? null,
      title: ALERT_KIND_SPECS[c.kind].title,
      summary: summaryOf(c.kind, c, names, zone, rule),
      details: JSON.stringify({ ...c.details, occurredAt: c.occurredAt, count: c.count }),
      first_event_id: c.eventId || null,
      last_event_id: c.eventId || null,
      occurrences: byCause.get(cause) ?? 1,
      opened_at: iso,
      last_seen_at: c.occurredAt || iso,
      acknowledged_at: null,
      acknowledged_by: null,
      acknowledged_by_name: null,
      acknowledgement_note: null,
      resolved_at: null,
      resolved_by: null,
      resolved_by_name: null,
      resolution_note: null,
      resolution: null,
      escalation_level: 0,
      escalate_at: escalateAt ? escalateAt.toISOString() : null,
      escalated_at: null,
      updated_at: iso,
    };
  });
  const inserted = new Set<string>();
  for (const part of chunked(rows, 100)) {
    const done = await tx
      .insertInto("alerts")
      .values(part)
      // why: the partial unique index on open causes; a conflict means an alert of this cause is still open
      // (the predicate is literal text: SQLite matches a partial index's predicate only when written the same way)
      .onConflict((oc) => oc.columns(["organization_id", "cause_key"]).where(sql<boolean>`status = 'open'`).doNothing())
      .returning("id")
      .execute();
    for (const d of done) {
      inserted.add(d.id);
    }
  }
  const repeats = rows.filter((r) => !inserted.has(r.id));
  for (const r of repeats) {
    await tx
      .updateTable("alerts")
      .set((eb) => ({
        occurrences: eb("occurrences", "+", byCause.get(r.cause_key) ?? 1),
        last_seen_at: r.last_seen_at,
        last_event_id: r.last_event_id ?? null,
        updated_at: iso,
      }))
      .where("organization_id", "=", organizationId)
      .where("cause_key", "=", r.cause_key)
      .where("status", "=", "open")
      .execute();
  }
  result.repeated = requests.length - result.ignored - inserted.size;
  const opened = rows.filter((r) => inserted.has(r.id)) as AlertRow[];
  result.opened = opened;
  if (opened.length === 0) {
    return result;
  }
  const ruleOf = new Map(firing.map((f) => [f.cause, f.rule]));
  await recordEvents(
    tx,
    organizationId,
    opened.map(
      (a): NewEvent => ({
        organizationId,
        propertyId: a.property_id,
        action: "alert.opened",
        entityType: "alert",
        entityId: a.id,
        actor: ALERTS_ACTOR,
        after: {
          kind: a.kind,
          severity: a.severity,
          cause: a.cause_key,
          summary: a.summary,
          eventId: a.first_event_id,
        },
        source: "system",
        now,
      }),
    ),
  );
  const queued: QueuedAlert[] = opened.map((alert) => ({
    alert,
    rule: ruleOf.get(alert.cause_key) as AlertRule,
    timeZone: zoneOf(names, alert.property_id),
  }));
  await queueAlertMessages(tx, organizationId, queued, "opened", now);
  return result;
}

/**
 * Resolves the open alerts of these causes because their condition ended (`cleared`): the history says so and
 * webhooks are told. Returns the alerts resolved.
 */
export async function clearAlerts(
  tx: Executor,
  organizationId: string,
  causeKeys: readonly string[],
  now: Date,
  why: string,
): Promise<AlertRow[]> {
  const iso = now.toISOString();
  const cleared: AlertRow[] = [];
  for (const part of chunked([...new Set(causeKeys)])) {
    const rows = await tx
      .updateTable("alerts")
      .set({
        status: "resolved",
        resolved_at: iso,
        resolution: "cleared",
        resolution_note: why,
        escalate_at: null,
        updated_at: iso,
      })
      .where("organization_id", "=", organizationId)
      .where("cause_key", "in", part)
      .where("status", "<>", "resolved")
      .returningAll()
      .execute();
    cleared.push(...rows);
  }
  if (cleared.length === 0) {
    return cleared;
  }
  await recordEvents(
    tx,
    organizationId,
    cleared.map(
      (a): NewEvent => ({
        organizationId,
        propertyId: a.property_id,
        action: "alert.resolved",
        entityType: "alert",
        entityId: a.id,
        actor: ALERTS_ACTOR,
        after: { status: "resolved", resolution: "cleared", note: why },
        source: "system",
        now,
      }),
    ),
  );
  await queueAlertWebhooks(tx, cleared, "alert.resolved", now);
  return cleared;
}
