/**
 * Scheduled reports by e-mail, end to end: a real SMTP server started in-process (smtp-server on 127.0.0.1) receives
 * what the delivery worker sends, and mailparser reads it back. The clock is the test's; the worker's passes are run
 * by hand at chosen instants. Runs on SQLite, and on PostgreSQL when KEYWARD_TEST_DATABASE_URL is set.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ReportDelivery, ReportSchedule } from "@keyward/contracts/report-schedules";
import type { Report } from "@keyward/contracts/reports";
import { parse } from "csv-parse/sync";
import { PDFParse } from "pdf-parse";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NO_SMTP_MESSAGE } from "../src/notify/mail.ts";
import {
  MAX_ATTEMPTS,
  NO_RECIPIENTS_MESSAGE,
  queueDueRuns,
  runDeliveryPass,
  sendDueDeliveries,
} from "../src/reports/deliver-reports.ts";
import { renderReportCsv } from "../src/reports/render-report.ts";
import type { Services } from "../src/services.ts";
import { TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";
import { type Inbox, startInbox } from "./smtp-inbox.ts";

const CHICAGO = "America/Chicago";
const MINUTE = 60_000;

let server: TestServer;
let inbox: Inbox;

beforeEach(async () => {
  server = await startTestServer();
  inbox = await startInbox();
});
afterEach(async () => {
  await inbox.close();
  await server.close();
});

/** The test server's services with the in-process SMTP server configured. */
function mailing(): Services {
  const s = server.services;
  return { ...s, config: { ...s.config, mail: { smtpUrl: inbox.url, from: "Keyward <reports@keyward.test>" } } };
}

async function deliveriesOf(scheduleId: string) {
  return server.services.db
    .selectFrom("report_deliveries")
    .selectAll()
    .where("schedule_id", "=", scheduleId)
    .orderBy("due_at")
    .execute();
}

async function eventsOf(action: string, entityId: string) {
  return server.services.db
    .selectFrom("events")
    .select(["actor", "before", "after"])
    .where("action", "=", action)
    .where("entity_id", "=", entityId)
    .execute();
}

/** An organization with one property, its property manager, and its admin signed in. */
async function managedProperty(input: Record<string, unknown> = {}) {
  const factory = await Factory.organization(server.services.db, server.clock.now);
  const admin = await server.client().login(factory.admin.email, factory.admin.password);
  const property = await factory.property({ timeZone: CHICAGO, ...input });
  const manager = await factory.user("property_manager", { type: "property", id: property.id });
  const schedule = await dailyOf(admin, property.id);
  return { factory, admin, property, manager, schedule };
}

/** Signs the organization's administrator in again (after the clock moved past the session's life). */
function signIn(factory: Factory): Promise<ApiClient> {
  return server.client().login(factory.admin.email, factory.admin.password);
}

async function dailyOf(client: ApiClient, propertyId: string): Promise<ReportSchedule> {
  const res = await client.get<{ items: ReportSchedule[] }>(`/api/v1/report-schedules?propertyId=${propertyId}`);
  expect(res.status, res.text).toBe(200);
  const daily = res.body.items.find((s) => s.name === "Daily keys out");
  if (!daily) {
    throw new Error("the property has no Daily keys out schedule");
  }
  return daily;
}

describe("a new property", () => {
  it("gets a Daily keys out at 07:00 for its property managers, with its event", async () => {
    const factory = await Factory.organization(server.services.db, server.clock.now);
    const admin = await server.client().login(factory.admin.email, factory.admin.password);
    const created = await admin.post<{ id: string }>("/api/v1/properties", {
      name: "Maple Court",
      code: "MAPLE",
      timeZone: CHICAGO,
    });
    expect(created.status, created.text).toBe(201);
    const schedule = await dailyOf(admin, created.body.id);
    expect(schedule).toMatchObject({
      propertyId: created.body.id,
      propertyName: "Maple Court",
      report: "keys-out",
      filters: {},
      frequency: "daily",
      weekday: null,
      monthDay: null,
      localTime: "07:00",
      timeZone: CHICAGO,
      recipients: { roles: ["property_manager"], userIds: [], emails: [] },
      formats: ["pdf", "csv"],
      status: "active",
      // the clock reads 2026-06-01 10:00 in Chicago: the first run is the next morning, 07:00 CDT
      nextRunAt: "2026-06-02T12:00:00.000Z",
    });
    const [event] = await eventsOf("report_schedule.created", schedule.id);
    expect(JSON.parse(event?.actor ?? "{}")).toMatchObject({ type: "user", name: "Ada Admin" });
    expect(JSON.parse(event?.after ?? "{}")).toMatchObject({ name: "Daily keys out", localTime: "07:00" });
  });

  it("moves its schedules to the property's new time zone, keeping 07:00 local", async () => {
    const { admin, property, schedule } = await managedProperty();
    const res = await admin.patch(`/api/v1/properties/${property.id}`, { timeZone: "America/New_York" });
    expect(res.status, res.text).toBe(200);
    const moved = await admin.get<ReportSchedule>(`/api/v1/report-schedules/${schedule.id}`);
    expect(moved.body).toMatchObject({
      timeZone: "America/New_York",
      localTime: "07:00",
      nextRunAt: "2026-06-02T11:00:00.000Z",
    });
    const [event] = await eventsOf("report_schedule.updated", schedule.id);
    expect(JSON.parse(event?.before ?? "{}")).toMatchObject({ timeZone: CHICAGO });
    expect(JSON.parse(event?.after ?? "{}")).toMatchObject({ timeZone: "America/New_York" });
  });
});

