/**
 * Webhook endpoints: registering a URL that receives alerts as signed JSON, changing it, rotating its secret, sending
 * it a test message, and reading its delivery log. The secret leaves the server only in the answer that creates or
 * rotates it, and never enters an event.
 */
import { randomUUID } from "node:crypto";
import type {
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointUpdate,
} from "@keyward/contracts/alerts";
import type { Executor } from "@keyward/db/connect";
import type { AlertDeliveryTable, WebhookEndpointTable } from "@keyward/db/schema";
import { type Action, can, propertiesWhere } from "@keyward/domain/permissions";
import type { z } from "zod";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { conflict, forbidden, invalidInput, notFound } from "../errors.ts";
import { diff, recordEvent } from "../events.ts";
import { authorize } from "../http/pipeline.ts";
import { generateWebhookSecret, validateWebhookUrl } from "../notify/webhook.ts";
import { decodeCursor, encodeCursor } from "../resources/records.ts";
import { presentAlertDelivery } from "./present-alert.ts";
import { queueWebhookPing } from "./queue-deliveries.ts";

type CreateInput = z.output<typeof WebhookEndpointCreate>;
type UpdateInput = z.output<typeof WebhookEndpointUpdate>;
type DeliveryPage = z.infer<typeof WebhookDeliveryPage>;

