/**
 * One report (`/reports/:name`): its filters, header, totals, charts and table, drawn from the answer of
 * `GET /api/v1/reports/{name}`. Every filter and the sort live in the URL, so a report can be bookmarked and shared;
 * the CSV and PDF buttons link the same URL with another format, and Print lays the page out for paper.
 */
import { REPORT_NAMES, type Report, type ReportName } from "@keyward/contracts/reports";
import { Alert, Anchor, Button, Center, Group, Loader, SimpleGrid, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { apiUrl, type Query } from "../api.ts";
import { AppLink } from "../components/app-link.tsx";
import { Page } from "../components/page.tsx";
import { ReportChartView } from "../components/report-chart.tsx";
import { ReportFilters, type ReportFilterValues } from "../components/report-filters.tsx";
import { ReportHeader, ReportTotals } from "../components/report-header.tsx";
import { ReportTable } from "../components/report-table.tsx";
import { type ReportCatalogItem, useReport, useReportCatalog } from "../queries.ts";
import { useSession } from "../session.tsx";

/** URL parameters a report page keeps, besides the property and the sort. */
const FILTER_PARAMS = ["buildingId", "unitId", "personId", "reasonCodeId", "days"] as const;
const PERIOD_PARAMS = ["from", "to"] as const;

/**
 * Paper: no navigation, header or buttons, the table at full width with nothing cut off, the header on top, and each
 * chart's numbers in place of its drawing.
 */
const PRINT_CSS = `
@media print {
  @page { margin: 12mm; }
  .mantine-AppShell-header, .mantine-AppShell-navbar, .report-screen-only, .report-filters, .report-sort-arrow { display: none !important; }
  /* why: the shell animates its padding; paper must get the final layout at once */
  .mantine-AppShell-main { padding: 0 !important; min-height: 0 !important; background: #fff !important;
    transition: none !important; }
  .report-table, .report-table .mantine-Table-scrollContainer, .report-table .mantine-ScrollArea-root,
  .report-table .mantine-ScrollArea-viewport { overflow: visible !important; border: 0 !important; }
  .report-table .mantine-Table-scrollContainerInner { min-width: 0 !important; }
  .report-table table { width: 100% !important; font-size: 9pt; }
  .report-table th, .report-table td { padding: 2px 4px !important; }
  .report-table tr { break-inside: avoid; }
  .report-chart { break-inside: avoid; }
  /* why: an SVG sized for the screen does not reflow to the page; the numbers print exactly */
  .report-chart-drawing { display: none !important; }
  .report-chart-numbers-wrap { position: static !important; width: auto !important; height: auto !important;
    clip: auto !important; clip-path: none !important; overflow: visible !important; white-space: normal !important; }
}`;

function isReportName(name: string | undefined): name is ReportName {
  return REPORT_NAMES.some((n) => n === name);
}

/**
 * Keeps the header's property switcher and the URL's `propertyId` the same: a shared link chooses its property in
 * the switcher once (when the user may work there), then the switcher leads and the URL follows it.
 * @returns the property the report is for (null: every property the user may see reports of).
 */
function useReportProperty(): string | null {
  const session = useSession();
  const { propertyId, setPropertyId, properties } = session;
  const [params, setParams] = useSearchParams();
  const inUrl = params.get("propertyId");
  const [adopting, setAdopting] = useState<string | null>(() =>
    inUrl !== null && inUrl !== propertyId && properties.some((p) => p.id === inUrl) ? inUrl : null,
  );
  useEffect(() => {
    if (adopting !== null) {
      if (propertyId === adopting) {
        setAdopting(null);
      } else {
        setPropertyId(adopting);
      }
      return;
    }
    if (inUrl !== propertyId) {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (propertyId === null) {
            next.delete("propertyId");
          } else {
            next.set("propertyId", propertyId);
          }
          // why: a building or unit belongs to the property the user just left; the server would refuse the pair
          if (inUrl !== null) {
            next.delete("buildingId");
            next.delete("unitId");
          }
          return next;
        },
        { replace: true },
      );
    }
  }, [adopting, propertyId, inUrl, setPropertyId, setParams]);
  return adopting ?? propertyId;
}

