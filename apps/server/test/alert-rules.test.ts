/**
 * Every alert rule, driven the way production drives it: cabinet events uploaded by an enrolled (test) device over
 * real HTTP, the scheduler's pass run against an injected clock, and the audit worker's own alarms. Each rule is
 * checked to fire, to fire once per cause, to stay quiet when switched off or under its threshold, and — for
 * conditions that end — to clear. Over SQLite (and PostgreSQL when KEYWARD_TEST_DATABASE_URL is set).
 */
import { randomUUID } from "node:crypto";
import type { AlertKind } from "@keyward/domain/alerts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadAlertRules } from "../src/alerts/alert-rules.ts";
import { scanAlerts, scanOrganization } from "../src/alerts/scan-alerts.ts";
import { TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };

let server: TestServer;
let factory: Factory;
let admin: ApiClient;
let property: Rec;
let person: Rec;
let other: Rec;
let manager: { userId: string; email: string };
let cabinet: Rec;
let device: TestDevice;

const MINUTE = 60_000;

/** A fresh organization with one property, two people, a manager and an enrolled cabinet. */
async function freshOrganization(): Promise<void> {
  factory = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(factory.admin.email, factory.admin.password);
  property = await factory.property({ name: "Alert Gardens", timeZone: "America/Chicago" });
  person = await factory.person({ homePropertyId: property.id, firstName: "Tess", lastName: "Tech" });
  other = await factory.person({ homePropertyId: property.id, firstName: "Otto", lastName: "Other" });
  manager = await factory.user("property_manager", { type: "property", id: property.id });
  cabinet = await factory.cabinet(property.id, { name: "Leasing office cabinet" });
  device = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
}

beforeAll(async () => {
  server = await startTestServer();
  await freshOrganization();
});
afterAll(() => server.close());

beforeEach(async () => {
  // why: each case starts with no alerts open and the default rules, so one case's alert cannot satisfy another's
  await server.services.db.deleteFrom("alert_deliveries").execute();
  await server.services.db.deleteFrom("alerts").execute();
  await server.services.db.deleteFrom("alert_rules").execute();
});

async function upload(): Promise<void> {
  const res = await device.upload();
  expect(res.status, res.text).toBe(200);
}

async function alertsOf(kind: AlertKind) {
  return server.services.db
    .selectFrom("alerts")
    .selectAll()
    .where("organization_id", "=", factory.organizationId)
    .where("kind", "=", kind)
    .orderBy("opened_at")
    .execute();
}