describe("a scheduled keys-out report", () => {
  it("arrives at 07:00 local with a PDF and a CSV whose numbers match the JSON", async () => {
    const { factory, property, manager, schedule, ...made } = await managedProperty({ name: "Maple Court" });
    let admin = made.admin;
    // others who must not receive it: office staff here, a manager of another property
    const office = await factory.user("office_staff", { type: "property", id: property.id });
    const elsewhere = await factory.property();
    const otherManager = await factory.user("property_manager", { type: "property", id: elsewhere.id });

    const cabinet = await factory.cabinet(property.id, { hooksPerModule: 5 });
    const device = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
    const holder = await factory.person({ homePropertyId: property.id, firstName: "Tess", lastName: "Tech" });
    for (const [hook, dueInHours] of [
      [1, 1],
      [2, 48],
    ] as const) {
      const unit = await factory.unit(property.id);
      const key = await factory.key(property.id, { unitId: unit.id, cabinetId: cabinet.id, hookNumber: hook });
      device.record("key.taken", {
        visitId: `v${hook}`,
        checkoutId: crypto.randomUUID(),
        keyId: key.id,
        hook,
        personId: holder.id,
        authorized: true,
        reasonCodeId: null,
        workOrder: `WO-${hook}`,
        dueAt: new Date(server.clock.ms + dueInHours * 3_600_000).toISOString(),
      });
    }
    expect((await device.upload()).status).toBe(200);

    // not yet: 06:59 in Chicago
    server.clock.ms = Date.parse("2026-06-02T11:59:00Z");
    expect(await runDeliveryPass(mailing(), "worker")).toMatchObject({ queued: 0, sent: 0 });
    server.clock.ms = Date.parse("2026-06-02T12:00:20Z");
    // this property's run and the other property's
    expect(await runDeliveryPass(mailing(), "worker")).toEqual({ queued: 2, sent: 2, failed: 0, leased: true });
    // a second pass at the same moment sends nothing more
    expect(await runDeliveryPass(mailing(), "worker")).toEqual({ queued: 0, sent: 0, failed: 0, leased: true });

    expect(inbox.messages).toHaveLength(2);
    const message = inbox.messages.find((m) => m.mail.subject?.includes("Maple Court"));
    if (!message) {
      throw new Error("no message for Maple Court");
    }
    expect(message.to).toEqual([manager.email.toLowerCase()]);
    expect(inbox.messages.map((m) => m.to).sort()).toEqual(
      [[manager.email.toLowerCase()], [otherManager.email.toLowerCase()]].sort(),
    );
    expect(inbox.messages.flatMap((m) => m.to)).not.toContain(office.email.toLowerCase());
    expect(message.mail.subject).toBe("Daily keys out — Maple Court — 2026-06-02");
    expect(message.mail.from?.value).toEqual([{ name: "Keyward", address: "reports@keyward.test" }]);

    admin = await signIn(factory);
    const json = await admin.get<Report>(`/api/v1/reports/keys-out?propertyId=${property.id}`);
    expect(json.status).toBe(200);
    expect(json.body.rowCount).toBe(2);
    const totals = Object.fromEntries(json.body.totals.map((t) => [t.label, t.value]));
    expect(totals).toMatchObject({ "Keys out": 2, Overdue: 1 });

    const csv = message.mail.attachments.find((a) => a.filename?.endsWith(".csv"));
    const pdf = message.mail.attachments.find((a) => a.filename?.endsWith(".pdf"));
    expect(message.mail.attachments.map((a) => a.filename)).toEqual([
      "keys-out-maple-court-2026-06-02.pdf",
      "keys-out-maple-court-2026-06-02.csv",
    ]);
    // the CSV is the very one the report's own CSV format gives at that moment
    const csvText = csv?.content.toString("utf8") ?? "";
    expect(csvText).toBe(renderReportCsv(json.body));
    const records = parse(csvText, { relax_column_count: true, skip_empty_lines: true }) as string[][];
    expect(records.filter((r) => r[0] !== "Total")).toHaveLength(1 + json.body.rowCount);
    for (const total of json.body.totals) {
      expect(records).toContainEqual(["Total", total.label, String(total.value)]);
    }
    expect(records.slice(1, 3).map((r) => r[0])).toEqual(json.body.rows.map((r) => r.cells.key));

    const parser = new PDFParse({ data: new Uint8Array(pdf?.content ?? Buffer.alloc(0)) });
    const text = (await parser.getText()).text.replace(/\s+/g, " ");
    await parser.destroy();
    expect(text).toContain("Keys out");
    expect(text).toContain("by Scheduled: Daily keys out");
    for (const row of json.body.rows) {
      expect(text).toContain(String(row.cells.key));
      expect(text).toContain(String(row.cells.workOrder));
    }
    // the totals table: each label beside its value
    for (const total of json.body.totals) {
      expect(text).toContain(`${total.label} ${total.value}`);
    }

    expect(message.mail.text).toContain("Keys out: 2");
    expect(message.mail.text).toContain("Overdue: 1");
    expect(message.mail.text).toContain("Period: the present moment");

    const deliveries = await admin.get<{ items: ReportDelivery[] }>(
      `/api/v1/report-schedules/${schedule.id}/deliveries`,
    );
    expect(deliveries.body.items).toEqual([
      expect.objectContaining({
        dueAt: "2026-06-02T12:00:00.000Z",
        status: "sent",
        attempts: 1,
        lastError: null,
        recipients: [manager.email.toLowerCase()],
        sentAt: "2026-06-02T12:00:20.000Z",
      }),
    ]);
    const [sent] = await eventsOf("report_delivery.sent", schedule.id);
    expect(JSON.parse(sent?.after ?? "{}")).toMatchObject({ rows: 2, recipients: [manager.email.toLowerCase()] });
  });
});

