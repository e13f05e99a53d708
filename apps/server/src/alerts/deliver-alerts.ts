/**
 * Sending alert messages. Each pass claims the `alert_deliveries` rows that are due — pending and due, or claimed by a
 * sender whose claim lapsed — with a conditional update, so two server processes never send one twice; sends them;
 * and records how it went on each row. E-mail and text-message rows for one address and reason that are due together
 * (up to 25) go out as one message and are recorded with its one provider id; webhooks go one body per delivery.
 *
 * Before a row goes out its recipient is looked at again: a login deactivated, or one that may no longer read alerts
 * at the alert's property, is `skipped`, and so is a message whose alert was resolved before its first attempt (held
 * back by quiet hours); webhooks, which tell every change, always go. A digest row is written at sending time from the
 * alerts in the user's reach and is `skipped` when it has nothing to tell.
 *
 * A failed attempt is retried (e-mail and texts after 1, 5, 30 and 120 minutes, webhooks on their own schedule); a
 * permanent failure, or the last attempt, leaves the row `failed` with one `alert_delivery.failed` event. While no
 * SMTP server (or no text-message provider) is configured the rows of that channel wait, pending, their attempts
 * uncounted, the variable to set named as their last error, and are looked at again a pass later.
 *
 * A process that dies between sending and recording sends that message again once its claim lapses: a message
 * arrives at least once, and in every other case exactly once.
 */
import type { WebhookBody } from "@keyward/contracts/alerts";
import type { Executor } from "@keyward/db/connect";
import type { AlertDeliveryTable, AlertTable, Database } from "@keyward/db/schema";
import { ALERT_SEVERITIES, type AlertKind, type AlertSeverity } from "@keyward/domain/alerts";
import { can, propertiesWhere } from "@keyward/domain/permissions";
import type { ExpressionBuilder, Selectable } from "kysely";
import { type AuthenticatedActor, loadActor } from "../auth/actor.ts";
import { recordEvent } from "../events.ts";
import { inTransaction } from "../http/pipeline.ts";
import { type MailTransport, NO_SMTP_MESSAGE, openMailTransport } from "../notify/mail.ts";
import { createSmsProvider, type SmsProvider } from "../notify/sms.ts";
import { nextWebhookAttempt, postWebhook } from "../notify/webhook.ts";
import type { Services } from "../services.ts";
import {
  alertEmail,
  alertLink,
  alertSms,
  type DigestGroup,
  type DigestInput,
  digestEmail,
  digestIsEmpty,
  type EmailText,
  type MessageAlert,
  type MessageContext,
  type SeverityCounts,
} from "./alert-messages.ts";
import { loadAlertRules } from "./alert-rules.ts";
import { atLeast } from "./queue-deliveries.ts";
import { ALERTS_ACTOR } from "./raise-alerts.ts";

/** Minutes to wait after the 1st, 2nd, 3rd and 4th failed attempt of an e-mail or a text message. */
export const ALERT_RETRY_MINUTES = [1, 5, 30, 120] as const;
/** Attempts before an e-mail or a text message is `failed`. */
export const ALERT_MAX_ATTEMPTS = ALERT_RETRY_MINUTES.length + 1;
/** The most rows one e-mail or text message carries. */
export const ALERT_BATCH_SIZE = 25;
/** The last error of a text-message row waiting for a provider. */
export const NO_SMS_PROVIDER =
  "No text-message provider configured: set KEYWARD_SMS_PROVIDER and the Twilio variables (see docs/operations.md).";
/** Why rows are skipped. */
export const SKIP_REASONS = {
  inactive: "The recipient's login is no longer active.",
  resolved: "The alert was resolved before it was sent.",
  nothing: "Nothing to report.",
  disabled: "The webhook endpoint is disabled.",
} as const;

const MINUTE = 60_000;
/** How long a claim holds a row. */
// why: longer than the mail transport's worst case (30 s to connect, 30 s greeting, 120 s of silence), so a slow SMTP
// server never lets a second process send the same message while the first is still talking to it
const CLAIM_MS = 5 * MINUTE;
/** Rows read per query (a pass loops until none are left). */
const PAGE = 100;
/** Alerts listed per property in a digest (the counts cover all of them). */
const DIGEST_LISTED = 10;

