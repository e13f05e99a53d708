/**
 * Custody as cabinet events build it: checkouts, key locations, cabinet states, remote release and the dashboard's
 * live stream, over real HTTP on SQLite (and PostgreSQL when KEYWARD_TEST_DATABASE_URL is set).
 */
import { randomUUID } from "node:crypto";
import type { Checkout, LiveMessage, RemoteRelease } from "@keyward/contracts/custody";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };
type Page = { items: Checkout[]; nextCursor: string | null };
type States = { items: { cabinetId: string; [k: string]: unknown }[] };

let server: TestServer;
let factory: Factory;
let admin: ApiClient;
let property: Rec;
let otherProperty: Rec;
let person: Rec;
let reason: Rec;

beforeAll(async () => {
  server = await startTestServer();
  factory = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(factory.admin.email, factory.admin.password);
  property = await factory.property();
  otherProperty = await factory.property();
  person = await factory.person({ homePropertyId: property.id, firstName: "Tess", lastName: "Tech" });
  reason = await factory.reasonCode({ label: "Work order" });
});
afterAll(() => server.close());

async function enrolledCabinet(propertyId = property.id): Promise<{ cabinet: Rec; device: TestDevice }> {
  const cabinet = await factory.cabinet(propertyId);
  return { cabinet, device: await TestDevice.enroll(admin, cabinet.id, server.clock.now) };
}

function taken(keyId: string, hook: number, extra: Record<string, unknown> = {}) {
  return {
    visitId: "v1",
    checkoutId: randomUUID(),
    keyId,
    hook,
    personId: person.id,
    authorized: true,
    reasonCodeId: reason.id,
    workOrder: "WO-7",
    dueAt: new Date(server.clock.ms + 3_600_000).toISOString(),
    ...extra,
  };
}

async function uploadOk(device: TestDevice): Promise<void> {
  const res = await device.upload();
  expect(res.status, res.text).toBe(200);
}

