/** Issuing, changing and resetting credentials. */
import { PinActivationBody } from "@keyward/contracts/auth";
import { ErrorBody, IdParams, Ok } from "@keyward/contracts/common";
import { Credential, CredentialCreate, CredentialIssued, CredentialUpdate } from "@keyward/contracts/resources";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { activatePin } from "../commands/activate-pin.ts";
import { changeCredentialStatus, issueCredential, resetPin } from "../commands/issue-credential.ts";
import { actorOf, inTransaction } from "../http/pipeline.ts";
import { shape } from "../http/shape.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export function registerCredentialRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    "/api/v1/people/:id/credentials",
    {
      schema: {
        tags: ["People"],
        summary: "Issue a badge, a PIN (returns a one-time activation code) or a fingerprint enrolment",
        params: IdParams,
        body: CredentialCreate,
        response: { 201: CredentialIssued, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const issued = await inTransaction(services, (tx) =>
        issueCredential({ tx, actor, now: services.now() }, req.params.id, req.body),
      );
      return reply.code(201).send(shape(CredentialIssued, issued));
    },
  );
  r.patch(
    "/api/v1/credentials/:id",
    {
      schema: {
        tags: ["People"],
        summary: "Enable, disable or revoke a credential",
        params: IdParams,
        body: CredentialUpdate,
        response: { 200: Credential, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return shape(
        Credential,
        await inTransaction(services, (tx) =>
          changeCredentialStatus({ tx, actor, now: services.now() }, req.params.id, req.body.status),
        ),
      );
    },
  );
  r.post(
    "/api/v1/credentials/:id/reset-pin",
    {
      schema: {
        tags: ["People"],
        summary: "Clear a PIN and issue a new one-time activation code",
        params: IdParams,
        response: { 200: CredentialIssued, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return shape(
        CredentialIssued,
        await inTransaction(services, (tx) => resetPin({ tx, actor, now: services.now() }, req.params.id)),
      );
    },
  );
  r.post(
    "/api/v1/pin-activations",
    {
      config: { public: true },
      schema: {
        tags: ["People"],
        summary: "Choose your PIN with the one-time activation code your manager gave you",
        security: [],
        body: PinActivationBody,
        response: { 200: Ok, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (req) => {
      await activatePin(services.db, req.body, services.now(), services.notifier);
      return { ok: true as const };
    },
  );
}
