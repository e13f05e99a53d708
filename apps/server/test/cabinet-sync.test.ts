/**
 * The cabinet protocol end to end over real HTTP: enrolment, device authentication, the signed snapshot, the stream
 * and event uploads, on SQLite (and PostgreSQL when KEYWARD_TEST_DATABASE_URL is set).
 */
import { randomUUID } from "node:crypto";
import { CABINET_EVENT_TYPES, type SyncErrorBody } from "@keyward/contracts/cabinet-sync";
import { EVENT_ACTIONS } from "@keyward/domain/event-actions";
import { generateSigningKeyPair, sha256Hex } from "@keyward/domain/event-chain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countOf, countsOf } from "./db-probes.ts";
import { type DeviceStream, TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };

let server: TestServer;
let factory: Factory;
let admin: ApiClient;
let property: Rec;

beforeAll(async () => {
  server = await startTestServer();
  factory = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(factory.admin.email, factory.admin.password);
  property = await factory.property();
});
afterAll(() => server.close());

/** A cabinet with an enrolled test device. */
async function enrolledCabinet(propertyId = property.id): Promise<{ cabinet: Rec; device: TestDevice }> {
  const cabinet = await factory.cabinet(propertyId);
  return { cabinet, device: await TestDevice.enroll(admin, cabinet.id, server.clock.now) };
}

async function refusalsOf(cabinetId: string): Promise<{ code: unknown }[]> {
  const rows = await server.services.db
    .selectFrom("events")
    .select("after")
    .where("action", "=", "cabinet.upload_refused")
    .where("entity_id", "=", cabinetId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => JSON.parse(r.after ?? "{}") as { code: unknown });
}

describe("the event vocabulary", () => {
  it("holds every cabinet event type as an action", () => {
    for (const type of CABINET_EVENT_TYPES) {
      expect(EVENT_ACTIONS).toContain(type);
    }
  });
});

describe("POST /api/v1/cabinets/:id/enrollment-codes and POST /api/v1/agent/enroll", () => {
  it("issues a one-time code, shown once and logged without it", async () => {
    const cabinet = await factory.cabinet(property.id);
    const res = await admin.post<{ code: string; expiresAt: string; cabinetId: string }>(
      `/api/v1/cabinets/${cabinet.id}/enrollment-codes`,
    );
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    expect(res.body.expiresAt).toBe(new Date(server.clock.ms + 24 * 3_600_000).toISOString());
    const events = await server.services.db
      .selectFrom("events")
      .select(["after"])
      .where("action", "=", "cabinet.enrollment_code_issued")
      .where("entity_id", "=", cabinet.id)
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]?.after).not.toContain(res.body.code.slice(0, 4));
  });

  it("enrols once per code, activates the cabinet and marks it enrolled", async () => {
    const cabinet = await factory.cabinet(property.id);
    const issued = await admin.post<{ code: string }>(`/api/v1/cabinets/${cabinet.id}/enrollment-codes`);
    const before = await admin.get<Rec>(`/api/v1/cabinets/${cabinet.id}`);
    expect(before.body).toMatchObject({ enrolled: false, status: "pending" });

    const device = await TestDevice.enrollWithCode(server.url, issued.body.code.toLowerCase(), server.clock.now);
    expect(device.enrollment).toMatchObject({
      cabinetId: cabinet.id,
      organizationId: factory.organizationId,
      propertyId: property.id,
      cabinetName: cabinet.name,
    });
    const after = await admin.get<Rec>(`/api/v1/cabinets/${cabinet.id}`);
    expect(after.body).toMatchObject({ enrolled: true, status: "active" });

    const again = await TestDevice.tryEnroll(server.url, issued.body.code, generateSigningKeyPair().publicKey);
    expect(again.status).toBe(400);
    expect((again.body as SyncErrorBody).code).toBe("enrollment_code_invalid");
  });

  it("refuses an expired code and an unknown one alike", async () => {
    const cabinet = await factory.cabinet(property.id);
    const issued = await admin.post<{ code: string }>(`/api/v1/cabinets/${cabinet.id}/enrollment-codes`);
    server.clock.advance(24 * 3_600_000 + 1);
    const expired = await TestDevice.tryEnroll(server.url, issued.body.code, generateSigningKeyPair().publicKey);
    const unknown = await TestDevice.tryEnroll(server.url, "AAAA-BBBB-CCCC", generateSigningKeyPair().publicKey);
    expect([expired.status, unknown.status]).toEqual([400, 400]);
    expect((expired.body as SyncErrorBody).code).toBe("enrollment_code_invalid");
    expect((expired.body as SyncErrorBody).message).toBe((unknown.body as SyncErrorBody).message);
    expect(await countOf(server.services.db, "cabinet_devices")).toBeGreaterThan(0);
    const devices = await server.services.db
      .selectFrom("cabinet_devices")
      .select("id")
      .where("cabinet_id", "=", cabinet.id)
      .execute();
    expect(devices).toEqual([]);
    // why: a day later the administrator's session has lapsed too
    admin = await server.client().login(factory.admin.email, factory.admin.password);
  });

  it("retires the previous device when a cabinet is enrolled again", async () => {
    const { cabinet, device: old } = await enrolledCabinet();
    const fresh = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
    const refused = await old.snapshot();
    expect(refused.status).toBe(401);
    expect((refused.body as unknown as SyncErrorBody).code).toBe("device_retired");
    expect((await fresh.snapshot()).status).toBe(200);
    expect(await refusalsOf(cabinet.id)).toEqual([expect.objectContaining({ code: "device_retired" })]);
  });

  it("refuses to enrol an archived cabinet, with a new code or one issued before it was archived", async () => {
    const cabinet = await factory.cabinet(property.id);
    const issued = await admin.post<{ code: string }>(`/api/v1/cabinets/${cabinet.id}/enrollment-codes`);
    expect(issued.status).toBe(201);
    expect((await admin.patch(`/api/v1/cabinets/${cabinet.id}`, { status: "archived" })).status).toBe(200);
    const again = await admin.post(`/api/v1/cabinets/${cabinet.id}/enrollment-codes`);
    expect(again.status).toBe(409);
    const late = await TestDevice.tryEnroll(admin.baseUrl, issued.body.code, generateSigningKeyPair().publicKey);
    expect(late.status).toBe(400);
    expect((late.body as SyncErrorBody).code).toBe("enrollment_code_invalid");
    const row = await server.services.db
      .selectFrom("cabinets")
      .select("status")
      .where("id", "=", cabinet.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("archived");
  });

  it("lets a maintenance supervisor see the cabinet but not enrol it", async () => {
    const cabinet = await factory.cabinet(property.id);
    const u = await factory.user("maintenance_supervisor", { type: "property", id: property.id });
    const client = await server.client().login(u.email, u.password);
    const res = await client.post(`/api/v1/cabinets/${cabinet.id}/enrollment-codes`);
    expect(res.status).toBe(403);
  });
});