async function keyRow(id: string) {
  return server.services.db
    .selectFrom("keys")
    .select(["status", "cabinet_id", "hook_number"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function stateOf(client: ApiClient, cabinetId: string, propertyId = property.id) {
  const res = await client.get<States>(`/api/v1/cabinet-states?propertyId=${propertyId}`);
  expect(res.status).toBe(200);
  return res.body.items.find((s) => s.cabinetId === cabinetId);
}

describe("key movements", () => {
  it("opens a checkout when a key is taken and closes it when it comes back on another hook", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const unit = await factory.unit(property.id);
    const key = await factory.key(property.id, { unitId: unit.id, cabinetId: cabinet.id, hookNumber: 2 });
    const squatter = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 7 });
    const data = taken(key.id, 2);
    device.record("key.taken", data);
    await uploadOk(device);

    expect(await keyRow(key.id)).toEqual({ status: "out", cabinet_id: null, hook_number: null });
    const open = await admin.get<Page>(`/api/v1/checkouts?status=open&keyId=${key.id}`);
    expect(open.body.items).toEqual([
      expect.objectContaining({
        id: data.checkoutId,
        status: "open",
        propertyId: property.id,
        key: { id: key.id, label: key.label, kind: "unit" },
        unit: { id: unit.id, number: unit.number },
        holder: { id: person.id, name: "Tess Tech" },
        authorized: true,
        cabinet: { id: cabinet.id, name: cabinet.name },
        hookOut: 2,
        reason: { id: reason.id, code: reason.code, label: "Work order" },
        workOrder: "WO-7",
        since: server.clock.now().toISOString(),
        dueAt: data.dueAt,
        overdue: false,
        returnedAt: null,
      }),
    ]);

    server.clock.advance(60_000);
    device.record("key.returned", { visitId: "v2", keyId: key.id, hook: 7, personId: person.id });
    await uploadOk(device);
    expect(await keyRow(key.id)).toEqual({ status: "in", cabinet_id: cabinet.id, hook_number: 7 });
    // why: a hook holds one key; the server's stale idea of what hung on hook 7 gives way
    expect(await keyRow(squatter.id)).toMatchObject({ cabinet_id: null, hook_number: null });
    const history = await admin.get<Page>(`/api/v1/checkouts?keyId=${key.id}`);
    expect(history.body.items).toEqual([
      expect.objectContaining({
        id: data.checkoutId,
        status: "returned",
        returnedAt: server.clock.now().toISOString(),
        returnedBy: { id: person.id, name: "Tess Tech" },
        returnCabinet: { id: cabinet.id, name: cabinet.name },
        hookIn: 7,
      }),
    ]);
    expect((await admin.get<Page>(`/api/v1/checkouts?status=open&keyId=${key.id}`)).body.items).toEqual([]);
  });

  it("places a key returned to a hook the cabinet does not have in the cabinet on no hook, and says so", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const key = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 3 });
    const kept = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 4 });
    const data = taken(key.id, 3);
    device.record("key.taken", data);
    await uploadOk(device);
    // the cabinet has 10 hooks; hook 4 is one of them, hook 99 is not
    device.record("key.returned", { visitId: "v2", keyId: key.id, hook: 99, personId: person.id });
    await uploadOk(device);
    expect(await keyRow(key.id)).toEqual({ status: "in", cabinet_id: cabinet.id, hook_number: null });
    expect(await keyRow(kept.id)).toMatchObject({ cabinet_id: cabinet.id, hook_number: 4 });
    const history = await admin.get<Page>(`/api/v1/checkouts?keyId=${key.id}`);
    expect(history.body.items).toEqual([expect.objectContaining({ status: "returned", hookIn: null })]);
    const event = await server.services.db
      .selectFrom("events")
      .select("after")
      .where("action", "=", "key.returned")
      .where("entity_id", "=", key.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.after ?? "{}")).toMatchObject({ hook: 99, unknownHook: true, checkoutId: data.checkoutId });
  });

  it("keeps the first checkout when a key is reported taken twice, and notes the conflict", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const key = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 1 });
    const first = taken(key.id, 1);
    device.record("key.taken", first);
    device.record("key.taken", taken(key.id, 1));
    await uploadOk(device);
    const open = await admin.get<Page>(`/api/v1/checkouts?status=open&keyId=${key.id}`);
    expect(open.body.items.map((c) => c.id)).toEqual([first.checkoutId]);
    const events = await server.services.db
      .selectFrom("events")
      .select("after")
      .where("action", "=", "key.taken")
      .where("entity_id", "=", key.id)
      .orderBy("seq")
      .execute();
    expect(events.map((e) => JSON.parse(e.after ?? "{}").conflict)).toEqual([
      undefined,
      { openCheckoutId: first.checkoutId },
    ]);
  });

  it("opens an unauthorized checkout with no holder for a key removed without a session", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const key = await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 3 });
    device.record("key.removed_without_session", { hook: 3, keyId: key.id });
    await uploadOk(device);
    const open = await admin.get<Page>(`/api/v1/checkouts?status=open&keyId=${key.id}`);
    expect(open.body.items).toEqual([expect.objectContaining({ holder: null, authorized: false, hookOut: 3 })]);
    expect((await stateOf(admin, cabinet.id))?.openAlarms).toBe(1);
  });

  it("records one open checkout when fifty cabinets report the same key taken at once", async () => {
    const key = await factory.key(property.id);
    const devices = [];
    for (let i = 0; i < 50; i++) {
      devices.push((await enrolledCabinet()).device);
    }
    for (const device of devices) {
      device.record("key.taken", taken(key.id, 1));
    }
    const results = await Promise.all(devices.map((d) => d.upload()));
    expect(results.map((r) => r.status)).toEqual(devices.map(() => 200));
    const open = await server.services.db
      .selectFrom("checkouts")
      .select("id")
      .where("key_id", "=", key.id)
      .where("status", "=", "open")
      .execute();
    expect(open).toHaveLength(1);
    const stored = await server.services.db
      .selectFrom("events")
      .select("id")
      .where("action", "=", "key.taken")
      .where("entity_id", "=", key.id)
      .execute();
    expect(stored).toHaveLength(50);
  });
});

