/**
 * Alerts and their deliveries for API tests, written as rows: the tests of reading, acknowledging, resolving and
 * retrying need alerts in every state at chosen times, whatever the rules that would raise them say.
 */
import { randomUUID } from "node:crypto";
import type { Executor } from "@keyward/db/connect";
import type { AlertDeliveryTable, AlertTable } from "@keyward/db/schema";
import {
  ALERT_KIND_SPECS,
  type AlertKind,
  type AlertSeverity,
  type AlertStatus,
  causeKey,
} from "@keyward/domain/alerts";

export interface AlertInput {
  organizationId: string;
  /** Null: one of the organization's own alerts (the audit trail's kinds). */
  propertyId: string | null;
  kind?: AlertKind;
  status?: AlertStatus;
  severity?: AlertSeverity;
  openedAt?: string;
  escalateAt?: string | null;
  summary?: string;
}

/** One alert row; a fresh cause each time, so any number may be open at once. */
export async function insertAlert(db: Executor, input: AlertInput): Promise<AlertTable> {
  const kind = input.kind ?? (input.propertyId === null ? "audit_verification_failing" : "door_forced");
  const spec = ALERT_KIND_SPECS[kind];
  const status = input.status ?? "open";
  const openedAt = input.openedAt ?? "2026-06-01T14:00:00.000Z";
  const subjectId = randomUUID();
  const row: AlertTable = {
    id: randomUUID(),
    organization_id: input.organizationId,
    property_id: input.propertyId,
    kind,
    cause_key: causeKey(kind, subjectId),
    severity: input.severity ?? spec.severity,
    status,
    subject_type: "cabinet",
    subject_id: subjectId,
    cabinet_id: null,
    key_id: null,
    person_id: null,
    checkout_id: null,
    title: spec.title,
    summary: input.summary ?? `${spec.title} (test)`,
    details: JSON.stringify({ source: "test" }),
    first_event_id: null,
    last_event_id: null,
    occurrences: 1,
    opened_at: openedAt,
    last_seen_at: openedAt,
    acknowledged_at: status === "open" ? null : openedAt,
    acknowledged_by: null,
    acknowledged_by_name: status === "open" ? null : "Someone",
    acknowledgement_note: null,
    resolved_at: status === "resolved" ? openedAt : null,
    resolved_by: null,
    resolved_by_name: status === "resolved" ? "Someone" : null,
    resolution_note: null,
    resolution: status === "resolved" ? "manual" : null,
    escalation_level: 0,
    escalate_at: input.escalateAt === undefined ? null : input.escalateAt,
    escalated_at: null,
    updated_at: openedAt,
  };
  await db.insertInto("alerts").values(row).execute();
  return row;
}

export interface DeliveryInput {
  organizationId: string;
  alertId: string | null;
  /** A webhook endpoint's id: the delivery is that endpoint's call. */
  endpointId?: string | null;
  status?: "pending" | "sending" | "sent" | "failed" | "skipped";
  createdAt?: string;
}

/** One delivery row: an e-mail to a manager, or (with `endpointId`) a webhook call. */
export async function insertDelivery(db: Executor, input: DeliveryInput): Promise<AlertDeliveryTable> {
  const createdAt = input.createdAt ?? "2026-06-01T14:00:01.000Z";
  const status = input.status ?? "failed";
  const webhook = Boolean(input.endpointId);
  const row: AlertDeliveryTable = {
    id: randomUUID(),
    organization_id: input.organizationId,
    alert_id: input.alertId,
    reason: "opened",
    channel: webhook ? "webhook" : "email",
    user_id: null,
    endpoint_id: input.endpointId ?? null,
    target: webhook ? "http://127.0.0.1:9/hook" : "manager@example.test",
    dedupe_key: null,
    payload: webhook ? JSON.stringify({ event: "alert.opened" }) : null,
    status,
    attempts: status === "failed" ? 6 : 0,
    next_attempt_at: status === "pending" ? createdAt : null,
    claimed_by: null,
    claimed_until: null,
    last_error: status === "failed" ? "connection refused" : null,
    response_status: null,
    response_excerpt: null,
    provider_id: null,
    duration_ms: null,
    sent_at: status === "sent" ? createdAt : null,
    created_at: createdAt,
    updated_at: createdAt,
  };
  await db.insertInto("alert_deliveries").values(row).execute();
  return row;
}