describe("device authentication", () => {
  it("refuses an unknown device without logging an event", async () => {
    const { device } = await enrolledCabinet();
    const events = await countOf(server.services.db, "events");
    const res = await device.request("GET", "/api/v1/agent/snapshot", undefined, { deviceId: "no-such-device" });
    expect(res.status).toBe(401);
    expect((res.body as SyncErrorBody).code).toBe("unknown_device");
    expect(await countOf(server.services.db, "events")).toBe(events);
  });

  it("refuses a request signed with another key, and logs it", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const forged = generateSigningKeyPair().secretKey;
    const res = await device.request("GET", "/api/v1/agent/snapshot", undefined, { secretKey: forged });
    expect(res.status).toBe(401);
    expect((res.body as SyncErrorBody).code).toBe("bad_signature");
    expect(await refusalsOf(cabinet.id)).toEqual([expect.objectContaining({ code: "bad_signature" })]);
  });

  it("keeps one refusal a minute per device and kind in the trail, however many arrive", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const forged = generateSigningKeyPair().secretKey;
    for (let i = 0; i < 5; i++) {
      const res = await device.request("GET", "/api/v1/agent/snapshot", undefined, { secretKey: forged });
      expect(res.status).toBe(401);
    }
    expect(await refusalsOf(cabinet.id)).toHaveLength(1);
    server.clock.advance(61_000);
    await device.request("GET", "/api/v1/agent/snapshot", undefined, { secretKey: forged });
    expect(await refusalsOf(cabinet.id)).toHaveLength(2);
  });

  it("refuses a request whose signed path was changed", async () => {
    const { device } = await enrolledCabinet();
    const path = "/api/v1/agent/snapshot?known=1";
    const headers = device.sign("GET", "/api/v1/agent/snapshot", "");
    const res = await fetch(`${server.url}${path}`, { headers });
    expect(res.status).toBe(401);
    expect(((await res.json()) as SyncErrorBody).code).toBe("bad_signature");
  });

  it("refuses a request more than five minutes from the server's clock, and logs it", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const time = new Date(server.clock.ms - 301_000).toISOString();
    const res = await device.request("GET", "/api/v1/agent/snapshot", undefined, { time });
    expect(res.status).toBe(401);
    expect((res.body as SyncErrorBody).code).toBe("stale_request");
    expect(await refusalsOf(cabinet.id)).toEqual([expect.objectContaining({ code: "stale_request" })]);
    const within = new Date(server.clock.ms - 290_000).toISOString();
    expect((await device.request("GET", "/api/v1/agent/snapshot", undefined, { time: within })).status).toBe(200);
  });

  it("records the contact on the cabinet's state", async () => {
    const { cabinet, device } = await enrolledCabinet();
    server.clock.advance(60_000);
    await device.snapshot();
    const state = await server.services.db
      .selectFrom("cabinet_states")
      .select("last_contact_at")
      .where("cabinet_id", "=", cabinet.id)
      .executeTakeFirstOrThrow();
    expect(state.last_contact_at).toBe(server.clock.now().toISOString());
  });
});