/** The API query for this report from the URL: only the filters the report takes. */
function reportQuery(item: ReportCatalogItem, params: URLSearchParams, propertyId: string | null): Query {
  const query: Query = { propertyId };
  for (const key of FILTER_PARAMS) {
    if (item.filters.includes(key)) {
      query[key] = params.get(key);
    }
  }
  if (item.periodic) {
    for (const key of PERIOD_PARAMS) {
      query[key] = params.get(key);
    }
  }
  query.sort = params.get("sort");
  return query;
}

function Downloads({ name, query }: { name: ReportName; query: Query }) {
  return (
    <Group gap="xs" className="report-screen-only">
      <Button component="a" href={apiUrl(`reports/${name}`, { ...query, format: "csv" })} download variant="default">
        CSV
      </Button>
      <Button component="a" href={apiUrl(`reports/${name}`, { ...query, format: "pdf" })} download variant="default">
        PDF
      </Button>
      <Button variant="default" onClick={() => window.print()}>
        Print
      </Button>
    </Group>
  );
}

function Answer({ report, onSort }: { report: Report; onSort: (sort: string) => void }) {
  return (
    <>
      <ReportHeader report={report} />
      <ReportTotals report={report} />
      {report.truncated && (
        <Alert color="yellow" title="Not every row is shown">
          The table shows the first {report.rows.length.toLocaleString("en-US")} of{" "}
          {report.rowCount.toLocaleString("en-US")} rows in this order; the totals and charts count all of them. Narrow
          the filters or the period to see the rest.
        </Alert>
      )}
      {report.charts.length > 0 && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm" component="section" aria-label="Charts">
          {report.charts.map((chart) => (
            <ReportChartView key={chart.key} chart={chart} />
          ))}
        </SimpleGrid>
      )}
      <ReportTable report={report} onSort={onSort} />
      <Text size="sm" c="gray.7" aria-live="polite">
        {report.rowCount.toLocaleString("en-US")} {report.rowCount === 1 ? "row" : "rows"}
      </Text>
    </>
  );
}

export function ReportPage() {
  const { name } = useParams();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const propertyId = useReportProperty();
  const catalog = useReportCatalog();
  const item = catalog.data?.find((i) => i.name === name);
  const query = item ? reportQuery(item, params, propertyId) : {};
  const report = useReport(item?.name ?? null, query);
  const zone = report.data?.timeZone ?? session.zoneOf(propertyId);

  const setFilters = (patch: ReportFilterValues) => {
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      for (const [key, value] of Object.entries(patch)) {
        if (value === null || value === "") {
          next.delete(key);
        } else {
          next.set(key, value);
        }
      }
      return next;
    });
  };
  const values: ReportFilterValues = Object.fromEntries(
    [...FILTER_PARAMS, ...PERIOD_PARAMS].map((key) => [key, params.get(key)]),
  );

  if (!isReportName(name) || (catalog.isSuccess && !item)) {
    return (
      <Page title="No such report">
        <Text>
          There is no report called “{name}”. <AppLink to="/reports">See the reports there are.</AppLink>
        </Text>
      </Page>
    );
  }

  return (
    <Page
      title={item?.title ?? "Report"}
      description={item?.description}
      actions={item && <Downloads name={item.name} query={query} />}
    >
      <style>{PRINT_CSS}</style>
      <Anchor component={Link} to="/reports" size="sm" className="report-screen-only" mt={-12}>
        ← All reports
      </Anchor>
      {catalog.isError ? (
        <Alert color="red" title="Could not load the reports">
          {catalog.error.message}
        </Alert>
      ) : !item ? (
        <Center py="xl">
          <Loader aria-label="Loading" />
        </Center>
      ) : (
        <Stack gap="md">
          <ReportFilters
            item={item}
            values={values}
            onChange={setFilters}
            propertyId={propertyId}
            period={report.data?.period ?? null}
            zone={zone}
          />
          {report.isError ? (
            <Alert color="red" title="Could not run the report">
              {report.error.message}
            </Alert>
          ) : !report.data ? (
            <Center py="xl">
              <Loader aria-label="Loading" />
            </Center>
          ) : (
            <Stack gap="md" opacity={report.isFetching ? 0.7 : 1} aria-busy={report.isFetching}>
              <Answer report={report.data} onSort={(sort) => setFilters({ sort })} />
            </Stack>
          )}
        </Stack>
      )}
    </Page>
  );
}
