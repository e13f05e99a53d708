/** Granting and revoking roles. */
import { ErrorBody, IdParams } from "@keyward/contracts/common";
import { RoleAssignment, RoleAssignmentCreate, RoleAssignmentUpdate } from "@keyward/contracts/resources";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { changeRoleAssignment, grantRole } from "../commands/grant-role.ts";
import { actorOf, inTransaction } from "../http/pipeline.ts";
import { shape } from "../http/shape.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export function registerRoleRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    "/api/v1/role-assignments",
    {
      schema: {
        tags: ["Roles"],
        summary: "Grant a role at the organization, a region or a property",
        body: RoleAssignmentCreate,
        response: { 201: RoleAssignment, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const created = await inTransaction(services, (tx) => grantRole({ tx, actor, now: services.now() }, req.body));
      return reply.code(201).send(shape(RoleAssignment, created));
    },
  );
  r.patch(
    "/api/v1/role-assignments/:id",
    {
      schema: {
        tags: ["Roles"],
        summary: "Revoke or restore a role assignment",
        params: IdParams,
        body: RoleAssignmentUpdate,
        response: { 200: RoleAssignment, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return shape(
        RoleAssignment,
        await inTransaction(services, (tx) =>
          changeRoleAssignment({ tx, actor, now: services.now() }, req.params.id, req.body.status),
        ),
      );
    },
  );
}
