/** The counts the dashboard's first screen answers "is anything wrong right now?" with. */
import { ErrorBody } from "@keyward/contracts/common";
import { Overview, OverviewQuery } from "@keyward/contracts/resources";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { countOverview } from "../commands/count-overview.ts";
import { actorOf } from "../http/pipeline.ts";
import type { Services } from "../services.ts";

export function registerOverviewRoutes(app: FastifyInstance, services: Services): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/overview",
    {
      schema: {
        tags: ["Overview"],
        summary: "Keys and cabinets by status, and people still active past their end date, where you may see them",
        querystring: OverviewQuery,
        response: { 200: Overview, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => countOverview(services.db, actorOf(req), req.query.propertyId ?? null, services.now()),
  );
}
