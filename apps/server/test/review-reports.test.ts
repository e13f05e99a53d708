/**
 * Review of the reports change (issue 5): defects found in review, each shown by a test that failed before its fix.
 * A property's manager learns no name of another property's person through a report's filter or a schedule's; a
 * paused schedule sends nothing, not even a run queued (or waiting to be retried) before it was paused; monthly
 * schedules on days 29–31 cover each day once.
 */
import type { AddressInfo } from "node:net";
import type { ReportSchedule } from "@keyward/contracts/report-schedules";
import type { Report } from "@keyward/contracts/reports";
import { nextRunAfter, periodBefore, type Recurrence } from "@keyward/domain/report-schedule";
import { localTime } from "@keyward/domain/schedule";
import { addDays } from "@keyward/domain/zoned-time";
import { SMTPServer } from "smtp-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { queueDueRuns, runDeliveryPass } from "../src/reports/deliver-reports.ts";
import { PAUSED_MESSAGE } from "../src/reports/update-report-schedule.ts";
import type { Services } from "../src/services.ts";
import { Factory } from "./factories.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const CHICAGO = "America/Chicago";

let server: TestServer;
let smtp: SMTPServer;
let smtpUrl: string;
const received: string[][] = [];

beforeEach(async () => {
  server = await startTestServer();
  received.length = 0;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      stream.on("data", () => {});
      stream.on("end", () => {
        received.push(session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await server.close();
});

function mailing(): Services {
  const s = server.services;
  return { ...s, config: { ...s.config, mail: { smtpUrl, from: "Keyward <reports@keyward.test>" } } };
}

describe("a person filter", () => {
  it("does not tell a property's manager the name of another property's person", async () => {
    const factory = await Factory.organization(server.services.db, server.clock.now);
    const maple = await factory.property({ name: "Maple Court", timeZone: CHICAGO });
    const harbor = await factory.property({ name: "Harbor View", timeZone: CHICAGO });
    const login = await factory.user("property_manager", { type: "property", id: maple.id });
    const manager = await server.client().login(login.email, login.password);
    const bo = await factory.person({ homePropertyId: harbor.id, firstName: "Bo", lastName: "Harborman" });
    const tess = await factory.person({ homePropertyId: maple.id, firstName: "Tess", lastName: "Tech" });

    // the people API hides Bo from Maple's manager…
    expect((await manager.get(`/api/v1/people/${bo.id}`)).status).toBe(404);
    // …and so does every report, as it does a building or a unit of another property
    for (const name of ["keys-out", "by-unit", "transactions", "access-review"]) {
      const res = await manager.get<Report>(`/api/v1/reports/${name}?personId=${bo.id}`);
      expect(res.status, `${name}: ${res.text}`).toBe(404);
      expect(res.text).not.toContain("Harborman");
    }
    const own = await manager.get<Report>(`/api/v1/reports/keys-out?personId=${tess.id}`);
    expect(own.status, own.text).toBe(200);
    expect(own.body.filters).toContainEqual({ key: "personId", label: "Person", value: "Tess Tech" });

    // nor may a schedule of Maple name Bo, whose name would print in every e-mail's header
    const scheduled = await manager.post<ReportSchedule>("/api/v1/report-schedules", {
      propertyId: maple.id,
      name: "Bo's keys",
      report: "keys-out",
      filters: { personId: bo.id },
      frequency: "daily",
      localTime: "07:00",
      recipients: { roles: ["property_manager"] },
      formats: ["csv"],
    });
    expect(scheduled.status, scheduled.text).toBe(400);
  });
});

describe("a paused schedule", () => {
  it("sends nothing, not even a run queued before it was paused and waiting to be retried", async () => {
    const factory = await Factory.organization(server.services.db, server.clock.now);
    const admin = await server.client().login(factory.admin.email, factory.admin.password);
    const property = await factory.property({ timeZone: CHICAGO });
    await factory.user("property_manager", { type: "property", id: property.id });
    const list = await admin.get<{ items: ReportSchedule[] }>(`/api/v1/report-schedules?propertyId=${property.id}`);
    const daily = list.body.items.find((s) => s.name === "Daily keys out");
    if (!daily) {
      throw new Error("no Daily keys out schedule");
    }
    // 07:00 in Chicago on 2 June: the run is queued, and its first attempt fails (no SMTP server yet)
    server.clock.ms = Date.parse("2026-06-02T12:00:00.000Z");
    expect(await queueDueRuns(server.services)).toBe(1);
    expect(await runDeliveryPass(server.services, "worker")).toMatchObject({ sent: 0, failed: 1 });

    // signed in again: the clock moved past the first session's life
    const again = await server.client().login(factory.admin.email, factory.admin.password);
    const paused = await again.patch<ReportSchedule>(`/api/v1/report-schedules/${daily.id}`, { status: "paused" });
    expect(paused.status, paused.text).toBe(200);
    server.clock.advance(10 * 60_000);
    await runDeliveryPass(mailing(), "worker");
    expect(received).toEqual([]);
    const deliveries = await server.services.db
      .selectFrom("report_deliveries")
      .select(["status", "last_error"])
      .where("schedule_id", "=", daily.id)
      .execute();
    expect(deliveries).toEqual([{ status: "failed", last_error: PAUSED_MESSAGE }]);
  });
});

describe("a monthly schedule on the 31st", () => {
  it("covers every day once: each run's period starts the day after the previous one's ended", async () => {
    const r: Recurrence = {
      frequency: "monthly",
      weekday: null,
      monthDay: 31,
      localTime: "07:00",
      timeZone: CHICAGO,
    };
    let at = new Date("2026-12-15T00:00:00.000Z");
    let previousTo: string | null = null;
    for (let i = 0; i < 14; i++) {
      at = nextRunAfter(r, at);
      const period = periodBefore("monthly", localTime(at, CHICAGO).date, r.monthDay);
      if (previousTo !== null) {
        expect(period.from, `the run of ${localTime(at, CHICAGO).date}`).toBe(addDays(previousTo, 1));
      }
      previousTo = period.to;
    }
  });
});
