/**
 * The header's bell: the count of open alerts in the user's reach and a menu of the latest active ones; and the
 * toasts that announce an alert the moment it opens. Both read one query, which the live topic "alerts" refetches.
 */
import type { Alert } from "@keyward/contracts/alerts";
import { Anchor, Badge, Group, Indicator, Menu, Stack, Text, UnstyledButton } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useEffect, useRef } from "react";
import { useNavigate } from "react-router";
import {
  ALERT_SEVERITY_COLORS,
  ALERT_SEVERITY_LABELS,
  BELL_LIMIT,
  createAlertTracker,
  useBellAlerts,
} from "../alerts.ts";
import { formatInstant } from "../format.ts";
import { SeverityIcon } from "./alert-badges.tsx";

/** How long a toast below critical stays; a critical one stays until closed. */
const TOAST_MS = 10_000;

function BellIcon() {
  return (
    <svg width={22} height={22} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M12 3a6 6 0 0 0-6 6v3.6L4.3 16h15.4L18 12.6V9a6 6 0 0 0-6-6Zm-2.2 15a2.3 2.3 0 0 0 4.4 0"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinejoin="round"
        strokeLinecap="round"
      />
    </svg>
  );
}

function BellItem({ alert }: { alert: Alert }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text c={ALERT_SEVERITY_COLORS[alert.severity]} mt={2} style={{ display: "flex" }}>
        <SeverityIcon severity={alert.severity} />
      </Text>
      <Stack gap={0} style={{ minWidth: 0 }}>
        <Text size="sm" fw={600}>
          {ALERT_SEVERITY_LABELS[alert.severity]}: {alert.title}
        </Text>
        <Text size="xs" lineClamp={2}>
          {alert.summary}
        </Text>
        <Text size="xs" c="gray.7">
          {formatInstant(alert.openedAt, alert.timeZone)}
          {alert.status === "acknowledged" ? " · acknowledged" : ""}
        </Text>
      </Stack>
    </Group>
  );
}

/** The bell and its menu; render only for users who may read alerts. */
export function AlertBell() {
  const navigate = useNavigate();
  const bell = useBellAlerts(true);
  const open = bell.data?.counts.open ?? 0;
  const items = bell.data?.items ?? [];
  return (
    <Menu position="bottom-end" width={340} shadow="md">
      <Menu.Target>
        <UnstyledButton aria-label={`Alerts: ${open} open`} c="dark" style={{ display: "flex", padding: 6 }}>
          <Indicator
            label={open > 99 ? "99+" : open}
            size={18}
            color="red.9"
            disabled={open === 0}
            offset={3}
            aria-hidden
          >
            <BellIcon />
          </Indicator>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {open === 0 ? "No open alerts" : `${open} open`}
          {bell.data && bell.data.counts.acknowledged > 0 ? `, ${bell.data.counts.acknowledged} acknowledged` : ""}
        </Menu.Label>
        {items.map((alert) => (
          <Menu.Item key={alert.id} onClick={() => navigate(`/alerts/${alert.id}`)}>
            <BellItem alert={alert} />
          </Menu.Item>
        ))}
        <Menu.Divider />
        <Menu.Item onClick={() => navigate("/alerts")}>View all alerts</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/**
 * Announces alerts that open while the tab is open; the first answer is the baseline and is never announced. Renders
 * nothing itself: the toasts live in Mantine's notification area.
 */
export function AlertToasts() {
  const navigate = useNavigate();
  const bell = useBellAlerts(true);
  const tracker = useRef(createAlertTracker());
  useEffect(() => {
    const items = bell.data?.items;
    if (!items) {
      return;
    }
    const byId = new Map(items.map((a) => [a.id, a]));
    for (const id of tracker.current.fresh(items, BELL_LIMIT)) {
      const alert = byId.get(id);
      if (!alert) {
        continue;
      }
      const toastId = `alert-${alert.id}`;
      notifications.show({
        id: toastId,
        // why: at the top right a toast would cover the header's bell and account menu
        position: "bottom-right",
        color: ALERT_SEVERITY_COLORS[alert.severity],
        title: (
          <Group gap={6} wrap="nowrap" c={ALERT_SEVERITY_COLORS[alert.severity]}>
            <SeverityIcon severity={alert.severity} size={16} />
            <Text span fw={700} size="sm" c="dark">
              {ALERT_SEVERITY_LABELS[alert.severity]}: {alert.title}
            </Text>
          </Group>
        ),
        // why: a forced door or a duress PIN must be seen; lesser alerts step aside on their own
        autoClose: alert.severity === "critical" ? false : TOAST_MS,
        message: (
          <Stack gap={4}>
            <Text size="sm" c="dark">
              {alert.summary}
            </Text>
            {/* why: the notification area sits outside the router, so the link navigates through the shell's hook */}
            <Anchor
              size="sm"
              href={`/alerts/${alert.id}`}
              onClick={(event) => {
                event.preventDefault();
                notifications.hide(toastId);
                navigate(`/alerts/${alert.id}`);
              }}
            >
              Open the alert
            </Anchor>
          </Stack>
        ),
      });
    }
  }, [bell.data, navigate]);
  return null;
}

/** The open count beside the navigation's "Alerts" link (the bell says it aloud, so this is for the eye only). */
export function OpenAlertsBadge() {
  const bell = useBellAlerts(true);
  const open = bell.data?.counts.open ?? 0;
  if (open === 0) {
    return null;
  }
  return (
    <Badge size="sm" color="red.9" variant="filled" circle={open < 10} aria-hidden>
      {open}
    </Badge>
  );
}
