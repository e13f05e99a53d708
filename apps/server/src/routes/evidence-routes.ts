/**
 * A unit's evidence packet: JSON with the audit entries and their proofs (for a third party to verify offline), or a
 * PDF for people. Whoever may read the unit's events may take one; each export is itself recorded.
 */
import { ErrorBody } from "@keyward/contracts/common";
import {
  EVIDENCE_PACKET_FORMAT,
  EVIDENCE_PACKET_VERSION,
  type EvidencePacket,
  evidencePeriod,
} from "@keyward/domain/evidence-packet";
import { allRoles, can, rolesAt } from "@keyward/domain/permissions";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { buildEvidencePacket, loadEvidenceUnit, packetFileName, recordPacketExport } from "../audit/evidence-packet.ts";
import { renderEvidencePdf } from "../audit/evidence-pdf.ts";
import { snapshotOf } from "../auth/actor.ts";
import { forbidden, invalidInput, notFound } from "../errors.ts";
import { actorOf } from "../http/pipeline.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const Bound = z
  .string()
  .min(10)
  .max(40)
  .describe("a date in the property's time zone (YYYY-MM-DD) or an instant (ISO-8601 with a zone)");

const EvidenceQuery = z.object({
  from: Bound.describe("the first day (YYYY-MM-DD, property's time zone) or the first instant"),
  to: Bound.describe("the last day, included (YYYY-MM-DD), or the instant the period ends before"),
  format: z.enum(["json", "pdf"]).default("json"),
});

const Named = z.object({ id: z.string(), name: z.string() });

/** The packet as documented in OpenAPI; `verifyEvidencePacket` (domain) is what a reader checks it with. */
const EvidencePacketBody = z
  .object({
    format: z.literal(EVIDENCE_PACKET_FORMAT),
    version: z.literal(EVIDENCE_PACKET_VERSION),
    organization: Named,
    property: z.object({ id: z.string(), name: z.string(), timeZone: z.string() }),
    unit: z.object({ id: z.string(), number: z.string(), building: Named.nullable() }),
    period: z.object({
      from: z.string(),
      to: z.string(),
      timeZone: z.string(),
      firstDay: z.string(),
      lastDay: z.string(),
    }),
    generatedAt: z.string(),
    generatedBy: z.object({ name: z.string(), role: z.string() }),
    checkpoint: z.object({ note: z.string(), verifierKey: z.string(), size: z.number(), rootHash: z.string() }),
    entries: z.array(
      z.object({
        index: z.number().describe("the entry's position in the organization's log"),
        entry: z.string().describe("the leaf bytes exactly: the canonical JSON of the audit entry"),
        proof: z.array(z.string()).describe("RFC 9162 inclusion proof against the checkpoint, hex"),
      }),
    ),
    visits: z
      .object({
        derived: z.literal(true),
        note: z.string(),
        unproved: z
          .object({
            keys: z.record(z.string(), z.string()),
            reasons: z.record(z.string(), z.object({ code: z.string(), label: z.string() })),
          })
          .describe("key labels and reason codes and labels by id, looked up when the packet was made: not proven"),
        items: z.array(
          z.object({
            checkoutId: z.string(),
            key: z.object({ id: z.string(), label: z.string() }),
            takenBy: Named.nullable(),
            takenAt: z.string(),
            authorized: z.boolean(),
            reason: z.object({ id: z.string(), code: z.string(), label: z.string() }).nullable(),
            workOrder: z.string().nullable(),
            dueAt: z.string().nullable(),
            returnedAt: z.string().nullable(),
            returnedBy: Named.nullable(),
            durationSeconds: z.number().nullable(),
            outEventId: z.string(),
            inEventId: z.string().nullable(),
          }),
        ),
      })
      .describe("a summary for people, derived from the entries"),
  })
  .meta({ id: "EvidencePacket" });

export function registerEvidenceRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/api/v1/units/:id/evidence-packet",
    {
      schema: {
        tags: ["Audit"],
        summary:
          "The unit's evidence packet for a period (at most 366 days): JSON with every audit entry and its proof " +
          "against a signed checkpoint (verify with `keyward audit verify-packet`), or a PDF for people",
        params: z.object({ id: z.string().min(1).max(64) }),
        querystring: EvidenceQuery,
        response: { 200: EvidencePacketBody.describe("format=json; format=pdf answers application/pdf"), ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const unit = await loadEvidenceUnit(services.db, actor.organizationId, req.params.id);
      const resource = (entity: "unit" | "event") => ({
        entity,
        organizationId: actor.organizationId,
        propertyId: unit?.property.id ?? null,
      });
      // why: a unit the actor may not see answers exactly as one that does not exist, before anything is done
      if (!unit || !can(actor, "read", resource("unit"))) {
        throw notFound("unit");
      }
      if (!can(actor, "read", resource("event"))) {
        throw forbidden("see this unit's history");
      }
      const period = evidencePeriod(req.query.from, req.query.to, unit.property.timeZone);
      if ("problem" in period) {
        throw invalidInput("to", period.problem);
      }
      // why: a regional manager's roles are held through the region, not at the property itself
      const held = rolesAt(actor, unit.property.id);
      const roles = [...new Set(held.length > 0 ? held : allRoles(actor))].map((role) => role.replaceAll("_", " "));
      const packet = await buildEvidencePacket(services, {
        unit,
        period: period.period,
        generatedBy: { name: actor.name, role: roles.join(", ") || "user" },
      });
      const format = req.query.format;
      const pdf = format === "pdf" ? await renderEvidencePdf(packet) : null;
      await recordPacketExport(services, packet, format, snapshotOf(actor));
      reply.header("content-disposition", `attachment; filename="${packetFileName(packet, format)}"`);
      if (!pdf) {
        return reply.send(packet);
      }
      // why: the typed reply knows the JSON schema only; Fastify sends a Buffer as the bytes it is, unserialized
      return reply.type("application/pdf").send(pdf as unknown as EvidencePacket);
    },
  );
}
