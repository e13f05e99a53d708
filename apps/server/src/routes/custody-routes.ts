/**
 * Custody for the dashboard: checkouts, cabinets' live state, enrolment codes, remote release and the live stream
 * that tells the dashboard what to refetch.
 */
import { EnrollmentCode } from "@keyward/contracts/cabinet-sync";
import { ErrorBody } from "@keyward/contracts/common";
import {
  AcknowledgeAlarmsRequest,
  AlarmsAcknowledged,
  CabinetStateList,
  CabinetStateQuery,
  CheckoutListQuery,
  CheckoutPage,
  LIVE_TOPICS,
  LiveMessage,
  RemoteRelease,
  RemoteReleaseRequest,
} from "@keyward/contracts/custody";
import { can } from "@keyward/domain/permissions";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { acknowledgeAlarms } from "../commands/acknowledge-alarms.ts";
import { issueEnrollmentCode } from "../commands/issue-enrollment-code.ts";
import { listCabinetStates } from "../commands/list-cabinet-states.ts";
import { listCheckouts } from "../commands/list-checkouts.ts";
import { getRemoteRelease, requestRemoteRelease } from "../commands/request-remote-release.ts";
import { actorOf, inTransaction } from "../http/pipeline.ts";
import type { Notification } from "../live/notifier.ts";
import { type OpenStreams, openEventStream, PING_SECONDS } from "../live/sse.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Params = z.object({ id: z.string().min(1).max(64) });

export function registerCustodyRoutes(app: FastifyInstance, services: Services, streams: OpenStreams): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/api/v1/checkouts",
    {
      schema: {
        tags: ["Custody"],
        summary:
          "Checkouts where you may read keys. `status=open` is the keys-out board, oldest first; other lists are newest first",
        querystring: CheckoutListQuery,
        response: { 200: CheckoutPage, ...errors },
      },
    },
    async (req) => listCheckouts(services.db, actorOf(req), req.query, services.now()),
  );

  r.get(
    "/api/v1/cabinet-states",
    {
      schema: {
        tags: ["Custody"],
        summary: "Each cabinet's live state: online, door, alarms, keys in, snapshot version",
        querystring: CabinetStateQuery,
        response: { 200: CabinetStateList, ...errors },
      },
    },
    async (req) => listCabinetStates(services.db, actorOf(req), req.query.propertyId ?? null, services.now()),
  );

  r.post(
    "/api/v1/cabinets/:id/enrollment-codes",
    {
      schema: {
        tags: ["Cabinets"],
        summary: "Issue a one-time code (24 h) to enrol the cabinet's agent; shown once",
        params: Params,
        response: { 201: EnrollmentCode, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const code = await inTransaction(services, (tx) =>
        issueEnrollmentCode({ tx, actor, now: services.now() }, req.params.id),
      );
      return reply.code(201).send(code);
    },
  );

  r.post(
    "/api/v1/cabinets/:id/remote-release",
    {
      schema: {
        tags: ["Cabinets"],
        summary: "Release the cabinet's door from afar (the command expires after two minutes)",
        params: Params,
        body: RemoteReleaseRequest,
        response: { 201: RemoteRelease, 409: ErrorBody, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const release = await inTransaction(services, (tx) =>
        requestRemoteRelease({ tx, actor, now: services.now() }, req.params.id, req.body),
      );
      return reply.code(201).send(release);
    },
  );

  r.post(
    "/api/v1/cabinets/:id/alarms/acknowledge",
    {
      schema: {
        tags: ["Cabinets"],
        summary: "Acknowledge a cabinet's open alarms, with a note of what was found or done",
        params: Params,
        body: AcknowledgeAlarmsRequest,
        response: { 200: AlarmsAcknowledged, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) =>
        acknowledgeAlarms({ tx, actor, now: services.now() }, req.params.id, req.body),
      );
    },
  );

  r.get(
    "/api/v1/cabinets/:id/remote-releases/:commandId",
    {
      schema: {
        tags: ["Cabinets"],
        summary: "Follow a remote release: pending, executed or expired",
        params: Params.extend({ commandId: z.string().min(1).max(64) }),
        response: { 200: RemoteRelease, ...errors },
      },
    },
    async (req) => getRemoteRelease(services.db, actorOf(req), req.params.id, req.params.commandId, services.now()),
  );

  r.get(
    "/api/v1/live",
    {
      schema: {
        tags: ["Custody"],
        summary: "Server-Sent Events: what changed where (refetch what shows it); a ping every 15 s",
        response: { 200: LiveMessage, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const mayRead = (propertyId: string | null) => {
        const at = { organizationId: actor.organizationId, propertyId };
        return (["checkout", "key", "cabinet", "event", "alert"] as const).some((entity) =>
          can(actor, "read", { ...at, entity }),
        );
      };
      const unsubscribe = services.notifier.subscribe((n: Notification) => {
        if (n.channel === "live" && n.organizationId === actor.organizationId && mayRead(n.message.propertyId)) {
          stream.send(n.message);
        } else if (n.channel === "resync") {
          // why: messages sent while the listener was away are lost; the dashboard refetches everything once
          stream.send({ topics: [...LIVE_TOPICS], propertyId: null, at: services.now().toISOString() });
        }
      });
      // why: a comment, not a message: every message means "refetch", a ping must not
      const ping = setInterval(() => stream.comment("ping"), PING_SECONDS * 1000);
      ping.unref();
      const stream = openEventStream(req, reply, streams, () => {
        clearInterval(ping);
        unsubscribe();
      });
      // why: an opening comment flushes the headers, so the browser's EventSource reports open at once
      stream.comment("connected");
    },
  );
}
