/**
 * One chart of a report (activity over time, by reason, by hour of day, by person) drawn from the answer's
 * `{ key, title, kind, points }`: a titled figure whose numbers are also a table, for screen readers and for print
 * (the printed page shows the table in place of the drawing).
 */
import type { ReportChart } from "@keyward/contracts/reports";
import { Paper, Table, Text, VisuallyHidden } from "@mantine/core";
import { useId } from "react";
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const COLOR = "var(--mantine-color-blue-7)";
/** Labels longer than this read better as horizontal bars, names down the side. */
const SHORT_LABEL = 6;
const BAR_THICKNESS = 26;
// why: a report is read, not watched; a drawing that grows in would be caught half-drawn by print and screenshots
const STILL = { isAnimationActive: false } as const;

/** What the numbers table calls a chart's labels: "Reason" for "Checkouts by reason", "Day" over time. */
export function labelHeading(chart: ReportChart): string {
  if (chart.kind === "line") {
    return chart.title.includes("(by week)") ? "Week from" : "Day";
  }
  // why: a title may end with a note in brackets ("… by hour of day (newest 50,000)")
  const by = /\bby (.+)$/.exec(chart.title.replace(/\s*\([^)]*\)$/, ""))?.[1];
  return by ? by.charAt(0).toUpperCase() + by.slice(1) : "Of";
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dayFormat = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric" });

function isDay(label: string): boolean {
  return DAY.test(label);
}

/** A tick: "May 26" for a day (YYYY-MM-DD, a calendar date with no zone), any other label as it is. */
function tickLabel(label: string): string {
  return isDay(label) ? dayFormat.format(new Date(`${label}T00:00:00Z`)) : label;
}

/** Whether a bar chart's labels are names (drawn as horizontal bars) rather than short ticks such as "07:00". */
export function drawsSideways(chart: ReportChart): boolean {
  return chart.kind === "bar" && chart.points.some((p) => p.label.length > SHORT_LABEL && !isDay(p.label));
}

function Drawing({ chart, compact }: { chart: ReportChart; compact: boolean }) {
  const axisTick = { fontSize: 11, fill: "var(--mantine-color-gray-7)" };
  if (chart.kind === "line") {
    return (
      <ResponsiveContainer width="100%" height={compact ? 140 : 220}>
        <LineChart data={chart.points} margin={{ top: 8, right: 12, bottom: 0, left: -12 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={axisTick} minTickGap={16} tickFormatter={tickLabel} />
          <YAxis allowDecimals={false} tick={axisTick} width={48} />
          <Tooltip />
          <Line type="monotone" dataKey="value" name="Count" stroke={COLOR} strokeWidth={2} dot={false} {...STILL} />
        </LineChart>
      </ResponsiveContainer>
    );
  }
  if (drawsSideways(chart)) {
    return (
      <ResponsiveContainer width="100%" height={chart.points.length * BAR_THICKNESS + 40}>
        <BarChart data={chart.points} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" allowDecimals={false} tick={axisTick} />
          <YAxis type="category" dataKey="label" tick={axisTick} width={130} interval={0} />
          <Tooltip />
          <Bar dataKey="value" name="Count" fill={COLOR} {...STILL} />
        </BarChart>
      </ResponsiveContainer>
    );
  }
  return (
    <ResponsiveContainer width="100%" height={compact ? 140 : 220}>
      <BarChart data={chart.points} margin={{ top: 8, right: 12, bottom: 0, left: -12 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={axisTick} minTickGap={4} tickFormatter={tickLabel} />
        <YAxis allowDecimals={false} tick={axisTick} width={48} />
        <Tooltip />
        <Bar dataKey="value" name="Count" fill={COLOR} {...STILL} />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** The chart's numbers as a two-column table. */
function Numbers({ chart, id }: { chart: ReportChart; id: string }) {
  return (
    <Table className="report-chart-numbers" aria-labelledby={id} fz="xs" verticalSpacing={2}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{labelHeading(chart)}</Table.Th>
          <Table.Th scope="col" ta="right">
            Count
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {chart.points.map((p) => (
          <Table.Tr key={p.label}>
            <Table.Td>{p.label}</Table.Td>
            <Table.Td ta="right">{p.value.toLocaleString("en-US")}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** A report's chart with its title; `compact` draws it small (the home page's week of activity). */
export function ReportChartView({ chart, compact = false }: { chart: ReportChart; compact?: boolean }) {
  const id = useId();
  const empty = chart.points.every((p) => p.value === 0);
  return (
    <Paper
      component="figure"
      withBorder={!compact}
      p={compact ? 0 : "sm"}
      radius="md"
      m={0}
      className="report-chart"
      aria-labelledby={id}
    >
      <Text component="figcaption" id={id} fw={600} size="sm" mb={4}>
        {chart.title}
      </Text>
      {empty ? (
        <Text size="sm" c="gray.7" py="md">
          Nothing to draw: every count is zero.
        </Text>
      ) : (
        // why: the drawing repeats the table below it; screen readers read the table, not the shapes
        <div className="report-chart-drawing" aria-hidden>
          <Drawing chart={chart} compact={compact} />
        </div>
      )}
      <VisuallyHidden className="report-chart-numbers-wrap">
        <Numbers chart={chart} id={id} />
      </VisuallyHidden>
    </Paper>
  );
}
