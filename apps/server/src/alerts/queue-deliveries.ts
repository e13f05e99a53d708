/**
 * Who is told of an alert, on which channels, and when: the rule's roles at the property (and organization-wide, and
 * at the property's region), its named users, the key's holder; each person's preferences (channels, phone, minimum
 * severity); the rule's quiet hours. Every message is one `alert_deliveries` row the delivery worker sends; webhook
 * messages carry their body, fixed now, so every retry sends the same bytes under the same delivery id.
 */
import { randomUUID } from "node:crypto";
import type { WebhookBody, WebhookEvent } from "@keyward/contracts/alerts";
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import type { AlertDeliveryTable, AlertTable } from "@keyward/db/schema";
import { type AlertKind, type AlertRule, type AlertSeverity, HOLDER_KINDS, sendAfter } from "@keyward/domain/alerts";
import { can, PERMISSIONS, type Role } from "@keyward/domain/permissions";
import type { Insertable, Selectable } from "kysely";
import { loadActor } from "../auth/actor.ts";
import { afterCommit } from "../live/after-commit.ts";

export type AlertRow = Selectable<AlertTable>;

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** Whether a severity reaches a minimum. */
export function atLeast(severity: string, minimum: string): boolean {
  return (RANK[severity as AlertSeverity] ?? 0) >= (RANK[minimum as AlertSeverity] ?? 0);
}

/** One person a message may go to, with how they want to be told. */
interface Recipient {
  userId: string | null;
  /** The person the login (or record) is: a duress alert never goes to the person under duress. */
  personId: string | null;
  email: string | null;
  phone: string | null;
  wantsEmail: boolean;
  wantsSms: boolean;
  minSeverity: string;
}

/** Finds recipients once per property and role set within one queueing (a scan opening thousands of alerts). */
class RecipientFinder {
  private readonly byRoles = new Map<string, Promise<string[]>>();
  private readonly userReach = new Map<string, Promise<boolean>>();
  private readonly regions = new Map<string, Promise<string | null>>();

  constructor(
    private readonly tx: Executor,
    private readonly organizationId: string,
  ) {}

  private regionOf(propertyId: string): Promise<string | null> {
    let region = this.regions.get(propertyId);
    if (!region) {
      region = this.tx
        .selectFrom("properties")
        .select("region_id")
        .where("organization_id", "=", this.organizationId)
        .where("id", "=", propertyId)
        .executeTakeFirst()
        .then((p) => p?.region_id ?? null);
      this.regions.set(propertyId, region);
    }
    return region;
  }

  /** Active logins holding one of the roles where it covers the property (organization, its region, itself). */
  usersWithRoles(propertyId: string | null, roles: readonly Role[]): Promise<string[]> {
    // why: a role that may not read alerts (a technician) is never told of one, whatever the rule names
    const readers = roles.filter((r) => PERMISSIONS[r].alert.includes("read")).sort();
    const key = `${propertyId}|${readers.join(",")}`;
    let found = this.byRoles.get(key);
    if (!found) {
      found = this.findUsers(propertyId, readers);
      this.byRoles.set(key, found);
    }
    return found;
  }

  private async findUsers(propertyId: string | null, roles: readonly Role[]): Promise<string[]> {
    if (roles.length === 0) {
      return [];
    }
    const regionId = propertyId ? await this.regionOf(propertyId) : null;
    const rows = await this.tx
      .selectFrom("role_assignments")
      .innerJoin("people", "people.id", "role_assignments.person_id")
      .innerJoin("users", "users.person_id", "people.id")
      .select("users.id")
      .distinct()
      .where("role_assignments.organization_id", "=", this.organizationId)
      .where("role_assignments.status", "=", "active")
      .where("role_assignments.role", "in", [...roles])
      .where("people.status", "=", "active")
      .where("users.status", "=", "active")
      .where((eb) => {
        const scopes = [eb("role_assignments.scope_type", "=", "organization")];
        if (propertyId !== null) {
          scopes.push(
            eb.and([
              eb("role_assignments.scope_type", "=", "property"),
              eb("role_assignments.scope_id", "=", propertyId),
            ]),
          );
        }
        if (regionId !== null) {
          scopes.push(
            eb.and([eb("role_assignments.scope_type", "=", "region"), eb("role_assignments.scope_id", "=", regionId)]),
          );
        }
        return eb.or(scopes);
      })
      .execute();
    return rows.map((r) => r.id).sort();
  }

  /** Whether a named user may still read alerts at the property (a login moved or deactivated is not told). */
  reaches(userId: string, propertyId: string | null): Promise<boolean> {
    const key = `${userId}|${propertyId}`;
    let ok = this.userReach.get(key);
    if (!ok) {
      ok = loadActor(this.tx, userId, null).then(
        (actor) =>
          actor !== null &&
          actor.organizationId === this.organizationId &&
          can(actor, "read", { entity: "alert", organizationId: this.organizationId, propertyId }),
      );
      this.userReach.set(key, ok);
    }
    return ok;
  }