type Row = Selectable<AlertDeliveryTable>;
type AlertServices = Pick<Services, "db" | "notifier" | "now" | "config">;

/** What one pass did, in rows (a batched message counts each of its rows). */
export interface AlertDeliveryPass {
  sent: number;
  failed: number;
  skipped: number;
  /** Rows left waiting for a channel that is not configured. */
  waiting: number;
  /** Messages that went out (one e-mail for three rows counts one). */
  messages: number;
}

/** How one attempt came out, whatever the channel. */
type Outcome =
  | { ok: true; providerId: string | null; status: number | null; durationMs: number; excerpt: string | null }
  | {
      ok: false;
      permanent: boolean;
      status: number | null;
      error: string;
      durationMs: number;
      excerpt: string | null;
    };

interface Pass {
  services: AlertServices;
  holder: string;
  transport: MailTransport | null;
  sms: SmsProvider | null;
  result: AlertDeliveryPass;
}

/** A row whose attempt has come: pending and due, or claimed by a sender whose claim lapsed. */
function isDue(iso: string) {
  return (eb: ExpressionBuilder<Database, "alert_deliveries">) =>
    eb.or([
      eb.and([eb("status", "=", "pending"), eb("next_attempt_at", "<=", iso)]),
      eb.and([eb("status", "=", "sending"), eb("claimed_until", "<", iso)]),
    ]);
}

/**
 * Claims and sends every alert message that is due. Safe to run in several processes at once: each row is claimed by
 * exactly one.
 * @param holder this process's name on its claims.
 */
export async function sendDueAlertDeliveries(services: AlertServices, holder: string): Promise<AlertDeliveryPass> {
  const pass: Pass = {
    services,
    holder,
    transport: openMailTransport(services.config.mail),
    sms: createSmsProvider(services.config.sms),
    result: { sent: 0, failed: 0, skipped: 0, waiting: 0, messages: 0 },
  };
  const tried = new Set<string>();
  try {
    for (;;) {
      const due = await services.db
        .selectFrom("alert_deliveries")
        .selectAll()
        .where(isDue(services.now().toISOString()))
        .orderBy("next_attempt_at")
        .orderBy("id")
        .limit(PAGE)
        .execute();
      const fresh = due.filter((d) => !tried.has(d.id));
      if (fresh.length === 0) {
        return pass.result;
      }
      for (const row of fresh) {
        if (tried.has(row.id)) {
          continue;
        }
        tried.add(row.id);
        const missing =
          row.channel === "email" && pass.transport === null
            ? NO_SMTP_MESSAGE
            : row.channel === "sms" && pass.sms === null
              ? NO_SMS_PROVIDER
              : null;
        if (missing !== null) {
          pass.result.waiting += await holdWithout(services, row.id, missing);
          continue;
        }
        const group = await claimGroup(services, row, holder);
        for (const g of group) {
          tried.add(g.id);
        }
        if (group.length > 0) {
          await deliverGroup(pass, group);
        }
      }
    }
  } finally {
    pass.transport?.close();
  }
}

/**
 * A due row of a channel that is not configured: it stays pending, its attempts uncounted, with the reason as its
 * last error, and is looked at again a pass later (a lapsed claim is let go).
 * @returns 1 when this pass held it, 0 when another process took it first.
 */
async function holdWithout(services: AlertServices, id: string, message: string): Promise<number> {
  const now = services.now();
  const iso = now.toISOString();
  // why: a pass forward, not now: the worker runs a pass on every queued alert, and would otherwise read the same
  // waiting rows again and again
  const later = new Date(now.getTime() + services.config.alertDeliverySeconds * 1000).toISOString();
  const held = await services.db
    .updateTable("alert_deliveries")
    .set({
      status: "pending",
      claimed_by: null,
      claimed_until: null,
      last_error: message,
      next_attempt_at: later,
      updated_at: iso,
    })
    .where("id", "=", id)
    .where(isDue(iso))
    .executeTakeFirst();
  return Number(held.numUpdatedRows);
}

/**
 * Claims a row and, for an e-mail or a text message about an alert, the other rows due to the same address for the
 * same reason (up to `ALERT_BATCH_SIZE` in all), counting an attempt on each. Returns the rows this process won.
 */
