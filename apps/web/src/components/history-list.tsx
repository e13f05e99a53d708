/**
 * A record's history from the append-only events: who did what and when, and each changed field before → after.
 */
import { Alert, Badge, Button, Code, Group, Loader, Stack, Table, Text, Timeline } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "../api.ts";
import { formatInstant } from "../format.ts";
import { actionLabel, humanize } from "../labels.ts";
import { useSession } from "../session.tsx";
import type { AuditEvent } from "../types.ts";

// why: bookkeeping fields say nothing a reader needs, and secrets must never be echoed even if an event holds them
const HIDDEN = new Set(["id", "organizationId", "createdAt", "updatedAt"]);
const SECRET = /hash|secret|password/i;

/** A record as an event holds it, minus any secret a server-side slip let into the event. */
export function withoutSecrets(record: Record<string, unknown> | null): Record<string, unknown> | null {
  return record ? Object.fromEntries(Object.entries(record).filter(([k]) => !SECRET.test(k))) : null;
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === "") {
    return "—";
  }
  if (typeof value === "boolean") {
    return value ? "yes" : "no";
  }
  if (typeof value === "object") {
    return JSON.stringify(value);
  }
  return String(value);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** One row per changed field; a changed object (organization settings, a key scope) shows only its changed parts. */
function changedRows(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  prefix = "",
): { field: string; before: unknown; after: unknown }[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (f) => !HIDDEN.has(f) && !SECRET.test(f),
  );
  return fields.flatMap((f) => {
    const b = before[f];
    const a = after[f];
    const label = prefix ? `${prefix} › ${humanize(f).toLowerCase()}` : humanize(f);
    if (isPlainObject(b) && isPlainObject(a)) {
      return changedRows(b, a, label);
    }
    if (prefix && JSON.stringify(b) === JSON.stringify(a)) {
      return [];
    }
    return [{ field: label, before: b, after: a }];
  });
}

function Changes({ event }: { event: AuditEvent }) {
  const created = event.before === null;
  const rows = changedRows(event.before ?? {}, event.after ?? {});
  if (rows.length === 0) {
    return null;
  }
  return (
    <Table.ScrollContainer minWidth={360}>
      <Table withRowBorders={false} verticalSpacing={2} horizontalSpacing="xs" fz="xs">
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.field}>
              <Table.Td c="dimmed" w={160} style={{ verticalAlign: "top" }}>
                {r.field}
              </Table.Td>
              <Table.Td style={{ wordBreak: "break-word" }}>
                {created ? (
                  <Code>{show(r.after)}</Code>
                ) : (
                  <>
                    <Code>{show(r.before)}</Code> → <Code>{show(r.after)}</Code>
                  </>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The events of one record, newest first. */
export function HistoryList({ entityType, entityId }: { entityType: string; entityId: string }) {
  const { zoneOf } = useSession();
  const query = { entityType, entityId, limit: 25 };
  const events = useInfiniteQuery({
    queryKey: ["events", "list", query],
    queryFn: ({ pageParam }) => api.list<AuditEvent>("events", { ...query, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (events.isPending) {
    return <Loader size="sm" aria-label="Loading history" />;
  }
  if (events.isError) {
    return (
      <Alert color="red" title="History could not be loaded">
        {events.error.message}
      </Alert>
    );
  }
  const items = events.data.pages.flatMap((p) => p.items);
  if (items.length === 0) {
    return <Text c="dimmed">No changes recorded yet.</Text>;
  }
  return (
    <Stack gap="sm">
      <Timeline bulletSize={12} lineWidth={2}>
        {items.map((e) => (
          <Timeline.Item
            key={e.id}
            title={
              <Group gap="xs">
                <Text fw={600} size="sm">
                  {actionLabel(e.action)}
                </Text>
                {e.source !== "api" && (
                  <Badge size="xs" variant="light" color="gray">
                    {e.source}
                  </Badge>
                )}
              </Group>
            }
          >
            <Text size="xs" c="dimmed">
              {formatInstant(e.occurredAt, zoneOf(e.propertyId))} · {e.actor.name}
              {e.actor.email ? ` (${e.actor.email})` : ""}
            </Text>
            <Changes event={e} />
          </Timeline.Item>
        ))}
      </Timeline>
      {events.hasNextPage && (
        <Button variant="subtle" onClick={() => events.fetchNextPage()} loading={events.isFetchingNextPage}>
          Older changes
        </Button>
      )}
    </Stack>
  );
}
