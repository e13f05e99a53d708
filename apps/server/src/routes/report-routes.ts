/**
 * Reports: the catalog (what each report shows and which filters it takes) and each report as JSON, CSV or PDF. Every
 * format is rendered from the same answer, limited to the properties where the actor may read reports.
 */
import { ErrorBody } from "@keyward/contracts/common";
import { REPORT_NAMES, Report, ReportColumn, ReportQuery } from "@keyward/contracts/reports";
import { propertiesWhere } from "@keyward/domain/permissions";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { forbidden } from "../errors.ts";
import { actorOf } from "../http/pipeline.ts";
import { renderReportCsv, renderReportPdf, reportFileName } from "../reports/render-report.ts";
import { REPORTS } from "../reports/report-catalog.ts";
import { runReport } from "../reports/run-report.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const ReportCatalog = z
  .object({
    items: z.array(
      z.object({
        name: z.enum(REPORT_NAMES),
        title: z.string(),
        description: z.string(),
        periodic: z.boolean(),
        filters: z.array(z.string()),
        columns: z.array(ReportColumn),
        defaultSort: z.object({ key: z.string(), direction: z.enum(["asc", "desc"]) }),
      }),
    ),
  })
  .meta({ id: "ReportCatalog" });

export function registerReportRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/api/v1/reports",
    {
      schema: {
        tags: ["Reports"],
        summary: "The reports, with their columns and the filters each takes",
        response: { 200: ReportCatalog, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const readable = propertiesWhere(actor, "read", "report");
      if (readable !== "all" && readable.length === 0) {
        throw forbidden("see reports");
      }
      return {
        items: REPORT_NAMES.map((name) => {
          const d = REPORTS[name];
          return {
            name,
            title: d.title,
            description: d.description,
            periodic: d.periodic,
            filters: [...d.filters],
            columns: [...d.columns],
            defaultSort: d.defaultSort,
          };
        }),
      };
    },
  );

  r.get(
    "/api/v1/reports/:name",
    {
      schema: {
        tags: ["Reports"],
        summary:
          "A report as JSON, CSV (rows, then one Total line per total) or PDF (header with the audit checkpoint, page " +
          "numbers), over the properties where you may read reports",
        params: z.object({ name: z.enum(REPORT_NAMES) }),
        querystring: ReportQuery,
        response: { 200: Report.describe("format=json; csv answers text/csv, pdf application/pdf"), ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const { format, ...query } = req.query;
      const report = await runReport(services.db, actor, req.params.name, query, services.now());
      if (format === "json") {
        return report;
      }
      reply.header("content-disposition", `attachment; filename="${reportFileName(report, format)}"`);
      // why: the typed reply knows the JSON schema only; Fastify sends text and Buffers as they are, unserialized
      if (format === "csv") {
        return reply.type("text/csv; charset=utf-8").send(renderReportCsv(report) as unknown as Report);
      }
      return reply.type("application/pdf").send((await renderReportPdf(report)) as unknown as Report);
    },
  );
}