  /** Logins (with their preferences) by id. */
  async people(userIds: readonly string[]): Promise<Map<string, Recipient>> {
    const out = new Map<string, Recipient>();
    for (const part of chunked([...new Set(userIds)])) {
      const rows = await this.tx
        .selectFrom("users")
        .leftJoin("notification_preferences as np", "np.user_id", "users.id")
        .select([
          "users.id",
          "users.person_id",
          "users.email",
          "np.email as wants_email",
          "np.sms as wants_sms",
          "np.phone",
          "np.min_severity",
        ])
        .where("users.organization_id", "=", this.organizationId)
        .where("users.id", "in", part)
        .where("users.status", "=", "active")
        .execute();
      for (const r of rows) {
        out.set(r.id, {
          userId: r.id,
          personId: r.person_id,
          email: r.email,
          phone: r.phone ?? null,
          // why: someone who never chose is told by e-mail and not by text (no phone number is known)
          wantsEmail: r.wants_email === null ? true : Boolean(r.wants_email),
          wantsSms: Boolean(r.wants_sms),
          minSeverity: r.min_severity ?? "info",
        });
      }
    }
    return out;
  }

  /** The holder of a key as a recipient: their login's preferences, or their person record's address and phone. */
  async holder(personId: string): Promise<Recipient | null> {
    const user = await this.tx
      .selectFrom("users")
      .select("id")
      .where("organization_id", "=", this.organizationId)
      .where("person_id", "=", personId)
      .where("status", "=", "active")
      .executeTakeFirst();
    if (user) {
      return (await this.people([user.id])).get(user.id) ?? null;
    }
    const person = await this.tx
      .selectFrom("people")
      .select(["email", "phone", "status"])
      .where("organization_id", "=", this.organizationId)
      .where("id", "=", personId)
      .executeTakeFirst();
    if (person?.status !== "active") {
      return null;
    }
    return {
      userId: null,
      personId,
      email: person.email,
      phone: person.phone,
      wantsEmail: true,
      // why: someone without a login never chose texts; they get the e-mail their record gives
      wantsSms: false,
      minSeverity: "info",
    };
  }
}

/** What one alert needs to be queued: its row, its rule and its property's zone. */
export interface QueuedAlert {
  alert: AlertRow;
  rule: AlertRule;
  timeZone: string;
}

/**
 * Queues the messages of alerts that opened (`opened`: the rule's recipients) or escalated (`escalated`: its
 * escalation recipients), and their webhooks. Asks the delivery worker to run after the commit.
 */
export async function queueAlertMessages(
  tx: Executor,
  organizationId: string,
  items: readonly QueuedAlert[],
  reason: "opened" | "escalated",
  now: Date,
): Promise<number> {
  if (items.length === 0) {
    return 0;
  }
  const finder = new RecipientFinder(tx, organizationId);
  const rows: Insertable<AlertDeliveryTable>[] = [];
  const iso = now.toISOString();
  const wanted: { item: QueuedAlert; userIds: string[]; holder: Recipient | null }[] = [];
  for (const item of items) {
    const { alert, rule } = item;
    const roles = reason === "opened" ? rule.recipientRoles : rule.escalationRoles;
    const named = reason === "opened" ? rule.recipientUserIds : rule.escalationUserIds;
    const userIds = new Set(await finder.usersWithRoles(alert.property_id, roles));
    for (const id of named) {
      if (await finder.reaches(id, alert.property_id)) {
        userIds.add(id);
      }
    }
    const details = JSON.parse(alert.details) as { holderId?: unknown };
    const holderId = typeof details.holderId === "string" ? details.holderId : alert.person_id;
    const tellHolder = reason === "opened" && rule.notifyHolder && HOLDER_KINDS.has(alert.kind as AlertKind);
    const holder = tellHolder && holderId ? await finder.holder(holderId) : null;
    if (holder?.userId) {
      userIds.add(holder.userId);
    }
    wanted.push({ item, userIds: [...userIds], holder: holder?.userId ? null : holder });
  }
  const people = await finder.people(wanted.flatMap((w) => w.userIds));
  for (const { item, userIds, holder } of wanted) {
    const { alert, rule, timeZone } = item;
    const at = sendAfter(rule, alert.severity as AlertSeverity, timeZone, now).toISOString();
    const recipients = [...userIds.map((id) => people.get(id)).filter((r): r is Recipient => r !== undefined)];
    if (holder) {
      recipients.push(holder);
    }
    const seen = new Set<string>();
    for (const r of recipients) {
      if (!atLeast(alert.severity, r.minSeverity)) {
        continue;
      }
      // why: whoever forces someone may be watching that person's phone; the silent alarm must stay silent there
      if (alert.kind === "duress" && alert.person_id !== null && r.personId === alert.person_id) {
        continue;
      }
      const targets: ["email" | "sms", string | null, boolean][] = [
        ["email", r.email?.toLowerCase() ?? null, r.wantsEmail],
        ["sms", r.phone, r.wantsSms],
      ];
      for (const [channel, target, wants] of targets) {
        if (!target || !wants || !rule.channels.includes(channel) || seen.has(`${channel}:${target}`)) {
          continue;
        }
        seen.add(`${channel}:${target}`);
        rows.push(newDelivery(organizationId, alert.id, reason, channel, target, r.userId, null, null, at, iso));
      }
    }
  }
  const hooks = await webhookRows(
    tx,
    organizationId,
    items.map((i) => i.alert),
    reason === "opened" ? "alert.opened" : "alert.escalated",
    now,
  );
  await insertDeliveries(tx, organizationId, [...rows, ...hooks]);
  return rows.length + hooks.length;
}

