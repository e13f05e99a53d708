/** Health: whether the server can reach its database. */
import { Health } from "@keyward/contracts/auth";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { sql } from "kysely";
import type { Services } from "../services.ts";
import { VERSION } from "../version.ts";

const started = Date.now();

export function registerHealthRoutes(app: FastifyInstance, services: Services): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/health",
    {
      config: { public: true },
      schema: {
        tags: ["Health"],
        summary: "Liveness and database reachability",
        security: [],
        response: { 200: Health },
      },
    },
    async () => {
      await sql`select 1`.execute(services.db);
      return {
        status: "ok" as const,
        database: services.handle.dialect,
        version: VERSION,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      };
    },
  );
}