async function setRule(kind: AlertKind, settings: Record<string, unknown>, propertyId: string | null = property.id) {
  const now = server.clock.now().toISOString();
  await server.services.db
    .insertInto("alert_rules")
    .values({
      id: randomUUID(),
      organization_id: factory.organizationId,
      property_id: propertyId,
      scope_key: propertyId ?? "organization",
      kind,
      settings: JSON.stringify(settings),
      updated_by: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

function takenData(keyId: string, extra: Record<string, unknown> = {}) {
  return {
    visitId: randomUUID(),
    checkoutId: randomUUID(),
    keyId,
    hook: 1,
    personId: person.id,
    authorized: true,
    reasonCodeId: null,
    workOrder: null,
    dueAt: new Date(server.clock.ms + 60 * MINUTE).toISOString(),
    ...extra,
  };
}

/** One scheduler pass over this test's organization; what it did there. */
async function scan() {
  const now = server.clock.now();
  return server.services.db.transaction().execute((tx) => scanOrganization(tx, factory.organizationId, now));
}

describe("alerts raised by cabinet events", () => {
  it("opens one critical alert for a forced door, with a sentence in the property's zone, and queues the manager's e-mail", async () => {
    device.record("door.forced", {});
    await upload();
    const [alert, ...rest] = await alertsOf("door_forced");
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      status: "open",
      severity: "critical",
      property_id: property.id,
      cabinet_id: cabinet.id,
      title: "Door forced",
      occurrences: 1,
    });
    // 15:00Z on 1 June is 10:00 in Chicago (CDT)
    expect(alert?.summary).toBe(
      "The door of Leasing office cabinet was forced open at 2026-06-01 10:00 (America/Chicago).",
    );
    const history = await server.services.db
      .selectFrom("events")
      .select(["action", "entity_id"])
      .where("organization_id", "=", factory.organizationId)
      .where("action", "=", "alert.opened")
      .where("entity_id", "=", alert?.id ?? "")
      .execute();
    expect(history).toHaveLength(1);
    const deliveries = await server.services.db
      .selectFrom("alert_deliveries")
      .select(["channel", "target", "reason", "status"])
      .where("alert_id", "=", alert?.id ?? "")
      .execute();
    expect(deliveries).toContainEqual({
      channel: "email",
      target: manager.email.toLowerCase(),
      reason: "opened",
      status: "pending",
    });
  });

  it("keeps one alert open per cause: a door held open three times is one alert with three occurrences", async () => {
    device.record("door.held_open", { visitId: "v1", seconds: 60 });
    await upload();
    device.record("door.held_open", { visitId: "v2", seconds: 61 });
    device.record("door.held_open", { visitId: "v3", seconds: 62 });
    await upload();
    const alerts = await alertsOf("door_held_open");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.occurrences).toBe(3);
    const deliveries = await server.services.db
      .selectFrom("alert_deliveries")
      .select("id")
      .where("alert_id", "=", alerts[0]?.id ?? "")
      .execute();
    // why: repeats never message anyone again — only the opening did
    expect(deliveries.length).toBeGreaterThan(0);
    const again = deliveries.length;
    device.record("door.held_open", { visitId: "v4", seconds: 63 });
    await upload();
    expect(
      await server.services.db
        .selectFrom("alert_deliveries")
        .select("id")
        .where("alert_id", "=", alerts[0]?.id ?? "")
        .execute(),
    ).toHaveLength(again);
  });

  it("opens a new alert for a new incident once the last one was acknowledged, and tells people again", async () => {
    device.record("door.forced", {});
    await upload();
    const [first] = await alertsOf("door_forced");
    await server.services.db
      .updateTable("alerts")
      .set({ status: "acknowledged", acknowledged_at: server.clock.now().toISOString() })
      .where("id", "=", first?.id ?? "")
      .execute();
    device.record("door.forced", {});
    await upload();
    const both = await alertsOf("door_forced");
    expect(both.map((a) => [a.status, a.occurrences])).toEqual([
      ["acknowledged", 1],
      ["open", 1],
    ]);
    const told = await server.services.db
      .selectFrom("alert_deliveries")
      .select("target")
      .where("alert_id", "=", both[1]?.id ?? "")
      .execute();
    expect(told.map((d) => d.target)).toContain(manager.email.toLowerCase());
  });

  it("never tells the person under duress, even when they are a recipient; a webhook shows by its origin only", async () => {
    const hook = await admin.post<{ id: string }>("/api/v1/webhooks", {
      url: "https://hooks.example.test/services/T0/B0/SECRETTOKEN",
      kinds: ["duress"],
    });
    expect(hook.status, hook.text).toBe(201);
    const forced = await server.services.db
      .selectFrom("users")
      .select("person_id")
      .where("id", "=", manager.userId)
      .executeTakeFirstOrThrow();
    device.record("cabinet.duress_signalled", {
      visitId: "dm",
      personId: forced.person_id,
      credentialId: randomUUID(),
    });
    await upload();
    const [alert] = await alertsOf("duress");
    const told = await server.services.db
      .selectFrom("alert_deliveries")
      .select(["channel", "target"])
      .where("alert_id", "=", alert?.id ?? "")
      .execute();
    expect(told.map((d) => d.target)).not.toContain(manager.email.toLowerCase());
    expect(told.filter((d) => d.channel === "webhook")).toHaveLength(1);
    const shown = await admin.get<{ deliveries: { channel: string; target: string }[] }>(`/api/v1/alerts/${alert?.id}`);
    expect(shown.status, shown.text).toBe(200);
    expect(shown.body.deliveries.filter((d) => d.channel === "webhook").map((d) => d.target)).toEqual([
      "https://hooks.example.test",
    ]);
    await server.services.db.deleteFrom("alert_deliveries").execute();
    await server.services.db.deleteFrom("webhook_endpoints").where("id", "=", hook.body.id).execute();
  });

  it("raises nothing when the property switched the rule off", async () => {
    await setRule("door_held_open", { enabled: false });
    device.record("door.held_open", { visitId: "v1", seconds: 60 });
    await upload();
    expect(await alertsOf("door_held_open")).toEqual([]);
  });

  it("raises a silent duress alert naming the person, critical, whatever the quiet hours", async () => {
    await setRule("duress", { quietHours: { start: "00:00", end: "23:59" } });
    device.record("cabinet.identified", { visitId: "d1", personId: person.id, factors: ["badge", "pin"] });
    device.record("cabinet.duress_signalled", { visitId: "d1", personId: person.id, credentialId: randomUUID() });
    await upload();
    const [alert] = await alertsOf("duress");
    expect(alert?.severity).toBe("critical");
    expect(alert?.person_id).toBe(person.id);
    expect(alert?.summary).toContain("Tess Tech entered their duress PIN at Leasing office cabinet");
    const delivery = await server.services.db
      .selectFrom("alert_deliveries")
      .select("next_attempt_at")
      .where("alert_id", "=", alert?.id ?? "")
      .executeTakeFirstOrThrow();
    expect(delivery.next_attempt_at).toBe(server.clock.now().toISOString());
    // a second signal is a second alert: each is someone in danger now
    device.record("cabinet.duress_signalled", { visitId: "d2", personId: person.id, credentialId: randomUUID() });
    await upload();
    expect(await alertsOf("duress")).toHaveLength(2);
  });

  it("holds a warning during the property's quiet hours until they end, on the property's clock", async () => {
    // 10:00 in Chicago is inside 09:00–11:30; the message waits until 11:30 CDT = 16:30Z
    await setRule("door_held_open", { quietHours: { start: "09:00", end: "11:30" } });
    device.record("door.held_open", { visitId: "q1", seconds: 60 });
    await upload();
    const [alert] = await alertsOf("door_held_open");
    const delivery = await server.services.db
      .selectFrom("alert_deliveries")
      .select("next_attempt_at")
      .where("alert_id", "=", alert?.id ?? "")
      .executeTakeFirstOrThrow();
    expect(delivery.next_attempt_at).toBe("2026-06-01T16:30:00.000Z");
  });

  it("counts an escalation from the end of the quiet hours that held the first messages", async () => {
    await setRule("door_held_open", {
      quietHours: { start: "09:00", end: "11:30" },
      escalateAfterMinutes: 10,
      escalationRoles: ["regional_manager"],
    });
    device.record("door.held_open", { visitId: "qe", seconds: 60 });
    await upload();
    const [alert] = await alertsOf("door_held_open");
    // told at 11:30 CDT (16:30Z), escalated ten minutes later if nobody acknowledged by then
    expect(alert?.escalate_at).toBe("2026-06-01T16:40:00.000Z");
  });

  it("counts wrong PINs against the threshold and raises a lockout of its own", async () => {
    const credentialId = randomUUID();
    const fail = (n: number, code = "pin_incorrect") =>
      device.record("cabinet.identification_failed", {
        visitId: `p${n}`,
        personId: person.id,
        credentialId,
        factor: "pin",
        code,
        pinFailures: n,
      });
    fail(1);
    fail(2);
    await upload();
    expect(await alertsOf("failed_pins")).toEqual([]);
    fail(3);
    await upload();
    const [pins] = await alertsOf("failed_pins");
    expect(pins?.summary).toContain("Tess Tech's PIN failed 3 times in a row");
    expect(await alertsOf("pin_lockout")).toEqual([]);
    fail(10, "pin_locked");
    await upload();
    expect(await alertsOf("pin_lockout")).toHaveLength(1);
    expect((await alertsOf("failed_pins"))[0]?.occurrences).toBe(2);
  });

  it("raises an attempt outside permitted hours (and on a holiday), not other denials", async () => {
    const key = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 2 });
    const deny = (code: string) =>
      device.record("cabinet.access_denied", {
        visitId: randomUUID(),
        personId: person.id,
        keyIds: [key.id],
        code,
        params: { keyId: key.id },
      });
    deny("not_permitted_key");
    await upload();
    expect(await alertsOf("outside_hours_attempt")).toEqual([]);
    deny("outside_hours");
    deny("holiday");
    await upload();
    const alerts = await alertsOf("outside_hours_attempt");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.occurrences).toBe(2);
    expect(alerts[0]?.summary).toContain("outside their permitted hours");
  });

  it("raises a key removed without a session, a wrong hook, and a restricted or master key taken", async () => {
    const loose = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 3 });
    const master = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 4, kind: "master" });
    const restricted = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 5, restricted: true });
    const plain = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 6 });
    device.record("key.removed_without_session", { hook: 3, keyId: loose.id });
    device.record("key.wrong_hook", {
      visitId: "w1",
      personId: person.id,
      hook: 6,
      keyId: plain.id,
      expectedHooks: [5],
    });
    device.record("key.taken", takenData(master.id, { hook: 4 }));
    device.record("key.taken", takenData(restricted.id, { hook: 5 }));
    device.record("key.taken", takenData(plain.id, { hook: 6 }));
    await upload();
    expect((await alertsOf("key_removed_without_session")).map((a) => [a.key_id, a.severity])).toEqual([
      [loose.id, "critical"],
    ]);
    const [wrong] = await alertsOf("key_wrong_hook");
    expect(wrong?.cabinet_id).toBe(cabinet.id);
    expect(wrong?.summary).toMatch(
      /^Tess Tech used the wrong hook at Leasing office cabinet at .*: hook 6, where the cabinet had lit 5\.$/,
    );
    const taken = await alertsOf("restricted_key_taken");
    expect(taken.map((a) => a.key_id).sort()).toEqual([master.id, restricted.id].sort());
    expect(taken.every((a) => a.checkout_id !== null)).toBe(true);
  });

  it("raises a key returned by someone other than its holder, naming both", async () => {
    const key = await factory.key(property.id, { label: "Unit 4B", cabinetId: cabinet.id, hookNumber: 7 });
    device.record("key.taken", takenData(key.id, { hook: 7 }));
    await upload();
    device.record("key.returned", { visitId: "r1", keyId: key.id, hook: 8, personId: person.id });
    await upload();
    expect(await alertsOf("key_returned_by_other")).toEqual([]);
    device.record("key.taken", takenData(key.id, { hook: 8 }));
    await upload();
    device.record("key.returned", { visitId: "r2", keyId: key.id, hook: 9, personId: other.id });
    await upload();
    const [alert] = await alertsOf("key_returned_by_other");
    expect(alert?.summary).toMatch(/^Unit 4B was returned by Otto Other at .*; Tess Tech had taken it\.$/);
  });

  it("raises nothing twice when the cabinet uploads the same events again", async () => {
    device.record("door.forced", {});
    const events = [...device.outbox];
    await upload();
    const again = await device.upload(events);
    expect(again.status, again.text).toBe(200);
    expect(await alertsOf("door_forced")).toHaveLength(1);
  });
});

