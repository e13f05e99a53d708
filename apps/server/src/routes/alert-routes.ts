/**
 * Alerts: the list and one alert (`GET /api/v1/alerts?status=open`), acknowledging and resolving them, the rules that
 * raise them, webhook endpoints with their delivery log, retrying a message given up on, and each user's notification
 * preferences. An alert, rule or endpoint the actor may not read answers 404.
 */
import {
  Alert,
  AlertActionRequest,
  AlertDelivery,
  AlertKindParams,
  AlertListQuery,
  AlertPage,
  AlertRuleList,
  AlertRuleQuery,
  AlertRuleUpdate,
  AlertRuleView,
  NotificationPreferences,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointUpdate,
} from "@keyward/contracts/alerts";
import { ErrorBody, IdParams } from "@keyward/contracts/common";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { acknowledgeAlert } from "../alerts/acknowledge-alert.ts";
import { listAlertRules } from "../alerts/list-alert-rules.ts";
import { listAlerts } from "../alerts/list-alerts.ts";
import { loadAlert } from "../alerts/load-alert.ts";
import { readNotificationPreferences, writeNotificationPreferences } from "../alerts/notification-preferences.ts";
import { presentAlert } from "../alerts/present-alert.ts";
import { resolveAlert } from "../alerts/resolve-alert.ts";
import { retryAlertDelivery } from "../alerts/retry-alert-delivery.ts";
import { updateAlertRule } from "../alerts/update-alert-rule.ts";
import {
  createWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  pingWebhookEndpoint,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "../alerts/webhook-endpoints.ts";
import { actorOf, inTransaction } from "../http/pipeline.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const WebhookEndpointList = z.object({ items: z.array(WebhookEndpoint) }).meta({ id: "WebhookEndpointList" });
const WebhookDelivery = WebhookDeliveryPage.shape.items.element;
const WebhookDeliveryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});