describe("when a schedule fires", () => {
  /** Runs the queueing step every 30 minutes from one instant to another. */
  async function stepThrough(from: string, to: string): Promise<void> {
    for (let t = Date.parse(from); t <= Date.parse(to); t += 30 * MINUTE) {
      server.clock.ms = t;
      await queueDueRuns(server.services);
    }
  }
  const dueOf = async (scheduleId: string, from: string) =>
    (await deliveriesOf(scheduleId)).filter((d) => d.due_at >= from).map((d) => d.due_at);

  it("runs 07:00 in Chicago at 13:00Z in winter, 12:00Z in summer, once on each daylight-saving day", async () => {
    server.clock.ms = Date.parse("2026-01-10T00:00:00Z");
    const { admin, property, schedule } = await managedProperty();
    expect(schedule.nextRunAt).toBe("2026-01-10T13:00:00.000Z");
    const night = async (localTime: string) => {
      const res = await admin.post<ReportSchedule>("/api/v1/report-schedules", {
        propertyId: property.id,
        name: `Night ${localTime}`,
        report: "keys-out",
        frequency: "daily",
        localTime,
        recipients: { roles: ["property_manager"] },
        formats: ["csv"],
      });
      expect(res.status, res.text).toBe(201);
      return res.body;
    };
    const skipped = await night("02:30");
    const repeated = await night("01:30");

    await stepThrough("2026-01-10T12:30:00Z", "2026-01-10T14:00:00Z");
    expect(await dueOf(schedule.id, "2026-01-10")).toEqual(["2026-01-10T13:00:00.000Z"]);

    // the server was down for eight weeks: the latest missed run goes out once, not every one
    server.clock.ms = Date.parse("2026-03-07T00:00:00Z");
    expect(await queueDueRuns(server.services)).toBe(3);
    expect(await dueOf(schedule.id, "2026-01-11")).toEqual(["2026-03-06T13:00:00.000Z"]);

    // spring forward on 2026-03-08: 02:00 CST becomes 03:00 CDT
    await stepThrough("2026-03-07T00:30:00Z", "2026-03-09T08:00:00Z");
    expect(await dueOf(schedule.id, "2026-03-07")).toEqual(["2026-03-07T13:00:00.000Z", "2026-03-08T12:00:00.000Z"]);
    // 02:30 does not exist that night: it runs at 03:00 CDT, the first minute after the gap
    expect(await dueOf(skipped.id, "2026-03-07")).toEqual([
      "2026-03-07T08:30:00.000Z",
      "2026-03-08T08:00:00.000Z",
      "2026-03-09T07:30:00.000Z",
    ]);

    server.clock.ms = Date.parse("2026-07-01T12:30:00Z");
    await queueDueRuns(server.services);
    expect(await dueOf(schedule.id, "2026-06")).toEqual(["2026-07-01T12:00:00.000Z"]);

    // fall back on 2026-11-01: 02:00 CDT becomes 01:00 CST, and 01:30 happens twice
    server.clock.ms = Date.parse("2026-10-31T00:00:00Z");
    await queueDueRuns(server.services);
    await stepThrough("2026-10-31T00:30:00Z", "2026-11-02T08:00:00Z");
    expect(await dueOf(schedule.id, "2026-10-31")).toEqual(["2026-10-31T12:00:00.000Z", "2026-11-01T13:00:00.000Z"]);
    expect(await dueOf(repeated.id, "2026-10-31")).toEqual([
      "2026-10-31T06:30:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-02T07:30:00.000Z",
    ]);
    // each run of the days stepped through was queued by the first pass at or after its instant
    for (const id of [schedule.id, skipped.id, repeated.id]) {
      for (const d of await deliveriesOf(id)) {
        if ((d.due_at >= "2026-03-07" && d.due_at < "2026-03-10") || d.due_at >= "2026-10-31") {
          expect(Date.parse(d.created_at) - Date.parse(d.due_at)).toBeGreaterThanOrEqual(0);
          expect(Date.parse(d.created_at) - Date.parse(d.due_at)).toBeLessThan(30 * MINUTE);
        }
      }
    }
  });
});