describe("alerts raised by the scheduler's pass", () => {
  // why: keys the event cases left out would fall due here too; a fresh organization keeps each count exact
  beforeAll(freshOrganization);

  it("tells of a key due soon, then overdue (clearing due soon), escalates it while still out, and clears when it is back", async () => {
    await setRule("key_due_soon", { enabled: true, threshold: 30 });
    await setRule("key_overdue", { threshold: 5, escalateAfterMinutes: 60 });
    const key = await factory.key(property.id, { label: "Unit 9C", cabinetId: cabinet.id, hookNumber: 1 });
    const data = takenData(key.id);
    device.record("key.taken", data);
    await upload();
    await scan();
    expect(await alertsOf("key_due_soon")).toEqual([]);

    server.clock.advance(31 * MINUTE);
    await scan();
    const [soon] = await alertsOf("key_due_soon");
    expect(soon?.status).toBe("open");
    expect(soon?.summary).toContain("Unit 9C, held by Tess Tech, is due back at 2026-06-01 11:00 (America/Chicago)");

    // due at 16:00Z; with 5 minutes' grace it is overdue from 16:05Z
    server.clock.advance(33 * MINUTE);
    await scan();
    expect(await alertsOf("key_overdue")).toEqual([]);
    server.clock.advance(2 * MINUTE);
    await scan();
    const [overdue, ...more] = await alertsOf("key_overdue");
    expect(more).toEqual([]);
    expect(overdue).toMatchObject({ status: "open", severity: "warning", checkout_id: data.checkoutId });
    expect(overdue?.escalate_at).toBe("2026-06-01T17:05:00.000Z");
    expect((await alertsOf("key_due_soon"))[0]).toMatchObject({ status: "resolved", resolution: "cleared" });

    // a second pass changes nothing
    expect(await scan()).toMatchObject({ opened: 0, cleared: 0, escalated: 0 });

    // acknowledged, but still out an hour after it became overdue: it escalates anyway
    await server.services.db
      .updateTable("alerts")
      .set({ status: "acknowledged", acknowledged_at: server.clock.now().toISOString() })
      .where("id", "=", overdue?.id ?? "")
      .execute();
    server.clock.advance(60 * MINUTE);
    expect((await scan()).escalated).toBe(1);
    const [escalated] = await alertsOf("key_overdue");
    expect(escalated).toMatchObject({ escalation_level: 1, escalate_at: null });
    expect((await scan()).escalated).toBe(0);

    device.record("key.returned", { visitId: "back", keyId: key.id, hook: 2, personId: person.id });
    await upload();
    await scan();
    expect((await alertsOf("key_overdue"))[0]).toMatchObject({
      status: "resolved",
      resolution: "cleared",
      resolution_note: "The key is back.",
    });
  });

  it("does not raise an overdue key again after someone resolved it by hand", async () => {
    const key = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 1 });
    device.record("key.taken", takenData(key.id, { dueAt: new Date(server.clock.ms - MINUTE).toISOString() }));
    await upload();
    await scan();
    const [overdue] = await alertsOf("key_overdue");
    await server.services.db
      .updateTable("alerts")
      .set({ status: "resolved", resolution: "manual", resolved_at: server.clock.now().toISOString() })
      .where("id", "=", overdue?.id ?? "")
      .execute();
    server.clock.advance(5 * MINUTE);
    expect((await scan()).opened).toBe(0);
    expect(await alertsOf("key_overdue")).toHaveLength(1);
  });

  it("opens many new alerts in slices, each its own transaction, until none are left", async () => {
    await freshOrganization();
    for (const hook of [1, 2, 3]) {
      const key = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: hook });
      device.record("key.taken", takenData(key.id, { hook, dueAt: new Date(server.clock.ms - MINUTE).toISOString() }));
    }
    await upload();
    const now = server.clock.now();
    const slice = () =>
      server.services.db.transaction().execute((tx) => scanOrganization(tx, factory.organizationId, now, 2));
    expect(await slice()).toMatchObject({ opened: 2, more: true });
    expect(await slice()).toMatchObject({ opened: 1, more: false });
    expect(await slice()).toMatchObject({ opened: 0, more: false });
    expect(await alertsOf("key_overdue")).toHaveLength(3);
  });

  it("clears an open alert whose rule was switched off, saying so, and never loops on conditions whose rule is off", async () => {
    // why: the earlier cases moved the clock past the session's idle limit
    admin = await server.client().login(factory.admin.email, factory.admin.password);
    const silent: string[] = [];
    for (const name of ["Gym cabinet", "Garage cabinet", "Mail room cabinet"]) {
      const c = await factory.cabinet(property.id, { name });
      const d = await TestDevice.enroll(admin, c.id, server.clock.now);
      d.record("door.closed", { visitId: null, openSeconds: 5 });
      expect((await d.upload()).status).toBe(200);
      silent.push(c.id);
    }
    server.clock.advance(20 * MINUTE);
    await scan();
    const offline = (await alertsOf("cabinet_offline")).filter((a) => silent.includes(a.cabinet_id ?? ""));
    expect(offline).toHaveLength(3);
    await setRule("cabinet_offline", { enabled: false });
    await server.services.db
      .updateTable("alerts")
      .set({ status: "resolved", resolution: "cleared" })
      .where("kind", "=", "cabinet_offline")
      .where("cabinet_id", "=", silent[0] ?? "")
      .execute();
    const now = server.clock.now();
    const slice = await server.services.db
      .transaction()
      .execute((tx) => scanOrganization(tx, factory.organizationId, now, 1));
    expect(slice.more).toBe(false);
    const after = (await alertsOf("cabinet_offline")).filter((a) => silent.includes(a.cabinet_id ?? ""));
    expect(after.filter((a) => a.status === "open")).toEqual([]);
    expect(after.filter((a) => a.cabinet_id !== silent[0]).map((a) => a.resolution_note)).toEqual([
      "The property's rule for it was switched off.",
      "The property's rule for it was switched off.",
    ]);
    await server.services.db.deleteFrom("alert_rules").execute();
  });

  it("escalates an unacknowledged alert once after its minutes, and not one acknowledged in time", async () => {
    await setRule("door_forced", { escalateAfterMinutes: 10, escalationRoles: ["regional_manager"] });
    device.record("door.forced", {});
    await upload();
    const [first] = await alertsOf("door_forced");
    expect(first?.escalate_at).toBe(new Date(server.clock.ms + 10 * MINUTE).toISOString());
    server.clock.advance(10 * MINUTE);
    expect((await scan()).escalated).toBe(1);
    expect((await alertsOf("door_forced"))[0]?.escalation_level).toBe(1);
    const escalatedEvents = await server.services.db
      .selectFrom("events")
      .select("id")
      .where("action", "=", "alert.escalated")
      .where("entity_id", "=", first?.id ?? "")
      .execute();
    expect(escalatedEvents).toHaveLength(1);
  });

  it("tells of a cabinet offline past its minutes and of a snapshot past the property's offline age, and clears both on contact", async () => {
    // why: the earlier cases moved the clock past the session's idle limit
    admin = await server.client().login(factory.admin.email, factory.admin.password);
    const quiet = await factory.cabinet(property.id, { name: "Pool house cabinet" });
    const quietDevice = await TestDevice.enroll(admin, quiet.id, server.clock.now);
    quietDevice.record("door.closed", { visitId: null, openSeconds: 5 });
    const first = await quietDevice.upload();
    expect(first.status, first.text).toBe(200);
    await scan();
    server.clock.advance(16 * MINUTE);
    await scan();
    const offline = (await alertsOf("cabinet_offline")).filter((a) => a.cabinet_id === quiet.id);
    expect(offline).toHaveLength(1);
    expect(offline[0]?.summary).toContain("Pool house cabinet has not been in contact since");
    expect((await alertsOf("snapshot_too_old")).filter((a) => a.cabinet_id === quiet.id)).toEqual([]);

    // the property allows 24 h offline (its default): past it, the snapshot is too old
    server.clock.advance(24 * 60 * MINUTE);
    await scan();
    expect((await alertsOf("snapshot_too_old")).filter((a) => a.cabinet_id === quiet.id)).toHaveLength(1);

    quietDevice.record("door.closed", { visitId: null, openSeconds: 5 });
    const back = await quietDevice.upload();
    expect(back.status, back.text).toBe(200);
    await scan();
    const after = [...(await alertsOf("cabinet_offline")), ...(await alertsOf("snapshot_too_old"))].filter(
      (a) => a.cabinet_id === quiet.id,
    );
    expect(after.map((a) => [a.kind, a.status, a.resolution])).toEqual([
      ["cabinet_offline", "resolved", "cleared"],
      ["snapshot_too_old", "resolved", "cleared"],
    ]);
  });
});

