/**
 * What a report rests on, as its PDF prints it: the period, the zone its times are in, the filters, who made it and
 * when, and the signed audit checkpoint its rows rest on. Then its totals, each a figure.
 */
import type { Report } from "@keyward/contracts/reports";
import { Group, Paper, SimpleGrid, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { describeZone, formatInstant, formatLocalDate } from "../format.ts";

/** "a1b2c3d4…e5f6a7": enough of a root hash to compare with the audit page by eye. */
function shortHash(hex: string): string {
  return hex.length > 20 ? `${hex.slice(0, 10)}…${hex.slice(-6)}` : hex;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="gray.7" fw={700}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

/** The report's header: period (or "now"), zone, filters, generation and audit checkpoint. */
export function ReportHeader({ report }: { report: Report }) {
  const generated = new Date(report.generatedAt);
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-label="About this report" className="report-header">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm" verticalSpacing="xs">
        <Fact label="Period">
          {report.period
            ? `${formatLocalDate(report.period.from)} – ${formatLocalDate(report.period.to)}`
            : `Now (${formatInstant(report.generatedAt, report.timeZone)})`}
        </Fact>
        <Fact label="Times in">{describeZone(report.timeZone, generated)}</Fact>
        <Fact label="Generated">
          {formatInstant(report.generatedAt, report.timeZone)} by {report.generatedBy.name}
        </Fact>
        <Fact label="Audit checkpoint">
          {report.checkpoint ? (
            <span title={report.checkpoint.rootHash}>
              {report.checkpoint.size.toLocaleString("en-US")} entries · root {shortHash(report.checkpoint.rootHash)}
              {" · signed "}
              {formatInstant(report.checkpoint.signedAt, report.timeZone)}
            </span>
          ) : (
            "None signed yet"
          )}
        </Fact>
      </SimpleGrid>
      <Group gap="lg" mt="xs" wrap="wrap">
        <Text size="sm">
          <Text span c="gray.7" fw={700} size="xs">
            Organization{" "}
          </Text>
          {report.organization.name}
        </Text>
        {report.filters.map((f) => (
          <Text size="sm" key={f.key}>
            <Text span c="gray.7" fw={700} size="xs">
              {f.label}{" "}
            </Text>
            {f.value}
          </Text>
        ))}
      </Group>
    </Paper>
  );
}

/** The report's totals, counted over every row (also those past the row limit). */
export function ReportTotals({ report }: { report: Report }) {
  if (report.totals.length === 0) {
    return null;
  }
  return (
    <SimpleGrid
      cols={{ base: 2, sm: Math.min(4, report.totals.length), lg: Math.min(6, report.totals.length) }}
      spacing="sm"
      component="section"
      aria-label="Totals"
      className="report-totals"
    >
      {report.totals.map((t) => (
        <Paper key={t.key} withBorder p="sm" radius="md" data-total={t.key} data-value={t.value}>
          <Text size="xs" c="gray.7" fw={700}>
            {t.label}
          </Text>
          <Text fz={26} fw={700} lh={1.3}>
            {t.value.toLocaleString("en-US")}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}
