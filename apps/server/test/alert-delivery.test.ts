/**
 * Alert messages, end to end: a simulated cabinet uploads real events (a forced door, a key lifted with nobody
 * identified), the server raises alerts and queues their messages, and the delivery worker sends them to a real SMTP
 * server in-process (read back with mailparser), a local HTTP server posing as Twilio, and a webhook receiver that
 * checks the signature. The clock is the test's; passes run by hand at chosen instants, except where the worker
 * itself is under test. Runs on SQLite, and on PostgreSQL when KEYWARD_TEST_DATABASE_URL is set.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HealthJob } from "@keyward/contracts/auth";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALERT_DELIVERY_LEASE, ALERT_SCAN_LEASE, startAlertWorker } from "../src/alerts/alert-worker.ts";
import { NO_SMS_PROVIDER, SKIP_REASONS, sendDueAlertDeliveries } from "../src/alerts/deliver-alerts.ts";
import { scanAlerts } from "../src/alerts/scan-alerts.ts";
import { NO_SMTP_MESSAGE } from "../src/notify/mail.ts";
import { verifyWebhookSignature } from "../src/notify/webhook.ts";
import { runDeliveryPass } from "../src/reports/deliver-reports.ts";
import type { Services } from "../src/services.ts";
import { TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer, testPostgresUrl } from "./harness.ts";
import { json, type Receiver, type RecordedRequest, startReceiver } from "./notify-receiver.ts";
import { type Inbox, startInbox } from "./smtp-inbox.ts";

const CHICAGO = "America/Chicago";
const PUBLIC_URL = "https://keys.example.com";
const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const MINUTE = 60_000;

let server: TestServer;
let inbox: Inbox;
let twilio: Receiver;
let hooks: Receiver;

/** Answers as Twilio does when it accepts a message: 201 and a new SID each time. */
function twilioAccepts(): void {
  let n = 0;
  twilio.handler = (request, response) => {
    n += 1;
    json(201, { sid: `SM${String(n).padStart(32, "0")}`, status: "queued" })(request, response);
  };
}

beforeEach(async () => {
  server = await startTestServer();
  inbox = await startInbox();
  twilio = await startReceiver();
  twilioAccepts();
  hooks = await startReceiver();
});
afterEach(async () => {
  await hooks.close();
  await twilio.close();
  await inbox.close();
  await server.close();
});

/** The test server's services with SMTP, Twilio (the local stand-in) and the public URL configured. */
function sending(): Services {
  const s = server.services;
  return {
    ...s,
    config: {
      ...s.config,
      mail: { smtpUrl: inbox.url, from: "Keyward <alerts@keyward.test>" },
      publicUrl: PUBLIC_URL,
      sms: {
        provider: "twilio",
        accountSid: ACCOUNT_SID,
        authToken: "test-token",
        from: "+15005550006",
        apiUrl: twilio.url,
      },
    },
  };
}

const pass = (services: Services = sending()) => sendDueAlertDeliveries(services, "worker");

/** Oakwood in Chicago, in a region, with a property manager, an enrolled cabinet and the admin signed in. */
async function oakwood() {
  const factory = await Factory.organization(server.services.db, server.clock.now);
  const admin = await server.client().login(factory.admin.email, factory.admin.password);
  const region = await factory.region();
  const property = await factory.property({ name: "Oakwood", timeZone: CHICAGO, regionId: region.id });
  const manager = await factory.user("property_manager", { type: "property", id: property.id });
  const cabinet = await factory.cabinet(property.id, { name: "Lobby cabinet", hooksPerModule: 10 });
  const device = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
  return { factory, admin, region, property, manager, cabinet, device };
}

/** Uploads a forced door now. */
async function forceDoor(device: TestDevice): Promise<void> {
  device.record("door.forced", {});
  const res = await device.upload();
  expect(res.status, res.text).toBe(200);
}