describe("the whole pass", () => {
  it("runs over every organization and queues each user's digest once per local day", async () => {
    const now = server.clock.now().toISOString();
    await server.services.db
      .insertInto("notification_preferences")
      .values({
        user_id: manager.userId,
        organization_id: factory.organizationId,
        email: 1,
        sms: 0,
        phone: null,
        min_severity: "info",
        digest: 1,
        digest_time: "07:00",
        time_zone: "America/Chicago",
        updated_at: now,
      })
      .execute();
    const first = await scanAlerts(server.services);
    expect(first.organizations).toBeGreaterThanOrEqual(2);
    const second = await scanAlerts(server.services);
    expect(second.digests).toBe(0);
    const digests = await server.services.db
      .selectFrom("alert_deliveries")
      .select(["dedupe_key", "target", "reason"])
      .where("reason", "=", "digest")
      .where("user_id", "=", manager.userId)
      .execute();
    expect(digests).toHaveLength(1);
    expect(digests[0]?.target).toBe(manager.email.toLowerCase());
    expect(digests[0]?.dedupe_key).toMatch(new RegExp(`^digest:${manager.userId}:\\d{4}-\\d{2}-\\d{2}$`));
  });
});

describe("rules", () => {
  it("fills every kind with its defaults and lets a property's stored choices win", async () => {
    await setRule("cabinet_offline", { threshold: 45 });
    const rules = await loadAlertRules(server.services.db, factory.organizationId, [property.id]);
    expect(rules.ruleFor("cabinet_offline", property.id).threshold).toBe(45);
    expect(rules.customized("cabinet_offline", property.id)).toBe(true);
    expect(rules.ruleFor("door_forced", property.id)).toMatchObject({ enabled: true, severity: "critical" });
    expect(rules.ruleFor("key_due_soon", property.id).enabled).toBe(false);
    // the organization's own kinds are the organization's, whichever property asks
    expect(rules.ruleFor("offsite_failing", property.id).recipientRoles).toEqual(["administrator"]);
  });
});
