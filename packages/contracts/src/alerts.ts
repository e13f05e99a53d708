/**
 * Alerts over the API: the alerts themselves (`GET /api/v1/alerts?status=open`), acknowledging and resolving them, the
 * rules that raise them per property, webhook endpoints with their delivery log, and each user's notification
 * preferences.
 */
import { ALERT_CHANNELS, ALERT_KINDS, ALERT_SEVERITIES, ALERT_STATUSES, type AlertKind } from "@keyward/domain/alerts";
import { ROLES } from "@keyward/domain/permissions";
import { z } from "zod";
import { Id, Timestamp } from "./common.ts";

/** Persisted delivery states: waiting (or waiting out quiet hours), being sent, sent, given up, or not sent at all. */
export const ALERT_DELIVERY_STATUSES = ["pending", "sending", "sent", "failed", "skipped"] as const;
export type AlertDeliveryStatus = (typeof ALERT_DELIVERY_STATUSES)[number];

/** Delivery channels as recorded (in-app alerts need no delivery: the dashboard reads the alert). */
export const DELIVERY_CHANNELS = ["email", "sms", "webhook"] as const;

/** What a delivery tells. */
export const DELIVERY_REASONS = ["opened", "escalated", "acknowledged", "resolved", "digest", "test"] as const;

/** Webhook events (the `Keyward-Event` header and the body's `event`). */
export const WEBHOOK_EVENTS = [
  "alert.opened",
  "alert.escalated",
  "alert.acknowledged",
  "alert.resolved",
  "ping",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "use a time between 00:00 and 23:59");

