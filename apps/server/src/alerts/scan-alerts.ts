/**
 * The scheduler's alert pass: the rules that depend on time rather than on an event. Per organization it reads
 * current state only — open checkouts with a due time, cabinets' last contact — never history, so a pass costs
 * O(keys out + cabinets), not O(keys) or O(events). It opens alerts for keys due soon or overdue, cabinets offline
 * and snapshots too old; clears the alerts whose condition ended (the key is back, the cabinet called in); escalates
 * alerts whose time has come; and queues each user's daily digest once per local day.
 *
 * A cause resolved by hand is not raised again for the same episode (the same overdue checkout, the same outage):
 * someone looked at it and said so. The next checkout or outage is a new cause.
 */
import { randomUUID } from "node:crypto";
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import {
  ALERT_KIND_SPECS,
  ALERT_KINDS,
  type AlertCandidate,
  type AlertKind,
  type AlertRule,
  causeKey,
  dueState,
  ruleFires,
} from "@keyward/domain/alerts";
import { localTime, minutesOf } from "@keyward/domain/schedule";
import { type NewEvent, recordEvents } from "../events.ts";
import { inTransaction } from "../http/pipeline.ts";
import type { Services } from "../services.ts";
import { type AlertRules, loadAlertRules } from "./alert-rules.ts";
import { type AlertRow, type QueuedAlert, queueAlertMessages } from "./queue-deliveries.ts";
import { ALERTS_ACTOR, clearAlerts, type RaiseRequest, raiseAlerts } from "./raise-alerts.ts";

/** What one pass did, over every organization. */
export interface ScanResult {
  organizations: number;
  opened: number;
  cleared: number;
  escalated: number;
  digests: number;
  /** Organizations whose pass failed, and why (the others' went on). */
  failures: { organizationId: string; error: string }[];
}

/** Why an alert of a scanned kind ended, when its condition simply stopped holding. */
const ENDED: Partial<Record<AlertKind, string>> = {
  key_overdue: "The key is back.",
  key_due_soon: "The key is back, or now overdue.",
  cabinet_offline: "The cabinet is in contact again.",
  snapshot_too_old: "The cabinet is in contact again.",
};

/** The kinds this pass keeps true: an open alert of one of them whose condition no longer holds is cleared. */
const SCANNED_KINDS: readonly AlertKind[] = ALERT_KINDS.filter((kind) => ALERT_KIND_SPECS[kind].trigger === "scan");

const MINUTE = 60_000;

interface PropertyRow {
  id: string;
  time_zone: string;
  max_offline_minutes: number;
}