async function claimGroup(services: AlertServices, row: Row, holder: string): Promise<Row[]> {
  const { db } = services;
  const now = services.now();
  const iso = now.toISOString();
  const ids = [row.id];
  if ((row.channel === "email" || row.channel === "sms") && row.alert_id !== null) {
    const companions = await db
      .selectFrom("alert_deliveries")
      .select("id")
      .where("organization_id", "=", row.organization_id)
      .where("channel", "=", row.channel)
      .where("target", "=", row.target)
      .where("reason", "=", row.reason)
      .where("alert_id", "is not", null)
      .where("id", "<>", row.id)
      .where(isDue(iso))
      .orderBy("next_attempt_at")
      .orderBy("id")
      .limit(ALERT_BATCH_SIZE - 1)
      .execute();
    ids.push(...companions.map((c) => c.id));
  }
  // why: the conditions are checked again by the update itself, which only one process can win for each row
  return db
    .updateTable("alert_deliveries")
    .set((eb) => ({
      status: "sending",
      claimed_by: holder,
      claimed_until: new Date(now.getTime() + CLAIM_MS).toISOString(),
      attempts: eb("attempts", "+", 1),
      updated_at: iso,
    }))
    .where("id", "in", ids)
    .where(isDue(iso))
    .returningAll()
    .execute();
}

async function deliverGroup(pass: Pass, rows: readonly Row[]): Promise<void> {
  const [first] = rows;
  if (first === undefined) {
    return;
  }
  if (first.channel === "webhook") {
    for (const row of rows) {
      await deliverWebhook(pass, row);
    }
  } else if (first.reason === "digest") {
    for (const row of rows) {
      await deliverDigest(pass, row);
    }
  } else {
    await deliverAlerts(pass, rows);
  }
}

/** An alert row with the names a message needs. */
interface LoadedAlert {
  row: AlertTable;
  propertyName: string | null;
  timeZone: string;
}

async function loadAlerts(
  db: Executor,
  organizationId: string,
  alertIds: readonly string[],
): Promise<Map<string, LoadedAlert>> {
  if (alertIds.length === 0) {
    return new Map();
  }
  const rows = await db
    .selectFrom("alerts")
    .leftJoin("properties", "properties.id", "alerts.property_id")
    .selectAll("alerts")
    .select(["properties.name as property_name", "properties.time_zone as property_zone"])
    .where("alerts.organization_id", "=", organizationId)
    .where("alerts.id", "in", [...new Set(alertIds)])
    .execute();
  return new Map(
    rows.map(({ property_name, property_zone, ...row }) => [
      row.id,
      { row, propertyName: property_name ?? null, timeZone: property_zone ?? "UTC" },
    ]),
  );
}

async function organizationName(db: Executor, organizationId: string): Promise<string> {
  const org = await db.selectFrom("organizations").select("name").where("id", "=", organizationId).executeTakeFirst();
  return org?.name ?? "your organization";
}

function messageAlert(loaded: LoadedAlert, escalateAfterMinutes: number | null): MessageAlert {
  const { row } = loaded;
  return {
    id: row.id,
    kind: row.kind as AlertKind,
    severity: row.severity as AlertSeverity,
    status: row.status,
    title: row.title,
    summary: row.summary,
    propertyName: loaded.propertyName,
    timeZone: loaded.timeZone,
    openedAt: row.opened_at,
    acknowledgedByName: row.acknowledged_by_name,
    escalateAfterMinutes,
  };
}

/** Loads logins once per group: a batch of rows to one address is one person. */
class Recipients {
  private readonly actors = new Map<string, Promise<AuthenticatedActor | null>>();
  constructor(private readonly db: Executor) {}
  actor(userId: string): Promise<AuthenticatedActor | null> {
    let found = this.actors.get(userId);
    if (!found) {
      found = loadActor(this.db, userId, null);
      this.actors.set(userId, found);
    }
    return found;
  }
}

