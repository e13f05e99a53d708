/**
 * Alerts as the dashboard reads them: their words and colours, the query the bell and the toasts share, and the
 * tracker that tells an alert that just opened from one that was already there when the tab loaded.
 */
import type { Alert, AlertDeliveryStatus, AlertPage } from "@keyward/contracts/alerts";
import {
  ALERT_KIND_SPECS,
  ALERT_KINDS,
  type AlertChannel,
  type AlertKind,
  type AlertSeverity,
  type AlertStatus,
} from "@keyward/domain/alerts";
import { useQuery } from "@tanstack/react-query";
import { api } from "./api.ts";
import { TONES } from "./labels.ts";
import type { Session } from "./session.tsx";

export const ALERT_SEVERITY_LABELS: Record<AlertSeverity, string> = {
  info: "Info",
  warning: "Warning",
  critical: "Critical",
};

/** The light badges' hues (their words take the darker tones above, which pass WCAG AA on the tint). */
export const ALERT_SEVERITY_HUES: Record<AlertSeverity, string> = { info: "blue", warning: "orange", critical: "red" };

/** Text and icon colours; each badge also carries the severity's word and icon, so colour is never the only signal. */
export const ALERT_SEVERITY_COLORS: Record<AlertSeverity, string> = {
  info: TONES.info,
  warning: TONES.warning,
  critical: TONES.danger,
};

export const ALERT_STATUS_LABELS: Record<AlertStatus, string> = {
  open: "Open",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
};

export const ALERT_STATUS_COLORS: Record<AlertStatus, string> = {
  open: TONES.danger,
  acknowledged: TONES.warning,
  resolved: TONES.ok,
};

export const ALERT_CHANNEL_LABELS: Record<AlertChannel, string> = { email: "E-mail", sms: "Text message" };

/** Channels as a delivery records them (webhooks included). */
export const DELIVERY_CHANNEL_LABELS: Record<Alert["deliveries"][number]["channel"], string> = {
  email: "E-mail",
  sms: "Text message",
  webhook: "Webhook",
};

export const DELIVERY_STATUS_LABELS: Record<AlertDeliveryStatus, string> = {
  pending: "Pending",
  sending: "Sending",
  sent: "Sent",
  failed: "Failed",
  skipped: "Skipped",
};

export const DELIVERY_STATUS_COLORS: Record<AlertDeliveryStatus, string> = {
  pending: "gray",
  sending: "blue",
  sent: "green",
  failed: "red",
  skipped: "gray",
};

export const DELIVERY_REASON_LABELS: Record<Alert["deliveries"][number]["reason"], string> = {
  opened: "Opened",
  escalated: "Escalated",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
  digest: "Digest",
  test: "Test",
};

/** A kind's short name, as the rules page and the filters show it. */
export function alertKindLabel(kind: AlertKind): string {
  return ALERT_KIND_SPECS[kind].title;
}

/** Select options for the kinds, in their catalogue order. */
export const ALERT_KIND_OPTIONS = ALERT_KINDS.map((kind) => ({ value: kind, label: alertKindLabel(kind) }));

/** Whether a delivery may be sent again by hand: it failed (gave up). */
export function isRetryable(delivery: { status: AlertDeliveryStatus; lastError: string | null }): boolean {
  // why: the server retries only what gave up; a pending message with an error is already waiting for its next try
  return delivery.status === "failed";
}

/** Whether the user may read alerts anywhere: a technician may not, so the bell and the pages are not shown. */
export function mayReadAlerts(session: Pick<Session, "can" | "propertiesWhere">): boolean {
  return session.can("read", "alert", null) || session.propertiesWhere("read", "alert").length > 0;
}

/** Whether the user may acknowledge or resolve this alert (an organization's own alert needs an organization role). */
export function mayActOn(session: Pick<Session, "can">, alert: Pick<Alert, "propertyId">): boolean {
  return session.can("update", "alert", alert.propertyId);
}

/** How many active alerts the bell lists; the same answer seeds the toasts. */
export const BELL_LIMIT = 10;

/**
 * The latest active alerts in the user's reach with the open count: the bell's menu and count, and what the toasts
 * compare. Its key starts with "alerts", so the live topic "alerts" refetches it.
 */
export function useBellAlerts(enabled: boolean) {
  return useQuery({
    queryKey: ["alerts", "bell"],
    queryFn: () => api.get<AlertPage>("alerts", { status: "active", limit: BELL_LIMIT }),
    enabled,
    staleTime: 0,
  });
}

/**
 * Tells which alerts of a list are new to this tab. The first list it sees is the baseline: nothing in it is new,
 * however recent. After that an alert is new when its id was never seen and it opened after the baseline — when the
 * baseline list was cut at its limit, an unseen alert older than its oldest was already there (it had only been
 * pushed out of the list), so it is not new either.
 */
export interface AlertTracker {
  /** The alerts of this answer to announce, oldest first; each id is announced at most once. */
  fresh: (items: readonly Pick<Alert, "id" | "openedAt" | "status">[], limit: number) => string[];
}

/** A tracker with nothing seen yet. */
export function createAlertTracker(): AlertTracker {
  const seen = new Set<string>();
  let baseline: { oldest: number | null; complete: boolean } | null = null;
  return {
    fresh(items, limit) {
      if (baseline === null) {
        for (const item of items) {
          seen.add(item.id);
        }
        const times = items.map((i) => Date.parse(i.openedAt));
        baseline = { oldest: times.length > 0 ? Math.min(...times) : null, complete: items.length < limit };
        return [];
      }
      const { oldest, complete } = baseline;
      const out = items
        .filter((item) => !seen.has(item.id) && item.status !== "resolved")
        // why: a full baseline hid its older alerts; one of them surfacing later is not news
        .filter((item) => complete || oldest === null || Date.parse(item.openedAt) > oldest)
        .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
      for (const item of items) {
        seen.add(item.id);
      }
      return out.map((item) => item.id);
    },
  };
}
