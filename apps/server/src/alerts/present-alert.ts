/**
 * What leaves the server about an alert: the row's facts, its property's name and time zone (UTC for the
 * organization's own alerts) and every delivery of it. A page of alerts costs two queries however long it is.
 */
import type { Alert, AlertDelivery } from "@keyward/contracts/alerts";
import type { Executor } from "@keyward/db/connect";
import type { AlertDeliveryTable, AlertTable } from "@keyward/db/schema";

/**
 * Where a delivery went, as shown: a webhook's URL by its origin only.
 * why: a receiver's URL often carries its token in the path, and whoever may read an alert may not read webhooks
 */
function shownTarget(row: Pick<AlertDeliveryTable, "channel" | "target">): string {
  if (row.channel !== "webhook") {
    return row.target;
  }
  try {
    return new URL(row.target).origin;
  } catch {
    return "webhook";
  }
}

/** What leaves the server about one delivery (never its payload: a webhook's body is rebuilt from the alert). */
export function presentAlertDelivery(row: AlertDeliveryTable): AlertDelivery {
  return {
    id: row.id,
    reason: row.reason as AlertDelivery["reason"],
    channel: row.channel as AlertDelivery["channel"],
    target: shownTarget(row),
    userId: row.user_id,
    endpointId: row.endpoint_id,
    status: row.status as AlertDelivery["status"],
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    responseStatus: row.response_status === null ? null : Number(row.response_status),
    sentAt: row.sent_at,
    createdAt: row.created_at,
  };
}

/** The alerts of one organization as the API shows them, in the order given. */
export async function presentAlerts(
  db: Executor,
  organizationId: string,
  rows: readonly AlertTable[],
): Promise<Alert[]> {
  if (rows.length === 0) {
    return [];
  }
  const propertyIds = [...new Set(rows.map((r) => r.property_id).filter((p): p is string => p !== null))];
  const properties =
    propertyIds.length === 0
      ? []
      : await db
          .selectFrom("properties")
          .select(["id", "name", "time_zone"])
          .where("organization_id", "=", organizationId)
          .where("id", "in", propertyIds)
          .execute();
  const propertyOf = new Map(properties.map((p) => [p.id, p]));
  const deliveries = await db
    .selectFrom("alert_deliveries")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where(
      "alert_id",
      "in",
      rows.map((r) => r.id),
    )
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  const deliveriesOf = new Map<string, AlertDelivery[]>();
  for (const d of deliveries) {
    if (d.alert_id === null) {
      continue;
    }
    deliveriesOf.set(d.alert_id, [...(deliveriesOf.get(d.alert_id) ?? []), presentAlertDelivery(d)]);
  }
  return rows.map((row) => {
    const property = row.property_id === null ? undefined : propertyOf.get(row.property_id);
    return presentAlertRow(row, property ?? null, deliveriesOf.get(row.id) ?? []);
  });
}

/** One alert as the API shows it. */
export async function presentAlert(db: Executor, row: AlertTable): Promise<Alert> {
  const [alert] = await presentAlerts(db, row.organization_id, [row]);
  if (!alert) {
    throw new Error(`alert ${row.id} could not be presented`);
  }
  return alert;
}

function presentAlertRow(
  row: AlertTable,
  property: { name: string; time_zone: string } | null,
  deliveries: AlertDelivery[],
): Alert {
  return {
    id: row.id,
    propertyId: row.property_id,
    propertyName: property?.name ?? null,
    kind: row.kind as Alert["kind"],
    severity: row.severity as Alert["severity"],
    status: row.status as Alert["status"],
    title: row.title,
    summary: row.summary,
    subject: { type: row.subject_type, id: row.subject_id },
    cabinetId: row.cabinet_id,
    keyId: row.key_id,
    personId: row.person_id,
    checkoutId: row.checkout_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
    occurrences: Number(row.occurrences),
    openedAt: row.opened_at,
    lastSeenAt: row.last_seen_at,
    acknowledged:
      row.acknowledged_at === null
        ? null
        : {
            at: row.acknowledged_at,
            by: row.acknowledged_by,
            byName: row.acknowledged_by_name,
            note: row.acknowledgement_note,
          },
    resolved:
      row.resolved_at === null
        ? null
        : {
            at: row.resolved_at,
            by: row.resolved_by,
            byName: row.resolved_by_name,
            note: row.resolution_note,
            how: row.resolution === "cleared" ? "cleared" : "manual",
          },
    escalationLevel: Number(row.escalation_level),
    escalateAt: row.escalate_at,
    escalatedAt: row.escalated_at,
    // why: an organization alert (the audit trail) belongs to no property, so no property's clock reads its times
    timeZone: property?.time_zone ?? "UTC",
    deliveries,
  };
}
