/** CSV import (with a dry-run preview) and export of a property's units, keys and people. */
import { IMPORT_KINDS, ImportBody, ImportResult } from "@keyward/contracts/auth";
import { ErrorBody } from "@keyward/contracts/common";
import { can } from "@keyward/domain/permissions";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { exportCsv } from "../commands/export-csv.ts";
import { runImport } from "../commands/import-csv.ts";
import { forbidden, notFound } from "../errors.ts";
import { actorOf, authorize } from "../http/pipeline.ts";
import { findInOrganization } from "../resources/records.ts";
import type { Services } from "../services.ts";

const Params = z.object({ id: z.string().min(1).max(64), kind: z.enum(IMPORT_KINDS) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };

export function registerImportRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    "/api/v1/properties/:id/import/:kind",
    {
      schema: {
        tags: ["Import and export"],
        summary: "Import units, keys or people from CSV: all or nothing; dryRun previews and lists problems by row",
        params: Params,
        body: ImportBody,
        response: { 200: ImportResult, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return runImport(
        services.db,
        actor,
        services.now(),
        {
          propertyId: req.params.id,
          kind: req.params.kind,
          csv: req.body.csv,
          dryRun: req.body.dryRun,
        },
        services.notifier,
      );
    },
  );

  r.get(
    "/api/v1/properties/:id/export/:kind",
    {
      schema: {
        tags: ["Import and export"],
        summary: "Export units, keys or people as CSV, in the import's columns",
        params: Params,
        response: { 200: z.string().describe("text/csv"), ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const property = await findInOrganization(services.db, "properties", actor.organizationId, req.params.id);
      if (!property) {
        throw notFound("property");
      }
      const entity = req.params.kind === "units" ? "unit" : req.params.kind === "keys" ? "key" : "person";
      const where = { organizationId: actor.organizationId, propertyId: req.params.id };
      // why: the property is the record addressed — one the actor can see but not export from answers 403, not 404
      authorize(actor, "read", { entity: "property", ...where }, "property");
      if (!can(actor, "read", { entity, ...where })) {
        throw forbidden(`export ${req.params.kind} of this property`);
      }
      const csv = await exportCsv(services.db, actor.organizationId, req.params.id, req.params.kind);
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${String(property.code)}-${req.params.kind}.csv"`)
        .send(csv);
    },
  );
}
