/**
 * The audit trail in the API: its state for the organization (log, latest signed checkpoint, offsite copies, last
 * verification), the latest checkpoint as a signed note anyone can keep, and a verification run on demand.
 */
import { AuditStatus, AuditVerification } from "@keyward/contracts/audit";
import { ErrorBody } from "@keyward/contracts/common";
import { can } from "@keyward/domain/permissions";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { runAuditPass, runVerification } from "../audit/audit-worker.ts";
import { latestCheckpoint } from "../audit/proofs.ts";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { presentVerification, readAuditStatus } from "../commands/read-audit-status.ts";
import { conflict, forbidden, notFound } from "../errors.ts";
import { actorOf } from "../http/pipeline.ts";
import type { Services } from "../services.ts";

const errors = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export function registerAuditRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  let verificationRunning = false;
  // why: the organization's trail plainly exists; a role that may not see it is told so (403), not "no such thing"
  const allow = (actor: AuthenticatedActor, action: "read", what: string) => {
    if (!can(actor, action, { entity: "auditTrail", organizationId: actor.organizationId, propertyId: null })) {
      throw forbidden(what);
    }
  };

  r.get(
    "/api/v1/audit/status",
    {
      schema: {
        tags: ["Audit"],
        summary: "The organization's audit log: size, latest signed checkpoint, offsite copies, last verification",
        response: { 200: AuditStatus, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      allow(actor, "read", "see the audit trail");
      return readAuditStatus(services.db, services, actor.organizationId);
    },
  );

  r.get(
    "/api/v1/audit/checkpoint",
    {
      schema: {
        tags: ["Audit"],
        summary: "The latest signed checkpoint (C2SP signed note, text/plain): keep it to detect any later rewrite",
        response: { 200: z.string(), ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      allow(actor, "read", "see the audit trail");
      const checkpoint = await latestCheckpoint(services.db, actor.organizationId);
      if (!checkpoint) {
        throw notFound("signed checkpoint yet (one follows within a minute of the first event)");
      }
      return reply.type("text/plain; charset=utf-8").send(checkpoint.note);
    },
  );

  r.post(
    "/api/v1/audit/verifications",
    {
      schema: {
        tags: ["Audit"],
        summary:
          "Verify the audit trail now (the scheduler also does it nightly); answers with this organization's result",
        response: { 200: AuditVerification, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      // why: verifying reads and changes nothing of the trail, so whoever may see the trail may check it
      allow(actor, "read", "verify the audit trail");
      // why: a full verification reads the whole log on every core; one at a time per server is plenty
      if (verificationRunning) {
        throw conflict(
          "verification",
          "A verification of the audit trail is already running; try again when it has finished.",
        );
      }
      verificationRunning = true;
      try {
        // why: what was written a moment ago belongs in what is checked now
        await runAuditPass(services, actor.organizationId);
        const started = services.now().toISOString();
        const report = await runVerification(services, "dashboard", actor.organizationId);
        return presentVerification(report, actor.organizationId, {
          started_at: started,
          finished_at: services.now().toISOString(),
          trigger: "dashboard",
        });
      } finally {
        verificationRunning = false;
      }
    },
  );
}