export const AlertDelivery = z
  .object({
    id: Id,
    reason: z.enum(DELIVERY_REASONS),
    channel: z.enum(DELIVERY_CHANNELS),
    /** The address, phone number or URL. */
    target: z.string(),
    userId: Id.nullable(),
    endpointId: Id.nullable(),
    status: z.enum(ALERT_DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: Timestamp.nullable(),
    lastError: z.string().nullable(),
    responseStatus: z.number().int().nullable(),
    sentAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "AlertDelivery" });
export type AlertDelivery = z.infer<typeof AlertDelivery>;

export const Alert = z
  .object({
    id: Id,
    propertyId: Id.nullable(),
    propertyName: z.string().nullable(),
    /** The cause: which rule raised it. */
    kind: z.enum(ALERT_KINDS),
    severity: z.enum(ALERT_SEVERITIES),
    status: z.enum(ALERT_STATUSES),
    title: z.string(),
    /** A sentence a manager can act on: who, which key or cabinet, when (in the property's zone). */
    summary: z.string(),
    subject: z.object({ type: z.string(), id: z.string() }),
    cabinetId: Id.nullable(),
    keyId: Id.nullable(),
    personId: Id.nullable(),
    checkoutId: Id.nullable(),
    details: z.record(z.string(), z.unknown()),
    /** How often the cause recurred while the alert was open. */
    occurrences: z.number().int(),
    openedAt: Timestamp,
    lastSeenAt: Timestamp,
    acknowledged: z
      .object({ at: Timestamp, by: z.string().nullable(), byName: z.string().nullable(), note: z.string().nullable() })
      .nullable(),
    resolved: z
      .object({
        at: Timestamp,
        by: z.string().nullable(),
        byName: z.string().nullable(),
        note: z.string().nullable(),
        /** `manual`: someone resolved it; `cleared`: the condition ended (the key came back, the cabinet called in). */
        how: z.enum(["manual", "cleared"]),
      })
      .nullable(),
    escalationLevel: z.number().int(),
    escalateAt: Timestamp.nullable(),
    escalatedAt: Timestamp.nullable(),
    /** The property's time zone (or UTC for the organization's own alerts), for showing the times. */
    timeZone: z.string(),
    deliveries: z.array(AlertDelivery),
  })
  .meta({ id: "Alert" });
export type Alert = z.infer<typeof Alert>;

export const AlertListQuery = z.object({
  /** `active`: open or acknowledged (not yet resolved). */
  status: z.enum([...ALERT_STATUSES, "active", "all"]).default("active"),
  propertyId: Id.optional(),
  kind: z.enum(ALERT_KINDS).optional(),
  severity: z.enum(ALERT_SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type AlertListQuery = z.infer<typeof AlertListQuery>;

export const AlertPage = z
  .object({
    items: z.array(Alert),
    nextCursor: z.string().nullable(),
    /** Alerts not yet resolved in the actor's reach, by status (the bell's count is `open`). */
    counts: z.object({ open: z.number().int(), acknowledged: z.number().int() }),
  })
  .meta({ id: "AlertPage" });
export type AlertPage = z.infer<typeof AlertPage>;

/** `POST /api/v1/alerts/:id/acknowledge` and `/resolve`. */
export const AlertActionRequest = z.object({
  note: z
    .string()
    .trim()
    .max(1000)
    .optional()
    .describe("What was found or done, kept with the alert and in the history"),
});

const RuleFields = {
  enabled: z.boolean(),
  severity: z.enum(ALERT_SEVERITIES),
  threshold: z.number().int().nullable(),
  recipientRoles: z.array(z.enum(ROLES)).max(ROLES.length),
  recipientUserIds: z.array(Id).max(100),
  notifyHolder: z.boolean(),
  channels: z.array(z.enum(ALERT_CHANNELS)).max(ALERT_CHANNELS.length),
  quietHours: z.object({ start: HhMm, end: HhMm }).nullable(),
  escalateAfterMinutes: z.number().int().nullable(),
  escalationRoles: z.array(z.enum(ROLES)).max(ROLES.length),
  escalationUserIds: z.array(Id).max(100),
};

export const AlertRuleView = z
  .object({
    kind: z.enum(ALERT_KINDS),
    ...RuleFields,
    title: z.string(),
    description: z.string(),
    scope: z.enum(["property", "organization"]),
    /** What the threshold counts, or null for kinds without one. */
    thresholdSpec: z
      .object({
        unit: z.enum(["minutes", "count"]),
        min: z.number(),
        max: z.number(),
        default: z.number(),
        label: z.string(),
      })
      .nullable(),
    /** False while the rule is the kind's defaults (nothing stored). */
    customized: z.boolean(),
    updatedAt: Timestamp.nullable(),
  })
  .meta({ id: "AlertRule" });
export type AlertRuleView = z.infer<typeof AlertRuleView>;

export const AlertRuleList = z
  .object({ propertyId: Id.nullable(), timeZone: z.string(), rules: z.array(AlertRuleView) })
  .meta({ id: "AlertRuleList" });
export type AlertRuleList = z.infer<typeof AlertRuleList>;

/** `GET /api/v1/alert-rules?propertyId=` (omit for the organization's own rules). */
export const AlertRuleQuery = z.object({ propertyId: Id.optional() });

/** `PUT /api/v1/alert-rules/:kind?propertyId=`: the fields to set; `reset: true` goes back to the defaults. */
export const AlertRuleUpdate = z
  .object(RuleFields)
  .partial()
  .extend({ reset: z.boolean().optional().describe("Back to the kind's defaults") })
  .strict();
export type AlertRuleUpdate = z.infer<typeof AlertRuleUpdate>;

export const AlertKindParams = z.object({ kind: z.enum(ALERT_KINDS) });

export const WebhookEndpoint = z
  .object({
    id: Id,
    propertyId: Id.nullable(),
    url: z.string(),
    description: z.string().nullable(),
    /** Alert kinds sent; empty: all. */
    kinds: z.array(z.enum(ALERT_KINDS)),
    minSeverity: z.enum(ALERT_SEVERITIES),
    status: z.enum(["active", "disabled"]),
    /** Only in the answer that creates the endpoint or rotates its secret: shown once. */
    secret: z.string().optional(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "WebhookEndpoint" });
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

export const WebhookEndpointCreate = z.object({
  url: z.url().max(2000),
  description: z.string().trim().max(200).optional(),
  propertyId: Id.nullable().optional(),
  kinds: z.array(z.enum(ALERT_KINDS)).max(ALERT_KINDS.length).default([]),
  minSeverity: z.enum(ALERT_SEVERITIES).default("info"),
});
export const WebhookEndpointUpdate = z.object({
  url: z.url().max(2000).optional(),
  description: z.string().trim().max(200).nullable().optional(),
  kinds: z.array(z.enum(ALERT_KINDS)).max(ALERT_KINDS.length).optional(),
  minSeverity: z.enum(ALERT_SEVERITIES).optional(),
  status: z.enum(["active", "disabled"]).optional(),
});

export const WebhookDeliveryPage = z
  .object({
    items: z.array(
      AlertDelivery.extend({
        alertId: Id.nullable(),
        event: z.string().nullable(),
        durationMs: z.number().int().nullable(),
        responseExcerpt: z.string().nullable(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "WebhookDeliveryPage" });

export const NotificationPreferences = z
  .object({
    email: z.boolean(),
    sms: z.boolean(),
    /** E.164, e.g. +13125550123; needed for text messages. */
    phone: z
      .string()
      .regex(/^\+[1-9]\d{7,14}$/, "use the international format, e.g. +13125550123")
      .nullable(),
    /** Nothing below this severity is sent to you (the dashboard still shows it). */
    minSeverity: z.enum(ALERT_SEVERITIES),
    /** A daily e-mail listing the alerts of the last 24 hours and those still open. */
    digest: z.boolean(),
    digestTime: HhMm,
    timeZone: z.string().min(1).max(64),
  })
  .meta({ id: "NotificationPreferences" });
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

/** Preferences a user has before choosing any. */
export function defaultPreferences(timeZone: string): NotificationPreferences {
  return { email: true, sms: false, phone: null, minSeverity: "info", digest: false, digestTime: "07:00", timeZone };
}

/** The JSON body of every webhook request. */
export interface WebhookBody {
  id: string;
  event: WebhookEvent;
  createdAt: string;
  organizationId: string;
  alert: {
    id: string;
    kind: AlertKind;
    severity: string;
    status: string;
    title: string;
    summary: string;
    propertyId: string | null;
    openedAt: string;
    acknowledgedAt: string | null;
    resolvedAt: string | null;
    url: string | null;
  } | null;
}
