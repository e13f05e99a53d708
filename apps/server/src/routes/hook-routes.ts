/** A cabinet's hooks, with the key each holds. */
import { ErrorBody } from "@keyward/contracts/common";
import { Hook, HookUpdate } from "@keyward/contracts/resources";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { changeHook, listHooks } from "../commands/change-hook.ts";
import { notFound } from "../errors.ts";
import { actorOf, authorize, inTransaction } from "../http/pipeline.ts";
import { findInOrganization } from "../resources/records.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export function registerHookRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const Params = z.object({ id: z.string().min(1).max(64) });
  const HookParams = Params.extend({ number: z.coerce.number().int().min(1) });

  r.get(
    "/api/v1/cabinets/:id/hooks",
    {
      schema: {
        tags: ["Cabinets"],
        summary: "A cabinet's hooks and the key on each",
        params: Params,
        response: { 200: z.object({ items: z.array(Hook) }), ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const cabinet = await findInOrganization(services.db, "cabinets", actor.organizationId, req.params.id);
      if (!cabinet) {
        throw notFound("cabinet");
      }
      authorize(
        actor,
        "read",
        { entity: "cabinet", organizationId: actor.organizationId, propertyId: String(cabinet.property_id) },
        "cabinet",
      );
      return { items: await listHooks(services.db, actor.organizationId, req.params.id) };
    },
  );

  r.patch(
    "/api/v1/cabinets/:id/hooks/:number",
    {
      schema: {
        tags: ["Cabinets"],
        summary: "Enable or disable a hook",
        params: HookParams,
        body: HookUpdate,
        response: { 200: Hook, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) =>
        changeHook({ tx, actor, now: services.now() }, req.params.id, req.params.number, req.body.status),
      );
    },
  );
}