async function deliveriesOf(organizationId: string) {
  return server.services.db
    .selectFrom("alert_deliveries")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

async function alertsOf(organizationId: string, kind?: string) {
  let q = server.services.db.selectFrom("alerts").selectAll().where("organization_id", "=", organizationId);
  if (kind) {
    q = q.where("kind", "=", kind);
  }
  return q.orderBy("opened_at").execute();
}

async function eventsOf(action: string, entityId: string) {
  return server.services.db
    .selectFrom("events")
    .select(["entity_type", "after"])
    .where("action", "=", action)
    .where("entity_id", "=", entityId)
    .execute();
}

function put<T>(client: ApiClient, path: string, body: unknown) {
  return client.request<T>("PUT", path, body);
}

/** Signs a factory-made user in and sets their notification preferences. */
async function prefer(user: { email: string; password: string }, preferences: Record<string, unknown>) {
  const client = await server.client().login(user.email, user.password);
  const res = await put(client, "/api/v1/me/notification-preferences", {
    email: true,
    sms: false,
    phone: null,
    minSeverity: "info",
    digest: false,
    digestTime: "07:00",
    timeZone: CHICAGO,
    ...preferences,
  });
  expect(res.status, res.text).toBe(200);
  return client;
}

const mailsTo = (address: string) => inbox.messages.filter((m) => m.to.includes(address.toLowerCase()));

describe("alert e-mails", () => {
  it("reach the property's manager: subject, the time on the property's clock, the link; recorded as sent", async () => {
    const { factory, property, manager, device } = await oakwood();
    const office = await factory.user("office_staff", { type: "property", id: property.id });
    // another organization's Oakwood, whose manager hears nothing of this one
    const other = await oakwood();
    await forceDoor(device);
    expect(await pass()).toMatchObject({ sent: 1, failed: 0, skipped: 0, waiting: 0 });
    expect(mailsTo(other.manager.email)).toEqual([]);

    const [alert] = await alertsOf(factory.organizationId, "door_forced");
    const [message, ...others] = mailsTo(manager.email);
    expect(others).toEqual([]);
    expect(mailsTo(office.email)).toEqual([]);
    expect(message?.mail.subject).toBe("[Keyward] CRITICAL: Door forced — Oakwood");
    expect(message?.mail.from?.value).toEqual([{ name: "Keyward", address: "alerts@keyward.test" }]);
    const text = message?.mail.text ?? "";
    expect(text).toContain("The door of Lobby cabinet was forced open at 2026-06-01 10:00 (America/Chicago).");
    expect(text).toContain("Opened: 2026-06-01 10:00 (America/Chicago)");
    expect(text).toContain("Severity: critical");
    expect(text).toContain(`Open it: ${PUBLIC_URL}/alerts/${alert?.id}`);

    const rows = (await deliveriesOf(factory.organizationId)).filter((d) => d.channel === "email");
    expect(rows).toEqual([
      expect.objectContaining({
        alert_id: alert?.id,
        reason: "opened",
        target: manager.email.toLowerCase(),
        status: "sent",
        sent_at: server.clock.now().toISOString(),
        provider_id: message?.mail.messageId,
        response_status: 250,
        last_error: null,
      }),
    ]);
    expect(Number(rows[0]?.attempts)).toBe(1);
    // a second pass sends nothing more
    expect(await pass()).toMatchObject({ sent: 0, failed: 0, skipped: 0 });
    expect(mailsTo(manager.email)).toHaveLength(1);
  });

  it("batch the alerts due together to one address into one message, each row with its provider id", async () => {
    const { factory, property, manager, device } = await oakwood();
    const keys = [];
    for (const hook of [1, 2]) {
      keys.push(
        await factory.key(property.id, { label: `Key ${hook}A`, hookNumber: hook, cabinetId: device.cabinetId }),
      );
    }
    device.record("door.forced", {});
    for (const [i, key] of keys.entries()) {
      device.record("key.removed_without_session", { hook: i + 1, keyId: key.id });
    }
    expect((await device.upload()).status).toBe(200);
    expect(await alertsOf(factory.organizationId)).toHaveLength(3);

    expect(await pass()).toMatchObject({ sent: 3, messages: 1 });
    const [message, ...more] = mailsTo(manager.email);
    expect(more).toEqual([]);
    expect(message?.mail.subject).toMatch(
      /^\[Keyward\] 3 alerts at Oakwood: CRITICAL Door forced, CRITICAL Key removed without a session, CRITICAL Key/,
    );
    for (const alert of await alertsOf(factory.organizationId)) {
      expect(message?.mail.text).toContain(`${PUBLIC_URL}/alerts/${alert.id}`);
    }
    const rows = await deliveriesOf(factory.organizationId);
    expect(rows.map((r) => [r.status, r.provider_id])).toEqual(
      Array.from({ length: 3 }, () => ["sent", message?.mail.messageId]),
    );
  });

  it("retry after a refusal, a minute later", async () => {
    const { factory, manager, device } = await oakwood();
    await forceDoor(device);
    inbox.refuse = 1;
    expect(await pass()).toMatchObject({ sent: 0, failed: 0 });
    let [row] = await deliveriesOf(factory.organizationId);
    expect(row).toMatchObject({ status: "pending", response_status: 451 });
    expect(row?.last_error).toContain("Mailbox busy");
    expect(row?.next_attempt_at).toBe(new Date(server.clock.ms + MINUTE).toISOString());
    server.clock.advance(MINUTE);
    expect(await pass()).toMatchObject({ sent: 1 });
    [row] = await deliveriesOf(factory.organizationId);
    expect(row).toMatchObject({ status: "sent", last_error: null });
    expect(Number(row?.attempts)).toBe(2);
    expect(mailsTo(manager.email)).toHaveLength(1);
  });

  it("wait, pending and uncounted, while no SMTP server or SMS provider is configured, then go", async () => {
    const { factory, manager, device } = await oakwood();
    await prefer(manager, { sms: true, phone: "+13125550123" });
    await forceDoor(device);
    const bare = server.services;
    expect(await pass(bare)).toMatchObject({ sent: 0, waiting: 2 });
    // the same instant again: nothing is looked at twice
    expect(await pass(bare)).toMatchObject({ sent: 0, waiting: 0 });
    const waiting = await deliveriesOf(factory.organizationId);
    expect(waiting.map((r) => [r.channel, r.status, Number(r.attempts), r.last_error])).toEqual(
      expect.arrayContaining([
        ["email", "pending", 0, NO_SMTP_MESSAGE],
        ["sms", "pending", 0, NO_SMS_PROVIDER],
      ]),
    );
    expect(NO_SMTP_MESSAGE).toContain("KEYWARD_SMTP_URL");
    expect(NO_SMS_PROVIDER).toContain("KEYWARD_SMS_PROVIDER");
    for (const r of waiting) {
      expect(r.next_attempt_at).toBe(new Date(server.clock.ms + 10_000).toISOString());
    }
    server.clock.advance(10_000);
    expect(await pass(bare)).toMatchObject({ waiting: 2 });
    server.clock.advance(10_000);
    expect(await pass()).toMatchObject({ sent: 2, waiting: 0 });
    const sent = await deliveriesOf(factory.organizationId);
    expect(sent.map((r) => [r.status, Number(r.attempts), r.last_error])).toEqual([
      ["sent", 1, null],
      ["sent", 1, null],
    ]);
  });
});

describe("text messages", () => {
  it("go to each recipient with texts on and a phone, as Twilio's form, one message each", async () => {
    const { factory, property, manager, device } = await oakwood();
    const second = await factory.user("property_manager", { type: "property", id: property.id });
    const third = await factory.user("property_manager", { type: "property", id: property.id });
    await prefer(manager, { sms: true, phone: "+13125550123" });
    await prefer(second, { sms: true, phone: "+13125550124", email: false });
    await prefer(third, { sms: false, phone: "+13125550125" });
    await forceDoor(device);
    expect(await pass()).toMatchObject({ sent: 4, failed: 0 });

    const forms = twilio.requests.map((r: RecordedRequest) => ({
      method: r.method,
      path: r.path,
      authorization: r.headers.authorization,
      form: Object.fromEntries(new URLSearchParams(r.body.toString("utf8"))),
    }));
    expect(forms.map((f) => f.form.To).sort()).toEqual(["+13125550123", "+13125550124"]);
    const [alert] = await alertsOf(factory.organizationId);
    for (const f of forms) {
      expect(f.method).toBe("POST");
      expect(f.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
      expect(f.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:test-token`).toString("base64")}`);
      expect(f.form.From).toBe("+15005550006");
      expect(f.form.Body).toMatch(/^Keyward CRITICAL: Door forced at Oakwood\. The door of Lobby cabinet/);
      expect(f.form.Body?.endsWith(`${PUBLIC_URL}/alerts/${alert?.id}`)).toBe(true);
      expect(Array.from(f.form.Body ?? "").length).toBeLessThanOrEqual(300);
    }
    // e-mail: the first and the third (the second turned e-mail off)
    expect(inbox.messages.flatMap((m) => m.to).sort()).toEqual(
      [manager.email.toLowerCase(), third.email.toLowerCase()].sort(),
    );
    const sms = (await deliveriesOf(factory.organizationId)).filter((d) => d.channel === "sms");
    expect(sms.map((d) => d.provider_id).sort()).toEqual([`SM${"0".repeat(31)}1`, `SM${"0".repeat(31)}2`]);
    expect(sms.every((d) => d.status === "sent" && Number(d.response_status) === 201)).toBe(true);
  });
});

describe("webhooks", () => {
  async function endpoint(admin: ApiClient, propertyId: string) {
    const res = await admin.post<{ id: string; secret: string }>("/api/v1/webhooks", {
      url: `${hooks.url}/keyward`,
      propertyId,
    });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  it("arrive signed, the delivery's id in the header and the body; 500 twice then 200 is sent on the third attempt", async () => {
    const { factory, admin, property, device } = await oakwood();
    const hook = await endpoint(admin, property.id);
    const statuses = [500, 500, 200];
    hooks.handler = (_request, response) => {
      response.writeHead(statuses.shift() ?? 200);
      response.end("thanks");
    };
    await forceDoor(device);
    const webhookRow = async () =>
      (await deliveriesOf(factory.organizationId)).find((d) => d.channel === "webhook") ??
      expect.fail("no webhook delivery");

    await pass();
    let row = await webhookRow();
    expect(row).toMatchObject({ status: "pending", response_status: 500, last_error: "HTTP 500" });
    expect(row.next_attempt_at).toBe(new Date(server.clock.ms + 30_000).toISOString());
    server.clock.advance(30_000);
    await pass();
    row = await webhookRow();
    expect(row).toMatchObject({ status: "pending", response_status: 500 });
    expect(row.next_attempt_at).toBe(new Date(server.clock.ms + 120_000).toISOString());
    server.clock.advance(120_000);
    await pass();
    row = await webhookRow();
    expect(row).toMatchObject({ status: "sent", response_status: 200, response_excerpt: "thanks", last_error: null });
    expect(Number(row.attempts)).toBe(3);

    expect(hooks.requests).toHaveLength(3);
    const [alert] = await alertsOf(factory.organizationId);
    for (const request of hooks.requests) {
      const body = JSON.parse(request.body.toString("utf8")) as { id: string; event: string; alert: { id: string } };
      expect(request.headers["keyward-delivery"]).toBe(row.id);
      expect(body).toMatchObject({
        id: row.id,
        event: "alert.opened",
        alert: { id: alert?.id, url: `${PUBLIC_URL}/alerts/${alert?.id}` },
      });
      expect(request.headers["keyward-event"]).toBe("alert.opened");
      const signature = String(request.headers["keyward-signature"]);
      expect(verifyWebhookSignature(hook.secret, signature, request.body, Math.floor(server.clock.ms / 1000))).toBe(
        true,
      );
      expect(verifyWebhookSignature("whsec_wrong", signature, request.body, Math.floor(server.clock.ms / 1000))).toBe(
        false,
      );
    }
    // every attempt sent the same bytes
    expect(new Set(hooks.requests.map((r) => r.body.toString("utf8"))).size).toBe(1);

    const log = await admin.get<{ items: { id: string; status: string; attempts: number; responseStatus: number }[] }>(
      `/api/v1/webhooks/${hook.id}/deliveries`,
    );
    expect(log.status, log.text).toBe(200);
    expect(log.body.items).toEqual([
      expect.objectContaining({ id: row.id, status: "sent", attempts: 3, responseStatus: 200 }),
    ]);
  });

  it("fail at once on 410 Gone, with one alert_delivery.failed event that carries no secret", async () => {
    const { factory, admin, property, device } = await oakwood();
    const hook = await endpoint(admin, property.id);
    hooks.handler = (_request, response) => {
      response.writeHead(410);
      response.end();
    };
    await forceDoor(device);
    expect(await pass()).toMatchObject({ failed: 1 });
    const row = (await deliveriesOf(factory.organizationId)).find((d) => d.channel === "webhook");
    expect(row).toMatchObject({ status: "failed", next_attempt_at: null, response_status: 410 });
    expect(Number(row?.attempts)).toBe(1);
    server.clock.advance(24 * 60 * MINUTE);
    await pass();
    expect(hooks.requests).toHaveLength(1);
    const events = await eventsOf("alert_delivery.failed", row?.id ?? "");
    expect(events).toHaveLength(1);
    expect(events[0]?.entity_type).toBe("alertDelivery");
    const after = events[0]?.after ?? "";
    expect(JSON.parse(after)).toMatchObject({
      channel: "webhook",
      endpointId: hook.id,
      origin: hooks.url,
      attempts: 1,
      responseStatus: 410,
    });
    expect(after).not.toContain(hook.secret);
  });
});

describe("quiet hours", () => {
  it("hold a warning at 23:00 until they end; a critical alert goes at once; a resolved one is skipped", async () => {
    const { factory, admin, property, manager, device } = await oakwood();
    for (const kind of ["door_held_open", "door_forced", "key_wrong_hook"]) {
      const res = await put(admin, `/api/v1/alert-rules/${kind}?propertyId=${property.id}`, {
        quietHours: { start: "22:00", end: "07:00" },
      });
      expect(res.status, res.text).toBe(200);
    }
    // 23:00 in Chicago (CDT) is 04:00 UTC the next day
    server.clock.ms = Date.parse("2026-06-02T04:00:00Z");
    device.record("door.held_open", { visitId: null, seconds: 300 });
    device.record("door.forced", {});
    device.record("key.wrong_hook", { visitId: null, hook: 3, keyId: null, personId: null, expectedHooks: [2] });
    const upload = await device.upload();
    expect(upload.status, upload.text).toBe(200);
    expect(await pass()).toMatchObject({ sent: 1 });
    expect(inbox.messages.map((m) => m.mail.subject)).toEqual(["[Keyward] CRITICAL: Door forced — Oakwood"]);

    const held = (await deliveriesOf(factory.organizationId)).filter((d) => d.status === "pending");
    expect(held).toHaveLength(2);
    for (const d of held) {
      // 07:00 CDT
      expect(d.next_attempt_at).toBe("2026-06-02T12:00:00.000Z");
    }
    // someone deals with the wrong hook during the night
    const [wrongHook] = await alertsOf(factory.organizationId, "key_wrong_hook");
    const fresh = await server.client().login(factory.admin.email, factory.admin.password);
    expect((await fresh.post(`/api/v1/alerts/${wrongHook?.id}/resolve`, { note: "Checked" })).status).toBe(200);

    server.clock.ms = Date.parse("2026-06-02T11:59:00Z");
    expect(await pass()).toMatchObject({ sent: 0, skipped: 0 });
    server.clock.ms = Date.parse("2026-06-02T12:00:00Z");
    expect(await pass()).toMatchObject({ sent: 1, skipped: 1 });
    const morning = mailsTo(manager.email).map((m) => m.mail.subject);
    expect(morning).toEqual([
      "[Keyward] CRITICAL: Door forced — Oakwood",
      "[Keyward] WARNING: Door held open — Oakwood",
    ]);
    const skipped = (await deliveriesOf(factory.organizationId)).find((d) => d.alert_id === wrongHook?.id);
    expect(skipped).toMatchObject({ status: "skipped", last_error: SKIP_REASONS.resolved });
  });
});

describe("recipients", () => {
  it("get only what their minimum severity and channels allow; a login deactivated before sending is skipped", async () => {
    const { factory, admin, property, manager, device } = await oakwood();
    const criticalOnly = await factory.user("property_manager", { type: "property", id: property.id });
    const textsOnly = await factory.user("property_manager", { type: "property", id: property.id });
    const leaving = await factory.user("property_manager", { type: "property", id: property.id });
    await prefer(criticalOnly, { minSeverity: "critical" });
    await prefer(textsOnly, { email: false, sms: true, phone: "+13125550199" });
    device.record("door.held_open", { visitId: null, seconds: 300 });
    expect((await device.upload()).status).toBe(200);
    // the door-held-open rule texts nobody (its default channel is e-mail only)
    const queued = await deliveriesOf(factory.organizationId);
    expect(queued.map((d) => d.target).sort()).toEqual(
      [manager.email.toLowerCase(), leaving.email.toLowerCase()].sort(),
    );
    expect(
      (await admin.post(`/api/v1/users/${leaving.userId}/deactivate`)).status,
      "deactivate the leaving manager",
    ).toBe(200);
    expect(await pass()).toMatchObject({ sent: 1, skipped: 1 });
    expect(inbox.messages.flatMap((m) => m.to)).toEqual([manager.email.toLowerCase()]);
    const left = (await deliveriesOf(factory.organizationId)).find((d) => d.user_id === leaving.userId);
    expect(left).toMatchObject({ status: "skipped", last_error: SKIP_REASONS.inactive, sent_at: null });
    expect(twilio.requests).toEqual([]);
  });

  it("who moved to another property since the message was queued are skipped", async () => {
    const { factory, admin, manager, device } = await oakwood();
    const elsewhere = await factory.property({ name: "Maple Court" });
    await forceDoor(device);
    const assignments = await server.services.db
      .selectFrom("role_assignments")
      .select("id")
      .where("person_id", "=", String(manager.person.id))
      .execute();
    for (const a of assignments) {
      const res = await admin.patch(`/api/v1/role-assignments/${a.id}`, { status: "revoked" });
      expect(res.status, res.text).toBe(200);
    }
    await factory.grant(String(manager.person.id), "property_manager", { type: "property", id: elsewhere.id });
    expect(await pass()).toMatchObject({ sent: 0, skipped: 1 });
    const [row] = (await deliveriesOf(factory.organizationId)).filter((d) => d.channel === "email");
    expect(row?.last_error).toBe("The recipient may no longer read alerts at Oakwood.");
  });
});

describe("escalation", () => {
  it("tells the escalation recipients when nobody acknowledges in time, and nobody when someone does", async () => {
    const { factory, region, manager, device } = await oakwood();
    const regional = await factory.user("regional_manager", { type: "region", id: region.id });
    await forceDoor(device);
    await pass();
    expect(mailsTo(regional.email)).toEqual([]);
    // 14 minutes: not yet
    server.clock.advance(14 * MINUTE);
    await scanAlerts(server.services);
    expect(await pass()).toMatchObject({ sent: 0 });
    server.clock.advance(MINUTE);
    await scanAlerts(server.services);
    expect(await pass()).toMatchObject({ sent: 1 });
    const [escalated, ...more] = mailsTo(regional.email);
    expect(more).toEqual([]);
    expect(escalated?.mail.subject).toBe("[Keyward] CRITICAL (escalated): Door forced — Oakwood");
    expect(escalated?.mail.text).toContain("Escalated: nobody acknowledged this alert within 15 minutes.");
    expect(mailsTo(manager.email)).toHaveLength(1);

    // the same on a second property, acknowledged within the quarter hour: nobody else hears of it
    const second = await factory.property({ name: "Birch Hall", timeZone: CHICAGO, regionId: region.id });
    const secondManager = await factory.user("property_manager", { type: "property", id: second.id });
    const admin = await server.client().login(factory.admin.email, factory.admin.password);
    const cabinet = await factory.cabinet(second.id);
    const birch = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
    await forceDoor(birch);
    await pass();
    const [alert] = (await alertsOf(factory.organizationId, "door_forced")).filter((a) => a.property_id === second.id);
    const pm = await server.client().login(secondManager.email, secondManager.password);
    const ack = await pm.post(`/api/v1/alerts/${alert?.id}/acknowledge`, { note: "On my way" });
    expect(ack.status, ack.text).toBe(200);
    server.clock.advance(15 * MINUTE);
    await scanAlerts(server.services);
    await pass();
    expect(mailsTo(regional.email)).toHaveLength(1);
  });
});

describe("the daily digest", () => {
  it("goes once per user and local day however many passes; an empty one is skipped", async () => {
    const { factory, manager, device } = await oakwood();
    const quiet = await factory.property({ name: "Quiet Acres", timeZone: CHICAGO });
    const idle = await factory.user("property_manager", { type: "property", id: quiet.id });
    await prefer(manager, { digest: true, digestTime: "07:00" });
    await prefer(idle, { digest: true, digestTime: "07:00" });
    await forceDoor(device);
    await pass();

    // 06:59 the next morning in Chicago: not yet
    server.clock.ms = Date.parse("2026-06-02T11:59:00Z");
    await scanAlerts(server.services);
    expect((await deliveriesOf(factory.organizationId)).filter((d) => d.reason === "digest")).toEqual([]);
    server.clock.ms = Date.parse("2026-06-02T12:00:30Z");
    await scanAlerts(server.services);
    await scanAlerts(server.services);
    const digests = (await deliveriesOf(factory.organizationId)).filter((d) => d.reason === "digest");
    expect(digests.map((d) => d.dedupe_key).sort()).toEqual(
      [`digest:${manager.userId}:2026-06-02`, `digest:${idle.userId}:2026-06-02`].sort(),
    );
    await pass();
    await scanAlerts(server.services);
    await pass();
    const isDigest = (subject: string | undefined) => subject === "Keyward daily digest — 2026-06-02";
    expect(inbox.messages.filter((m) => isDigest(m.mail.subject)).map((m) => m.to)).toEqual([
      [manager.email.toLowerCase()],
    ]);
    const [digest] = mailsTo(manager.email).filter((m) => isDigest(m.mail.subject));
    const text = digest?.mail.text ?? "";
    // the forced door, and what the morning's scan found (the cabinet silent since yesterday), all still open
    const open = await alertsOf(factory.organizationId);
    expect(open.map((a) => a.kind)).toContain("door_forced");
    const count = (severity: string) => open.filter((a) => a.severity === severity).length;
    expect(text).toContain(
      `Oakwood — ${open.length} alerts: ${count("critical")} critical, ${count("warning")} warning, ${count("info")} info`,
    );
    for (const alert of open) {
      expect(text).toContain(`${PUBLIC_URL}/alerts/${alert.id}`);
    }
    expect(text).not.toContain("Quiet Acres");
    const sent = (await deliveriesOf(factory.organizationId)).find(
      (d) => d.user_id === manager.userId && d.reason === "digest",
    );
    expect(sent).toMatchObject({ status: "sent", provider_id: digest?.mail.messageId });
    const empty = (await deliveriesOf(factory.organizationId)).find((d) => d.user_id === idle.userId);
    expect(empty).toMatchObject({ status: "skipped", last_error: SKIP_REASONS.nothing });
  });
});

describe("two server processes on one database", () => {
  interface SecondResult {
    scan: { opened: number } | null;
    send: { sent: number };
  }
  // why: SQLite is one server process per file (docs/operations.md); two scans at once there end in
  // SQLITE_BUSY_SNAPSHOT, so on SQLite this process scans first and only the sending overlaps
  const scanning = testPostgresUrl !== undefined;

  /** Starts the second process; resolves once it is loaded, with the function that starts its pass. */
  async function secondProcess(): Promise<() => Promise<SecondResult>> {
    const fixture = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "alert-pass-once.ts");
    const target = (server.database.url ?? server.database.sqliteFile) as string;
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fixture,
        target,
        inbox.url,
        twilio.url,
        String(server.clock.ms),
        scanning ? "scan+send" : "send",
      ],
      { cwd: join(dirname(fixture), "..", ".."), stdio: ["pipe", "pipe", "inherit"] },
    );
    let out = "";
    const exited = new Promise<SecondResult>((resolve, reject) =>
      child.once("exit", (code) =>
        code === 0 ? resolve(JSON.parse(out.slice(out.indexOf("\n") + 1))) : reject(new Error(`exit ${code}`)),
      ),
    );
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8");
        if (out.startsWith("ready\n")) {
          resolve();
        }
      });
    });
    return () => {
      child.stdin.end("go\n");
      return exited;
    };
  }

  it("raise each alert once and send each message once", async () => {
    const { factory, property, manager, device } = await oakwood();
    const second = await factory.user("property_manager", { type: "property", id: property.id });
    await prefer(manager, { sms: true, phone: "+13125550123", digest: true, digestTime: "07:00" });
    const holder = await factory.person({ homePropertyId: property.id, firstName: "Tess", lastName: "Tech" });
    const key = await factory.key(property.id, { label: "Unit 4 master", hookNumber: 4, cabinetId: device.cabinetId });
    device.record("key.taken", {
      visitId: "v1",
      checkoutId: randomUUID(),
      keyId: key.id,
      hook: 4,
      personId: holder.id,
      authorized: true,
      reasonCodeId: null,
      workOrder: null,
      dueAt: new Date(server.clock.ms + 30 * MINUTE).toISOString(),
    });
    device.record("door.forced", {});
    expect((await device.upload()).status).toBe(200);

    // the key is overdue; both processes scan and send at once
    server.clock.advance(31 * MINUTE);
    inbox.delayMs = 100;
    const ourScan = scanning ? null : await scanAlerts(sending());
    const ours = async () => {
      const scan = ourScan ?? (await scanAlerts(sending()));
      const send = await pass();
      return { scan, send };
    };
    const start = await secondProcess();
    const [theirs, mine] = await Promise.all([start(), ours()]);
    // the overdue key and the cabinet silent for 31 minutes, each opened by one process only
    const alerts = await alertsOf(factory.organizationId);
    expect(alerts.map((a) => a.kind).sort()).toEqual(["cabinet_offline", "door_forced", "key_overdue"]);
    expect((theirs.scan?.opened ?? 0) + mine.scan.opened).toBe(2);

    const rows = await deliveriesOf(factory.organizationId);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    expect(theirs.send.sent + mine.send.sent).toBe(rows.length);
    const emails = rows.filter((r) => r.channel === "email");
    const ids = new Set(inbox.messages.map((m) => m.mail.messageId));
    expect(ids.size).toBe(inbox.messages.length);
    expect(new Set(emails.map((r) => r.provider_id))).toEqual(ids);
    for (const address of [manager.email, second.email]) {
      // the forced door and the overdue key, in one message or two, each told once
      const told = mailsTo(address)
        .filter((m) => m.mail.subject?.startsWith("[Keyward]"))
        .flatMap((m) => (m.mail.text ?? "").match(/\/alerts\/[0-9a-f-]{36}/g) ?? []);
      expect(told.sort()).toEqual(
        emails
          .filter((r) => r.target === address.toLowerCase() && r.reason !== "digest")
          .map((r) => `/alerts/${r.alert_id}`)
          .sort(),
      );
    }
    // the 10:31 digest (asked for at 07:00) queued by both scans, sent once
    expect(rows.filter((r) => r.reason === "digest").map((r) => r.user_id)).toEqual([manager.userId]);
    expect(mailsTo(manager.email).filter((m) => m.mail.subject?.startsWith("Keyward daily digest"))).toHaveLength(1);
    const texts = rows.filter((r) => r.channel === "sms");
    expect(new Set(texts.map((r) => r.provider_id)).size).toBe(twilio.requests.length);
  }, 60_000);
});