describe("GET /api/v1/cabinet-states", () => {
  it("shows the door, alarms, keys in, contact and the snapshot applied", async () => {
    const { cabinet, device } = await enrolledCabinet();
    await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 1 });
    await factory.key(property.id, { cabinetId: cabinet.id, hookNumber: 2 });
    const version = (await device.snapshot()).body.version;
    device.record("cabinet.snapshot_applied", { version });
    device.record("door.forced", {});
    device.record("door.held_open", { visitId: null, seconds: 90 });
    await uploadOk(device);
    expect(await stateOf(admin, cabinet.id)).toMatchObject({
      name: cabinet.name,
      propertyId: property.id,
      enrolled: true,
      online: true,
      door: "open",
      openAlarms: 2,
      lastAlarm: { action: "door.held_open", at: server.clock.now().toISOString() },
      keysIn: 2,
      hookCount: 10,
      snapshotVersion: version,
      currentSnapshotVersion: version,
    });
    // the current version is the cabinet's property's: another property's change leaves it, its own moves it
    await factory.key(otherProperty.id);
    expect(await stateOf(admin, cabinet.id)).toMatchObject({ currentSnapshotVersion: version });
    await factory.key(property.id);
    expect(await stateOf(admin, cabinet.id)).toMatchObject({
      snapshotVersion: version,
      currentSnapshotVersion: version + 1,
    });
    device.record("door.closed", { visitId: null, openSeconds: 95 });
    await uploadOk(device);
    expect(await stateOf(admin, cabinet.id)).toMatchObject({ door: "closed", openAlarms: 2 });
    server.clock.advance(91_000);
    expect(await stateOf(admin, cabinet.id)).toMatchObject({ online: false });
  });

  it("lists a cabinet never enrolled as unknown and offline", async () => {
    const cabinet = await factory.cabinet(property.id);
    expect(await stateOf(admin, cabinet.id)).toMatchObject({
      enrolled: false,
      online: false,
      door: "unknown",
      lastContactAt: null,
      keysIn: 0,
    });
  });
});

