/**
 * "Who had this key": a key's checkouts, newest first — holder, out and back, reason, work order, cabinet and hook
 * each way — with the answer to "who last had it?" on top.
 */
import { Alert, Badge, Button, Center, Group, Loader, Stack, Table, Text } from "@mantine/core";
import { holderName, isOverdue, useKeyCheckouts, useNow } from "../custody.ts";
import { formatAgo, formatInstant } from "../format.ts";
import type { Checkout } from "../types.ts";
import { AppLink } from "./app-link.tsx";
import { HolderCell } from "./holder-cell.tsx";

function place(cabinet: Checkout["cabinet"], hook: number | null): string {
  if (!cabinet) {
    return "—";
  }
  return hook === null ? cabinet.name : `${cabinet.name} · hook ${hook}`;
}

function LastHolder({ checkout, zone }: { checkout: Checkout; zone: string }) {
  const now = useNow();
  const who = holderName(checkout);
  return (
    <Alert
      color={checkout.status === "open" ? (isOverdue(checkout, now) ? "red" : "blue") : "gray"}
      title={checkout.status === "open" ? `Out now with ${who}` : `Last had by ${who}`}
    >
      <Text size="sm">
        {checkout.status === "open"
          ? `Taken ${formatAgo(checkout.since, now)} (${formatInstant(checkout.since, zone)})`
          : `From ${formatInstant(checkout.since, zone)} to ${formatInstant(checkout.returnedAt, zone)}`}
        {checkout.reason ? ` for ${checkout.reason.label.toLowerCase()}` : ""}
        {checkout.workOrder ? `, work order ${checkout.workOrder}` : ""}.
        {checkout.status === "open" && checkout.dueAt
          ? ` Due ${formatInstant(checkout.dueAt, zone)}${isOverdue(checkout, now) ? " — overdue" : ""}.`
          : ""}
      </Text>
    </Alert>
  );
}

export function KeyHistory({ keyId, zone }: { keyId: string; zone: string }) {
  const history = useKeyCheckouts(keyId);
  if (history.isError) {
    return (
      <Alert color="red" title="Could not load">
        {history.error.message}
      </Alert>
    );
  }
  if (history.isPending) {
    return (
      <Center py="md">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  // why: the server pages newest first; sorting again keeps the order right across pages and refetches
  const rows = history.data.pages.flatMap((p) => p.items).sort((a, b) => b.since.localeCompare(a.since));
  const last = rows[0];
  if (!last) {
    return (
      <Text size="sm" c="gray.7">
        Nobody has taken this key from a cabinet yet.
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      <LastHolder checkout={last} zone={zone} />
      <Table.ScrollContainer minWidth={760}>
        <Table verticalSpacing="xs" striped aria-label="Who had this key">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Holder</Table.Th>
              <Table.Th aria-sort="descending">Out</Table.Th>
              <Table.Th>Returned</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th>Work order</Table.Th>
              <Table.Th>Out of</Table.Th>
              <Table.Th>Back to</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <HolderCell checkout={c} />
                </Table.Td>
                <Table.Td>{formatInstant(c.since, zone)}</Table.Td>
                <Table.Td>
                  {c.status === "open" ? (
                    <Badge variant="filled" color="blue.9" radius="sm">
                      Still out
                    </Badge>
                  ) : (
                    <>
                      {formatInstant(c.returnedAt, zone)}
                      {c.returnedBy && c.returnedBy.id !== c.holder?.id && (
                        <Text size="xs" c="gray.7">
                          by {c.returnedBy.name}
                        </Text>
                      )}
                    </>
                  )}
                </Table.Td>
                <Table.Td>{c.reason?.label ?? "—"}</Table.Td>
                <Table.Td>{c.workOrder ?? "—"}</Table.Td>
                <Table.Td>
                  {c.cabinet ? <AppLink to={`/cabinets/${c.cabinet.id}`}>{place(c.cabinet, c.hookOut)}</AppLink> : "—"}
                </Table.Td>
                <Table.Td>
                  {c.returnCabinet ? (
                    <AppLink to={`/cabinets/${c.returnCabinet.id}`}>{place(c.returnCabinet, c.hookIn)}</AppLink>
                  ) : (
                    "—"
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {history.hasNextPage && (
        <Group>
          <Button variant="light" onClick={() => history.fetchNextPage()} loading={history.isFetchingNextPage}>
            Show earlier
          </Button>
        </Group>
      )}
    </Stack>
  );
}
