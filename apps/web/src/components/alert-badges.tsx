/**
 * An alert's severity and status as badges: each with its word, the severity also with its own shape (a circle, a
 * triangle, an octagon), so neither colour nor shape alone carries the meaning.
 */
import type { AlertSeverity, AlertStatus } from "@keyward/domain/alerts";
import { Badge } from "@mantine/core";
import {
  ALERT_SEVERITY_COLORS,
  ALERT_SEVERITY_HUES,
  ALERT_SEVERITY_LABELS,
  ALERT_STATUS_COLORS,
  ALERT_STATUS_LABELS,
} from "../alerts.ts";

/** The severity's shape, drawn inline in the current colour. */
export function SeverityIcon({ severity, size = 14 }: { severity: AlertSeverity; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {severity === "critical" && (
        <path d="M5.1 1h5.8L15 5.1v5.8L10.9 15H5.1L1 10.9V5.1Z" fill="currentColor" stroke="none" />
      )}
      {severity === "warning" && <path d="M8 1.2 15.2 14.4H.8Z" fill="currentColor" stroke="none" />}
      {severity === "info" && <circle cx="8" cy="8" r="7" fill="currentColor" />}
      <path
        d={severity === "info" ? "M8 7v4.5M8 4.4v.1" : "M8 5.2v4.2M8 11.6v.1"}
        stroke="#fff"
        strokeWidth="1.8"
        strokeLinecap="round"
      />
    </svg>
  );
}

/** "Critical" with its octagon, in red; "Warning" with its triangle; "Info" with its circle. */
export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  return (
    <Badge
      variant="light"
      radius="sm"
      color={ALERT_SEVERITY_HUES[severity]}
      c={ALERT_SEVERITY_COLORS[severity]}
      leftSection={<SeverityIcon severity={severity} size={12} />}
    >
      {ALERT_SEVERITY_LABELS[severity]}
    </Badge>
  );
}

/** Open, Acknowledged or Resolved, outlined so it never reads as a severity. */
export function AlertStatusBadge({ status }: { status: AlertStatus }) {
  return (
    <Badge variant="outline" radius="sm" color={ALERT_STATUS_COLORS[status]}>
      {ALERT_STATUS_LABELS[status]}
    </Badge>
  );
}