/** What leaves the server about an endpoint; `secret` only when it was just made. */
export function presentWebhookEndpoint(row: WebhookEndpointTable, secret?: string): WebhookEndpoint {
  return {
    id: row.id,
    propertyId: row.property_id,
    url: row.url,
    description: row.description,
    kinds: JSON.parse(row.kinds) as WebhookEndpoint["kinds"],
    minSeverity: row.min_severity as WebhookEndpoint["minSeverity"],
    status: row.status as WebhookEndpoint["status"],
    ...(secret === undefined ? {} : { secret }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** An endpoint as its events record it: everything shown, never the secret. */
function recorded(row: WebhookEndpointTable): Record<string, unknown> {
  const { createdAt: _created, updatedAt: _updated, ...shown } = presentWebhookEndpoint(row);
  return shown;
}

/**
 * One endpoint of the actor's organization, when they may perform `action` on it.
 * @throws not_found for another organization's endpoint or one the actor may not read; forbidden when they may read
 *   it but not act on it.
 */
export async function loadWebhookEndpoint(
  db: Executor,
  actor: AuthenticatedActor,
  action: Action,
  id: string,
): Promise<WebhookEndpointTable> {
  const row = await db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("organization_id", "=", actor.organizationId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) {
    throw notFound("webhook endpoint");
  }
  authorize(
    actor,
    action,
    { entity: "webhookEndpoint", organizationId: row.organization_id, propertyId: row.property_id },
    "webhook endpoint",
  );
  return row;
}

/**
 * The endpoints the actor may read, by URL.
 * @throws forbidden when they may read webhook endpoints nowhere.
 */
export async function listWebhookEndpoints(
  db: Executor,
  actor: AuthenticatedActor,
): Promise<{ items: WebhookEndpoint[] }> {
  const reach = propertiesWhere(actor, "read", "webhookEndpoint");
  if (reach !== "all" && reach.length === 0) {
    throw forbidden("see webhook endpoints");
  }
  let q = db.selectFrom("webhook_endpoints").selectAll().where("organization_id", "=", actor.organizationId);
  if (reach !== "all") {
    q = q.where("property_id", "in", reach);
  }
  const rows = await q.orderBy("url").orderBy("id").execute();
  return { items: rows.map((row) => presentWebhookEndpoint(row)) };
}

function checkUrl(url: string): void {
  const problem = validateWebhookUrl(url);
  if (problem) {
    throw invalidInput("url", problem);
  }
}

/**
 * Registers an endpoint for every alert of the organization or (with `propertyId`) of one property, and writes
 * `webhook_endpoint.created`.
 * @returns the endpoint with its signing secret: the only time the secret is shown.
 * @throws invalid_input for a URL `validateWebhookUrl` refuses or a property not in the organization; not_found /
 *   forbidden when the actor may not register endpoints there.
 */
export async function createWebhookEndpoint(
  tx: Executor,
  actor: AuthenticatedActor,
  input: CreateInput,
  now: Date,
): Promise<WebhookEndpoint> {
  const organizationId = actor.organizationId;
  const propertyId = input.propertyId ?? null;
  checkUrl(input.url);
  if (propertyId !== null) {
    const property = await tx
      .selectFrom("properties")
      .select("id")
      .where("organization_id", "=", organizationId)
      .where("id", "=", propertyId)
      .executeTakeFirst();
    if (!property) {
      throw invalidInput("propertyId", "no property with that id exists in this organization");
    }
  }
  const resource = { entity: "webhookEndpoint" as const, organizationId, propertyId };
  if (!can(actor, "create", resource)) {
    // why: as for any record, a property the actor may not even read answers as if it did not exist
    if (propertyId === null || can(actor, "read", resource)) {
      throw forbidden("register webhook endpoints here");
    }
    throw notFound("property");
  }
  const iso = now.toISOString();
  const secret = generateWebhookSecret();
  const row: WebhookEndpointTable = {
    id: randomUUID(),
    organization_id: organizationId,
    property_id: propertyId,
    url: input.url,
    description: input.description || null,
    secret,
    kinds: JSON.stringify([...new Set(input.kinds)]),
    min_severity: input.minSeverity,
    status: "active",
    created_by: actor.userId,
    created_at: iso,
    updated_at: iso,
  };
  await tx.insertInto("webhook_endpoints").values(row).execute();
  await recordEvent(tx, {
    organizationId,
    propertyId,
    action: "webhook_endpoint.created",
    entityType: "webhookEndpoint",
    entityId: row.id,
    actor: snapshotOf(actor),
    after: recorded(row),
    now,
  });
  return presentWebhookEndpoint(row, secret);
}

/**
 * Changes an endpoint (URL, description, kinds, minimum severity, status) and writes the changed fields as
 * `webhook_endpoint.updated`. Its property stays the one it was registered for.
 * @throws as `loadWebhookEndpoint`; invalid_input for a URL `validateWebhookUrl` refuses.
 */
export async function updateWebhookEndpoint(
  tx: Executor,
  actor: AuthenticatedActor,
  id: string,
  input: UpdateInput,
  now: Date,
): Promise<WebhookEndpoint> {
  const current = await loadWebhookEndpoint(tx, actor, "update", id);
  if (input.url !== undefined) {
    checkUrl(input.url);
  }
  const next: WebhookEndpointTable = {
    ...current,
    url: input.url ?? current.url,
    description: input.description === undefined ? current.description : input.description || null,
    kinds: input.kinds === undefined ? current.kinds : JSON.stringify([...new Set(input.kinds)]),
    min_severity: input.minSeverity ?? current.min_severity,
    status: input.status ?? current.status,
    updated_at: now.toISOString(),
  };
  const change = diff(recorded(current), recorded(next));
  if (!change) {
    return presentWebhookEndpoint(current);
  }
  await tx
    .updateTable("webhook_endpoints")
    .set({
      url: next.url,
      description: next.description,
      kinds: next.kinds,
      min_severity: next.min_severity,
      status: next.status,
      updated_at: next.updated_at,
    })
    .where("organization_id", "=", current.organization_id)
    .where("id", "=", current.id)
    .execute();
  await recordEvent(tx, {
    organizationId: current.organization_id,
    propertyId: current.property_id,
    action: "webhook_endpoint.updated",
    entityType: "webhookEndpoint",
    entityId: current.id,
    actor: snapshotOf(actor),
    before: change.before,
    after: change.after,
    now,
  });
  return presentWebhookEndpoint(next);
}

/**
 * Gives an endpoint a new signing secret, at once: messages sent from now on, retries included, are signed with it.
 * Writes `webhook_endpoint.secret_rotated` (without either secret).
 * @returns the endpoint with its new secret: the only time it is shown.
 * @throws as `loadWebhookEndpoint`.
 */
export async function rotateWebhookSecret(
  tx: Executor,
  actor: AuthenticatedActor,
  id: string,
  now: Date,
): Promise<WebhookEndpoint> {
  const current = await loadWebhookEndpoint(tx, actor, "update", id);
  const secret = generateWebhookSecret();
  const iso = now.toISOString();
  await tx
    .updateTable("webhook_endpoints")
    .set({ secret, updated_at: iso })
    .where("organization_id", "=", current.organization_id)
    .where("id", "=", current.id)
    .execute();
  await recordEvent(tx, {
    organizationId: current.organization_id,
    propertyId: current.property_id,
    action: "webhook_endpoint.secret_rotated",
    entityType: "webhookEndpoint",
    entityId: current.id,
    actor: snapshotOf(actor),
    after: { url: current.url, rotatedAt: iso },
    now,
  });
  return presentWebhookEndpoint({ ...current, secret, updated_at: iso }, secret);
}

/**
 * Queues a test message (`ping`, delivery reason `test`) to an active endpoint; the delivery worker sends it like any
 * other, so its result shows in the endpoint's delivery log.
 * @returns the queued delivery.
 * @throws as `loadWebhookEndpoint`; conflict for a disabled endpoint (nothing is sent to it).
 */
export async function pingWebhookEndpoint(
  tx: Executor,
  actor: AuthenticatedActor,
  id: string,
  now: Date,
): Promise<DeliveryPage["items"][number]> {
  const endpoint = await loadWebhookEndpoint(tx, actor, "update", id);
  if (endpoint.status !== "active") {
    throw conflict("status", "This endpoint is disabled, so nothing is sent to it; enable it before testing it.");
  }
  const deliveryId = await queueWebhookPing(tx, endpoint, now);
  const row = await tx
    .selectFrom("alert_deliveries")
    .selectAll()
    .where("organization_id", "=", endpoint.organization_id)
    .where("id", "=", deliveryId)
    .executeTakeFirstOrThrow();
  return presentWebhookDelivery(row);
}

/** A webhook delivery as the endpoint's log shows it. */
function presentWebhookDelivery(row: AlertDeliveryTable): DeliveryPage["items"][number] {
  const payload = row.payload === null ? null : (JSON.parse(row.payload) as { event?: unknown });
  return {
    ...presentAlertDelivery(row),
    alertId: row.alert_id,
    event: typeof payload?.event === "string" ? payload.event : null,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    responseExcerpt: row.response_excerpt,
  };
}

/**
 * An endpoint's deliveries, newest first, a page at a time.
 * @throws as `loadWebhookEndpoint`; invalid_input for a cursor that is not this list's.
 */
export async function listWebhookDeliveries(
  db: Executor,
  actor: AuthenticatedActor,
  id: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<DeliveryPage> {
  const endpoint = await loadWebhookEndpoint(db, actor, "read", id);
  let q = db
    .selectFrom("alert_deliveries")
    .selectAll()
    .where("organization_id", "=", endpoint.organization_id)
    .where("endpoint_id", "=", endpoint.id);
  if (query.cursor) {
    const at = decodeCursor(query.cursor);
    if (!at) {
      throw invalidInput("cursor", "is not a cursor of this list; start again without it");
    }
    const [createdAt, lastId] = [String(at[0]), at[1]];
    q = q.where((eb) =>
      eb.or([eb("created_at", "<", createdAt), eb.and([eb("created_at", "=", createdAt), eb("id", "<", lastId)])]),
    );
  }
  const rows = await q
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(presentWebhookDelivery),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}
