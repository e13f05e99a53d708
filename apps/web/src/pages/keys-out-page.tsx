/**
 * The keys-out board: every open checkout of the chosen property — which key, whose unit, who holds it since when
 * and why, and when it is due — live (the stream refetches it within seconds of a cabinet event). Sorts, filters
 * and exports what it shows; on a phone the rows become cards.
 */
import {
  Alert,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { type ReactNode, useState } from "react";
import { useSearchParams } from "react-router";
import { AppLink } from "../components/app-link.tsx";
import { HolderCell } from "../components/holder-cell.tsx";
import { Page } from "../components/page.tsx";
import { downloadText, toCsv } from "../csv.ts";
import { holderName, isOverdue, useNow, useOpenCheckouts } from "../custody.ts";
import { describeZone, formatAgo, formatInstant } from "../format.ts";
import { useSession } from "../session.tsx";
import type { Checkout } from "../types.ts";

const SORTS = {
  oldest: "Out longest first",
  newest: "Out most recently first",
  due: "Due soonest first",
  key: "Key",
  holder: "Holder",
} as const;
type Sort = keyof typeof SORTS;

/** The holder filter's value for "nobody identified". */
const NOBODY = "__nobody__";

function compare(sort: Sort): (a: Checkout, b: Checkout) => number {
  switch (sort) {
    case "oldest":
      return (a, b) => a.since.localeCompare(b.since);
    case "newest":
      return (a, b) => b.since.localeCompare(a.since);
    // why: a checkout with no due time is never overdue, so it sorts after every dated one
    case "due":
      return (a, b) => (a.dueAt ?? "\uffff").localeCompare(b.dueAt ?? "\uffff");
    case "key":
      return (a, b) => a.key.label.localeCompare(b.key.label, "en", { numeric: true });
    case "holder":
      return (a, b) => holderName(a).localeCompare(holderName(b), "en");
  }
}

function matches(c: Checkout, text: string): boolean {
  if (!text) {
    return true;
  }
  const haystack = [c.key.label, c.unit?.number, holderName(c), c.reason?.label, c.workOrder, c.cabinet?.name]
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
  return haystack.includes(text.toLowerCase());
}

function Since({ iso, zone, now }: { iso: string; zone: string; now: Date }) {
  return (
    <div>
      <Text size="sm" fw={600}>
        {formatAgo(iso, now)}
      </Text>
      <Text size="xs" c="gray.7">
        {formatInstant(iso, zone)}
      </Text>
    </div>
  );
}

function Due({ checkout, zone, now }: { checkout: Checkout; zone: string; now: Date }) {
  if (!checkout.dueAt) {
    return <Text size="sm">—</Text>;
  }
  return (
    <Group gap={6} wrap="wrap">
      <Text size="sm" fw={isOverdue(checkout, now) ? 700 : 400} c={isOverdue(checkout, now) ? "red.9" : undefined}>
        {formatInstant(checkout.dueAt, zone)}
      </Text>
      {isOverdue(checkout, now) && (
        <Badge color="red.9" variant="filled" radius="sm">
          Overdue
        </Badge>
      )}
    </Group>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="gray.7" w={84} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <div style={{ minWidth: 0 }}>{children}</div>
    </Group>
  );
}

export function KeysOutPage() {
  const session = useSession();
  const now = useNow();
  const phone = useMediaQuery("(max-width: 48em)") ?? false;
  const [params] = useSearchParams();
  const [text, setText] = useState("");
  const [holder, setHolder] = useState<string | null>(null);
  const [overdueOnly, setOverdueOnly] = useState(params.get("overdue") === "1");
  const [sort, setSort] = useState<Sort>("oldest");
  const open = useOpenCheckouts(session.propertyId);

  const all = open.data?.items ?? [];
  const holders = new Map<string, string>();
  for (const c of all) {
    holders.set(c.holder?.id ?? NOBODY, holderName(c));
  }
  const shown = all
    .filter((c) => (holder === null ? true : (c.holder?.id ?? NOBODY) === holder))
    .filter((c) => !overdueOnly || isOverdue(c, now))
    .filter((c) => matches(c, text.trim()))
    .sort(compare(sort));
  const overdueCount = all.filter((c) => isOverdue(c, now)).length;
  const zone = (c: Checkout) => session.zoneOf(c.propertyId);
  const showProperty = session.propertyId === null;

  const exportShown = () => {
    const header = [
      "Key",
      "Unit",
      "Holder",
      "Granted",
      "Since",
      "Since (UTC)",
      "Reason",
      "Work order",
      "Due",
      "Overdue",
      "Cabinet",
      "Hook",
      "Property",
    ];
    const rows = shown.map((c) => [
      c.key.label,
      c.unit?.number ?? "",
      holderName(c),
      c.authorized ? "yes" : "no",
      formatInstant(c.since, zone(c)),
      c.since,
      c.reason?.label ?? "",
      c.workOrder ?? "",
      c.dueAt ? formatInstant(c.dueAt, zone(c)) : "",
      isOverdue(c, now) ? "yes" : "no",
      c.cabinet?.name ?? "",
      c.hookOut === null ? "" : String(c.hookOut),
      session.propertyName(c.propertyId),
    ]);
    downloadText("keys-out.csv", toCsv(header, rows));
  };

  const description = session.property
    ? `${session.property.name} · times in ${describeZone(session.property.timeZone, now)}`
    : "All properties · times in each property's zone";

  return (
    <Page
      title="Keys out"
      description={description}
      actions={
        <Button variant="default" onClick={exportShown} disabled={shown.length === 0}>
          Export shown (CSV)
        </Button>
      }
    >
      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          label="Search"
          placeholder="Key, unit, holder, reason, work order"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          w={{ base: "100%", sm: 300 }}
        />
        <Select
          label="Holder"
          placeholder="Anyone"
          data={[...holders].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label))}
          value={holder}
          onChange={setHolder}
          clearable
          searchable
          w={{ base: "calc(50% - var(--mantine-spacing-sm) / 2)", xs: 220 }}
        />
        <Select
          label="Sort by"
          data={Object.entries(SORTS).map(([value, label]) => ({ value, label }))}
          value={sort}
          onChange={(v) => setSort((v ?? "oldest") as Sort)}
          allowDeselect={false}
          w={{ base: "calc(50% - var(--mantine-spacing-sm) / 2)", xs: 220 }}
        />
        <Switch
          label={`Overdue only (${overdueCount})`}
          checked={overdueOnly}
          onChange={(e) => setOverdueOnly(e.currentTarget.checked)}
          mb={8}
        />
      </Group>

      {open.isError ? (
        <Alert color="red" title="Could not load">
          {open.error.message}
        </Alert>
      ) : open.isPending ? (
        <Center py="xl">
          <Loader aria-label="Loading" />
        </Center>
      ) : phone ? (
        <Stack component="ul" gap="sm" aria-label="Keys out" p={0} m={0} style={{ listStyle: "none" }}>
          {shown.length === 0 && (
            <Text component="li" c="gray.7" ta="center" py="md">
              {all.length === 0 ? "No key is out." : "Nothing matches."}
            </Text>
          )}
          {shown.map((c) => (
            <Paper
              component="li"
              key={c.id}
              withBorder
              p="sm"
              radius="md"
              bg={isOverdue(c, now) ? "red.0" : undefined}
              aria-label={`Key ${c.key.label}`}
            >
              <Group justify="space-between" mb={6}>
                <AppLink to={`/keys/${c.key.id}`} fw={700}>
                  {c.key.label}
                </AppLink>
                {c.unit && <Text size="sm">Unit {c.unit.number}</Text>}
              </Group>
              <Stack gap={4}>
                <Field label="Holder">
                  <HolderCell checkout={c} />
                </Field>
                <Field label="Since">
                  <Since iso={c.since} zone={zone(c)} now={now} />
                </Field>
                <Field label="Reason">
                  <Text size="sm">
                    {c.reason?.label ?? "—"}
                    {c.workOrder ? ` · ${c.workOrder}` : ""}
                  </Text>
                </Field>
                <Field label="Due">
                  <Due checkout={c} zone={zone(c)} now={now} />
                </Field>
              </Stack>
            </Paper>
          ))}
        </Stack>
      ) : (
        <Paper withBorder radius="md" style={{ overflow: "hidden" }}>
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing="xs" aria-label="Keys out" opacity={open.isFetching ? 0.85 : 1}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th aria-sort={sort === "key" ? "ascending" : undefined}>Key</Table.Th>
                  <Table.Th>Unit</Table.Th>
                  <Table.Th aria-sort={sort === "holder" ? "ascending" : undefined}>Holder</Table.Th>
                  <Table.Th aria-sort={sort === "oldest" ? "ascending" : sort === "newest" ? "descending" : undefined}>
                    Since
                  </Table.Th>
                  <Table.Th>Reason</Table.Th>
                  <Table.Th style={{ whiteSpace: "nowrap" }}>Work order</Table.Th>
                  <Table.Th aria-sort={sort === "due" ? "ascending" : undefined}>Due</Table.Th>
                  <Table.Th style={{ whiteSpace: "nowrap" }}>Cabinet · hook</Table.Th>
                  {showProperty && <Table.Th>Property</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={showProperty ? 9 : 8}>
                      <Text c="gray.7" ta="center" py="md">
                        {all.length === 0 ? "No key is out." : "Nothing matches."}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  shown.map((c) => (
                    <Table.Tr key={c.id} bg={isOverdue(c, now) ? "red.0" : undefined}>
                      <Table.Td style={{ whiteSpace: "nowrap" }}>
                        <AppLink to={`/keys/${c.key.id}`} fw={600}>
                          {c.key.label}
                        </AppLink>
                      </Table.Td>
                      <Table.Td>{c.unit?.number ?? "—"}</Table.Td>
                      <Table.Td>
                        <HolderCell checkout={c} />
                      </Table.Td>
                      <Table.Td miw={150}>
                        <Since iso={c.since} zone={zone(c)} now={now} />
                      </Table.Td>
                      <Table.Td>{c.reason?.label ?? "—"}</Table.Td>
                      <Table.Td style={{ whiteSpace: "nowrap" }}>{c.workOrder ?? "—"}</Table.Td>
                      <Table.Td>
                        <Due checkout={c} zone={zone(c)} now={now} />
                      </Table.Td>
                      <Table.Td>
                        {c.cabinet ? (
                          <AppLink to={`/cabinets/${c.cabinet.id}`}>
                            {c.cabinet.name}
                            {c.hookOut === null ? "" : ` · ${c.hookOut}`}
                          </AppLink>
                        ) : (
                          "—"
                        )}
                      </Table.Td>
                      {showProperty && <Table.Td>{session.propertyName(c.propertyId)}</Table.Td>}
                    </Table.Tr>
                  ))
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      <Text size="sm" c="gray.7" aria-live="polite">
        {open.isSuccess &&
          `Showing ${shown.length} of ${open.data.complete ? "" : "at least "}${all.length} keys out · ${overdueCount} overdue`}
      </Text>
    </Page>
  );
}
