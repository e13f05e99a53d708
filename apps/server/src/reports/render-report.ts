/**
 * A report as CSV and as PDF, from the very answer the JSON format returns, so every format carries the same rows and
 * totals. Instants are written on the report's clock with the zone named in the column heading; durations in whole
 * minutes; flags as yes/no.
 */
import { MAX_REPORT_ROWS, type Report, type ReportCell, type ReportColumn } from "@keyward/contracts/reports";
import { stringify } from "csv-stringify/sync";
import { guard } from "../commands/import-csv.ts";
import { type Content, type DocumentDefinition, localStamp, type TableCell } from "../pdf/pdfmake.ts";
import { renderInWorker } from "./render-worker-client.ts";

/** A column's heading, with the time zone for instants. */
export function columnHeading(column: ReportColumn, timeZone: string): string {
  return column.kind === "instant" ? `${column.label} (${timeZone})` : column.label;
}

/** A cell as text: what the CSV and the PDF print. */
export function cellText(column: ReportColumn, value: ReportCell | undefined, timeZone: string): string {
  if (value === null || value === undefined) {
    return "";
  }
  if (column.kind === "instant" && typeof value === "string") {
    return localStamp(value, timeZone);
  }
  if (column.kind === "flag") {
    return value ? "yes" : "no";
  }
  return String(value);
}

/** The file name a download gets: `keys-out-maple-court-2026-11-28.csv`. */
export function reportFileName(report: Report, extension: "csv" | "pdf"): string {
  const slug = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 40);
  const place = report.property ? `-${slug(report.property.name)}` : "";
  const day = report.period ? `${report.period.from}-to-${report.period.to}` : report.generatedAt.slice(0, 10);
  return `${report.name}${place}-${day}.${extension}`;
}

/**
 * The CSV: a heading row and the rows; then, after an empty line, one `Total,<label>,<value>` line per total.
 * Text cells a spreadsheet would run as formulas are guarded with a leading apostrophe.
 */
export function renderReportCsv(report: Report): string {
  const heading = report.columns.map((c) => columnHeading(c, report.timeZone));
  const body = report.rows.map((row) =>
    report.columns.map((c) => {
      const text = cellText(c, row.cells[c.key], report.timeZone);
      return c.kind === "text" ? guard(text) : text;
    }),
  );
  const table = stringify([heading, ...body]);
  const totals = stringify(report.totals.map((t) => ["Total", guard(t.label), String(t.value)]));
  return report.totals.length > 0 ? `${table}\n${totals}` : table;
}

/**
 * The most rows a PDF prints; the CSV carries the rest. A PDF of this many rows takes seconds to lay out (off the main
 * thread) and runs to well over a hundred pages.
 */
export const MAX_PDF_ROWS = 5_000;

function fact(label: string, value: string): Content {
  return {
    columns: [
      { text: label, bold: true, width: 110 },
      { text: value, width: "*" },
    ],
    margin: [0, 1, 0, 1],
  };
}

/** The document definition of a report's PDF (exported so its structure can be read without rendering). */
export function reportDocument(report: Report): DocumentDefinition {
  const zone = report.timeZone;
  const rows = report.rows.slice(0, MAX_PDF_ROWS);
  const numeric = (c: ReportColumn) => c.kind === "number" || c.kind === "minutes";
  const place = report.property?.name ?? report.filters.find((f) => f.key === "propertyId")?.value ?? "";
  const others = report.filters.filter((f) => f.key !== "propertyId");
  const checkpoint = report.checkpoint
    ? `log size ${report.checkpoint.size}, root ${report.checkpoint.rootHash}, signed ${localStamp(
        report.checkpoint.signedAt,
        zone,
      )}`
    : "none signed yet";
  const shown =
    rows.length < report.rowCount
      ? `${rows.length} of ${report.rowCount} rows (a PDF prints at most ${MAX_PDF_ROWS.toLocaleString("en-US")}; the CSV of a report carries up to ${MAX_REPORT_ROWS.toLocaleString("en-US")}; narrow the filters for the rest)`
      : `${report.rowCount} ${report.rowCount === 1 ? "row" : "rows"}`;
  const sortColumn = report.columns.find((c) => c.key === report.sort.key);
  return {
    pageSize: "LETTER",
    pageOrientation: report.columns.length > 6 ? "landscape" : "portrait",
    pageMargins: [36, 36, 36, 48],
    info: { title: `${report.title} — ${place}`, author: report.organization.name, creator: "Keyward" },
    defaultStyle: { font: "Helvetica", fontSize: 8 },
    footer: (current: number, count: number): Content => ({
      columns: [
        { text: `${report.organization.name} · ${report.title} · ${place}`, fontSize: 7, color: "#555555" },
        { text: `page ${current} of ${count}`, alignment: "right", fontSize: 7 },
      ],
      margin: [36, 16, 36, 0],
    }),
    content: [
      { text: report.title, fontSize: 15, bold: true, margin: [0, 0, 0, 2] },
      { text: report.description, color: "#444444", margin: [0, 0, 0, 8] },
      fact("Organization", report.organization.name),
      fact("Property", place),
      fact(
        "Period",
        report.period ? `${report.period.from} to ${report.period.to}, both days included` : "the present moment",
      ),
      ...(others.length > 0 ? [fact("Filters", others.map((f) => `${f.label}: ${f.value}`).join("; "))] : []),
      fact("Time zone", `Times are in ${zone}`),
      fact("Generated", `${localStamp(report.generatedAt, zone)} (${zone}) by ${report.generatedBy.name}`),
      fact("Audit checkpoint", checkpoint),
      fact(
        "Rows",
        `${shown}, sorted by ${sortColumn?.label ?? report.sort.key} (${report.sort.direction === "asc" ? "ascending" : "descending"})`,
      ),
      ...(report.totals.length > 0
        ? [
            {
              margin: [0, 8, 0, 8],
              // why: one total per line, so a report with many totals never squeezes a label onto several lines
              table: {
                widths: ["auto", "auto"],
                body: report.totals.map((t): TableCell[] => [
                  { text: t.label, bold: true },
                  { text: String(t.value), alignment: "right" },
                ]),
              },
              layout: "lightHorizontalLines",
            },
          ]
        : []),
      rows.length === 0
        ? { text: "No rows match these filters.", italics: true, margin: [0, 6, 0, 0] }
        : {
            table: {
              // why: a long report runs over many pages; each repeats the heading so a page read alone is clear
              headerRows: 1,
              widths: report.columns.map(() => "*"),
              body: [
                report.columns.map(
                  (c): TableCell => ({ text: columnHeading(c, zone), bold: true, fillColor: "#e8e8e8" }),
                ),
                ...rows.map((row) =>
                  report.columns.map((c): TableCell => {
                    const text = cellText(c, row.cells[c.key], zone);
                    return numeric(c) ? { text, alignment: "right" } : text;
                  }),
                ),
              ],
            },
            layout: "lightHorizontalLines",
          },
    ],
  };
}

/**
 * Renders a report's PDF: header, totals, the table with its heading on every page, "page N of M". The layout runs in
 * the renderer's worker thread, so a long PDF never stalls the API or the cabinets' sync.
 */
export function renderReportPdf(report: Report): Promise<Buffer> {
  return renderInWorker(report);
}