describe("GET /api/v1/checkouts", () => {
  it("shows only the properties the actor may read, filters, and pages oldest first on the board", async () => {
    const here = await enrolledCabinet();
    const there = await enrolledCabinet(otherProperty.id);
    const keysHere = [];
    for (let i = 0; i < 3; i++) {
      const key = await factory.key(property.id);
      keysHere.push(key);
      here.device.record("key.taken", taken(key.id, i + 1), new Date(server.clock.ms + i * 1000));
    }
    const keyThere = await factory.key(otherProperty.id);
    there.device.record("key.taken", taken(keyThere.id, 1));
    await uploadOk(here.device);
    await uploadOk(there.device);

    const tech = await factory.user("technician", { type: "property", id: property.id });
    const techClient = await server.client().login(tech.email, tech.password);
    const seen = await techClient.get<Page>("/api/v1/checkouts?status=open&limit=500");
    expect(seen.status).toBe(200);
    expect(seen.body.items.every((c) => c.propertyId === property.id)).toBe(true);
    expect(seen.body.items.map((c) => c.key.id)).toEqual(expect.arrayContaining(keysHere.map((k) => k.id)));
    expect((await techClient.get<Page>(`/api/v1/checkouts?propertyId=${otherProperty.id}`)).body.items).toEqual([]);

    const vendor = await factory.user("vendor", { type: "property", id: property.id });
    const vendorClient = await server.client().login(vendor.email, vendor.password);
    expect((await vendorClient.get<Page>("/api/v1/checkouts")).status).toBe(403);

    const otherOrg = await Factory.organization(server.services.db, server.clock.now);
    const stranger = await server.client().login(otherOrg.admin.email, otherOrg.admin.password);
    expect((await stranger.get<Page>("/api/v1/checkouts?limit=500")).body.items).toEqual([]);

    const cabinetBoard = `/api/v1/checkouts?status=open&cabinetId=${here.cabinet.id}&limit=2`;
    const page1 = await admin.get<Page>(cabinetBoard);
    expect(page1.body.items.map((c) => c.key.id)).toEqual([keysHere[0]?.id, keysHere[1]?.id]);
    const page2 = await admin.get<Page>(`${cabinetBoard}&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((c) => c.key.id)).toEqual([keysHere[2]?.id]);
    expect(page2.body.nextCursor).toBeNull();
    const newest = await admin.get<Page>(`/api/v1/checkouts?cabinetId=${here.cabinet.id}`);
    expect(newest.body.items.map((c) => c.key.id)).toEqual([keysHere[2]?.id, keysHere[1]?.id, keysHere[0]?.id]);
    const byPerson = await admin.get<Page>(`/api/v1/checkouts?personId=${person.id}&cabinetId=${there.cabinet.id}`);
    expect(byPerson.body.items.map((c) => c.key.id)).toEqual([keyThere.id]);
    const label = String(keysHere[1]?.label);
    const searched = await admin.get<Page>(`/api/v1/checkouts?q=${encodeURIComponent(label.toUpperCase())}`);
    expect(searched.body.items.map((c) => c.key.id)).toEqual([keysHere[1]?.id]);
    const byName = await admin.get<Page>("/api/v1/checkouts?q=ech&limit=500");
    expect(byName.body.items.map((c) => c.key.id)).toEqual(
      expect.arrayContaining([...keysHere.map((k) => k.id), keyThere.id]),
    );
    expect(byName.body.items.every((c) => c.holder?.name.includes("Tech"))).toBe(true);
    expect((await admin.get<Page>("/api/v1/checkouts?q=%25")).body.items).toEqual([]);

    const overdueBefore = await admin.get<Page>(`/api/v1/checkouts?overdue=true&cabinetId=${here.cabinet.id}`);
    expect(overdueBefore.body.items).toEqual([]);
    server.clock.advance(2 * 3_600_000);
    admin = await server.client().login(factory.admin.email, factory.admin.password);
    const overdue = await admin.get<Page>(`/api/v1/checkouts?overdue=true&cabinetId=${here.cabinet.id}`);
    expect(overdue.body.items).toHaveLength(3);
    expect(overdue.body.items.every((c) => c.overdue)).toBe(true);
  });
});

describe("POST /api/v1/cabinets/:id/alarms/acknowledge", () => {
  it("sets the open alarms back to zero with a note in the history, and keeps an alarm that arrives later", async () => {
    const { cabinet, device } = await enrolledCabinet();
    device.record("door.forced", {});
    device.record("key.removed_without_session", { hook: 3, keyId: null });
    await uploadOk(device);
    expect(await stateOf(admin, cabinet.id)).toMatchObject({ openAlarms: 2 });

    const refused = await admin.post(`/api/v1/cabinets/${cabinet.id}/alarms/acknowledge`, { note: "" });
    expect(refused.status).toBe(400);
    const done = await admin.post<{ acknowledged: number }>(`/api/v1/cabinets/${cabinet.id}/alarms/acknowledge`, {
      note: "Door checked: the latch was jammed, now repaired",
    });
    expect(done.status).toBe(200);
    expect(done.body.acknowledged).toBe(2);
    expect(await stateOf(admin, cabinet.id)).toMatchObject({
      openAlarms: 0,
      lastAlarm: { action: "key.removed_without_session" },
    });
    const history = await server.services.db
      .selectFrom("events")
      .select(["action", "after"])
      .where("entity_id", "=", cabinet.id)
      .where("action", "=", "cabinet.alarms_acknowledged")
      .execute();
    expect(history).toHaveLength(1);
    expect(JSON.parse(history[0]?.after ?? "{}")).toMatchObject({
      acknowledged: 2,
      note: "Door checked: the latch was jammed, now repaired",
    });

    const again = await admin.post<{ acknowledged: number }>(`/api/v1/cabinets/${cabinet.id}/alarms/acknowledge`, {
      note: "nothing new",
    });
    expect(again.body.acknowledged).toBe(0);
    device.record("door.held_open", { visitId: null, seconds: 120 });
    await uploadOk(device);
    expect(await stateOf(admin, cabinet.id)).toMatchObject({ openAlarms: 1 });
  });
});

describe("remote release", () => {
  it("travels down the stream, and is executed when the cabinet says so", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const stream = await device.stream();
    try {
      await stream.next((m) => m.type === "hello");
      const res = await admin.post<RemoteRelease>(`/api/v1/cabinets/${cabinet.id}/remote-release`, {
        reason: "Locksmith at the door",
        seconds: 15,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        cabinetId: cabinet.id,
        status: "pending",
        expiresAt: new Date(server.clock.ms + 120_000).toISOString(),
        executedAt: null,
      });
      const message = await stream.next((m) => m.type === "command");
      expect(message).toMatchObject({
        type: "command",
        command: {
          id: res.body.commandId,
          kind: "remote_release",
          reason: "Locksmith at the door",
          params: { seconds: 15 },
        },
      });
      device.record("cabinet.remote_release_executed", { commandId: res.body.commandId, seconds: 15 });
      await uploadOk(device);
      const followed = await admin.get<RemoteRelease>(
        `/api/v1/cabinets/${cabinet.id}/remote-releases/${res.body.commandId}`,
      );
      expect(followed.body).toMatchObject({ status: "executed", executedAt: server.clock.now().toISOString() });
    } finally {
      stream.close();
    }
  });

  it("hands a pending command to a cabinet that connects late, and lets an unexecuted one expire", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const res = await admin.post<RemoteRelease>(`/api/v1/cabinets/${cabinet.id}/remote-release`, {
      reason: "Fire drill",
    });
    const stream = await device.stream();
    try {
      expect(await stream.next()).toMatchObject({ type: "hello" });
      expect(await stream.next()).toMatchObject({ type: "command", command: { id: res.body.commandId } });
    } finally {
      stream.close();
    }
    server.clock.advance(121_000);
    const followed = await admin.get<RemoteRelease>(
      `/api/v1/cabinets/${cabinet.id}/remote-releases/${res.body.commandId}`,
    );
    expect(followed.body.status).toBe("expired");
  });

  it("answers 409 for a cabinet with no enrolled agent, and 403 to office staff", async () => {
    const cabinet = await factory.cabinet(property.id);
    const res = await admin.post(`/api/v1/cabinets/${cabinet.id}/remote-release`, { reason: "Test release" });
    expect(res.status).toBe(409);
    const staff = await factory.user("office_staff", { type: "property", id: property.id });
    const client = await server.client().login(staff.email, staff.password);
    const refused = await client.post(`/api/v1/cabinets/${cabinet.id}/remote-release`, { reason: "Test release" });
    expect(refused.status).toBe(403);
  });
});

/** Opens the live stream with a session cookie; `arrived` resolves once a message satisfies `until`. */
async function openLive(cookie: string, until: (m: LiveMessage) => boolean) {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/v1/live`, { headers: { cookie }, signal: controller.signal });
  const messages: LiveMessage[] = [];
  const arrived = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body ?? []) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (const line of buffer.split("\n")) {
        if (line.startsWith("data: ")) {
          messages.push(JSON.parse(line.slice(6)) as LiveMessage);
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
      if (messages.some(until)) {
        return;
      }
    }
  })();
  return { res, messages, arrived, close: () => controller.abort() };
}

describe("GET /api/v1/live", () => {
  it("tells a dashboard that custody changed at a property it may read, and nothing of others", async () => {
    const here = await enrolledCabinet();
    const there = await enrolledCabinet(otherProperty.id);
    const tech = await factory.user("technician", { type: "property", id: property.id });
    const techClient = await server.client().login(tech.email, tech.password);
    const live = await openLive(techClient.cookie ?? "", (m) => m.propertyId === property.id);
    expect(live.res.status).toBe(200);
    expect(live.res.headers.get("content-type")).toContain("text/event-stream");
    try {
      // why: the other property's change is published first, so had it passed the filter it would be seen first
      there.device.record("key.taken", taken((await factory.key(otherProperty.id)).id, 1));
      await uploadOk(there.device);
      here.device.record("key.taken", taken((await factory.key(property.id)).id, 1));
      await uploadOk(here.device);
      await live.arrived;
      expect(live.messages).toEqual([
        { topics: ["checkouts", "keys", "cabinets", "events"], propertyId: property.id, at: expect.any(String) },
      ]);
    } finally {
      live.close();
    }
  });

  it("tells a dashboard when a key is changed in the dashboard too, once per change", async () => {
    const key = await factory.key(property.id);
    const live = await openLive(admin.cookie ?? "", (m) => m.topics.includes("keys"));
    try {
      const renamed = await admin.patch(`/api/v1/keys/${key.id}`, { label: `Renamed ${key.label}` });
      expect(renamed.status).toBe(200);
      await live.arrived;
      expect(live.messages).toEqual([{ topics: ["keys", "events"], propertyId: property.id, at: expect.any(String) }]);
    } finally {
      live.close();
    }
  });
});