describe("a delivery that fails", () => {
  it("records the SMTP refusal, retries after 1 and 5 minutes, then delivers", async () => {
    const { admin, schedule, manager } = await managedProperty();
    const queued = await admin.post<ReportDelivery>(`/api/v1/report-schedules/${schedule.id}/send-now`);
    expect(queued.status, queued.text).toBe(201);
    expect(queued.body).toMatchObject({ status: "pending", attempts: 0, dueAt: "2026-06-01T15:00:00.000Z" });
    inbox.refuse = 2;

    expect(await runDeliveryPass(mailing(), "worker")).toMatchObject({ sent: 0, failed: 1 });
    let [delivery] = await deliveriesOf(schedule.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, next_attempt_at: "2026-06-01T15:01:00.000Z" });
    expect(delivery?.last_error).toMatch(/451.*Mailbox busy/);
    // not before its time
    server.clock.advance(59_000);
    expect(await runDeliveryPass(mailing(), "worker")).toMatchObject({ sent: 0, failed: 0 });
    server.clock.advance(1_000);
    expect(await runDeliveryPass(mailing(), "worker")).toMatchObject({ sent: 0, failed: 1 });
    [delivery] = await deliveriesOf(schedule.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 2, next_attempt_at: "2026-06-01T15:06:00.000Z" });
    server.clock.advance(5 * MINUTE);
    expect(await runDeliveryPass(mailing(), "worker")).toMatchObject({ sent: 1, failed: 0 });
    [delivery] = await deliveriesOf(schedule.id);
    expect(delivery).toMatchObject({ status: "sent", attempts: 3, last_error: null });
    expect(inbox.messages.map((m) => m.to)).toEqual([[manager.email.toLowerCase()]]);
  });

  it("gives up after five attempts (1, 5, 30, 120 minutes apart), stays failed, and goes out when retried", async () => {
    const { factory, schedule, ...made } = await managedProperty();
    let admin = made.admin;
    // paused, so that its own 07:00 runs stay out of the way; "send now" still sends it
    expect((await admin.patch(`/api/v1/report-schedules/${schedule.id}`, { status: "paused" })).status).toBe(200);
    const queued = await admin.post<ReportDelivery>(`/api/v1/report-schedules/${schedule.id}/send-now`);
    inbox.refuse = 1_000;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await runDeliveryPass(mailing(), "worker")).toMatchObject({ failed: 1 });
      const [d] = await deliveriesOf(schedule.id);
      expect(d?.attempts).toBe(attempt);
      if (d?.next_attempt_at) {
        const wait = Date.parse(d.next_attempt_at) - server.clock.ms;
        waits.push(wait / MINUTE);
        server.clock.advance(wait);
      }
    }
    expect(waits).toEqual([1, 5, 30, 120]);
    admin = await signIn(factory);
    const failed = await admin.get<{ items: ReportDelivery[] }>(`/api/v1/report-schedules/${schedule.id}/deliveries`);
    expect(failed.body.items).toEqual([
      expect.objectContaining({ id: queued.body.id, status: "failed", attempts: 5, nextAttemptAt: null }),
    ]);
    expect(failed.body.items[0]?.lastError).toMatch(/Mailbox busy/);
    expect(await eventsOf("report_delivery.failed", schedule.id)).toHaveLength(1);

    server.clock.advance(24 * 60 * MINUTE);
    expect(await runDeliveryPass(mailing(), "worker")).toMatchObject({ queued: 0, sent: 0, failed: 0 });
    admin = await signIn(factory);

    inbox.refuse = 0;
    const retried = await admin.post<ReportDelivery>(
      `/api/v1/report-schedules/${schedule.id}/deliveries/${queued.body.id}/retry`,
    );
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body).toMatchObject({ status: "pending", attempts: 5 });
    expect(await runDeliveryPass(mailing(), "worker")).toMatchObject({ sent: 1 });
    expect(inbox.messages).toHaveLength(1);
    const again = await admin.post(`/api/v1/report-schedules/${schedule.id}/deliveries/${queued.body.id}/retry`);
    expect(again.status).toBe(409);
    expect(await eventsOf("report_delivery.retried", schedule.id)).toHaveLength(1);
  });

  it("waits while no SMTP server is configured: says so once, counts no attempt, and goes out once one is", async () => {
    const { admin, schedule, manager } = await managedProperty();
    await admin.post(`/api/v1/report-schedules/${schedule.id}/send-now`);
    expect(await runDeliveryPass(server.services, "worker")).toMatchObject({ sent: 0, failed: 1 });
    const res = await admin.get<{ items: ReportDelivery[] }>(`/api/v1/report-schedules/${schedule.id}/deliveries`);
    expect(res.body.items).toEqual([
      expect.objectContaining({ status: "pending", attempts: 0, lastError: NO_SMTP_MESSAGE }),
    ]);
    expect(NO_SMTP_MESSAGE).toMatch(/^No SMTP server configured: set KEYWARD_SMTP_URL/);
    // every pass looks again; none counts an attempt, gives up or writes another event
    for (let pass = 0; pass < MAX_ATTEMPTS + 1; pass++) {
      server.clock.advance(3 * 60 * MINUTE);
      expect(await runDeliveryPass(server.services, "worker")).toMatchObject({ sent: 0, failed: 0 });
    }
    let [delivery] = await deliveriesOf(schedule.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 0, last_error: NO_SMTP_MESSAGE });
    const failed = await eventsOf("report_delivery.failed", schedule.id);
    expect(failed).toHaveLength(1);
    expect(JSON.parse(String(failed[0]?.after))).toMatchObject({ attempts: 0, error: NO_SMTP_MESSAGE });

    expect(await runDeliveryPass(mailing(), "worker")).toMatchObject({ sent: 1, failed: 0 });
    [delivery] = await deliveriesOf(schedule.id);
    expect(delivery).toMatchObject({ status: "sent", attempts: 1, last_error: null });
    expect(inbox.messages.map((m) => m.to)).toEqual([[manager.email.toLowerCase()]]);
  });
});

