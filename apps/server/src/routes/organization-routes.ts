/** The signed-in user's organization: its name and policy settings. */
import { ErrorBody } from "@keyward/contracts/common";
import { Organization, OrganizationSettings, OrganizationUpdate } from "@keyward/contracts/resources";
import type { Executor } from "@keyward/db/connect";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { snapshotOf } from "../auth/actor.ts";
import { diff, recordEvent } from "../events.ts";
import { actorOf, authorize, inTransaction } from "../http/pipeline.ts";
import { organizationSettings, type Services } from "../services.ts";

async function presentOrganization(db: Executor, id: string) {
  const row = await db.selectFrom("organizations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  return {
    id: row.id,
    name: row.name,
    settings: await organizationSettings(db, id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function registerOrganizationRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

  r.get(
    "/api/v1/organization",
    { schema: { tags: ["Organization"], summary: "Your organization", response: { 200: Organization, ...errors } } },
    async (req) => {
      const actor = actorOf(req);
      authorize(
        actor,
        "read",
        { entity: "organization", organizationId: actor.organizationId, propertyId: null },
        "organization",
      );
      return presentOrganization(services.db, actor.organizationId);
    },
  );

  r.patch(
    "/api/v1/organization",
    {
      schema: {
        tags: ["Organization"],
        summary: "Rename the organization or change its policy",
        body: OrganizationUpdate,
        response: { 200: Organization, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const now = services.now();
      authorize(
        actor,
        "update",
        { entity: "organization", organizationId: actor.organizationId, propertyId: null },
        "organization",
      );
      return inTransaction(services, async (tx) => {
        const before = await presentOrganization(tx, actor.organizationId);
        const settings = OrganizationSettings.parse({ ...before.settings, ...(req.body.settings ?? {}) });
        await tx
          .updateTable("organizations")
          .set({
            name: req.body.name ?? before.name,
            settings: JSON.stringify(settings),
            updated_at: now.toISOString(),
          })
          .where("id", "=", actor.organizationId)
          .execute();
        const after = await presentOrganization(tx, actor.organizationId);
        const change = diff(before, after);
        if (change) {
          await recordEvent(tx, {
            organizationId: actor.organizationId,
            propertyId: null,
            action: "organization.updated",
            entityType: "organization",
            entityId: actor.organizationId,
            actor: snapshotOf(actor),
            ...change,
            now,
          });
        }
        return after;
      });
    },
  );
}