/** Why a person's row about an alert is no longer sent, or null when it goes. */
async function skipReason(
  recipients: Recipients,
  row: Row,
  alert: LoadedAlert | undefined,
  context: MessageContext,
): Promise<string | null> {
  if (alert === undefined) {
    return "The alert no longer exists.";
  }
  if (row.user_id !== null) {
    const actor = await recipients.actor(row.user_id);
    if (actor === null || actor.organizationId !== row.organization_id) {
      return SKIP_REASONS.inactive;
    }
    const resource = {
      entity: "alert" as const,
      organizationId: row.organization_id,
      propertyId: alert.row.property_id,
    };
    // why: rules and roles change while a message waits out quiet hours; only someone who may read the alert now
    // hears of it
    if (!can(actor, "read", resource)) {
      return `The recipient may no longer read alerts at ${alert.propertyName ?? context.organizationName}.`;
    }
  }
  if (alert.row.status === "resolved" && Number(row.attempts) === 1) {
    return SKIP_REASONS.resolved;
  }
  return null;
}

/** Sends the e-mail or text message of a group of rows to one address, after looking at each recipient again. */
async function deliverAlerts(pass: Pass, rows: readonly Row[]): Promise<void> {
  const { db } = pass.services;
  const [first] = rows;
  if (first === undefined) {
    return;
  }
  const org = first.organization_id;
  const alerts = await loadAlerts(
    db,
    org,
    rows.map((r) => r.alert_id).filter((id): id is string => id !== null),
  );
  const context: MessageContext = {
    organizationName: await organizationName(db, org),
    publicUrl: pass.services.config.publicUrl,
  };
  const recipients = new Recipients(db);
  const going: { row: Row; alert: LoadedAlert }[] = [];
  for (const row of rows) {
    const alert = row.alert_id === null ? undefined : alerts.get(row.alert_id);
    const why = await skipReason(recipients, row, alert, context);
    if (why !== null || alert === undefined) {
      await skip(pass, [row], why ?? "The alert no longer exists.");
    } else {
      going.push({ row, alert });
    }
  }
  if (going.length === 0) {
    return;
  }
  const place = (row: Row) => alerts.get(row.alert_id ?? "")?.row.property_id ?? null;
  const reason = first.reason;
  if (reason !== "opened" && reason !== "escalated") {
    await record(
      pass,
      going.map((g) => g.row),
      failure(`Alert messages to people tell of alerts opened or escalated, not "${reason}".`, true),
      place,
    );
    return;
  }
  const rules =
    reason === "escalated"
      ? await loadAlertRules(
          db,
          org,
          going.map((g) => g.alert.row.property_id),
        )
      : null;
  const told = going.map((g) =>
    messageAlert(
      g.alert,
      rules?.ruleFor(g.alert.row.kind as AlertKind, g.alert.row.property_id).escalateAfterMinutes ?? null,
    ),
  );
  const outcome =
    first.channel === "email"
      ? await sendEmail(pass, first.target, alertEmail(told, reason, context))
      : await sendSms(pass, first.target, alertSms(told, reason, context));
  await record(
    pass,
    going.map((g) => g.row),
    outcome,
    place,
  );
}

/** The daily digest a row stands for (its payload, as the scheduler queued it). */
interface DigestPayload {
  userId: string;
  date: string;
  since: string;
  timeZone: string;
}

function parseDigestPayload(payload: string | null): DigestPayload | null {
  if (payload === null) {
    return null;
  }
  const value = JSON.parse(payload) as Partial<Record<keyof DigestPayload, unknown>>;
  const { userId, date, since, timeZone } = value;
  if (
    typeof userId !== "string" ||
    typeof date !== "string" ||
    typeof since !== "string" ||
    typeof timeZone !== "string"
  ) {
    return null;
  }
  return { userId, date, since, timeZone };
}

/**
 * Writes and sends a user's digest: the alerts opened since the payload's `since` and those still not resolved,
 * where the user may read alerts now, at or above their minimum severity, grouped by property.
 */
async function deliverDigest(pass: Pass, row: Row): Promise<void> {
  const { db } = pass.services;
  const payload = parseDigestPayload(row.payload);
  if (payload === null) {
    await record(pass, [row], failure("The digest's payload is not one the scheduler writes.", true), () => null);
    return;
  }
  const actor = await loadActor(db, row.user_id ?? payload.userId, null);
  if (actor === null || actor.organizationId !== row.organization_id) {
    await skip(pass, [row], SKIP_REASONS.inactive);
    return;
  }
  const context: MessageContext = {
    organizationName: await organizationName(db, row.organization_id),
    publicUrl: pass.services.config.publicUrl,
  };
  const digest = await digestFor(db, actor, payload);
  if (digestIsEmpty(digest)) {
    await skip(pass, [row], SKIP_REASONS.nothing);
    return;
  }
  await record(pass, [row], await sendEmail(pass, row.target, digestEmail(digest, context)), () => null);
}

