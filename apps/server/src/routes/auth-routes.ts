/** Sign-in, sign-out, the current user, TOTP enrolment and the first-run set-up. */

import { LoginBody, Me, SetupBody, SetupStatus, TotpConfirm, TotpSetup, TotpStart } from "@keyward/contracts/auth";
import { ErrorBody, Ok } from "@keyward/contracts/common";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { sql } from "kysely";
import { loadActor } from "../auth/actor.ts";
import { tokenDigest } from "../auth/passwords.ts";
import { createSession, SESSION_COOKIE } from "../auth/sessions.ts";
import { logIn } from "../commands/log-in.ts";
import { logOut } from "../commands/log-out.ts";
import { confirmTotp, disableTotp, startTotpEnrolment } from "../commands/manage-totp.ts";
import { setUpOrganization, setupNeeded } from "../commands/set-up-organization.ts";
import { setupComplete } from "../errors.ts";
import { actorOf, inTransaction } from "../http/pipeline.ts";
import { presentMe } from "../presenters/present-me.ts";
import { organizationSettings, type Services } from "../services.ts";

/** Advisory lock key of the first-run set-up on PostgreSQL. */
const SETUP_LOCK = 7_110_001;

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 429: ErrorBody };

export function registerAuthRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const setCookie = (reply: FastifyReply, token: string, maxHours: number) =>
    reply.setCookie(SESSION_COOKIE, token, {
      path: "/",
      httpOnly: true,
      sameSite: "strict",
      secure: services.config.secureCookies,
      maxAge: maxHours * 3600,
    });

  r.post(
    "/api/v1/auth/login",
    {
      config: { public: true },
      schema: {
        tags: ["Auth"],
        summary: "Sign in with e-mail and password",
        security: [],
        body: LoginBody,
        response: { 200: Me, ...errors },
      },
    },
    async (req, reply) => {
      const previous = req.cookies[SESSION_COOKIE];
      const { token, actor } = await logIn(
        { db: services.db, now: services.now, sleep: services.sleep },
        { ...req.body, address: req.ip, previousSessionId: previous ? tokenDigest(previous) : null },
      );
      const settings = await organizationSettings(services.db, actor.organizationId);
      setCookie(reply, token, settings.sessionMaxHours);
      return presentMe(services.db, actor);
    },
  );

  r.post(
    "/api/v1/auth/logout",
    {
      config: { public: true, allowRestricted: true },
      schema: { tags: ["Auth"], summary: "Sign out", response: { 200: Ok } },
    },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        await logOut(services.db, token, req.actor, services.now());
      }
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return { ok: true as const };
    },
  );

  r.get(
    "/api/v1/auth/me",
    {
      config: { allowRestricted: true },
      schema: {
        tags: ["Auth"],
        summary: "The signed-in user and where they may act",
        response: { 200: Me, 401: ErrorBody },
      },
    },
    async (req) => presentMe(services.db, actorOf(req)),
  );

  r.post(
    "/api/v1/auth/totp/setup",
    {
      config: { allowRestricted: true },
      schema: {
        tags: ["Auth"],
        summary: "Start authenticator-app enrolment (replacing one in use needs a current code from it)",
        body: TotpStart.nullish(),
        response: { 200: TotpSetup, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) => startTotpEnrolment({ tx, actor, now: services.now() }, req.body?.code));
    },
  );

  for (const [verb, command, summary] of [
    ["confirm", confirmTotp, "Finish enrolment with a code from the app"],
    ["disable", disableTotp, "Stop using an authenticator app (where policy allows)"],
  ] as const) {
    r.post(
      `/api/v1/auth/totp/${verb}`,
      {
        config: { allowRestricted: verb === "confirm" },
        schema: { tags: ["Auth"], summary, body: TotpConfirm, response: { 200: Me, ...errors } },
      },
      async (req) => {
        const actor = actorOf(req);
        return inTransaction(services, async (tx) => {
          const updated = await command({ tx, actor, now: services.now() }, req.body.code);
          return presentMe(tx, updated);
        });
      },
    );
  }

  r.get(
    "/api/v1/setup",
    {
      config: { public: true },
      schema: {
        tags: ["Auth"],
        summary: "Whether first-run set-up is needed",
        security: [],
        response: { 200: SetupStatus },
      },
    },
    async () => ({ needed: await setupNeeded(services.db) }),
  );

  r.post(
    "/api/v1/setup",
    {
      config: { public: true },
      schema: {
        tags: ["Auth"],
        summary: "First run: create the organization and its administrator",
        security: [],
        body: SetupBody,
        response: { 201: Me, ...errors },
      },
    },
    async (req, reply) => {
      const now = services.now();
      const { token, actor, maxHours } = await inTransaction(services, async (tx) => {
        if (services.handle.dialect === "postgres") {
          // why: two first-run requests at once must not both find the database empty (SQLite serializes writers)
          await sql`select pg_advisory_xact_lock(${SETUP_LOCK})`.execute(tx);
        }
        // why: set-up exists only for an empty deployment; afterwards organizations are created by nobody over HTTP
        if (!(await setupNeeded(tx))) {
          throw setupComplete();
        }
        const ids = await setUpOrganization(tx, req.body, { now, source: "api" });
        const loaded = await loadActor(tx, ids.userId, null);
        if (!loaded) {
          throw new Error("the administrator just created could not be loaded");
        }
        const settings = await organizationSettings(tx, ids.organizationId);
        const sessionToken = await createSession(tx, {
          organizationId: ids.organizationId,
          userId: ids.userId,
          policy: { idleMinutes: settings.sessionIdleMinutes, maxHours: settings.sessionMaxHours },
          now,
        });
        return { token: sessionToken, actor: loaded, maxHours: settings.sessionMaxHours };
      });
      setCookie(reply, token, maxHours);
      return reply.code(201).send(await presentMe(services.db, actor));
    },
  );
}
