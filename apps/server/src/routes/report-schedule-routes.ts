/**
 * Scheduled reports: schedules (list, create, read, change, pause and resume through `status`), each schedule's
 * deliveries, "send now" and "retry now". A schedule lives at a property (its managers') or organization-wide
 * (organization roles only); one the actor may not read answers 404.
 */
import { ErrorBody, Id, IdParams } from "@keyward/contracts/common";
import {
  ReportDelivery,
  ReportDeliveryList,
  ReportDeliveryListQuery,
  ReportSchedule,
  ReportScheduleCreate,
  ReportScheduleList,
  ReportScheduleListQuery,
  ReportScheduleUpdate,
} from "@keyward/contracts/report-schedules";
import { propertiesWhere } from "@keyward/domain/permissions";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { forbidden } from "../errors.ts";
import { actorOf, inTransaction } from "../http/pipeline.ts";
import { createReportSchedule } from "../reports/create-report-schedule.ts";
import {
  loadSchedule,
  presentDelivery,
  presentSchedule,
  recordOf,
  selectSchedules,
} from "../reports/report-schedule-records.ts";
import { retryScheduleDelivery } from "../reports/retry-schedule-delivery.ts";
import { sendScheduleNow } from "../reports/send-schedule-now.ts";
import { updateReportSchedule } from "../reports/update-report-schedule.ts";
import type { Services } from "../services.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const TAG = "Report schedules";

export function registerReportScheduleRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/api/v1/report-schedules",
    {
      schema: {
        tags: [TAG],
        summary:
          "The report schedules you may see: of your properties, and organization-wide ones for organization roles",
        querystring: ReportScheduleListQuery,
        response: { 200: ReportScheduleList, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const readable = propertiesWhere(actor, "read", "reportSchedule");
      if (readable !== "all" && readable.length === 0) {
        throw forbidden("see report schedules");
      }
      let q = selectSchedules(services.db, actor.organizationId);
      if (readable !== "all") {
        q = q.where("report_schedules.property_id", "in", readable);
      }
      if (req.query.propertyId) {
        q = q.where("report_schedules.property_id", "=", req.query.propertyId);
      }
      if (req.query.status) {
        q = q.where("report_schedules.status", "=", req.query.status);
      }
      const rows = await q
        .orderBy("properties.name")
        .orderBy("report_schedules.name")
        .orderBy("report_schedules.id")
        .execute();
      return { items: rows.map((row) => presentSchedule(recordOf(row))) };
    },
  );

  r.post(
    "/api/v1/report-schedules",
    {
      schema: {
        tags: [TAG],
        summary: "Schedule a report by e-mail at a property (in its time zone) or organization-wide",
        body: ReportScheduleCreate,
        response: { 201: ReportSchedule, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const created = await inTransaction(services, (tx) => createReportSchedule(tx, actor, req.body, services.now()));
      return reply.code(201).send(created);
    },
  );

  r.get(
    "/api/v1/report-schedules/:id",
    {
      schema: {
        tags: [TAG],
        summary: "One report schedule",
        params: IdParams,
        response: { 200: ReportSchedule, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return presentSchedule(await loadSchedule(services.db, actor, "read", req.params.id));
    },
  );

  r.patch(
    "/api/v1/report-schedules/:id",
    {
      schema: {
        tags: [TAG],
        summary: "Change a report schedule; `status` pauses or resumes it",
        params: IdParams,
        body: ReportScheduleUpdate,
        response: { 200: ReportSchedule, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) => updateReportSchedule(tx, actor, req.params.id, req.body, services.now()));
    },
  );

  r.get(
    "/api/v1/report-schedules/:id/deliveries",
    {
      schema: {
        tags: [TAG],
        summary: "A schedule's deliveries, latest run first: due, status, attempts, last error, sent at, recipients",
        params: IdParams,
        querystring: ReportDeliveryListQuery,
        response: { 200: ReportDeliveryList, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const schedule = await loadSchedule(services.db, actor, "read", req.params.id);
      let q = services.db
        .selectFrom("report_deliveries")
        .selectAll()
        .where("organization_id", "=", schedule.organizationId)
        .where("schedule_id", "=", schedule.id);
      if (req.query.status) {
        q = q.where("status", "=", req.query.status);
      }
      const rows = await q.orderBy("due_at", "desc").limit(req.query.limit).execute();
      return { items: rows.map(presentDelivery) };
    },
  );

  r.post(
    "/api/v1/report-schedules/:id/send-now",
    {
      schema: {
        tags: [TAG],
        summary: "Send the schedule's report now, besides its usual runs (the worker sends it on its next pass)",
        params: IdParams,
        response: { 201: ReportDelivery, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const delivery = await inTransaction(services, (tx) => sendScheduleNow(tx, actor, req.params.id, services.now()));
      return reply.code(201).send(delivery);
    },
  );

  r.post(
    "/api/v1/report-schedules/:id/deliveries/:deliveryId/retry",
    {
      schema: {
        tags: [TAG],
        summary: "Retry a failed delivery now",
        params: z.object({ id: Id, deliveryId: Id }),
        response: { 200: ReportDelivery, ...errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return inTransaction(services, (tx) =>
        retryScheduleDelivery(tx, actor, req.params.id, req.params.deliveryId, services.now()),
      );
    },
  );
}
