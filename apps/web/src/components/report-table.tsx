/**
 * A report's rows as a table: headings sort on the server (the `sort` parameter), instants read in the report's zone
 * with the zone named, minutes as durations, flags as badges, and each row linked to what it is about (a unit's page
 * with its timeline and evidence packet, a person, a key, a cabinet).
 */
import type { Report, ReportCell, ReportColumn, ReportRow } from "@keyward/contracts/reports";
import { Badge, Paper, Table, Text, UnstyledButton } from "@mantine/core";
import type { ReactNode } from "react";
import { formatInstant, formatLocalDate, formatMinutes } from "../format.ts";
import { AppLink } from "./app-link.tsx";

/** Where each of a row's links leads, and the columns that carry it (the first one present). */
const LINK_TARGETS: Record<string, { path: string; columns: readonly string[]; label: string }> = {
  unitId: { path: "/units/", columns: ["unit"], label: "Unit" },
  personId: { path: "/people/", columns: ["holder", "person", "employee", "name"], label: "Person" },
  keyId: { path: "/keys/", columns: ["key"], label: "Key" },
  cabinetId: { path: "/cabinets/", columns: ["cabinet"], label: "Cabinet" },
};

/** The link each column carries in this report, and the links no column carries (shown in a last "Open" column). */
function linkPlan(columns: readonly ReportColumn[], rows: readonly ReportRow[]) {
  const linkKeys = new Set(rows.flatMap((r) => Object.keys(r.links ?? {})));
  const byColumn = new Map<string, string>();
  const spare: string[] = [];
  for (const linkKey of linkKeys) {
    const target = LINK_TARGETS[linkKey];
    if (!target) {
      continue;
    }
    const column = target.columns.find((c) => columns.some((col) => col.key === c) && !byColumn.has(c));
    if (column) {
      byColumn.set(column, linkKey);
    } else {
      spare.push(linkKey);
    }
  }
  return { byColumn, spare };
}

/** A cell as text, the way CSV and screen agree to read it. */
export function cellText(column: ReportColumn, value: ReportCell, zone: string): string {
  if (value === null || value === "") {
    return "—";
  }
  switch (column.kind) {
    case "instant":
      return formatInstant(String(value), zone);
    case "date":
      return formatLocalDate(String(value));
    case "minutes":
      return typeof value === "number" ? formatMinutes(value) : String(value);
    case "number":
      return typeof value === "number" ? value.toLocaleString("en-US") : String(value);
    case "flag":
      return value === true ? "Yes" : "No";
    case "text":
      return String(value);
  }
}

function Cell({ column, value, zone }: { column: ReportColumn; value: ReportCell; zone: string }): ReactNode {
  if (column.kind === "flag") {
    return value === true ? (
      <Badge color="red.9" variant="filled" radius="sm">
        {column.label}
      </Badge>
    ) : (
      "No"
    );
  }
  return cellText(column, value, zone);
}

function SortHeading({
  column,
  sort,
  onSort,
}: {
  column: ReportColumn;
  sort: Report["sort"];
  onSort: (sort: string) => void;
}) {
  const state = sort.key === column.key ? sort.direction : null;
  const next = state === "asc" ? `-${column.key}` : column.key;
  const arrow = state === "asc" ? "▲" : state === "desc" ? "▼" : "↕";
  return (
    <Table.Th
      scope="col"
      aria-sort={state === "asc" ? "ascending" : state === "desc" ? "descending" : undefined}
      style={{ whiteSpace: "nowrap" }}
      ta={column.kind === "number" || column.kind === "minutes" ? "right" : undefined}
    >
      <UnstyledButton onClick={() => onSort(next)} fw={600} fz="sm" aria-label={`Sort by ${column.label}`}>
        {column.label}{" "}
        <Text span c={state ? "blue.8" : "gray.6"} fz="xs" aria-hidden className="report-sort-arrow">
          {arrow}
        </Text>
      </UnstyledButton>
    </Table.Th>
  );
}

/** The table of a report's answer; `onSort` receives the next `sort` value ("key" or "-key"). */
export function ReportTable({ report, onSort }: { report: Report; onSort: (sort: string) => void }) {
  const { columns, rows, timeZone } = report;
  const { byColumn, spare } = linkPlan(columns, rows);
  return (
    <Paper withBorder radius="md" style={{ overflow: "hidden" }} className="report-table">
      <Table.ScrollContainer minWidth={Math.max(640, columns.length * 110)}>
        <Table striped highlightOnHover verticalSpacing="xs" aria-label={report.title}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <SortHeading key={c.key} column={c} sort={report.sort} onSort={onSort} />
              ))}
              {spare.length > 0 && (
                <Table.Th scope="col" className="report-screen-only">
                  Open
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={columns.length + (spare.length > 0 ? 1 : 0)}>
                  <Text c="gray.7" ta="center" py="md">
                    No rows for these filters.
                  </Text>
                </Table.Td>
              </Table.Tr>
            ) : (
              rows.map((row, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id; one answer's order is fixed by its sort
                <Table.Tr key={index}>
                  {columns.map((c) => {
                    const value = row.cells[c.key] ?? null;
                    const linkKey = byColumn.get(c.key);
                    const target = linkKey ? LINK_TARGETS[linkKey] : undefined;
                    const id = linkKey ? row.links?.[linkKey] : undefined;
                    const numeric = c.kind === "number" || c.kind === "minutes";
                    return (
                      <Table.Td
                        key={c.key}
                        ta={numeric ? "right" : undefined}
                        style={c.kind === "instant" ? { whiteSpace: "nowrap" } : undefined}
                      >
                        {target && id && value !== null ? (
                          <AppLink to={`${target.path}${id}`} fw={600}>
                            {cellText(c, value, timeZone)}
                          </AppLink>
                        ) : (
                          <Cell column={c} value={value} zone={timeZone} />
                        )}
                      </Table.Td>
                    );
                  })}
                  {spare.length > 0 && (
                    <Table.Td className="report-screen-only" style={{ whiteSpace: "nowrap" }}>
                      {spare.map((linkKey) => {
                        const target = LINK_TARGETS[linkKey];
                        const id = row.links?.[linkKey];
                        return target && id ? (
                          <AppLink key={linkKey} to={`${target.path}${id}`} mr="xs">
                            {target.label}
                          </AppLink>
                        ) : null;
                      })}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
