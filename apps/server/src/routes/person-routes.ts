/** People's special acts: deactivation (credentials and sessions end at once) and reactivation. */
import { ErrorBody, IdParams } from "@keyward/contracts/common";
import { DeactivateBody, Person } from "@keyward/contracts/resources";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { deactivatePerson, reactivatePerson } from "../commands/deactivate-person.ts";
import { actorOf, inTransaction } from "../http/pipeline.ts";
import { shape } from "../http/shape.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export function registerPersonRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const [verb, command, summary] of [
    ["deactivate", deactivatePerson, "Deactivate a person: disables their credentials and ends their sessions at once"],
    ["reactivate", reactivatePerson, "Reactivate a person (credentials and logins stay disabled until re-enabled)"],
  ] as const) {
    r.post(
      `/api/v1/people/:id/${verb}`,
      {
        schema: {
          tags: ["People"],
          summary,
          params: IdParams,
          body: DeactivateBody,
          response: { 200: Person, ...errors },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const person = await inTransaction(services, (tx) =>
          command({ tx, actor, now: services.now() }, req.params.id, req.body.reason),
        );
        return shape(Person, person);
      },
    );
  }
}