describe("GET /api/v1/agent/snapshot", () => {
  it("signs what the cabinet decides from: people, verifiers, grants, reasons, units and keys", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const unit = await factory.unit(property.id);
    const key = await factory.key(property.id, { unitId: unit.id, cabinetId: cabinet.id, hookNumber: 4 });
    const elsewhere = await factory.key(property.id);
    const calendar = await factory.holidayCalendar(property.id, { dates: [{ date: "2026-07-04", name: "July 4" }] });
    const profile = await factory.accessProfile(property.id, { holidayCalendarId: calendar.id });
    const person = await factory.person({ homePropertyId: property.id });
    const outsider = await factory.person({ homePropertyId: property.id });
    const reason = await factory.reasonCode({ requiresWorkOrder: true });
    await admin.post("/api/v1/profile-assignments", {
      propertyId: property.id,
      personId: person.id,
      accessProfileId: profile.id,
    });
    const badgeNumber = `B${person.id.replace(/-/g, "").slice(0, 10)}`;
    expect((await admin.post(`/api/v1/people/${person.id}/credentials`, { kind: "badge", badgeNumber })).status).toBe(
      201,
    );
    await admin.post(`/api/v1/people/${person.id}/credentials`, { kind: "pin" });
    await admin.post(`/api/v1/people/${outsider.id}/credentials`, {
      kind: "badge",
      badgeNumber: `X${outsider.id.replace(/-/g, "").slice(0, 10)}`,
    });

    const body = await device.verifiedSnapshot();
    expect(body).toMatchObject({
      format: 1,
      organizationId: factory.organizationId,
      cabinet: { id: cabinet.id, factorPolicy: "badge_pin", disabledHooks: [] },
      property: { id: property.id, timeZone: "America/Chicago" },
      settings: { doorHeldSeconds: 60, language: "en" },
    });
    expect(body.people.map((p) => p.id)).toEqual([person.id]);
    const badge = body.credentials.find((c) => c.kind === "badge");
    expect(badge?.badgeDigest).toBe(sha256Hex(`${body.badgeSalt}:${badgeNumber}`));
    expect(JSON.stringify(body)).not.toContain(badgeNumber);
    expect(body.credentials.find((c) => c.kind === "pin")).toMatchObject({ pinHash: null });
    expect(body.grants).toHaveLength(1);
    expect(body.grants[0]?.assignment).toMatchObject({ personId: person.id, status: "active" });
    expect(body.grants[0]?.profile).toMatchObject({ id: profile.id, keyScope: { allKeys: true } });
    expect(body.holidayCalendars).toEqual({ [calendar.id]: ["2026-07-04"] });
    expect(body.reasons.find((r) => r.id === reason.id)).toMatchObject({ requiresWorkOrder: true });
    expect(body.units.map((u) => u.id)).toContain(unit.id);
    expect(body.keys.find((k) => k.id === key.id)).toMatchObject({ hookNumber: 4, unitNumber: unit.number });
    expect(body.keys.find((k) => k.id === elsewhere.id)).toMatchObject({ hookNumber: null });

    const again = await device.verifiedSnapshot();
    expect(again.badgeSalt).toBe(body.badgeSalt);
  });

  it("answers 204 while the cabinet's version is current, and bumps it on a change", async () => {
    const { device } = await enrolledCabinet();
    const first = await device.snapshot();
    expect((await device.snapshot(first.body.version)).status).toBe(204);
    await admin.patch("/api/v1/organization", { settings: { kioskLanguage: "es" } });
    const second = await device.snapshot(first.body.version);
    expect(second.status).toBe(200);
    expect(second.body.version).toBeGreaterThan(first.body.version);
    expect(JSON.parse(second.body.body)).toMatchObject({ settings: { language: "es" } });
    await admin.patch("/api/v1/organization", { settings: { kioskLanguage: "en" } });
  });

  it("answers the snapshot to a cabinet that knows a higher version (this database was restored from a backup)", async () => {
    const { device } = await enrolledCabinet();
    const current = await device.snapshot();
    const ahead = await device.snapshot(current.body.version + 5);
    expect(ahead.status).toBe(200);
    expect(ahead.body.version).toBe(current.body.version);
  });

  it("drops a deactivated person at once", async () => {
    const { device } = await enrolledCabinet();
    const profile = await factory.accessProfile(property.id);
    const person = await factory.person({ homePropertyId: property.id });
    await admin.post("/api/v1/profile-assignments", {
      propertyId: property.id,
      personId: person.id,
      accessProfileId: profile.id,
    });
    expect((await device.verifiedSnapshot()).people.map((p) => p.id)).toContain(person.id);
    await admin.post(`/api/v1/people/${person.id}/deactivate`, { reason: "left" });
    const after = await device.verifiedSnapshot();
    expect(after.people.map((p) => p.id)).not.toContain(person.id);
    expect(after.grants.map((g) => g.assignment.personId)).not.toContain(person.id);
  });
});