describe("the alert worker", () => {
  it("sends at once when a cabinet event raises an alert, without waiting for its timers", async () => {
    const { manager, device } = await oakwood();
    const s = sending();
    const services: Services = { ...s, config: { ...s.config, alertScanSeconds: 3600, alertDeliverySeconds: 3600 } };
    const worker = startAlertWorker(services, () => {});
    try {
      await worker.idle();
      await forceDoor(device);
      for (let i = 0; i < 200 && mailsTo(manager.email).length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(mailsTo(manager.email).map((m) => m.mail.subject)).toEqual(["[Keyward] CRITICAL: Door forced — Oakwood"]);
    } finally {
      await worker.stop();
    }
  });
});

describe("GET /api/health", () => {
  it("shows each scheduled job with its last run, lag and whether it is late", async () => {
    await oakwood();
    const worker = startAlertWorker(sending(), () => {});
    try {
      await worker.idle();
    } finally {
      await worker.stop();
    }
    await runDeliveryPass(server.services, "reports");
    const ranAt = server.clock.now().toISOString();
    const jobs = async () => {
      const res = await server.client().get<{ status: string; scheduler: { jobs: HealthJob[] } }>("/api/health");
      expect(res.status, res.text).toBe(200);
      expect(res.body.status).toBe("ok");
      return Object.fromEntries(res.body.scheduler.jobs.map((j) => [j.name, j]));
    };
    expect(await jobs()).toEqual({
      [ALERT_DELIVERY_LEASE]: {
        name: ALERT_DELIVERY_LEASE,
        lastRunAt: ranAt,
        lagSeconds: 0,
        expectedEverySeconds: 10,
        late: false,
      },
      [ALERT_SCAN_LEASE]: {
        name: ALERT_SCAN_LEASE,
        lastRunAt: ranAt,
        lagSeconds: 0,
        expectedEverySeconds: 30,
        late: false,
      },
      "report-delivery": {
        name: "report-delivery",
        lastRunAt: ranAt,
        lagSeconds: 0,
        expectedEverySeconds: 30,
        late: false,
      },
    });
    server.clock.advance(60_000);
    const later = await jobs();
    expect(later[ALERT_DELIVERY_LEASE]).toMatchObject({ lagSeconds: 60, late: true });
    expect(later[ALERT_SCAN_LEASE]).toMatchObject({ lagSeconds: 60, late: false });
    expect(later["report-delivery"]).toMatchObject({ lagSeconds: 60, late: false });
  });
});
