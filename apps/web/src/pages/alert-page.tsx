/**
 * One alert: what happened and where, its life (opened, acknowledged by whom with what note, resolved or cleared,
 * escalated), the messages sent about it with "retry" on failed ones, and — for those who may — Acknowledge and
 * Resolve with a note. Live: the topic "alerts" refetches it.
 */
import type { Alert } from "@keyward/contracts/alerts";
import { Button, Group, SimpleGrid, Stack, Table, Text, Textarea } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useParams } from "react-router";
import {
  alertKindLabel,
  DELIVERY_CHANNEL_LABELS,
  DELIVERY_REASON_LABELS,
  DELIVERY_STATUS_COLORS,
  DELIVERY_STATUS_LABELS,
  mayActOn,
} from "../alerts.ts";
import { api } from "../api.ts";
import { AlertStatusBadge, SeverityBadge } from "../components/alert-badges.tsx";
import { AppLink } from "../components/app-link.tsx";
import { RetryDeliveryButton, RetryDeliveryError, useDeliveryRetry } from "../components/delivery-retry.tsx";
import { Section } from "../components/detail-layout.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { describeZone, formatInstant } from "../format.ts";
import { humanize } from "../labels.ts";
import { useInvalidate, useRecord } from "../queries.ts";
import { useSession } from "../session.tsx";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="gray.7" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A detail's value as a person reads it: an instant in the alert's zone, a list joined, anything else as text. */
function detailText(value: unknown, zone: string): string {
  if (typeof value === "string") {
    return ISO_INSTANT.test(value) ? formatInstant(value, zone) : value;
  }
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) {
    return value.join(", ");
  }
  return JSON.stringify(value);
}

