/** The signed-in user's organization: its name and policy settings. */
import { ErrorBody } from "@keyward/contracts/common";
import { Organization, OrganizationUpdate } from "@keyward/contracts/resources";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { presentOrganization, updateOrganization } from "../commands/update-organization.ts";
import { actorOf, authorize, inTransaction } from "../http/pipeline.ts";
import type { Services } from "../services.ts";

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
      return inTransaction(services, (tx) => updateOrganization({ tx, actor, now: services.now() }, req.body));
    },
  );
}