/** What a user's digest covers, read now. */
async function digestFor(db: Executor, actor: AuthenticatedActor, payload: DigestPayload): Promise<DigestInput> {
  const empty: DigestInput = { date: payload.date, since: payload.since, timeZone: payload.timeZone, groups: [] };
  const reach = propertiesWhere(actor, "read", "alert");
  if (reach !== "all" && reach.length === 0) {
    return empty;
  }
  const preference = await db
    .selectFrom("notification_preferences")
    .select("min_severity")
    .where("organization_id", "=", actor.organizationId)
    .where("user_id", "=", actor.userId)
    .executeTakeFirst();
  const severities = ALERT_SEVERITIES.filter((s) => atLeast(s, preference?.min_severity ?? "info"));
  // why: as the alerts list scopes it — "all" (an organization role) also covers the organization's own alerts
  const scoped = () => {
    const q = db
      .selectFrom("alerts")
      .where("alerts.organization_id", "=", actor.organizationId)
      .where("alerts.severity", "in", severities)
      .where((eb) => eb.or([eb("alerts.opened_at", ">=", payload.since), eb("alerts.status", "<>", "resolved")]));
    return reach === "all" ? q : q.where("alerts.property_id", "in", reach);
  };
  const counted = await scoped()
    .select(["alerts.property_id", "alerts.severity", (eb) => eb.fn.countAll<string | number>().as("n")])
    .groupBy(["alerts.property_id", "alerts.severity"])
    .execute();
  if (counted.length === 0) {
    return empty;
  }
  const listed = await scoped()
    .leftJoin("properties", "properties.id", "alerts.property_id")
    .selectAll("alerts")
    .select(["properties.name as property_name", "properties.time_zone as property_zone"])
    .orderBy("alerts.opened_at", "desc")
    .orderBy("alerts.id", "desc")
    .limit(PAGE * 5)
    .execute();
  const groups = new Map<string, DigestGroup>();
  const zero = (): SeverityCounts => ({ info: 0, warning: 0, critical: 0 });
  for (const c of counted) {
    const key = c.property_id ?? "";
    const group = groups.get(key) ?? { propertyName: null, counts: zero(), alerts: [] };
    group.counts[c.severity as AlertSeverity] += Number(c.n);
    groups.set(key, group);
  }
  const rank = (s: string) => ALERT_SEVERITIES.indexOf(s as AlertSeverity);
  const sorted = [...listed].sort((a, b) => rank(b.severity) - rank(a.severity));
  for (const { property_name, property_zone, ...row } of sorted) {
    const group = groups.get(row.property_id ?? "");
    if (group === undefined) {
      continue;
    }
    group.propertyName = property_name ?? null;
    if (group.alerts.length < DIGEST_LISTED) {
      group.alerts.push(
        messageAlert({ row, propertyName: property_name ?? null, timeZone: property_zone ?? "UTC" }, null),
      );
    }
  }
  // why: a group none of whose alerts made the first rows read still needs its name
  const unnamed = [...groups.entries()].filter(([id, g]) => id !== "" && g.propertyName === null).map(([id]) => id);
  if (unnamed.length > 0) {
    for (const p of await db
      .selectFrom("properties")
      .select(["id", "name"])
      .where("organization_id", "=", actor.organizationId)
      .where("id", "in", unnamed)
      .execute()) {
      const group = groups.get(p.id);
      if (group) {
        group.propertyName = p.name;
      }
    }
  }
  // the organization's own alerts first, then the properties by name
  const ordered = [...groups.entries()]
    .sort(([a, ga], [b, gb]) =>
      a === "" ? -1 : b === "" ? 1 : (ga.propertyName ?? "").localeCompare(gb.propertyName ?? ""),
    )
    .map(([, g]) => g);
  return { ...empty, groups: ordered };
}

