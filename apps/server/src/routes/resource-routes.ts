/**
 * The generic routes of every admin-plane resource: list, read, create, update. Each is the same pipeline:
 * authenticate → validate → transaction → load → authorize → command → present.
 */
import { ErrorBody, IdParams, page } from "@keyward/contracts/common";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { createRecord } from "../commands/create-record.ts";
import { type ListInput, listRecords } from "../commands/list-records.ts";
import { updateRecord } from "../commands/update-record.ts";
import { notFound } from "../errors.ts";
import { actorOf, authorize, inTransaction } from "../http/pipeline.ts";
import type { ResourceDef } from "../resources/definition.ts";
import { presentRow } from "../resources/present.ts";
import { findInOrganization } from "../resources/records.ts";
import { resourceOfRow } from "../resources/scope.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/**
 * Reads are already cut to the item schema by the presenter (`presentRows` parses every row with it), so their
 * responses are serialized as they are instead of being parsed a second time; the schemas still document them.
 */
const presented = { serializerCompiler: () => (data: unknown) => JSON.stringify(data) };

/** Registers list/read/create/update for one resource under /api/v1/{path}. */
export function registerResourceRoutes(app: FastifyInstance, services: Services, def: ResourceDef): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = `/api/v1/${def.path}`;

  r.get(
    base,
    {
      ...presented,
      schema: {
        tags: [def.tag],
        summary: `List ${def.what} records`,
        querystring: def.listQuery,
        response: { 200: page(def.item), ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return listRecords(services.db, def, actor, req.query as ListInput);
    },
  );

  r.get(
    `${base}/:id`,
    {
      ...presented,
      schema: {
        tags: [def.tag],
        summary: `Read a ${def.what}`,
        params: IdParams,
        response: { 200: def.item, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const row = await findInOrganization(services.db, def.table, actor.organizationId, req.params.id);
      const hidden = def.hiddenFrom?.(actor);
      if (!row || hidden?.values.includes(String(row[hidden.column]))) {
        throw notFound(def.what);
      }
      authorize(actor, "read", await resourceOfRow(def, services.db, row), def.what);
      return presentRow(def, services.db, row);
    },
  );

  if (def.create) {
    r.post(
      base,
      {
        schema: {
          tags: [def.tag],
          summary: `Create a ${def.what}`,
          body: def.create,
          response: { 201: def.item, ...errors },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const created = await inTransaction(services, (tx) =>
          createRecord({ tx, actor, now: services.now() }, def, req.body as Record<string, unknown>),
        );
        return reply.code(201).send(created);
      },
    );
  }

  if (def.update) {
    r.patch(
      `${base}/:id`,
      {
        schema: {
          tags: [def.tag],
          summary: `Change a ${def.what}`,
          params: IdParams,
          body: def.update,
          response: { 200: def.item, ...errors },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return inTransaction(services, (tx) =>
          updateRecord({ tx, actor, now: services.now() }, def, req.params.id, req.body as Record<string, unknown>),
        );
      },
    );
  }
}
