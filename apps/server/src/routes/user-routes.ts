/** Dashboard logins. */
import { ErrorBody, IdParams } from "@keyward/contracts/common";
import { User, UserCreate, UserUpdate } from "@keyward/contracts/resources";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { createUser, setUserActive, updateUser } from "../commands/manage-users.ts";
import { actorOf, inTransaction } from "../http/pipeline.ts";
import { shape } from "../http/shape.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export function registerUserRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    "/api/v1/users",
    {
      schema: {
        tags: ["Users"],
        summary: "Give a person a dashboard login",
        body: UserCreate,
        response: { 201: User, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const created = await inTransaction(services, (tx) => createUser({ tx, actor, now: services.now() }, req.body));
      return reply.code(201).send(shape(User, created));
    },
  );
  r.patch(
    "/api/v1/users/:id",
    {
      schema: {
        tags: ["Users"],
        summary: "Change a login's e-mail or password (ends its other sessions)",
        params: IdParams,
        body: UserUpdate,
        response: { 200: User, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return shape(
        User,
        await inTransaction(services, (tx) => updateUser({ tx, actor, now: services.now() }, req.params.id, req.body)),
      );
    },
  );
  for (const [verb, active] of [
    ["deactivate", false],
    ["reactivate", true],
  ] as const) {
    r.post(
      `/api/v1/users/:id/${verb}`,
      {
        schema: {
          tags: ["Users"],
          summary: active ? "Reactivate a login" : "Deactivate a login (ends its sessions at once)",
          params: IdParams,
          response: { 200: User, ...errors },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return shape(
          User,
          await inTransaction(services, (tx) =>
            setUserActive({ tx, actor, now: services.now() }, req.params.id, active),
          ),
        );
      },
    );
  }
}