/** Sends one webhook delivery: its body as queued, signed with the endpoint's secret now. */
async function deliverWebhook(pass: Pass, row: Row): Promise<void> {
  const { db } = pass.services;
  const endpoint =
    row.endpoint_id === null
      ? undefined
      : await db
          .selectFrom("webhook_endpoints")
          .select(["secret", "status", "property_id"])
          .where("organization_id", "=", row.organization_id)
          .where("id", "=", row.endpoint_id)
          .executeTakeFirst();
  const alertPlace =
    row.alert_id === null
      ? null
      : ((
          await db
            .selectFrom("alerts")
            .select("property_id")
            .where("organization_id", "=", row.organization_id)
            .where("id", "=", row.alert_id)
            .executeTakeFirst()
        )?.property_id ?? null);
  const place = () => (row.alert_id === null ? (endpoint?.property_id ?? null) : alertPlace);
  if (endpoint === undefined) {
    await record(pass, [row], failure("The webhook endpoint no longer exists.", true), place);
    return;
  }
  if (endpoint.status !== "active") {
    await skip(pass, [row], SKIP_REASONS.disabled);
    return;
  }
  const stored = row.payload === null ? null : (JSON.parse(row.payload) as WebhookBody);
  if (stored === null) {
    await record(pass, [row], failure("The delivery has no body to send.", true), place);
    return;
  }
  // why: the body is queued where no configuration is at hand; the dashboard link is the one part added on sending,
  // from the same setting every time, so every retry still sends the same bytes
  const body: WebhookBody =
    stored.alert && stored.alert.url === null
      ? { ...stored, alert: { ...stored.alert, url: alertLink(pass.services.config.publicUrl, stored.alert.id) } }
      : stored;
  const result = await postWebhook({
    url: row.target,
    secret: endpoint.secret,
    event: body.event,
    deliveryId: row.id,
    payload: body,
    now: pass.services.now(),
  });
  const outcome: Outcome = result.ok
    ? {
        ok: true,
        providerId: result.providerId,
        status: result.status,
        durationMs: result.durationMs,
        excerpt: result.responseExcerpt,
      }
    : {
        ok: false,
        permanent: result.permanent,
        status: result.status,
        error: result.error,
        durationMs: result.durationMs,
        excerpt: result.responseExcerpt,
      };
  await record(pass, [row], outcome, place);
}

function failure(error: string, permanent: boolean): Outcome {
  return { ok: false, permanent, status: null, error, durationMs: 0, excerpt: null };
}

/** The SMTP reply code at the start of a server's answer ("250 OK …" → 250), or null. */
function smtpCode(response: unknown): number | null {
  const match = typeof response === "string" ? /^(\d{3})\b/.exec(response) : null;
  return match ? Number(match[1]) : null;
}

async function sendEmail(pass: Pass, to: string, message: EmailText): Promise<Outcome> {
  const transport = pass.transport;
  if (transport === null) {
    return failure(NO_SMTP_MESSAGE, false);
  }
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const info = await transport.sendMail({
      from: pass.services.config.mail.from,
      to,
      subject: message.subject,
      text: message.text,
    });
    if (info.accepted.length === 0) {
      return {
        ok: false,
        permanent: true,
        status: smtpCode(info.response),
        error: `The SMTP server refused ${to}: ${String(info.response)}`,
        durationMs: elapsed(),
        excerpt: null,
      };
    }
    return {
      ok: true,
      providerId: info.messageId,
      status: smtpCode(info.response),
      durationMs: elapsed(),
      excerpt: null,
    };
  } catch (error) {
    const code = typeof error === "object" && error !== null && "responseCode" in error ? error.responseCode : null;
    const status = typeof code === "number" ? code : null;
    const envelope = typeof error === "object" && error !== null && "code" in error && error.code === "EENVELOPE";
    return {
      ok: false,
      // why: a 5xx refusal of the recipient (no such mailbox) fails the same way every time; anything else — a 4xx, a
      // server down, a time-out — may pass
      permanent: envelope && status !== null && status >= 500,
      status,
      error: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
      durationMs: elapsed(),
      excerpt: null,
    };
  }
}

