/**
 * Builds the HTTP server: the API under /api/v1, the OpenAPI document, health, and the dashboard's static files.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import { OrganizationSettings } from "@keyward/contracts/resources";
import { uniqueViolation } from "@keyward/db/connect";
import Fastify, { type FastifyInstance } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import { loadActor } from "./auth/actor.ts";
import { resumeSession, SESSION_COOKIE } from "./auth/sessions.ts";
import { SyncError } from "./cabinet/sync-errors.ts";
import { ApiError, conflict } from "./errors.ts";
import { OpenStreams } from "./live/sse.ts";
import { RESOURCES } from "./resources/definitions.ts";
import { fieldOf } from "./resources/records.ts";
import { registerAgentRoutes } from "./routes/agent-routes.ts";
import { registerAlertRoutes } from "./routes/alert-routes.ts";
import { registerAuditRoutes } from "./routes/audit-routes.ts";
import { registerAuthRoutes } from "./routes/auth-routes.ts";
import { registerCredentialRoutes } from "./routes/credential-routes.ts";
import { registerCustodyRoutes } from "./routes/custody-routes.ts";
import { registerEvidenceRoutes } from "./routes/evidence-routes.ts";
import { registerHealthRoutes } from "./routes/health-routes.ts";
import { registerHookRoutes } from "./routes/hook-routes.ts";
import { registerImportRoutes } from "./routes/import-routes.ts";
import { registerOrganizationRoutes } from "./routes/organization-routes.ts";
import { registerOverviewRoutes } from "./routes/overview-routes.ts";
import { registerPersonRoutes } from "./routes/person-routes.ts";
import { registerReportRoutes } from "./routes/report-routes.ts";
import { registerReportScheduleRoutes } from "./routes/report-schedule-routes.ts";
import { registerResourceRoutes } from "./routes/resource-routes.ts";
import { registerRoleRoutes } from "./routes/role-routes.ts";
import { registerUserRoutes } from "./routes/user-routes.ts";
import type { Services } from "./services.ts";
import { VERSION } from "./version.ts";

const here = dirname(fileURLToPath(import.meta.url));
/** Where `vite build` puts the dashboard. */
export const WEB_DIST = resolve(here, "../../web/dist");

/** Builds the server (not yet listening). */
export async function buildApp(services: Services, options: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ? { level: services.config.logLevel ?? "info" } : false,
    // why: a hop count becomes "trust the nearest N hops"; Fastify's types take it as a function
    trustProxy:
      typeof services.config.trustProxy === "number"
        ? (
            (hops: number) => (_address: string, hop: number) =>
              hop < hops
          )(services.config.trustProxy)
        : services.config.trustProxy,
    bodyLimit: 25 * 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest("actor", null);

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Keyward API",
        version: VERSION,
        description:
          "Electronic key control. Sign in with POST /api/v1/auth/login; the session cookie authenticates every other call. Errors carry a stable `code`.",
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
          // why: a cabinet signs each request (x-keyward-device, x-keyward-time, x-keyward-signature; cabinet-sync.ts)
          device: { type: "apiKey", in: "header", name: "x-keyward-signature" },
        },
      },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.setErrorHandler((error, req, reply) => {
    if (error instanceof SyncError) {
      return reply.code(error.status).send(error.toBody());
    }
    if (error instanceof ApiError) {
      return reply.code(error.status).send(error.toBody());
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((v) => {
        const path = v.instancePath.replace(/^\//, "").replaceAll("/", ".");
        // why: a strict schema refuses an unknown key at the object's own path; the field to name is the key itself
        const keys = v.keyword === "unrecognized_keys" ? (v.params as { keys?: unknown }).keys : undefined;
        const [unknown] = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [];
        const field = unknown ? (path ? `${path}.${unknown}` : unknown) : path;
        return { field: field || error.validationContext || "body", message: v.message ?? "is not valid" };
      });
      const first = details[0] ?? { field: "body", message: "is not valid" };
      return reply
        .code(400)
        .send({ code: "invalid_input", message: `${first.field}: ${first.message}`, field: first.field, details });
    }
    const columns = uniqueViolation(error);
    if (columns) {
      // why: two requests passed the same uniqueness check at once; the database kept the first, the other conflicts
      const what = columns.join(", ").replaceAll("_", " ") || "value";
      const field = columns.map(fieldOf).join(",") || "body";
      return reply
        .code(409)
        .send(conflict(field, `Another change took the same ${what} a moment ago; reload and try again.`).toBody());
    }
    const status = (error as { statusCode?: number }).statusCode;
    const message = error instanceof Error ? error.message : String(error);
    if (status && status >= 400 && status < 500) {
      // Malformed JSON, a wrong content type, a body too large: the caller's input. The status stays Fastify's
      // (413, 415…) so clients and proxies can tell them apart; the code is the same.
      return reply.code(status).send({ code: "invalid_input", message: `body: ${message}`, field: "body" });
    }
    req.log.error({ err: error }, "unhandled error");
    return reply
      .code(500)
      .send({ code: "internal", message: "Something went wrong on our side; the change was not saved. Try again." });
  });

  // Authenticate: resolve the session cookie to an actor for every API call (routes decide whether they need one).
  app.addHook("onRequest", async (req) => {
    if (!req.url.startsWith("/api/v1/")) {
      return;
    }
    const token = req.cookies[SESSION_COOKIE];
    if (!token) {
      return;
    }
    const now = services.now();
    const session = await resumeSession(
      services.db,
      token,
      (settings) => {
        const s = OrganizationSettings.parse(JSON.parse(settings));
        return { idleMinutes: s.sessionIdleMinutes, maxHours: s.sessionMaxHours };
      },
      now,
    );
    if (session) {
      req.actor = await loadActor(services.db, session.userId, session.id);
    }
  });

  registerHealthRoutes(app, services);
  registerAuthRoutes(app, services);
  registerOrganizationRoutes(app, services);
  for (const def of RESOURCES) {
    registerResourceRoutes(app, services, def);
  }
  registerPersonRoutes(app, services);
  registerCredentialRoutes(app, services);
  registerUserRoutes(app, services);
  registerRoleRoutes(app, services);
  registerHookRoutes(app, services);
  registerImportRoutes(app, services);
  registerOverviewRoutes(app, services);
  // why: open streams (cabinets, dashboards) end before the server stops listening, or closing would wait on them
  const streams = new OpenStreams();
  app.addHook("preClose", async () => streams.closeAll());
  registerAgentRoutes(app, services, streams);
  registerCustodyRoutes(app, services, streams);
  registerAuditRoutes(app, services);
  registerEvidenceRoutes(app, services);
  registerReportRoutes(app, services);
  registerReportScheduleRoutes(app, services);
  registerAlertRoutes(app, services);

  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  if (existsSync(resolve(WEB_DIST, "index.html"))) {
    // why: wildcard serving looks files up per request, so a rebuilt dashboard is served without a restart
    await app.register(fastifyStatic, { root: WEB_DIST, wildcard: true });
    // The dashboard routes in the browser: any non-API page answers with its shell.
    app.setNotFoundHandler((req, reply) => {
      if (req.url.startsWith("/api/") || req.method !== "GET") {
        return reply.code(404).send({ code: "not_found", message: `No route ${req.method} ${req.url.split("?")[0]}.` });
      }
      return reply.sendFile("index.html");
    });
  } else {
    app.setNotFoundHandler((req, reply) =>
      reply.code(404).send({ code: "not_found", message: `No route ${req.method} ${req.url.split("?")[0]}.` }),
    );
  }
  return app;
}