describe("GET /api/v1/agent/stream", () => {
  it("says hello first, then announces a new version when a person is deactivated", async () => {
    const { device } = await enrolledCabinet();
    const person = await factory.person({ homePropertyId: property.id });
    const profile = await factory.accessProfile(property.id);
    await admin.post("/api/v1/profile-assignments", {
      propertyId: property.id,
      personId: person.id,
      accessProfileId: profile.id,
    });
    const stream = await device.stream();
    try {
      const hello = await stream.next();
      expect(hello.type).toBe("hello");
      const version = hello.type === "hello" ? hello.snapshotVersion : 0;
      const res = await admin.post(`/api/v1/people/${person.id}/deactivate`, { reason: "left" });
      expect(res.status).toBe(200);
      const announced = await stream.next((m) => m.type === "snapshot");
      expect(announced).toEqual({ type: "snapshot", version: expect.any(Number) });
      expect(announced.type === "snapshot" && announced.version).toBeGreaterThan(version);
      expect((await device.snapshot(version)).status).toBe(200);
    } finally {
      stream.close();
    }
  });
});

describe("snapshot versions per property", () => {
  /** A cabinet at a new property, its stream open and its hello read. */
  async function listening(): Promise<{ property: Rec; device: TestDevice; stream: DeviceStream; hello: number }> {
    const at = await factory.property();
    const { device } = await enrolledCabinet(at.id);
    const stream = await device.stream();
    const hello = await stream.next((m) => m.type === "hello");
    return { property: at, device, stream, hello: hello.type === "hello" ? hello.snapshotVersion : -1 };
  }

  /** The snapshot announcements a stream got, in order. */
  function announced(stream: DeviceStream): unknown[] {
    return stream.messages.filter((m) => m.type === "snapshot");
  }

  /** Waits for the announcement of the property's current version; returns every announcement up to it. */
  async function announcedUpToNow(at: { device: TestDevice; stream: DeviceStream }): Promise<unknown[]> {
    const current = (await at.device.verifiedSnapshot()).version;
    await at.stream.next((m) => m.type === "snapshot" && m.version >= current);
    return announced(at.stream);
  }

  async function assign(personId: string, propertyId: string): Promise<string> {
    const profile = await factory.accessProfile(propertyId);
    const res = await admin.post<{ id: string }>("/api/v1/profile-assignments", {
      propertyId,
      personId,
      accessProfileId: profile.id,
    });
    expect(res.status, res.text).toBe(201);
    return res.body.id;
  }

  function taken(keyId: string, hook: number, personId: string | null) {
    return {
      visitId: null,
      checkoutId: randomUUID(),
      keyId,
      hook,
      personId,
      authorized: true,
      reasonCodeId: null,
      workOrder: null,
      dueAt: null,
    };
  }

  it("does not announce a key taken at one property to a cabinet of another", async () => {
    const a = await listening();
    const b = await listening();
    try {
      const key = await factory.key(a.property.id, { cabinetId: a.device.cabinetId, hookNumber: 1 });
      a.device.record("key.taken", taken(key.id, 1, null));
      expect((await a.device.upload()).status).toBe(200);
      const atA = await a.stream.next((m) => m.type === "snapshot");
      expect(atA.type === "snapshot" && atA.version).toBeGreaterThan(a.hello);
      // a later change at B's own property must be the first announcement B gets
      const created = await admin.post("/api/v1/keys", { propertyId: b.property.id, label: "B", tagCode: "TAG-B-1" });
      expect(created.status, created.text).toBe(201);
      expect(await announcedUpToNow(b)).toEqual([{ type: "snapshot", version: b.hello + 1 }]);
      expect(announced(a.stream)).toHaveLength(1);
    } finally {
      a.stream.close();
      b.stream.close();
    }
  });

  it("announces a key taken at one property to the properties where its holder has an assignment", async () => {
    const a = await listening();
    const b = await listening();
    const holder = await factory.person({ homePropertyId: a.property.id });
    await assign(holder.id, a.property.id);
    await assign(holder.id, b.property.id);
    const hello = await b.stream.next((m) => m.type === "snapshot");
    try {
      const key = await factory.key(a.property.id, { cabinetId: a.device.cabinetId, hookNumber: 1 });
      a.device.record("key.taken", taken(key.id, 1, holder.id));
      expect((await a.device.upload()).status).toBe(200);
      const moved = await b.stream.next((m) => m.type === "snapshot");
      expect(moved.type === "snapshot" && hello.type === "snapshot" && moved.version > hello.version).toBe(true);
      const snapshot = await b.device.verifiedSnapshot();
      expect(snapshot.people.find((p) => p.id === holder.id)?.keysOut).toEqual([key.id]);
    } finally {
      a.stream.close();
      b.stream.close();
    }
  });

  it("announces a deactivated person to the properties where they hold an assignment, revoked ones too", async () => {
    const active = await listening();
    const revoked = await listening();
    const unrelated = await listening();
    const person = await factory.person({ homePropertyId: unrelated.property.id });
    await assign(person.id, active.property.id);
    const gone = await assign(person.id, revoked.property.id);
    expect((await admin.patch(`/api/v1/profile-assignments/${gone}`, { status: "revoked" })).status).toBe(200);
    const before = new Map<TestDevice, number>();
    for (const at of [active, revoked]) {
      before.set(at.device, (await at.device.verifiedSnapshot()).version);
    }
    expect((await active.device.verifiedSnapshot()).people.map((p) => p.id)).toContain(person.id);
    try {
      expect((await admin.post(`/api/v1/people/${person.id}/deactivate`, { reason: "left" })).status).toBe(200);
      for (const at of [active, revoked]) {
        const known = before.get(at.device) ?? Number.POSITIVE_INFINITY;
        await at.stream.next((m) => m.type === "snapshot" && m.version > known);
      }
      expect((await active.device.verifiedSnapshot()).people.map((p) => p.id)).not.toContain(person.id);
      const unit = { propertyId: unrelated.property.id, number: `U-${randomUUID().slice(0, 8)}` };
      expect((await admin.post("/api/v1/units", unit)).status).toBe(201);
      expect(await announcedUpToNow(unrelated)).toEqual([{ type: "snapshot", version: unrelated.hello + 1 }]);
    } finally {
      for (const at of [active, revoked, unrelated]) {
        at.stream.close();
      }
    }
  });

  it("announces a reason code change to every property of the organization", async () => {
    const a = await listening();
    const b = await listening();
    try {
      const res = await admin.post<{ id: string }>("/api/v1/reason-codes", {
        code: `r_${Date.now()}`,
        label: "Inspection",
      });
      expect(res.status, res.text).toBe(201);
      for (const at of [a, b]) {
        expect(await at.stream.next((m) => m.type === "snapshot")).toEqual({ type: "snapshot", version: at.hello + 1 });
        expect((await at.device.verifiedSnapshot()).reasons.map((r) => r.id)).toContain(res.body.id);
      }
      const label = { label: "Inspection (renamed)" };
      expect((await admin.patch(`/api/v1/reason-codes/${res.body.id}`, label)).status).toBe(200);
      for (const at of [a, b]) {
        expect(await at.stream.next((m) => m.type === "snapshot")).toEqual({ type: "snapshot", version: at.hello + 2 });
      }
    } finally {
      a.stream.close();
      b.stream.close();
    }
  });
});