async function sendSms(pass: Pass, to: string, body: string): Promise<Outcome> {
  const sms = pass.sms;
  if (sms === null) {
    return failure(NO_SMS_PROVIDER, false);
  }
  const started = performance.now();
  const result = await sms.send({ to, body });
  const durationMs = Math.round(performance.now() - started);
  return result.ok
    ? { ok: true, providerId: result.providerId, status: result.status, durationMs, excerpt: result.detail }
    : { ok: false, permanent: result.permanent, status: result.status, error: result.error, durationMs, excerpt: null };
}

/** When a row tries again after `attempts` failed attempts, or null to give up. */
function nextAttempt(row: Row, attempts: number, now: Date): Date | null {
  if (row.channel === "webhook") {
    return nextWebhookAttempt(attempts, now);
  }
  const wait = ALERT_RETRY_MINUTES[attempts - 1];
  return attempts >= ALERT_MAX_ATTEMPTS || wait === undefined ? null : new Date(now.getTime() + wait * MINUTE);
}

/** Who a row went to, as an event may say it: a webhook by its endpoint and origin only (a URL may carry a token). */
function recipientOf(row: Row): Record<string, unknown> {
  if (row.channel !== "webhook") {
    return { target: row.target, userId: row.user_id };
  }
  let origin: string | null = null;
  try {
    origin = new URL(row.target).origin;
  } catch {
    origin = null;
  }
  return { endpointId: row.endpoint_id, origin };
}

/**
 * Records an attempt on the rows it carried: `sent` with the provider's id, or a failure — pending again with the
 * next attempt's time, or `failed` (permanent, or the last attempt) with one `alert_delivery.failed` event each.
 * @param place the property a row's event belongs to.
 */
async function record(
  pass: Pass,
  rows: readonly Row[],
  outcome: Outcome,
  place: (row: Row) => string | null,
): Promise<void> {
  const { services, holder } = pass;
  const now = services.now();
  const iso = now.toISOString();
  if (outcome.ok) {
    await services.db
      .updateTable("alert_deliveries")
      .set({
        status: "sent",
        sent_at: iso,
        provider_id: outcome.providerId,
        response_status: outcome.status,
        response_excerpt: outcome.excerpt,
        duration_ms: outcome.durationMs,
        last_error: null,
        next_attempt_at: null,
        claimed_until: null,
        updated_at: iso,
      })
      .where(
        "id",
        "in",
        rows.map((r) => r.id),
      )
      .where("claimed_by", "=", holder)
      .execute();
    pass.result.sent += rows.length;
    pass.result.messages += 1;
    return;
  }
  await inTransaction(services, async (tx) => {
    for (const row of rows) {
      const attempts = Number(row.attempts);
      const next = outcome.permanent ? null : nextAttempt(row, attempts, now);
      await tx
        .updateTable("alert_deliveries")
        .set({
          status: next === null ? "failed" : "pending",
          last_error: outcome.error.slice(0, 1000),
          response_status: outcome.status,
          response_excerpt: outcome.excerpt,
          duration_ms: outcome.durationMs,
          next_attempt_at: next === null ? null : next.toISOString(),
          claimed_until: null,
          updated_at: iso,
        })
        .where("id", "=", row.id)
        .where("claimed_by", "=", holder)
        .execute();
      if (next === null) {
        pass.result.failed += 1;
        await recordEvent(tx, {
          organizationId: row.organization_id,
          propertyId: place(row),
          action: "alert_delivery.failed",
          entityType: "alertDelivery",
          entityId: row.id,
          actor: ALERTS_ACTOR,
          after: {
            alertId: row.alert_id,
            channel: row.channel,
            reason: row.reason,
            ...recipientOf(row),
            attempts,
            error: outcome.error.slice(0, 500),
            responseStatus: outcome.status,
          },
          source: "system",
          now,
        });
      }
    }
  });
}

/** Marks claimed rows as not sent, for good, with the reason. */
async function skip(pass: Pass, rows: readonly Row[], why: string): Promise<void> {
  const iso = pass.services.now().toISOString();
  await pass.services.db
    .updateTable("alert_deliveries")
    .set({ status: "skipped", last_error: why, next_attempt_at: null, claimed_until: null, updated_at: iso })
    .where(
      "id",
      "in",
      rows.map((r) => r.id),
    )
    .where("claimed_by", "=", pass.holder)
    .execute();
  pass.result.skipped += rows.length;
}