export function registerAlertRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/api/v1/alerts",
    {
      schema: {
        tags: ["Alerts"],
        summary:
          "Alerts you may read, newest first: cause, severity, times and deliveries; `counts` of open and acknowledged",
        querystring: AlertListQuery,
        response: { 200: AlertPage, ...errors },
      },
    },
    async (req) => listAlerts(services.db, actorOf(req), req.query),
  );

  r.get(
    "/api/v1/alerts/:id",
    {
      schema: {
        tags: ["Alerts"],
        summary: "One alert, with its deliveries",
        params: IdParams,
        response: { 200: Alert, ...errors },
      },
    },
    async (req) => presentAlert(services.db, await loadAlert(services.db, actorOf(req), "read", req.params.id)),
  );

  r.post(
    "/api/v1/alerts/:id/acknowledge",
    {
      schema: {
        tags: ["Alerts"],
        summary: "Acknowledge an open alert, with a note; it stops escalating (an overdue key's escalation stands)",
        params: IdParams,
        body: AlertActionRequest,
        response: { 200: Alert, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) => acknowledgeAlert(tx, actor, req.params.id, req.body.note, services.now()));
    },
  );

  r.post(
    "/api/v1/alerts/:id/resolve",
    {
      schema: {
        tags: ["Alerts"],
        summary: "Resolve an open or acknowledged alert, with a note",
        params: IdParams,
        body: AlertActionRequest,
        response: { 200: Alert, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) => resolveAlert(tx, actor, req.params.id, req.body.note, services.now()));
    },
  );

  r.get(
    "/api/v1/alert-rules",
    {
      schema: {
        tags: ["Alert rules"],
        summary: "A property's alert rules (omit propertyId for the organization's own), each as it applies",
        querystring: AlertRuleQuery,
        response: { 200: AlertRuleList, ...errors },
      },
    },
    async (req) => listAlertRules(services.db, actorOf(req), req.query.propertyId),
  );

  r.put(
    "/api/v1/alert-rules/:kind",
    {
      schema: {
        tags: ["Alert rules"],
        summary: "Change one alert rule of a property (or the organization's); `reset: true` returns to the defaults",
        params: AlertKindParams,
        querystring: AlertRuleQuery,
        body: AlertRuleUpdate,
        response: { 200: AlertRuleView, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) =>
        updateAlertRule(tx, actor, req.params.kind, req.query.propertyId, req.body, services.now()),
      );
    },
  );

  r.get(
    "/api/v1/webhooks",
    {
      schema: {
        tags: ["Webhooks"],
        summary: "The webhook endpoints you may see (never their secrets)",
        response: { 200: WebhookEndpointList, ...errors },
      },
    },
    async (req) => listWebhookEndpoints(services.db, actorOf(req)),
  );

  r.post(
    "/api/v1/webhooks",
    {
      schema: {
        tags: ["Webhooks"],
        summary: "Register a webhook endpoint; the answer holds its signing secret, shown this once",
        body: WebhookEndpointCreate,
        response: { 201: WebhookEndpoint, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const created = await inTransaction(services, (tx) => createWebhookEndpoint(tx, actor, req.body, services.now()));
      return reply.code(201).send(created);
    },
  );

  r.patch(
    "/api/v1/webhooks/:id",
    {
      schema: {
        tags: ["Webhooks"],
        summary: "Change a webhook endpoint; `status` disables or enables it",
        params: IdParams,
        body: WebhookEndpointUpdate,
        response: { 200: WebhookEndpoint, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) => updateWebhookEndpoint(tx, actor, req.params.id, req.body, services.now()));
    },
  );

  r.post(
    "/api/v1/webhooks/:id/rotate-secret",
    {
      schema: {
        tags: ["Webhooks"],
        summary: "Give an endpoint a new signing secret, effective at once; the answer holds it, shown this once",
        params: IdParams,
        response: { 200: WebhookEndpoint, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) => rotateWebhookSecret(tx, actor, req.params.id, services.now()));
    },
  );

  r.post(
    "/api/v1/webhooks/:id/ping",
    {
      schema: {
        tags: ["Webhooks"],
        summary: "Queue a test message (`ping`) to an endpoint; its result shows in the endpoint's deliveries",
        params: IdParams,
        response: { 201: WebhookDelivery, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const queued = await inTransaction(services, (tx) =>
        pingWebhookEndpoint(tx, actor, req.params.id, services.now()),
      );
      return reply.code(201).send(queued);
    },
  );

  r.get(
    "/api/v1/webhooks/:id/deliveries",
    {
      schema: {
        tags: ["Webhooks"],
        summary: "An endpoint's deliveries, newest first: status, attempts, response status and excerpt, duration",
        params: IdParams,
        querystring: WebhookDeliveryQuery,
        response: { 200: WebhookDeliveryPage, ...errors },
      },
    },
    async (req) => listWebhookDeliveries(services.db, actorOf(req), req.params.id, req.query),
  );

  r.post(
    "/api/v1/alert-deliveries/:id/retry",
    {
      schema: {
        tags: ["Alerts"],
        summary: "Send a failed alert message or webhook call again now",
        params: IdParams,
        response: { 200: AlertDelivery, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) => retryAlertDelivery(tx, actor, req.params.id, services.now()));
    },
  );

  r.get(
    "/api/v1/me/notification-preferences",
    {
      schema: {
        tags: ["Notification preferences"],
        summary: "How you are told of alerts: channels, phone, minimum severity, daily digest",
        response: { 200: NotificationPreferences, ...errors },
      },
    },
    async (req) => readNotificationPreferences(services.db, actorOf(req)),
  );

  r.put(
    "/api/v1/me/notification-preferences",
    {
      schema: {
        tags: ["Notification preferences"],
        summary: "Replace your notification preferences (text messages need a phone number)",
        body: NotificationPreferences,
        response: { 200: NotificationPreferences, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) => writeNotificationPreferences(tx, actor, req.body, services.now()));
    },
  );
}
