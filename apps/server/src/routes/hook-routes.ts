/** A cabinet's hooks, with the key each holds. */
import { ErrorBody } from "@keyward/contracts/common";
import { Hook, HookUpdate } from "@keyward/contracts/resources";
import type { Executor } from "@keyward/db/connect";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { snapshotOf } from "../auth/actor.ts";
import { invalidInput, notFound } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { actorOf, authorize, inTransaction } from "../http/pipeline.ts";
import { findInOrganization } from "../resources/records.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

async function listHooks(db: Executor, organizationId: string, cabinetId: string, number?: number) {
  let q = db
    .selectFrom("hooks")
    .leftJoin("keys", (join) =>
      join.onRef("keys.cabinet_id", "=", "hooks.cabinet_id").onRef("keys.hook_number", "=", "hooks.number"),
    )
    .select([
      "hooks.id",
      "hooks.cabinet_id",
      "hooks.number",
      "hooks.module",
      "hooks.status",
      "keys.id as key_id",
      "keys.label as key_label",
    ])
    .where("hooks.organization_id", "=", organizationId)
    .where("hooks.cabinet_id", "=", cabinetId);
  if (number !== undefined) {
    q = q.where("hooks.number", "=", number);
  }
  const rows = await q.orderBy("hooks.number").execute();
  return rows.map((h) => ({
    id: h.id,
    cabinetId: h.cabinet_id,
    number: h.number,
    module: h.module,
    status: h.status as "active" | "disabled",
    keyId: h.key_id,
    keyLabel: h.key_label,
  }));
}

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
      const now = services.now();
      return inTransaction(services, async (tx) => {
        const cabinet = await findInOrganization(tx, "cabinets", actor.organizationId, req.params.id);
        if (!cabinet) {
          throw notFound("cabinet");
        }
        const propertyId = String(cabinet.property_id);
        authorize(actor, "update", { entity: "cabinet", organizationId: actor.organizationId, propertyId }, "cabinet");
        const [hook] = await listHooks(tx, actor.organizationId, req.params.id, req.params.number);
        if (!hook) {
          throw notFound("hook");
        }
        if (req.body.status === "disabled" && hook.keyId) {
          throw invalidInput(
            "status",
            `hook ${hook.number} holds key ${hook.keyLabel ?? ""}; move the key before disabling the hook`,
          );
        }
        if (hook.status !== req.body.status) {
          await tx.updateTable("hooks").set({ status: req.body.status }).where("id", "=", hook.id).execute();
          await recordEvent(tx, {
            organizationId: actor.organizationId,
            propertyId,
            action: "hook.updated",
            entityType: "hook",
            entityId: hook.id,
            actor: snapshotOf(actor),
            before: { status: hook.status },
            after: { status: req.body.status, cabinetId: req.params.id, number: hook.number },
            now,
          });
        }
        return { ...hook, status: req.body.status };
      });
    },
  );
}