function Deliveries({ alert, mayRetry }: { alert: Alert; mayRetry: boolean }) {
  const retry = useDeliveryRetry("alerts");
  const zone = alert.timeZone;
  if (alert.deliveries.length === 0) {
    return <Text c="dimmed">No message was sent about this alert; it shows in the dashboard.</Text>;
  }
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table striped aria-label="Deliveries">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Channel</Table.Th>
            <Table.Th>To</Table.Th>
            <Table.Th>About</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>Last error</Table.Th>
            <Table.Th>Sent</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {alert.deliveries.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{DELIVERY_CHANNEL_LABELS[d.channel]}</Table.Td>
              <Table.Td style={{ wordBreak: "break-all" }}>{d.target}</Table.Td>
              <Table.Td>{DELIVERY_REASON_LABELS[d.reason]}</Table.Td>
              <Table.Td>
                <StatusBadge
                  status={d.status}
                  label={DELIVERY_STATUS_LABELS[d.status]}
                  color={DELIVERY_STATUS_COLORS[d.status]}
                />
              </Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>
                {d.lastError && (
                  <Text size="sm" c="red.9">
                    {d.lastError}
                    {d.nextAttemptAt ? ` — next attempt ${formatInstant(d.nextAttemptAt, zone)}` : ""}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{d.sentAt ? formatInstant(d.sentAt, zone) : ""}</Table.Td>
              <Table.Td>{mayRetry && <RetryDeliveryButton delivery={d} retry={retry} />}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <RetryDeliveryError retry={retry} />
    </Table.ScrollContainer>
  );
}

function Actions({ alert }: { alert: Alert }) {
  const invalidate = useInvalidate();
  const [note, setNote] = useState("");
  const act = useMutation({
    mutationFn: (action: "acknowledge" | "resolve") =>
      api.post<Alert>(`alerts/${alert.id}/${action}`, note.trim() ? { note: note.trim() } : {}),
    onSuccess: async () => {
      setNote("");
      await invalidate("alerts");
    },
  });
  return (
    <Section title="Act on it">
      <Stack gap="sm">
        <Textarea
          label="Note"
          description="What you found or did; kept with the alert"
          autosize
          minRows={2}
          maxLength={1000}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
        />
        <Group gap="xs">
          {alert.status === "open" && (
            <Button
              loading={act.isPending && act.variables === "acknowledge"}
              onClick={() => act.mutate("acknowledge")}
            >
              Acknowledge
            </Button>
          )}
          <Button
            variant={alert.status === "open" ? "default" : "filled"}
            loading={act.isPending && act.variables === "resolve"}
            onClick={() => act.mutate("resolve")}
          >
            Resolve
          </Button>
        </Group>
        {act.error && (
          <Text c="red.9" size="sm" role="alert">
            {act.error.message}
          </Text>
        )}
      </Stack>
    </Section>
  );
}

export function AlertPage() {
  const { id } = useParams();
  const session = useSession();
  const record = useRecord<Alert>("alerts", id);
  const alert = record.data;
  if (!alert) {
    return (
      <Page title="Alert">
        <QueryState error={record.error} pending={record.isPending} />
      </Page>
    );
  }
  const zone = alert.timeZone;
  const at = (iso: string | null) => formatInstant(iso, zone);
  const allowed = mayActOn(session, alert);
  // why: a detail the cause did not fill (null) says nothing; the fact is left out rather than shown as "—"
  const details = Object.entries(alert.details).filter(([, value]) => value !== null && value !== undefined);
  return (
    <Page
      title={alert.title}
      description={`${alert.propertyName ?? "Organization"} · times in ${describeZone(zone, new Date(alert.openedAt))}`}
    >
      <Group gap="xs">
        <SeverityBadge severity={alert.severity} />
        <AlertStatusBadge status={alert.status} />
        <AppLink to="/alerts" size="sm">
          All alerts
        </AppLink>
      </Group>
      <Section title="What happened">
        <Stack gap="md">
          <Text>{alert.summary}</Text>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
            <Fact label="Cause">{alertKindLabel(alert.kind)}</Fact>
            <Fact label="Property">{alert.propertyName ?? "Organization"}</Fact>
            <Fact label="Opened">{at(alert.openedAt)}</Fact>
            <Fact label="Last seen">{at(alert.lastSeenAt)}</Fact>
            <Fact label="Occurrences">{alert.occurrences}</Fact>
            <Fact label="Escalation">
              {alert.escalatedAt
                ? `Escalated ${at(alert.escalatedAt)} (level ${alert.escalationLevel})`
                : alert.escalateAt
                  ? `Escalates ${at(alert.escalateAt)} unless acknowledged`
                  : "None"}
            </Fact>
            {alert.cabinetId && (
              <Fact label="Cabinet">
                <AppLink to={`/cabinets/${alert.cabinetId}`}>Open the cabinet</AppLink>
              </Fact>
            )}
            {alert.keyId && (
              <Fact label="Key">
                <AppLink to={`/keys/${alert.keyId}`}>Open the key</AppLink>
              </Fact>
            )}
            {alert.personId && (
              <Fact label="Person">
                <AppLink to={`/people/${alert.personId}`}>Open the person</AppLink>
              </Fact>
            )}
            {details.map(([key, value]) => (
              <Fact key={key} label={humanize(key)}>
                {detailText(value, zone)}
              </Fact>
            ))}
          </SimpleGrid>
        </Stack>
      </Section>
      <Section title="Life of the alert">
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <Fact label="Acknowledged">
            {alert.acknowledged
              ? `${at(alert.acknowledged.at)} by ${alert.acknowledged.byName ?? "the system"}`
              : "Not yet"}
            {alert.acknowledged?.note && <Text size="sm">“{alert.acknowledged.note}”</Text>}
          </Fact>
          <Fact label="Resolved">
            {alert.resolved
              ? alert.resolved.how === "cleared"
                ? `${at(alert.resolved.at)}: the condition cleared`
                : `${at(alert.resolved.at)} by ${alert.resolved.byName ?? "the system"}`
              : "Not yet"}
            {alert.resolved?.note && <Text size="sm">“{alert.resolved.note}”</Text>}
          </Fact>
        </SimpleGrid>
      </Section>
      {allowed && alert.status !== "resolved" && <Actions alert={alert} />}
      <Section title="Messages sent">
        <Deliveries alert={alert} mayRetry={allowed} />
      </Section>
    </Page>
  );
}