describe("a run's recipients", () => {
  it("fails at once, for good and visibly, when there is nobody to send to, with or without SMTP", async () => {
    const { factory, admin } = await managedProperty();
    for (const services of [mailing(), server.services]) {
      // a property with no property manager: its daily keys out has nobody to go to
      const empty = await factory.property();
      const daily = await dailyOf(admin, empty.id);
      expect((await admin.post(`/api/v1/report-schedules/${daily.id}/send-now`)).status).toBe(201);
      expect(await runDeliveryPass(services, "worker")).toMatchObject({ sent: 0, failed: 1 });
      const listed = await admin.get<{ items: ReportDelivery[] }>(`/api/v1/report-schedules/${daily.id}/deliveries`);
      expect(listed.body.items).toEqual([
        expect.objectContaining({
          status: "failed",
          attempts: 1,
          nextAttemptAt: null,
          lastError: NO_RECIPIENTS_MESSAGE,
          recipients: null,
        }),
      ]);
      server.clock.advance(3 * 60 * MINUTE);
      expect(await runDeliveryPass(services, "worker")).toMatchObject({ sent: 0, failed: 0 });
      expect(await eventsOf("report_delivery.failed", daily.id)).toHaveLength(1);
      await admin.login(factory.admin.email, factory.admin.password);
    }
    expect(inbox.messages).toEqual([]);
  });

  it("are only those who may read reports at the property now; the others are listed as skipped", async () => {
    const { factory, admin, property, manager } = await managedProperty();
    const elsewhere = await factory.property();
    const moved = await factory.user("property_manager", { type: "property", id: elsewhere.id });
    const technician = await factory.user("technician", { type: "property", id: property.id });
    const created = await admin.post<ReportSchedule>("/api/v1/report-schedules", {
      propertyId: property.id,
      name: "Keys out for the team",
      report: "keys-out",
      frequency: "daily",
      localTime: "08:00",
      recipients: { roles: ["property_manager"], userIds: [moved.userId, technician.userId, manager.userId] },
      formats: ["csv"],
    });
    expect(created.status, created.text).toBe(201);
    await admin.post(`/api/v1/report-schedules/${created.body.id}/send-now`);
    expect(await runDeliveryPass(mailing(), "worker")).toMatchObject({ sent: 1, failed: 0 });
    expect(inbox.messages.map((m) => m.to)).toEqual([[manager.email.toLowerCase()]]);
    const listed = await admin.get<{ items: ReportDelivery[] }>(
      `/api/v1/report-schedules/${created.body.id}/deliveries`,
    );
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        status: "sent",
        recipients: [manager.email.toLowerCase()],
        skipped: [moved.email.toLowerCase(), technician.email.toLowerCase()].sort(),
      }),
    ]);
    const [sent] = await eventsOf("report_delivery.sent", created.body.id);
    expect(JSON.parse(sent?.after ?? "{}")).toMatchObject({
      recipients: [manager.email.toLowerCase()],
      skipped: [moved.email.toLowerCase(), technician.email.toLowerCase()].sort(),
    });
  });

  it("take extra addresses only from someone who manages schedules for the whole organization", async () => {
    const { admin, property, manager, schedule } = await managedProperty();
    const pm = await server.client().login(manager.email, manager.password);
    const input = {
      propertyId: property.id,
      name: "To the owner",
      report: "keys-out",
      frequency: "daily",
      localTime: "08:00",
      recipients: { roles: ["property_manager"], emails: ["owner@example.test"] },
      formats: ["pdf"],
    };
    const refused = await pm.post<{ field: string }>("/api/v1/report-schedules", input);
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.field).toBe("recipients.emails");
    const added = await pm.patch<{ field: string }>(`/api/v1/report-schedules/${schedule.id}`, {
      recipients: { roles: ["property_manager"], emails: ["owner@example.test"] },
    });
    expect(added.status, added.text).toBe(400);
    expect(added.body.field).toBe("recipients.emails");

    // an address an organization role added may stay while the property's manager changes the rest, or go
    const owners = await admin.post<ReportSchedule>("/api/v1/report-schedules", input);
    expect(owners.status, owners.text).toBe(201);
    const renamed = await pm.patch<ReportSchedule>(`/api/v1/report-schedules/${owners.body.id}`, { name: "Owner" });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.recipients.emails).toEqual(["owner@example.test"]);
    const removed = await pm.patch<ReportSchedule>(`/api/v1/report-schedules/${owners.body.id}`, {
      recipients: { roles: ["property_manager"] },
    });
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.recipients.emails).toEqual([]);
  });
});

