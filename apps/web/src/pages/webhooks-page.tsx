/**
 * Webhook endpoints, which receive the organization's alerts as signed JSON: the list, a form to add or change one
 * (its signing secret shown once, on creation and on rotation), disabling, a test ping, and each endpoint's delivery
 * log with response codes, durations, errors and "retry".
 */
import type { WebhookDeliveryPage, WebhookEndpoint } from "@keyward/contracts/alerts";
import { ALERT_SEVERITIES, type AlertKind, type AlertSeverity } from "@keyward/domain/alerts";
import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { z } from "zod";
import {
  ALERT_KIND_OPTIONS,
  ALERT_SEVERITY_LABELS,
  alertKindLabel,
  DELIVERY_STATUS_COLORS,
  DELIVERY_STATUS_LABELS,
} from "../alerts.ts";
import { api } from "../api.ts";
import { RetryDeliveryButton, RetryDeliveryError, useDeliveryRetry } from "../components/delivery-retry.tsx";
import { FormAlert, FormButtons, TextField, useApiForm } from "../components/form.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { describeZone, formatInstant } from "../format.ts";
import { useInvalidate } from "../queries.ts";
import { useSession } from "../session.tsx";

const PATH = "webhooks";
/** The property choice standing for "every property". */
const EVERY = "every";

type Delivery = z.infer<typeof WebhookDeliveryPage>["items"][number];

interface FormValues {
  url: string;
  description: string;
  propertyId: string;
  kinds: string[];
  minSeverity: AlertSeverity;
}

function EndpointForm({
  endpoint,
  onCreated,
  onDone,
}: {
  endpoint: WebhookEndpoint | null;
  onCreated: (created: WebhookEndpoint) => void;
  onDone: () => void;
}) {
  const session = useSession();
  const invalidate = useInvalidate();
  const form = useApiForm({
    initial: {
      url: endpoint?.url ?? "",
      description: endpoint?.description ?? "",
      propertyId: endpoint?.propertyId ?? EVERY,
      kinds: endpoint?.kinds ?? [],
      minSeverity: endpoint?.minSeverity ?? "info",
    } satisfies FormValues as FormValues,
    submit: (v) => {
      const body = {
        url: v.url.trim(),
        description: v.description.trim() || (endpoint ? null : undefined),
        kinds: v.kinds as AlertKind[],
        minSeverity: v.minSeverity,
      };
      return endpoint
        ? api.patch<WebhookEndpoint>(`${PATH}/${endpoint.id}`, body)
        : api.post<WebhookEndpoint>(PATH, { ...body, propertyId: v.propertyId === EVERY ? null : v.propertyId });
    },
    onSuccess: async (saved) => {
      await invalidate(PATH);
      if (endpoint) {
        onDone();
      } else {
        onCreated(saved);
      }
    },
  });
  const v = form.values;
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        <TextField
          form={form}
          field="url"
          label="URL"
          description="HTTPS address that receives a POST for each alert"
          placeholder="https://example.com/keyward"
          type="url"
          required
        />
        <TextField form={form} field="description" label="Description" />
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <Select
            label="Alerts from"
            data={[
              { value: EVERY, label: "Every property" },
              ...session.properties.map((p) => ({ value: p.id, label: p.name })),
            ]}
            value={v.propertyId}
            onChange={(p) => p && form.set("propertyId", p)}
            allowDeselect={false}
            disabled={endpoint !== null}
            error={form.errorFor("propertyId")}
          />
          <Select
            label="Minimum severity"
            data={ALERT_SEVERITIES.map((s) => ({ value: s, label: ALERT_SEVERITY_LABELS[s] }))}
            value={v.minSeverity}
            onChange={(s) => s && form.set("minSeverity", s as AlertSeverity)}
            allowDeselect={false}
            error={form.errorFor("minSeverity")}
          />
        </SimpleGrid>
        <MultiSelect
          label="Causes"
          description="Empty: every cause"
          placeholder="Every cause"
          searchable
          data={ALERT_KIND_OPTIONS}
          value={v.kinds}
          onChange={(k) => form.set("kinds", k)}
          error={form.errorFor("kinds")}
        />
        <FormAlert form={form} />
        <FormButtons form={form} label={endpoint ? "Save webhook" : "Add webhook"} onCancel={onDone} />
      </Stack>
    </form>
  );
}