/** Runs one pass over every organization, each in its own transaction. */
export async function scanAlerts(services: Pick<Services, "db" | "notifier" | "now">): Promise<ScanResult> {
  const result: ScanResult = { organizations: 0, opened: 0, cleared: 0, escalated: 0, digests: 0, failures: [] };
  const organizations = await services.db.selectFrom("organizations").select("id").orderBy("id").execute();
  for (const { id } of organizations) {
    const now = services.now();
    result.organizations += 1;
    try {
      for (;;) {
        // why: a slice per transaction — a morning when thousands of keys fall overdue at once must not hold the
        // database's writer (SQLite has one) for seconds while cabinets wait to upload
        const one = await inTransaction(services, (tx) => scanOrganization(tx, id, now, RAISE_SLICE));
        result.opened += one.opened;
        result.cleared += one.cleared;
        result.escalated += one.escalated;
        if (!one.more) {
          break;
        }
      }
    } catch (error) {
      // why: one organization's trouble (a rule stored by an older version, a constraint) must not stop the others'
      result.failures.push({ organizationId: id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  result.digests = await inTransaction(services, (tx) => queueDigests(tx, services.now()));
  return result;
}

/** New alerts one transaction of the pass opens at most (with their events and messages). */
export const RAISE_SLICE = 500;

/**
 * One organization's pass, in one transaction: clears, escalates, and opens at most `limit` new alerts; `more` says
 * that others wait for the next call (which finds the same state, less what this one opened).
 */
export async function scanOrganization(
  tx: Executor,
  organizationId: string,
  now: Date,
  limit = Number.POSITIVE_INFINITY,
): Promise<Pick<ScanResult, "opened" | "cleared" | "escalated"> & { more: boolean }> {
  const properties = await tx
    .selectFrom("properties")
    .select(["id", "time_zone", "max_offline_minutes"])
    .where("organization_id", "=", organizationId)
    .where("status", "=", "active")
    .execute();
  const byId = new Map<string, PropertyRow>(properties.map((p) => [p.id, p]));
  const rules = await loadAlertRules(
    tx,
    organizationId,
    properties.map((p) => p.id),
  );
  const found: (RaiseRequest & { episodeStart: string })[] = [
    ...(await keyCandidates(tx, organizationId, byId, rules, now)),
    ...(await cabinetCandidates(tx, organizationId, byId, rules, now)),
  ];
  const causeOf = (c: RaiseRequest) => causeKey(c.candidate.kind, c.candidate.subjectId);
  const candidates = found.filter((c) => ruleFires(rules.ruleFor(c.candidate.kind, c.propertyId), c.candidate));
  const holding = new Set(candidates.map(causeOf));
  /** Conditions that hold but whose rule is off: their open alerts end for that reason, not because all is well. */
  const switchedOff = new Set(found.map(causeOf).filter((cause) => !holding.has(cause)));

  // Clear what no longer holds.
  const open = await tx
    .selectFrom("alerts")
    .select(["cause_key", "kind", "property_id"])
    .where("organization_id", "=", organizationId)
    .where("status", "<>", "resolved")
    .where("kind", "in", [...SCANNED_KINDS])
    .execute();
  const reasons = new Map<string, string[]>();
  for (const a of open.filter((o) => !holding.has(o.cause_key))) {
    const why =
      a.property_id !== null && !byId.has(a.property_id)
        ? "The property is no longer active."
        : switchedOff.has(a.cause_key)
          ? "The property's rule for it was switched off."
          : (ENDED[a.kind as AlertKind] ?? "The condition ended.");
    reasons.set(why, [...(reasons.get(why) ?? []), a.cause_key]);
  }
  let cleared = 0;
  for (const [why, causes] of reasons) {
    cleared += (await clearAlerts(tx, organizationId, causes, now, why)).length;
  }

  // Open what holds and was never raised for this episode.
  const openCauses = new Set(open.map((a) => a.cause_key));
  const fresh = candidates.filter((c) => !openCauses.has(causeKey(c.candidate.kind, c.candidate.subjectId)));
  const resolvedAt = new Map<string, string>();
  for (const part of chunked(fresh.map((c) => causeKey(c.candidate.kind, c.candidate.subjectId)))) {
    for (const r of await tx
      .selectFrom("alerts")
      .select(["cause_key", "resolved_at", "resolution"])
      .where("organization_id", "=", organizationId)
      .where("cause_key", "in", part)
      .where("status", "=", "resolved")
      .where("resolution", "=", "manual")
      .execute()) {
      const at = r.resolved_at ?? "";
      if (at > (resolvedAt.get(r.cause_key) ?? "")) {
        resolvedAt.set(r.cause_key, at);
      }
    }
  }
  const toRaise = fresh.filter((c) => {
    const resolved = resolvedAt.get(causeKey(c.candidate.kind, c.candidate.subjectId));
    // why: resolved by hand during this episode means someone dealt with it; a later episode raises it again
    return resolved === undefined || resolved < c.episodeStart;
  });
  const raised = await raiseAlerts(tx, organizationId, toRaise.slice(0, limit), now, rules);
  const escalated = await escalateDue(tx, organizationId, rules, byId, now);
  // why: a slice that opened nothing (another process opened them first) must not make the caller loop for ever
  const more = toRaise.length > limit && raised.opened.length > 0;
  return { opened: raised.opened.length, cleared, escalated, more };
}

/** Keys out with a due time: due soon and overdue, per their property's thresholds (whether the rules are on or not). */
async function keyCandidates(
  tx: Executor,
  organizationId: string,
  properties: ReadonlyMap<string, PropertyRow>,
  rules: AlertRules,
  now: Date,
): Promise<(RaiseRequest & { episodeStart: string })[]> {
  let lead = 0;
  for (const id of properties.keys()) {
    const soon = rules.ruleFor("key_due_soon", id);
    if (soon.enabled) {
      lead = Math.max(lead, soon.threshold ?? 0);
    }
  }
  const horizon = new Date(now.getTime() + lead * MINUTE).toISOString();
  // why: the open-checkouts index (organization, status, …) bounds this to the keys out now
  const rows = await tx
    .selectFrom("checkouts")
    .select(["id", "property_id", "key_id", "person_id", "cabinet_id", "out_at", "due_at"])
    .where("organization_id", "=", organizationId)
    .where("status", "=", "open")
    .where("due_at", "is not", null)
    .where("due_at", "<=", horizon)
    .execute();
  const out: (RaiseRequest & { episodeStart: string })[] = [];
  for (const c of rows) {
    if (!properties.has(c.property_id) || c.due_at === null) {
      continue;
    }
    const soon = rules.ruleFor("key_due_soon", c.property_id);
    const overdue = rules.ruleFor("key_overdue", c.property_id);
    const dueAt = new Date(c.due_at);
    // why: the state as the thresholds say, rule on or off; the caller keeps what fires and clears what was switched off
    const state = dueState(dueAt, now, soon.threshold, overdue.threshold ?? 0);
    if (state === "not_due") {
      continue;
    }
    const kind = state === "overdue" ? "key_overdue" : "key_due_soon";
    const since = state === "overdue" ? new Date(dueAt.getTime() + (overdue.threshold ?? 0) * MINUTE) : dueAt;
    const candidate: AlertCandidate = {
      kind,
      subjectType: "checkout",
      subjectId: c.id,
      eventId: "",
      occurredAt: now.toISOString(),
      personId: c.person_id,
      keyId: c.key_id,
      cabinetId: c.cabinet_id,
      count: null,
      details: { dueAt: c.due_at, outAt: c.out_at, holderId: c.person_id },
    };
    out.push({
      propertyId: c.property_id,
      candidate,
      checkoutId: c.id,
      overdueSince: state === "overdue" ? since.toISOString() : null,
      episodeStart: c.out_at,
    });
  }
  return out;
}

/** Cabinets out of contact: offline past the rule's minutes, and snapshot older than the property's offline age. */
async function cabinetCandidates(
  tx: Executor,
  organizationId: string,
  properties: ReadonlyMap<string, PropertyRow>,
  rules: AlertRules,
  now: Date,
): Promise<(RaiseRequest & { episodeStart: string })[]> {
  const rows = await tx
    .selectFrom("cabinet_states as s")
    .innerJoin("cabinets as c", "c.id", "s.cabinet_id")
    .select(["s.cabinet_id", "s.property_id", "s.last_contact_at"])
    .where("s.organization_id", "=", organizationId)
    .where("c.organization_id", "=", organizationId)
    .where("c.status", "=", "active")
    // why: a cabinet never enrolled has never been in contact; it is not "offline"
    .where("s.last_contact_at", "is not", null)
    .execute();
  const out: (RaiseRequest & { episodeStart: string })[] = [];
  for (const s of rows) {
    const property = properties.get(s.property_id);
    if (!property || s.last_contact_at === null) {
      continue;
    }
    const silentMinutes = (now.getTime() - Date.parse(s.last_contact_at)) / MINUTE;
    const checks: [AlertKind, number | null][] = [
      ["cabinet_offline", rules.ruleFor("cabinet_offline", s.property_id).threshold],
      ["snapshot_too_old", property.max_offline_minutes],
    ];
    for (const [kind, limit] of checks) {
      if (limit === null || silentMinutes <= limit) {
        continue;
      }
      out.push({
        propertyId: s.property_id,
        candidate: {
          kind,
          subjectType: "cabinet",
          subjectId: s.cabinet_id,
          eventId: "",
          occurredAt: now.toISOString(),
          personId: null,
          keyId: null,
          cabinetId: s.cabinet_id,
          count: null,
          details: { lastContactAt: s.last_contact_at, maxOfflineMinutes: property.max_offline_minutes },
        },
        episodeStart: s.last_contact_at,
      });
    }
  }
  return out;
}

/**
 * Escalates the organization's alerts whose escalation time has come: once each (a conditional update decides,
 * whichever process gets there first), with `alert.escalated` in the history and messages to the escalation
 * recipients.
 */
async function escalateDue(
  tx: Executor,
  organizationId: string,
  rules: AlertRules,
  properties: ReadonlyMap<string, PropertyRow>,
  now: Date,
): Promise<number> {
  const iso = now.toISOString();
  const due = await tx
    .selectFrom("alerts")
    .select("id")
    .where("organization_id", "=", organizationId)
    .where("status", "<>", "resolved")
    .where("escalate_at", "is not", null)
    .where("escalate_at", "<=", iso)
    .execute();
  const escalated: AlertRow[] = [];
  for (const part of chunked(due.map((d) => d.id))) {
    escalated.push(
      ...(await tx
        .updateTable("alerts")
        .set({ escalation_level: 1, escalated_at: iso, escalate_at: null, updated_at: iso })
        .where("organization_id", "=", organizationId)
        .where("id", "in", part)
        .where("escalation_level", "=", 0)
        .where("status", "<>", "resolved")
        .returningAll()
        .execute()),
    );
  }
  if (escalated.length === 0) {
    return 0;
  }
  const ruleOf = (a: AlertRow): AlertRule => rules.ruleFor(a.kind as AlertKind, a.property_id);
  await recordEvents(
    tx,
    organizationId,
    escalated.map(
      (a): NewEvent => ({
        organizationId,
        propertyId: a.property_id,
        action: "alert.escalated",
        entityType: "alert",
        entityId: a.id,
        actor: ALERTS_ACTOR,
        after: {
          level: 1,
          status: a.status,
          afterMinutes: ruleOf(a).escalateAfterMinutes,
        },
        source: "system",
        now,
      }),
    ),
  );
  const queued: QueuedAlert[] = escalated.map((alert) => ({
    alert,
    rule: ruleOf(alert),
    timeZone: (alert.property_id && properties.get(alert.property_id)?.time_zone) || "UTC",
  }));
  await queueAlertMessages(tx, organizationId, queued, "escalated", now);
  return escalated.length;
}

/**
 * Queues the daily digest of every user who asked for one and whose local digest time has come today: one row per
 * user and local day (a unique key), however many passes or processes get there.
 */
export async function queueDigests(tx: Executor, now: Date): Promise<number> {
  const wanting = await tx
    .selectFrom("notification_preferences as np")
    .innerJoin("users as u", "u.id", "np.user_id")
    .select(["np.user_id", "np.organization_id", "np.digest_time", "np.time_zone", "u.email"])
    .where("np.digest", "=", 1)
    .where("u.status", "=", "active")
    .execute();
  const iso = now.toISOString();
  let queued = 0;
  for (const w of wanting) {
    const local = localTime(now, w.time_zone);
    if (local.minutes < minutesOf(w.digest_time)) {
      continue;
    }
    const rows = await tx
      .insertInto("alert_deliveries")
      .values({
        id: randomUUID(),
        organization_id: w.organization_id,
        alert_id: null,
        reason: "digest",
        channel: "email",
        user_id: w.user_id,
        endpoint_id: null,
        target: w.email.toLowerCase(),
        dedupe_key: `digest:${w.user_id}:${local.date}`,
        payload: JSON.stringify({
          userId: w.user_id,
          date: local.date,
          since: new Date(now.getTime() - 24 * 60 * MINUTE).toISOString(),
          timeZone: w.time_zone,
        }),
        status: "pending",
        attempts: 0,
        next_attempt_at: iso,
        claimed_by: null,
        claimed_until: null,
        last_error: null,
        response_status: null,
        response_excerpt: null,
        provider_id: null,
        duration_ms: null,
        sent_at: null,
        created_at: iso,
        updated_at: iso,
      })
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .returning("id")
      .execute();
    queued += rows.length;
  }
  return queued;
}