describe("two server processes on one database", () => {
  /** Starts the second process; resolves with its counts once it has run. */
  function secondProcess(mode: "pass" | "send"): Promise<{ sent: number; queued?: number; leased?: boolean }> {
    const fixture = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "deliver-reports-once.ts");
    const target = (server.database.url ?? server.database.sqliteFile) as string;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", fixture, target, inbox.url, String(server.clock.ms), mode],
      {
        cwd: join(dirname(fixture), "..", ".."),
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    return new Promise((resolve, reject) =>
      child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`)))),
    );
  }

  it("deliver each run once, through the lease and through the claims", async () => {
    const made = await managedProperty();
    const factory = made.factory;
    const schedules: ReportSchedule[] = [];
    for (let i = 0; i < 5; i++) {
      const property = await factory.property();
      await factory.user("property_manager", { type: "property", id: property.id });
      schedules.push(await dailyOf(made.admin, property.id));
    }
    // the 07:00 runs come due: one process holds the lease and does the pass, the other stands aside
    server.clock.ms = Date.parse("2026-06-02T12:00:05Z");
    inbox.delayMs = 30;
    const [theirs, ours] = await Promise.all([secondProcess("pass"), runDeliveryPass(mailing(), "first-process")]);
    expect(theirs.sent + ours.sent).toBe(6);
    expect([theirs.leased, ours.leased].filter(Boolean)).toHaveLength(1);
    expect(inbox.messages).toHaveLength(6);

    // "send now" for each, then both processes send at once with the claims alone (no lease)
    server.clock.advance(MINUTE);
    const admin = await signIn(factory);
    for (const s of schedules) {
      expect((await admin.post(`/api/v1/report-schedules/${s.id}/send-now`)).status).toBe(201);
    }
    inbox.delayMs = 200;
    const [second, first] = await Promise.all([secondProcess("send"), sendDueDeliveries(mailing(), "first-process")]);
    expect(second.sent + first.sent).toBe(5);
    expect(inbox.messages).toHaveLength(11);
    const rows = await server.services.db.selectFrom("report_deliveries").select(["status", "message_id"]).execute();
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    const ids = new Set(inbox.messages.map((m) => m.mail.messageId));
    expect(new Set(rows.map((r) => r.message_id))).toEqual(ids);
    expect(ids.size).toBe(11);
  }, 60_000);
});

describe("the report schedule routes", () => {
  const valid = (propertyId: string | null) => ({
    propertyId,
    name: "Weekly by unit",
    report: "by-unit",
    frequency: "weekly",
    weekday: 1,
    localTime: "08:00",
    recipients: { roles: ["property_manager"], emails: ["Owner@Example.test"] },
    formats: ["pdf"],
  });

  it("create, read, change, pause and resume a schedule, with before and after in the events", async () => {
    const { factory, property, ...made } = await managedProperty();
    let admin = made.admin;
    const created = await admin.post<ReportSchedule>("/api/v1/report-schedules", valid(property.id));
    expect(created.status, created.text).toBe(201);
    // 2026-06-01 is a Monday, 10:00 in Chicago: the first run is the next Monday at 08:00 CDT
    expect(created.body).toMatchObject({
      timeZone: CHICAGO,
      nextRunAt: "2026-06-08T13:00:00.000Z",
      recipients: { roles: ["property_manager"], userIds: [], emails: ["owner@example.test"] },
    });
    const id = created.body.id;
    const friday = await admin.patch<ReportSchedule>(`/api/v1/report-schedules/${id}`, { weekday: 5 });
    expect(friday.body.nextRunAt).toBe("2026-06-05T13:00:00.000Z");
    const monthly = await admin.patch<ReportSchedule>(`/api/v1/report-schedules/${id}`, {
      frequency: "monthly",
      monthDay: 31,
    });
    expect(monthly.body).toMatchObject({ weekday: null, monthDay: 31, nextRunAt: "2026-06-30T13:00:00.000Z" });
    const paused = await admin.patch<ReportSchedule>(`/api/v1/report-schedules/${id}`, { status: "paused" });
    expect(paused.body.status).toBe("paused");
    server.clock.ms = Date.parse("2026-08-15T00:00:00Z");
    await queueDueRuns(server.services);
    expect(await deliveriesOf(id)).toEqual([]);
    admin = await signIn(factory);
    const resumed = await admin.patch<ReportSchedule>(`/api/v1/report-schedules/${id}`, { status: "active" });
    // the runs missed while paused are not sent: the next is the first after now
    expect(resumed.body.nextRunAt).toBe("2026-08-31T13:00:00.000Z");
    const updates = await eventsOf("report_schedule.updated", id);
    expect(updates.map((e) => JSON.parse(e.after ?? "{}"))).toContainEqual(
      expect.objectContaining({ frequency: "monthly", monthDay: 31, weekday: null }),
    );
    expect(updates.map((e) => JSON.parse(e.before ?? "{}"))).toContainEqual(
      expect.objectContaining({ status: "paused" }),
    );
  });

  it("refuse what does not hold together, naming the field", async () => {
    const { admin, property, schedule } = await managedProperty();
    const refused = async (change: Record<string, unknown>, field: string) => {
      const res = await admin.post<{ field: string }>("/api/v1/report-schedules", { ...valid(property.id), ...change });
      expect(res.status, res.text).toBe(400);
      expect(res.body.field).toBe(field);
    };
    await refused({ localTime: "7am" }, "localTime");
    await refused({ weekday: null }, "weekday");
    await refused({ frequency: "daily" }, "weekday");
    await refused({ frequency: "monthly", weekday: null, monthDay: 32 }, "monthDay");
    await refused({ formats: [] }, "formats");
    await refused({ recipients: { roles: [] } }, "recipients");
    await refused({ recipients: { roles: ["technician"] } }, "recipients.roles");
    await refused({ recipients: { roles: [], userIds: ["nobody"] } }, "recipients.userIds");
    await refused({ report: "keys-out", filters: { days: 30 } }, "filters.days");
    await refused({ filters: { sort: "nonsense" } }, "filters.sort");
    await refused({ filters: { unitId: "nowhere" } }, "filters.unitId");
    // why: an unknown key is named itself, not only the object that held it
    await refused({ filters: { from: "2026-01-01" } }, "filters.from");
    await refused({ timeZone: "Europe/Madrid" }, "timeZone");
    await refused({ propertyId: "nowhere" }, "propertyId");
    await refused({ propertyId: null }, "timeZone");
    await refused({ propertyId: null, timeZone: "Mars/Olympus" }, "timeZone");
    const zone = await admin.patch<{ field: string }>(`/api/v1/report-schedules/${schedule.id}`, {
      timeZone: "UTC",
    });
    expect(zone.status).toBe(400);
    expect(zone.body.field).toBe("timeZone");
  });

  it("answer 404 for a schedule the actor may not see, and keep organization-wide schedules to organization roles", async () => {
    const { factory, admin, property, manager, schedule } = await managedProperty();
    const other = await factory.property();
    const otherDaily = await dailyOf(admin, other.id);
    const pm = await server.client().login(manager.email, manager.password);
    const wide = await admin.post<ReportSchedule>("/api/v1/report-schedules", {
      ...valid(null),
      report: "by-employee",
      timeZone: "UTC",
    });
    expect(wide.status, wide.text).toBe(201);
    expect(wide.body).toMatchObject({ propertyId: null, propertyName: null, timeZone: "UTC" });

    expect((await pm.get(`/api/v1/report-schedules/${schedule.id}`)).status).toBe(200);
    for (const id of [otherDaily.id, wide.body.id, "no-such-schedule"]) {
      expect((await pm.get(`/api/v1/report-schedules/${id}`)).status).toBe(404);
      expect((await pm.patch(`/api/v1/report-schedules/${id}`, { name: "Mine" })).status).toBe(404);
      expect((await pm.get(`/api/v1/report-schedules/${id}/deliveries`)).status).toBe(404);
      expect((await pm.post(`/api/v1/report-schedules/${id}/send-now`)).status).toBe(404);
    }
    const mine = await pm.get<{ items: ReportSchedule[] }>("/api/v1/report-schedules");
    expect(mine.body.items.map((s) => s.id)).toEqual([schedule.id]);
    expect((await pm.post("/api/v1/report-schedules", { ...valid(null), timeZone: "UTC" })).status).toBe(403);
    expect((await pm.post("/api/v1/report-schedules", valid(other.id))).status).toBe(404);
    // why: a property's manager names roles and users; extra addresses are an organization role's to add
    const byRole = { ...valid(property.id), recipients: { roles: ["property_manager"] } };
    expect((await pm.post("/api/v1/report-schedules", byRole)).status).toBe(201);

    // a delivery of one schedule is not found through another
    const delivery = await admin.post<ReportDelivery>(`/api/v1/report-schedules/${otherDaily.id}/send-now`);
    const crossed = await admin.post(`/api/v1/report-schedules/${schedule.id}/deliveries/${delivery.body.id}/retry`);
    expect(crossed.status).toBe(404);

    // another organization's admin sees none of it
    const stranger = await Factory.organization(server.services.db, server.clock.now);
    const outsider = await server.client().login(stranger.admin.email, stranger.admin.password);
    expect((await outsider.get(`/api/v1/report-schedules/${schedule.id}`)).status).toBe(404);
    expect((await outsider.get<{ items: unknown[] }>("/api/v1/report-schedules")).body.items).toEqual([]);
  });
});
