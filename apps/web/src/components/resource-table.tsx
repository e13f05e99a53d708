/**
 * The one list component: any admin-plane resource as a table that sorts and filters on the server (the API's sort,
 * q and equality filters), loads more by cursor, and exports what it shows — or links the server's export.
 */
import {
  Alert,
  Button,
  Center,
  Group,
  Loader,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { api, type Query } from "../api.ts";
import { downloadText, toCsv } from "../csv.ts";
import type { Session } from "../session.tsx";
import { StatusBadge } from "./status-badge.tsx";

export interface Column<T> {
  key: string;
  header: string;
  /** The cell as text: shown when there is no `render`, and written to the CSV export. */
  value?: (row: T) => string | number | null | undefined;
  render?: (row: T) => ReactNode;
  /** The API's sort field, when the column sorts. */
  sort?: string;
}

/** A record's status as a badge, exported as its key. */
export function statusColumn<T extends { status: string }>(): Column<T> {
  return { key: "status", header: "Status", value: (r) => r.status, render: (r) => <StatusBadge status={r.status} /> };
}

/**
 * The record's property, shown only under "All properties" (a chosen property would repeat on every row): spread it
 * into a column list.
 */
export function propertyColumn<T extends { propertyId: string | null }>(session: Session): Column<T>[] {
  return session.propertyId
    ? []
    : [{ key: "property", header: "Property", value: (r) => session.propertyName(r.propertyId) }];
}

export interface FilterDef {
  param: string;
  label: string;
  options: { value: string; label: string }[];
}

/** The Status filter of a resource whose records are active or else archived (units) or inactive (people). */
export function statusFilter(other: "archived" | "inactive"): FilterDef {
  return {
    param: "status",
    label: "Status",
    options: [
      { value: "active", label: "Active" },
      other === "archived" ? { value: "archived", label: "Archived" } : { value: "inactive", label: "Inactive" },
    ],
  };
}

export interface ResourceTableProps<T> {
  /** The resource's path under /api/v1. */
  path: string;
  /** Names the table for screen readers and the export's file. */
  label: string;
  columns: Column<T>[];
  /** Filters the screen fixes (the chosen property, a parent record). */
  query?: Query;
  filters?: FilterDef[];
  /** Filter values to start with (from a link such as /keys?status=lost). */
  initialFilters?: Record<string, string | null>;
  /** Placeholder of the search box; no box when absent (the resource has no `q`). */
  search?: string;
  defaultSort?: string;
  serverExports?: { label: string; href: string }[];
  toolbar?: ReactNode;
  pageSize?: number;
  empty?: string;
  /** No search, filters or export: a small list inside a record's page. */
  bare?: boolean;
}

function SortHeader({ label, state, onClick }: { label: string; state: "asc" | "desc" | null; onClick: () => void }) {
  const arrow = state === "asc" ? "▲" : state === "desc" ? "▼" : "↕";
  return (
    <UnstyledButton onClick={onClick} fw={600} fz="sm" aria-label={`Sort by ${label}`}>
      {label}{" "}
      <Text span c={state ? "blue" : "dimmed"} fz="xs" aria-hidden>
        {arrow}
      </Text>
    </UnstyledButton>
  );
}

/** A server-backed table. */
export function ResourceTable<T extends { id: string }>(props: ResourceTableProps<T>) {
  const { path, label, columns, query = {}, filters = [], pageSize = 50 } = props;
  const [sort, setSort] = useState<string | undefined>(props.defaultSort);
  const [chosen, setChosen] = useState<Record<string, string | null>>(props.initialFilters ?? {});
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 300);

  const params: Query = { ...query, ...chosen, q: q || undefined, sort, limit: pageSize };
  const list = useInfiniteQuery({
    queryKey: [path, "list", params],
    queryFn: ({ pageParam }) => api.list<T>(path, { ...params, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const sortState = (field: string): "asc" | "desc" | null =>
    sort === field ? "asc" : sort === `-${field}` ? "desc" : null;
  const toggleSort = (field: string) => setSort(sort === field ? `-${field}` : field);

  const exportShown = () => {
    const header = columns.filter((c) => c.value).map((c) => c.header);
    const data = rows.map((row) =>
      columns.filter((c) => c.value).map((c) => (c.value ? String(c.value(row) ?? "") : "")),
    );
    downloadText(`${label.toLowerCase().replace(/\W+/g, "-")}.csv`, toCsv(header, data));
  };

  return (
    <Stack gap="sm">
      {!props.bare && (
        <Group gap="sm" align="flex-end" wrap="wrap">
          {props.search && (
            <TextInput
              label="Search"
              placeholder={props.search}
              value={search}
              onChange={(e) => setSearch(e.currentTarget.value)}
              w={{ base: "100%", sm: 260 }}
            />
          )}
          {filters.map((f) => (
            <Select
              key={f.param}
              label={f.label}
              placeholder="Any"
              data={f.options}
              value={chosen[f.param] ?? null}
              onChange={(v) => setChosen((prev) => ({ ...prev, [f.param]: v }))}
              clearable
              w={{ base: "calc(50% - var(--mantine-spacing-sm) / 2)", xs: 180 }}
            />
          ))}
          <Group gap="xs" ml={{ sm: "auto" }}>
            {props.toolbar}
            <Button variant="default" onClick={exportShown} disabled={rows.length === 0}>
              Export shown (CSV)
            </Button>
            {props.serverExports?.map((e) => (
              <Button key={e.href} component="a" href={e.href} download variant="default">
                {e.label}
              </Button>
            ))}
          </Group>
        </Group>
      )}

      {list.isError ? (
        <Alert color="red" title="Could not load">
          {list.error.message}
        </Alert>
      ) : list.isPending ? (
        <Center py="xl">
          <Loader aria-label="Loading" />
        </Center>
      ) : (
        <Paper withBorder={!props.bare} radius="md" style={{ overflow: "hidden" }}>
          <Table.ScrollContainer minWidth={props.bare ? 480 : 640}>
            <Table striped highlightOnHover verticalSpacing="xs" aria-label={label} opacity={list.isFetching ? 0.7 : 1}>
              <Table.Thead>
                <Table.Tr>
                  {columns.map((c) => {
                    const state = c.sort ? sortState(c.sort) : null;
                    const ariaSort = state === "asc" ? "ascending" : state === "desc" ? "descending" : undefined;
                    return (
                      <Table.Th key={c.key} aria-sort={ariaSort} style={{ whiteSpace: "nowrap" }}>
                        {c.sort ? (
                          <SortHeader label={c.header} state={state} onClick={() => toggleSort(c.sort ?? c.key)} />
                        ) : (
                          c.header
                        )}
                      </Table.Th>
                    );
                  })}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={columns.length}>
                      <Text c="dimmed" ta="center" py="md">
                        {props.empty ?? "Nothing matches."}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  rows.map((row) => (
                    <Table.Tr key={row.id}>
                      {columns.map((c) => (
                        <Table.Td key={c.key}>{c.render ? c.render(row) : (c.value?.(row) ?? "—")}</Table.Td>
                      ))}
                    </Table.Tr>
                  ))
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      <Group justify="space-between">
        <Text size="sm" c="dimmed" aria-live="polite">
          {list.isSuccess ? `Showing ${rows.length}${list.hasNextPage ? "" : " (all)"}` : ""}
        </Text>
        {list.hasNextPage && (
          <Button variant="light" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
            Load more
          </Button>
        )}
      </Group>
    </Stack>
  );
}
