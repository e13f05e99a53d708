/**
 * Every alert in the user's reach: active ones first by default, filtered by status, property, severity and cause,
 * live (the topic "alerts" refetches the list); on a phone the rows become cards. A row opens the alert's page.
 */
import type { Alert, AlertPage } from "@keyward/contracts/alerts";
import { ALERT_SEVERITIES, type AlertKind, type AlertSeverity } from "@keyward/domain/alerts";
import { Button, Group, Paper, Select, Stack, Table, Text } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useInfiniteQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ALERT_KIND_OPTIONS, ALERT_SEVERITY_LABELS } from "../alerts.ts";
import { api } from "../api.ts";
import { AlertStatusBadge, SeverityBadge } from "../components/alert-badges.tsx";
import { AppLink } from "../components/app-link.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { formatInstant } from "../format.ts";
import { useSession } from "../session.tsx";

const STATUS_OPTIONS = [
  { value: "active", label: "Active (open or acknowledged)" },
  { value: "open", label: "Open" },
  { value: "acknowledged", label: "Acknowledged" },
  { value: "resolved", label: "Resolved" },
  { value: "all", label: "All" },
];

const PAGE_SIZE = 50;

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="gray.7" w={80} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ minWidth: 0 }}>
        {children}
      </Text>
    </Group>
  );
}

function AlertCard({ alert, propertyName }: { alert: Alert; propertyName: string }) {
  return (
    <Paper withBorder p="sm" radius="md" component="article" aria-label={alert.title}>
      <Stack gap={6}>
        <Group gap="xs" justify="space-between" wrap="wrap">
          <SeverityBadge severity={alert.severity} />
          <AlertStatusBadge status={alert.status} />
        </Group>
        <AppLink to={`/alerts/${alert.id}`} fw={600}>
          {alert.title}
        </AppLink>
        <Text size="sm">{alert.summary}</Text>
        <Field label="Property">{propertyName}</Field>
        <Field label="Opened">{formatInstant(alert.openedAt, alert.timeZone)}</Field>
        <Field label="Deliveries">{alert.deliveries.length}</Field>
      </Stack>
    </Paper>
  );
}

export function AlertsPage() {
  const session = useSession();
  const phone = useMediaQuery("(max-width: 48em)") ?? false;
  const [status, setStatus] = useState("active");
  const [propertyId, setPropertyId] = useState<string | null>(session.propertyId);
  const [severity, setSeverity] = useState<AlertSeverity | null>(null);
  const [kind, setKind] = useState<AlertKind | null>(null);
  const filters = { status, propertyId, severity, kind };
  const alerts = useInfiniteQuery({
    queryKey: ["alerts", "list", filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api.get<AlertPage>("alerts", { ...filters, limit: PAGE_SIZE, cursor: pageParam }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = alerts.data?.pages.flatMap((p) => p.items) ?? [];
  const counts = alerts.data?.pages[0]?.counts;
  const properties = session.propertiesWhere("read", "alert");
  const propertyName = (a: Alert) => a.propertyName ?? session.propertyName(a.propertyId);

  return (
    <Page
      title="Alerts"
      description={
        counts
          ? `${counts.open} open and ${counts.acknowledged} acknowledged in your reach. Times in each property's zone.`
          : "Times in each property's zone."
      }
    >
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Select
          label="Status"
          data={STATUS_OPTIONS}
          value={status}
          onChange={(s) => s && setStatus(s)}
          allowDeselect={false}
          w={{ base: "100%", xs: 240 }}
        />
        <Select
          label="Property"
          placeholder="Every property"
          data={properties.map((p) => ({ value: p.id, label: p.name }))}
          value={propertyId}
          onChange={setPropertyId}
          clearable
          searchable={properties.length > 8}
          w={{ base: "100%", xs: 240 }}
        />
        <Select
          label="Severity"
          placeholder="Any"
          data={ALERT_SEVERITIES.map((s) => ({ value: s, label: ALERT_SEVERITY_LABELS[s] }))}
          value={severity}
          onChange={(s) => setSeverity(s as AlertSeverity | null)}
          clearable
          w={{ base: "100%", xs: 160 }}
        />
        <Select
          label="Cause"
          placeholder="Any"
          data={ALERT_KIND_OPTIONS}
          value={kind}
          onChange={(k) => setKind(k as AlertKind | null)}
          clearable
          searchable
          w={{ base: "100%", xs: 260 }}
        />
      </Group>
      {!alerts.data ? (
        <QueryState error={alerts.error} pending={alerts.isPending} />
      ) : items.length === 0 ? (
        <Text c="dimmed" role="status">
          No alerts match.
        </Text>
      ) : phone ? (
        <Stack gap="sm" component="ul" aria-label="Alerts" p={0} m={0} style={{ listStyle: "none" }}>
          {items.map((a) => (
            <li key={a.id}>
              <AlertCard alert={a} propertyName={propertyName(a)} />
            </li>
          ))}
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={960}>
          <Table striped highlightOnHover aria-label="Alerts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Severity</Table.Th>
                <Table.Th>Alert</Table.Th>
                <Table.Th>Summary</Table.Th>
                <Table.Th>Property</Table.Th>
                <Table.Th>Opened</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Deliveries</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>
                    <SeverityBadge severity={a.severity} />
                  </Table.Td>
                  <Table.Td>
                    <AppLink to={`/alerts/${a.id}`} fw={600}>
                      {a.title}
                    </AppLink>
                  </Table.Td>
                  <Table.Td>{a.summary}</Table.Td>
                  <Table.Td>{propertyName(a)}</Table.Td>
                  <Table.Td>{formatInstant(a.openedAt, a.timeZone)}</Table.Td>
                  <Table.Td>
                    <AlertStatusBadge status={a.status} />
                  </Table.Td>
                  <Table.Td>{a.deliveries.length}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {alerts.hasNextPage && (
        <Group justify="center">
          <Button variant="default" loading={alerts.isFetchingNextPage} onClick={() => void alerts.fetchNextPage()}>
            Show more
          </Button>
        </Group>
      )}
    </Page>
  );
}