/** Queues the webhook messages of an alert's change (acknowledged, resolved, or another lifecycle event). */
export async function queueAlertWebhooks(
  tx: Executor,
  alerts: readonly AlertRow[],
  event: Exclude<WebhookEvent, "ping">,
  now: Date,
): Promise<number> {
  const first = alerts[0];
  if (!first) {
    return 0;
  }
  const rows = await webhookRows(tx, first.organization_id, alerts, event, now);
  await insertDeliveries(tx, first.organization_id, rows);
  return rows.length;
}

/** Queues one test message (`ping`) to an endpoint. */
export async function queueWebhookPing(
  tx: Executor,
  endpoint: { id: string; organization_id: string; url: string },
  now: Date,
): Promise<string> {
  const id = randomUUID();
  const body: WebhookBody = {
    id,
    event: "ping",
    createdAt: now.toISOString(),
    organizationId: endpoint.organization_id,
    alert: null,
  };
  const iso = now.toISOString();
  await insertDeliveries(tx, endpoint.organization_id, [
    {
      ...newDelivery(
        endpoint.organization_id,
        null,
        "test",
        "webhook",
        endpoint.url,
        null,
        endpoint.id,
        body,
        iso,
        iso,
      ),
      id,
    },
  ]);
  return id;
}

async function webhookRows(
  tx: Executor,
  organizationId: string,
  alerts: readonly AlertRow[],
  event: Exclude<WebhookEvent, "ping">,
  now: Date,
): Promise<Insertable<AlertDeliveryTable>[]> {
  if (alerts.length === 0) {
    return [];
  }
  const endpoints = await tx
    .selectFrom("webhook_endpoints")
    .select(["id", "url", "property_id", "kinds", "min_severity"])
    .where("organization_id", "=", organizationId)
    .where("status", "=", "active")
    .execute();
  if (endpoints.length === 0) {
    return [];
  }
  const iso = now.toISOString();
  const reason = event.slice("alert.".length) as "opened" | "escalated" | "acknowledged" | "resolved";
  const rows: Insertable<AlertDeliveryTable>[] = [];
  for (const endpoint of endpoints) {
    const kinds = JSON.parse(endpoint.kinds) as AlertKind[];
    for (const alert of alerts) {
      if (endpoint.property_id !== null && endpoint.property_id !== alert.property_id) {
        continue;
      }
      if (
        (kinds.length > 0 && !kinds.includes(alert.kind as AlertKind)) ||
        !atLeast(alert.severity, endpoint.min_severity)
      ) {
        continue;
      }
      const id = randomUUID();
      const body: WebhookBody = {
        id,
        event,
        createdAt: iso,
        organizationId,
        alert: {
          id: alert.id,
          kind: alert.kind as AlertKind,
          severity: alert.severity,
          status: alert.status,
          title: alert.title,
          summary: alert.summary,
          propertyId: alert.property_id,
          openedAt: alert.opened_at,
          acknowledgedAt: alert.acknowledged_at,
          resolvedAt: alert.resolved_at,
          url: null,
        },
      };
      rows.push({
        ...newDelivery(organizationId, alert.id, reason, "webhook", endpoint.url, null, endpoint.id, body, iso, iso),
        id,
      });
    }
  }
  return rows;
}

function newDelivery(
  organizationId: string,
  alertId: string | null,
  reason: string,
  channel: "email" | "sms" | "webhook",
  target: string,
  userId: string | null,
  endpointId: string | null,
  payload: WebhookBody | null,
  nextAttemptAt: string,
  now: string,
): Insertable<AlertDeliveryTable> {
  return {
    id: randomUUID(),
    organization_id: organizationId,
    alert_id: alertId,
    reason,
    channel,
    user_id: userId,
    endpoint_id: endpointId,
    target,
    dedupe_key: null,
    payload: payload ? JSON.stringify(payload) : null,
    status: "pending",
    attempts: 0,
    next_attempt_at: nextAttemptAt,
    claimed_by: null,
    claimed_until: null,
    last_error: null,
    response_status: null,
    response_excerpt: null,
    provider_id: null,
    duration_ms: null,
    sent_at: null,
    created_at: now,
    updated_at: now,
  };
}

async function insertDeliveries(
  tx: Executor,
  organizationId: string,
  rows: readonly Insertable<AlertDeliveryTable>[],
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  for (const part of chunked(rows, 200)) {
    await tx.insertInto("alert_deliveries").values(part).execute();
  }
  afterCommit(tx, { channel: "alerts", organizationId });
}