/** The secret of a new or rotated endpoint: shown here once, never again. */
function SecretModal({ endpoint, onClose }: { endpoint: WebhookEndpoint | null; onClose: () => void }) {
  return (
    <Modal opened={endpoint !== null} onClose={onClose} title="Signing secret" size="lg">
      {endpoint?.secret && (
        <Stack>
          <Alert color="yellow" title="Copy it now">
            You will not see it again. The receiver checks each request's signature with it.
          </Alert>
          <Code block data-testid="webhook-secret" style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>
            {endpoint.secret}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={endpoint.secret}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? "Copied" : "Copy secret"}
                </Button>
              )}
            </CopyButton>
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function Deliveries({ endpoint, zone }: { endpoint: WebhookEndpoint; zone: string }) {
  const deliveries = useQuery({
    queryKey: [PATH, "deliveries", endpoint.id],
    queryFn: () => api.get<z.infer<typeof WebhookDeliveryPage>>(`${PATH}/${endpoint.id}/deliveries`),
    refetchInterval: 5_000,
  });
  const retry = useDeliveryRetry(PATH, "alerts");
  if (!deliveries.data) {
    return <QueryState error={deliveries.error} pending={deliveries.isPending} />;
  }
  if (deliveries.data.items.length === 0) {
    return <Text c="dimmed">Nothing sent yet. “Send test ping” sends one now.</Text>;
  }
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table striped aria-label="Webhook deliveries">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Created ({zone})</Table.Th>
            <Table.Th>Event</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Response</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>Error</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deliveries.data.items.map((d: Delivery) => (
            <Table.Tr key={d.id}>
              <Table.Td>{formatInstant(d.createdAt, zone)}</Table.Td>
              <Table.Td>{d.event ?? d.reason}</Table.Td>
              <Table.Td>
                <StatusBadge
                  status={d.status}
                  label={DELIVERY_STATUS_LABELS[d.status]}
                  color={DELIVERY_STATUS_COLORS[d.status]}
                />
              </Table.Td>
              <Table.Td>{d.responseStatus ?? "—"}</Table.Td>
              <Table.Td>{d.durationMs === null ? "—" : `${d.durationMs} ms`}</Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>
                {d.lastError && (
                  <Text size="sm" c="red.9">
                    {d.lastError}
                    {d.nextAttemptAt ? ` — next attempt ${formatInstant(d.nextAttemptAt, zone)}` : ""}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <RetryDeliveryButton delivery={d} retry={retry} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <RetryDeliveryError retry={retry} />
    </Table.ScrollContainer>
  );
}

export function WebhooksPage() {
  const session = useSession();
  const invalidate = useInvalidate();
  const [editing, setEditing] = useState<WebhookEndpoint | "new" | null>(null);
  const [secret, setSecret] = useState<WebhookEndpoint | null>(null);
  const [rotating, setRotating] = useState<WebhookEndpoint | null>(null);
  const [watching, setWatching] = useState<WebhookEndpoint | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const endpoints = useQuery({
    queryKey: [PATH, "list"],
    queryFn: async () => (await api.get<{ items: WebhookEndpoint[] }>(PATH)).items,
  });
  const change = useMutation({
    mutationFn: (args: { endpoint: WebhookEndpoint; status: "active" | "disabled" }) =>
      api.patch<WebhookEndpoint>(`${PATH}/${args.endpoint.id}`, { status: args.status }),
    onSettled: () => invalidate(PATH),
  });
  const rotate = useMutation({
    mutationFn: (endpoint: WebhookEndpoint) => api.post<WebhookEndpoint>(`${PATH}/${endpoint.id}/rotate-secret`),
    onSuccess: (rotated) => {
      setRotating(null);
      setSecret(rotated);
    },
    onSettled: () => invalidate(PATH),
  });
  const ping = useMutation({
    mutationFn: (endpoint: WebhookEndpoint) => api.post<unknown>(`${PATH}/${endpoint.id}/ping`),
    onSuccess: (_r, endpoint) => setNotice(`A test ping went to ${endpoint.url}; its delivery shows in the log.`),
    onSettled: () => invalidate(PATH),
  });
  const mayChange = session.can("update", "webhookEndpoint", null);
  const mayCreate = session.can("create", "webhookEndpoint", null);
  const zone = session.zoneOf(session.propertyId);
  const problem = change.error ?? ping.error;
  const scopeOf = (e: WebhookEndpoint) => (e.propertyId ? session.propertyName(e.propertyId) : "Every property");
  return (
    <Page
      title="Webhooks"
      description="Each alert is POSTed as JSON, signed with HMAC-SHA256 (the Keyward-Signature header), and retried with backoff."
      actions={mayCreate && <Button onClick={() => setEditing("new")}>Add webhook</Button>}
    >
      {notice && (
        <Text c="green.9" role="status">
          {notice}
        </Text>
      )}
      {problem && (
        <Text c="red.9" role="alert">
          {problem.message}
        </Text>
      )}
      {!endpoints.data ? (
        <QueryState error={endpoints.error} pending={endpoints.isPending} />
      ) : endpoints.data.length === 0 ? (
        <Text c="dimmed">No webhook yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={860}>
          <Table striped highlightOnHover aria-label="Webhooks">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>URL</Table.Th>
                <Table.Th>Alerts from</Table.Th>
                <Table.Th>Causes</Table.Th>
                <Table.Th>Minimum severity</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {endpoints.data.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td style={{ wordBreak: "break-all" }}>
                    <Text size="sm" fw={600}>
                      {e.url}
                    </Text>
                    {e.description && (
                      <Text size="xs" c="gray.7">
                        {e.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{scopeOf(e)}</Table.Td>
                  <Table.Td>{e.kinds.length === 0 ? "Every cause" : e.kinds.map(alertKindLabel).join(", ")}</Table.Td>
                  <Table.Td>{ALERT_SEVERITY_LABELS[e.minSeverity]}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={e.status} />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="wrap">
                      <Button size="xs" variant="default" onClick={() => setWatching(e)}>
                        Deliveries
                      </Button>
                      {mayChange && (
                        <>
                          <Button size="xs" variant="default" onClick={() => setEditing(e)}>
                            Edit
                          </Button>
                          <Button
                            size="xs"
                            variant="default"
                            disabled={e.status !== "active"}
                            loading={ping.isPending && ping.variables?.id === e.id}
                            onClick={() => ping.mutate(e)}
                          >
                            Send test ping
                          </Button>
                          <Button size="xs" variant="default" onClick={() => setRotating(e)}>
                            Rotate secret
                          </Button>
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() =>
                              change.mutate({ endpoint: e, status: e.status === "active" ? "disabled" : "active" })
                            }
                          >
                            {e.status === "active" ? "Disable" : "Enable"}
                          </Button>
                        </>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "new" ? "New webhook" : "Edit webhook"}
        size="lg"
      >
        {editing !== null && (
          <EndpointForm
            endpoint={editing === "new" ? null : editing}
            onCreated={(created) => {
              setEditing(null);
              setSecret(created);
            }}
            onDone={() => setEditing(null)}
          />
        )}
      </Modal>
      <SecretModal endpoint={secret} onClose={() => setSecret(null)} />
      <Modal opened={rotating !== null} onClose={() => setRotating(null)} title="Rotate the signing secret?">
        <Stack>
          <Text size="sm">
            A new secret replaces the current one at once: the receiver must use the new one to check signatures.
          </Text>
          {rotate.error && (
            <Text c="red.9" size="sm" role="alert">
              {rotate.error.message}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRotating(null)}>
              Cancel
            </Button>
            <Button loading={rotate.isPending} onClick={() => rotating && rotate.mutate(rotating)}>
              Rotate secret
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal
        opened={watching !== null}
        onClose={() => setWatching(null)}
        title={watching ? `Deliveries to ${watching.url}` : ""}
        size="xl"
      >
        {watching && <Deliveries endpoint={watching} zone={zone} />}
      </Modal>
      <Text size="xs" c="gray.7">
        Times in {describeZone(zone)}.
      </Text>
    </Page>
  );
}