describe("POST /api/v1/agent/events", () => {
  const tables = ["cabinet_events", "checkouts"] as const;

  it("stores an upload exactly once however often it arrives", async () => {
    const { device } = await enrolledCabinet();
    device.record("cabinet.agent_started", { agentVersion: "t", snapshotVersion: null });
    device.record("door.opened", { visitId: null });
    const batch = [...device.outbox];
    const first = await device.upload(batch);
    expect(first.body).toEqual({ acknowledgedSeq: 2, stored: 2, duplicates: 0 });
    const counts = await countsOf(server.services.db, tables);
    for (let i = 0; i < 2; i++) {
      const again = await device.upload(batch);
      expect(again.body).toEqual({ acknowledgedSeq: 2, stored: 0, duplicates: 2 });
    }
    expect(await countsOf(server.services.db, tables)).toEqual(counts);
    device.record("door.closed", { visitId: null, openSeconds: 3 });
    const overlapping = await device.upload([...batch, ...device.outbox]);
    expect(overlapping.body).toEqual({ acknowledgedSeq: 3, stored: 1, duplicates: 2 });
  });

  it("keeps the witness of a dual-custody take in the organization's event", async () => {
    const { device } = await enrolledCabinet();
    const key = await factory.key(property.id, { cabinetId: device.cabinetId, hookNumber: 4 });
    const holder = await factory.person({ homePropertyId: property.id });
    const witness = await factory.person({ homePropertyId: property.id });
    device.record("key.taken", {
      visitId: "visit-1",
      checkoutId: randomUUID(),
      keyId: key.id,
      hook: 4,
      personId: holder.id,
      authorized: true,
      reasonCodeId: null,
      workOrder: null,
      dueAt: null,
      witnessPersonId: witness.id,
    });
    expect((await device.upload()).status).toBe(200);
    const row = await server.services.db
      .selectFrom("events")
      .select("after")
      .where("action", "=", "key.taken")
      .where("entity_id", "=", key.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.after ?? "{}")).toMatchObject({ personId: holder.id, witnessPersonId: witness.id });
  });

  /** Uploads a refused batch and checks its code, its refusal event, and that nothing else was stored. */
  async function expectRefused(
    cabinetId: string,
    send: () => Promise<{ status: number; body: unknown }>,
    status: number,
    code: string,
  ): Promise<SyncErrorBody> {
    const before = await countsOf(server.services.db, tables);
    const refusals = (await refusalsOf(cabinetId)).length;
    const res = await send();
    expect(res.status).toBe(status);
    const body = res.body as SyncErrorBody;
    expect(body.code).toBe(code);
    const after = await countsOf(server.services.db, tables);
    expect(after).toEqual({ ...before, events: (before.events ?? 0) + 1 });
    const logged = await refusalsOf(cabinetId);
    expect(logged.length).toBe(refusals + 1);
    expect(logged[logged.length - 1]).toMatchObject({ code });
    return body;
  }

  it("refuses a gap with the sequence it expects", async () => {
    const { cabinet, device } = await enrolledCabinet();
    device.record("door.opened", { visitId: null });
    await device.upload();
    device.record("door.closed", { visitId: null, openSeconds: 1 });
    const later = device.record("door.opened", { visitId: null });
    const body = await expectRefused(cabinet.id, () => device.upload([later]), 409, "sequence_gap");
    expect(body).toMatchObject({ expectedSeq: 2, headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("refuses a fork: an event already stored that now reads differently", async () => {
    const { cabinet, device } = await enrolledCabinet();
    device.record("door.opened", { visitId: null });
    await device.upload();
    const head = device.head;
    device.head = { seq: 0, hash: "0".repeat(64) };
    device.outbox = [];
    device.record("door.forced", {});
    await expectRefused(cabinet.id, () => device.upload(), 409, "chain_fork");
    device.head = head;
  });

  it("refuses a batch whose hash does not match its contents", async () => {
    const { cabinet, device } = await enrolledCabinet();
    const event = device.record("door.opened", { visitId: null });
    const tampered = { ...event, data: { visitId: "changed" } };
    await expectRefused(
      cabinet.id,
      () => device.request("POST", "/api/v1/agent/events", device.uploadBody([tampered])),
      400,
      "bad_hash",
    );
  });

  it("refuses malformed event data", async () => {
    const { cabinet, device } = await enrolledCabinet();
    device.record("key.taken", { keyId: "k" });
    await expectRefused(cabinet.id, () => device.upload(), 400, "malformed_upload");
  });

  it("refuses a malformed body in the protocol's terms", async () => {
    const { cabinet, device } = await enrolledCabinet();
    await expectRefused(
      cabinet.id,
      () => device.request("POST", "/api/v1/agent/events", { events: [], headSignature: "x" }),
      400,
      "malformed_upload",
    );
  });

  it("refuses a chain head signed with another key", async () => {
    const { cabinet, device } = await enrolledCabinet();
    device.record("door.opened", { visitId: null });
    const forged = device.uploadBody(device.outbox, generateSigningKeyPair().secretKey);
    await expectRefused(cabinet.id, () => device.request("POST", "/api/v1/agent/events", forged), 401, "bad_signature");
  });
});

describe("a PIN's lockout shared by the cabinets", () => {
  /** A person with a PIN set, assigned at every property given; answers the PIN credential's id. */
  async function personWithPin(propertyIds: string[]): Promise<{ personId: string; credentialId: string }> {
    const person = await factory.person({ homePropertyId: propertyIds[0] });
    for (const propertyId of propertyIds) {
      const profile = await factory.accessProfile(propertyId);
      const res = await admin.post("/api/v1/profile-assignments", {
        propertyId,
        personId: person.id,
        accessProfileId: profile.id,
      });
      expect(res.status).toBe(201);
    }
    const issued = await admin.post<{ credential: { id: string }; activationCode: string }>(
      `/api/v1/people/${person.id}/credentials`,
      { kind: "pin" },
    );
    const set = await server.client().post("/api/v1/pin-activations", {
      credentialId: issued.body.credential.id,
      activationCode: issued.body.activationCode,
      pin: "480151",
    });
    expect(set.status).toBe(200);
    return { personId: person.id, credentialId: issued.body.credential.id };
  }

  function failed(personId: string, credentialId: string, pinFailures?: number) {
    return {
      visitId: "visit-1",
      personId,
      credentialId,
      factor: "pin",
      code: "pin_incorrect",
      ...(pinFailures === undefined ? {} : { pinFailures }),
    };
  }

  function identified(personId: string, credentialId: string) {
    return { visitId: "visit-2", personId, factors: ["badge", "pin"], pinCredentialId: credentialId };
  }

  /** The PIN's lockout in a device's verified snapshot, and that snapshot's version. */
  async function lockoutSeenBy(device: TestDevice, credentialId: string) {
    const body = await device.verifiedSnapshot();
    return { version: body.version, pinLockout: body.credentials.find((c) => c.id === credentialId)?.pinLockout };
  }

  const at = (ms: number) => new Date(server.clock.ms + ms);

  it("keeps the highest count two cabinets report and the latest failure, and a later right PIN clears it", async () => {
    const home = await factory.property();
    const other = await factory.property();
    const { device: a } = await enrolledCabinet(home.id);
    const { device: b } = await enrolledCabinet(home.id);
    const { device: c } = await enrolledCabinet(other.id);
    const { personId, credentialId } = await personWithPin([home.id, other.id]);
    const before = await lockoutSeenBy(b, credentialId);
    expect(before.pinLockout).toEqual({ failures: 0, lastFailureAt: null });
    const elsewhere = await lockoutSeenBy(c, credentialId);

    for (const n of [1, 2, 3]) {
      a.record("cabinet.identification_failed", failed(personId, credentialId, n), at(n * 1000));
    }
    // A refused try during a pause names no count: it is no failure.
    a.record("cabinet.identification_failed", { ...failed(personId, credentialId), code: "pin_wait" }, at(4000));
    expect((await a.upload()).status).toBe(200);
    const afterA = await lockoutSeenBy(b, credentialId);
    expect(afterA.pinLockout).toEqual({ failures: 3, lastFailureAt: at(3000).toISOString() });
    expect(afterA.version).toBeGreaterThan(before.version);
    // The person's other property hears of it too.
    const atOther = await lockoutSeenBy(c, credentialId);
    expect(atOther.pinLockout).toEqual(afterA.pinLockout);
    expect(atOther.version).toBeGreaterThan(elsewhere.version);

    // B, which had not heard, counts its own: a lower count keeps the higher one, and its failure is the latest.
    b.record("cabinet.identification_failed", failed(personId, credentialId, 2), at(5000));
    expect((await b.upload()).status).toBe(200);
    expect((await lockoutSeenBy(a, credentialId)).pinLockout).toEqual({
      failures: 3,
      lastFailureAt: at(5000).toISOString(),
    });
    b.record("cabinet.identification_failed", failed(personId, credentialId, 5), at(6000));
    expect((await b.upload()).status).toBe(200);
    const five = await lockoutSeenBy(a, credentialId);
    expect(five.pinLockout).toEqual({ failures: 5, lastFailureAt: at(6000).toISOString() });

    // A right PIN at A before B's last failure clears nothing; one after it clears the count everywhere.
    a.record("cabinet.identified", identified(personId, credentialId), at(5500));
    expect((await a.upload()).status).toBe(200);
    const early = await lockoutSeenBy(b, credentialId);
    expect(early).toEqual(five);
    a.record("cabinet.identified", identified(personId, credentialId), at(7000));
    expect((await a.upload()).status).toBe(200);
    const cleared = await lockoutSeenBy(b, credentialId);
    expect(cleared.pinLockout).toEqual({ failures: 0, lastFailureAt: null });
    expect(cleared.version).toBeGreaterThan(five.version);
    // A right PIN with nothing to clear changes no snapshot.
    a.record("cabinet.identified", identified(personId, credentialId), at(8000));
    expect((await a.upload()).status).toBe(200);
    expect((await lockoutSeenBy(b, credentialId)).version).toBe(cleared.version);
  });

  it("is cleared by a manager's reset, and failures journalled before it no longer count", async () => {
    const home = await factory.property();
    const { device: a } = await enrolledCabinet(home.id);
    const { device: b } = await enrolledCabinet(home.id);
    const { personId, credentialId } = await personWithPin([home.id]);
    const start = server.clock.ms;
    for (let n = 1; n <= 10; n += 1) {
      a.record("cabinet.identification_failed", failed(personId, credentialId, n), new Date(start + n * 1000));
    }
    expect((await a.upload()).status).toBe(200);
    const locked = await lockoutSeenBy(b, credentialId);
    expect(locked.pinLockout).toMatchObject({ failures: 10 });

    server.clock.advance(60_000);
    const reset = await admin.post(`/api/v1/credentials/${credentialId}/reset-pin`);
    expect(reset.status).toBe(200);
    const afterReset = await lockoutSeenBy(b, credentialId);
    expect(afterReset.pinLockout).toEqual({ failures: 0, lastFailureAt: null });
    expect(afterReset.version).toBeGreaterThan(locked.version);

    // B was offline: its failures of the old PIN arrive after the reset and must not lock the new one.
    b.record("cabinet.identification_failed", failed(personId, credentialId, 6), new Date(start + 30_000));
    expect((await b.upload()).status).toBe(200);
    const late = await lockoutSeenBy(a, credentialId);
    expect(late).toEqual(afterReset);
    const row = await server.services.db
      .selectFrom("credentials")
      .select(["pin_failures", "pin_last_failure_at"])
      .where("id", "=", credentialId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ pin_failures: 0, pin_last_failure_at: null });
  });
});

describe("POST /api/v1/agent/pin-activations", () => {
  /** A person with a PIN credential waiting for its PIN, assigned at `propertyId` (unless `assigned` is false). */
  async function pendingPin(propertyId: string, assigned = true): Promise<{ credentialId: string; code: string }> {
    const person = await factory.person({ homePropertyId: propertyId });
    if (assigned) {
      const profile = await factory.accessProfile(propertyId);
      const res = await admin.post("/api/v1/profile-assignments", {
        propertyId,
        personId: person.id,
        accessProfileId: profile.id,
      });
      expect(res.status).toBe(201);
    }
    const issued = await admin.post<{ credential: { id: string }; activationCode: string }>(
      `/api/v1/people/${person.id}/credentials`,
      { kind: "pin" },
    );
    expect(issued.status).toBe(201);
    return { credentialId: issued.body.credential.id, code: issued.body.activationCode };
  }

  async function pinStateOf(credentialId: string): Promise<unknown> {
    return (await admin.get<{ pinState: unknown }>(`/api/v1/credentials/${credentialId}`)).body.pinState;
  }

  it("sets the PIN of a person assigned at the cabinet's property, and says which rule a PIN breaks", async () => {
    const { device } = await enrolledCabinet();
    const { credentialId, code } = await pendingPin(property.id);
    const wrong = await device.request("POST", "/api/v1/agent/pin-activations", {
      credentialId,
      activationCode: "0000000000",
      pin: "480151",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: "activation_code_invalid" });
    const trivial = await device.request("POST", "/api/v1/agent/pin-activations", {
      credentialId,
      activationCode: code,
      pin: "123456",
    });
    expect(trivial.status).toBe(400);
    expect(trivial.body).toMatchObject({ code: "pin_rejected", problem: "sequential", minLength: 6 });
    expect(await pinStateOf(credentialId)).toBe("activation_pending");

    const set = await device.request("POST", "/api/v1/agent/pin-activations", {
      credentialId,
      activationCode: code,
      pin: "480151",
    });
    expect(set.status).toBe(200);
    expect(await pinStateOf(credentialId)).toBe("set");
    // The snapshot carries the new PIN's hash, never the PIN.
    const snapshot = await device.verifiedSnapshot();
    const pin = snapshot.credentials.find((c) => c.id === credentialId);
    expect(pin?.pinHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(snapshot)).not.toContain("480151");
  });

  it("answers too_many_attempts after five wrong codes, even for the right one", async () => {
    const { device } = await enrolledCabinet();
    const { credentialId, code } = await pendingPin(property.id);
    for (let i = 0; i < 5; i += 1) {
      const res = await device.request("POST", "/api/v1/agent/pin-activations", {
        credentialId,
        activationCode: `111111111${i}`,
        pin: "480151",
      });
      expect(res.body).toMatchObject({ code: "activation_code_invalid" });
    }
    const locked = await device.request<{ code: string; retryAfterSeconds: number }>(
      "POST",
      "/api/v1/agent/pin-activations",
      { credentialId, activationCode: code, pin: "480151" },
    );
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe("too_many_attempts");
    expect(locked.body.retryAfterSeconds).toBeGreaterThan(0);
    expect(await pinStateOf(credentialId)).toBe("activation_pending");
  });

  it("refuses, as a wrong code, a credential of another organization, or of a person not assigned at this property", async () => {
    const other = await Factory.organization(server.services.db, server.clock.now);
    const otherAdmin = await server.client().login(other.admin.email, other.admin.password);
    const otherCabinet = await other.cabinet((await other.property()).id);
    const foreign = await TestDevice.enroll(otherAdmin, otherCabinet.id, server.clock.now);
    const { credentialId, code } = await pendingPin(property.id);
    const res = await foreign.request("POST", "/api/v1/agent/pin-activations", {
      credentialId,
      activationCode: code,
      pin: "480151",
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "activation_code_invalid" });

    // A cabinet of another property of the same organization: the person is not assigned there.
    const elsewhere = await enrolledCabinet((await factory.property()).id);
    const notHere = await elsewhere.device.request("POST", "/api/v1/agent/pin-activations", {
      credentialId,
      activationCode: code,
      pin: "480151",
    });
    expect(notHere.body).toMatchObject({ code: "activation_code_invalid" });
    const unassigned = await pendingPin(property.id, false);
    const { device } = await enrolledCabinet();
    const refused = await device.request("POST", "/api/v1/agent/pin-activations", {
      credentialId: unassigned.credentialId,
      activationCode: unassigned.code,
      pin: "480151",
    });
    expect(refused.body).toMatchObject({ code: "activation_code_invalid" });

    // Neither attempt set the PIN nor spent a try of the code: its owner's cabinet still sets it.
    expect(await pinStateOf(credentialId)).toBe("activation_pending");
    const own = await device.request("POST", "/api/v1/agent/pin-activations", {
      credentialId,
      activationCode: code,
      pin: "480151",
    });
    expect(own.status).toBe(200);
    expect(await pinStateOf(credentialId)).toBe("set");
  });
});
