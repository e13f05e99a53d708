/**
 * Review findings on the cabinet protocol's server side, each pinned by a test: a cabinet must not move keys of
 * another property or organization; every committed snapshot change reaches the streams (PIN activation, CSV import of keys);
 * a retired device's open stream carries no command; one cabinet enrolled twice at once keeps one active device; after
 * the PostgreSQL listener reconnects, streams catch up (pending commands, a dashboard refetch). SQLite and PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import type { LiveMessage } from "@keyward/contracts/custody";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer, testPostgresUrl } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };

let server: TestServer;
let factory: Factory;
let admin: ApiClient;
let property: Rec;
let otherProperty: Rec;

beforeAll(async () => {
  server = await startTestServer();
  factory = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(factory.admin.email, factory.admin.password);
  property = await factory.property();
  otherProperty = await factory.property();
});
afterAll(() => server.close());

async function enrolledCabinet(propertyId = property.id): Promise<{ cabinet: Rec; device: TestDevice }> {
  const cabinet = await factory.cabinet(propertyId);
  return { cabinet, device: await TestDevice.enroll(admin, cabinet.id, server.clock.now) };
}

function keyRow(id: string) {
  return server.services.db
    .selectFrom("keys")
    .select(["status", "cabinet_id", "hook_number", "property_id"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

function checkoutsOf(keyId: string) {
  return server.services.db.selectFrom("checkouts").select(["id", "status"]).where("key_id", "=", keyId).execute();
}

function taken(keyId: string, hook: number) {
  return {
    visitId: null,
    checkoutId: randomUUID(),
    keyId,
    hook,
    personId: null,
    authorized: true,
    reasonCodeId: null,
    workOrder: null,
    dueAt: null,
  };
}

describe("keys a cabinet may not touch", () => {
  it("leaves a key of another property of the organization where it is, taken or returned", async () => {
    const { device } = await enrolledCabinet();
    const elsewhere = await factory.cabinet(otherProperty.id);
    const foreign = await factory.key(otherProperty.id, { cabinetId: elsewhere.id, hookNumber: 3 });
    const before = await keyRow(foreign.id);
    device.record("key.taken", taken(foreign.id, 3));
    device.record("key.returned", { visitId: null, keyId: foreign.id, hook: 4, personId: null });
    device.record("key.removed_without_session", { hook: 5, keyId: foreign.id });
    const res = await device.upload();
    expect(res.status, res.text).toBe(200);
    expect(await keyRow(foreign.id)).toEqual(before);
    expect(await checkoutsOf(foreign.id)).toEqual([]);
  });

  it("leaves a key of another organization where it is", async () => {
    const { device } = await enrolledCabinet();
    const other = await Factory.organization(server.services.db, server.clock.now);
    const theirProperty = await other.property();
    const theirCabinet = await other.cabinet(theirProperty.id);
    const theirs = await other.key(theirProperty.id, { cabinetId: theirCabinet.id, hookNumber: 1 });
    const before = await keyRow(theirs.id);
    device.record("key.taken", taken(theirs.id, 1));
    device.record("key.returned", { visitId: null, keyId: theirs.id, hook: 2, personId: null });
    const res = await device.upload();
    expect(res.status, res.text).toBe(200);
    expect(await keyRow(theirs.id)).toEqual(before);
    expect(await checkoutsOf(theirs.id)).toEqual([]);
  });
});

describe("every committed snapshot change reaches the streams", () => {
  it("announces a new version when a person activates their PIN", { timeout: 10_000 }, async () => {
    const { device } = await enrolledCabinet();
    const person = await factory.person({ homePropertyId: property.id });
    const profile = await factory.accessProfile(property.id);
    const assigned = await admin.post("/api/v1/profile-assignments", {
      propertyId: property.id,
      personId: person.id,
      accessProfileId: profile.id,
    });
    expect(assigned.status, assigned.text).toBe(201);
    const issued = await admin.post<{ credential: { id: string }; activationCode: string }>(
      `/api/v1/people/${person.id}/credentials`,
      { kind: "pin" },
    );
    expect(issued.status).toBe(201);
    const stream = await device.stream();
    try {
      const hello = await stream.next((m) => m.type === "hello");
      const version = hello.type === "hello" ? hello.snapshotVersion : 0;
      const res = await server.client().post("/api/v1/pin-activations", {
        credentialId: issued.body.credential.id,
        activationCode: issued.body.activationCode,
        pin: "480151",
      });
      expect(res.status, res.text).toBe(200);
      const announced = await stream.next((m) => m.type === "snapshot");
      expect(announced.type === "snapshot" && announced.version).toBeGreaterThan(version);
    } finally {
      stream.close();
    }
  });

  it("announces a new version when keys are imported from CSV", { timeout: 10_000 }, async () => {
    const { device } = await enrolledCabinet();
    const stream = await device.stream();
    try {
      const hello = await stream.next((m) => m.type === "hello");
      const version = hello.type === "hello" ? hello.snapshotVersion : 0;
      const res = await admin.post(`/api/v1/properties/${property.id}/import/keys`, {
        csv: `label,tag\nImported door,T-imported-${randomUUID()}\n`,
        dryRun: false,
      });
      expect(res.status, res.text).toBe(200);
      const announced = await stream.next((m) => m.type === "snapshot");
      expect(announced.type === "snapshot" && announced.version).toBeGreaterThan(version);
    } finally {
      stream.close();
    }
  });
});

describe("a retired device", () => {
  it("gets no command on a stream it opened before the cabinet was enrolled again", { timeout: 10_000 }, async () => {
    const { cabinet, device: old } = await enrolledCabinet();
    const oldStream = await old.stream();
    await oldStream.next((m) => m.type === "hello");
    const fresh = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
    const freshStream = await fresh.stream();
    try {
      await freshStream.next((m) => m.type === "hello");
      const res = await admin.post<{ commandId: string }>(`/api/v1/cabinets/${cabinet.id}/remote-release`, {
        reason: "Locksmith at the door",
        seconds: 10,
      });
      expect(res.status, res.text).toBe(201);
      const command = await freshStream.next((m) => m.type === "command");
      expect(command.type === "command" && command.command.id).toBe(res.body.commandId);
      // why: the server ends the retired device's stream instead of handing it the command
      await oldStream.ended;
      expect(oldStream.messages.filter((m) => m.type === "command")).toEqual([]);
    } finally {
      oldStream.close();
      freshStream.close();
    }
  });
});

describe("enrolling one cabinet twice at once", () => {
  it("leaves exactly one active device", async () => {
    const cabinets = await Promise.all([1, 2, 3, 4].map(() => factory.cabinet(property.id)));
    const codes: { cabinetId: string; code: string }[] = [];
    for (const cabinet of cabinets) {
      for (let i = 0; i < 2; i++) {
        const res = await admin.post<{ code: string }>(`/api/v1/cabinets/${cabinet.id}/enrollment-codes`);
        codes.push({ cabinetId: cabinet.id, code: res.body.code });
      }
    }
    await Promise.all(codes.map((c) => TestDevice.enrollWithCode(server.url, c.code, server.clock.now)));
    for (const cabinet of cabinets) {
      const active = await server.services.db
        .selectFrom("cabinet_devices")
        .select("id")
        .where("cabinet_id", "=", cabinet.id)
        .where("status", "=", "active")
        .execute();
      expect(active).toHaveLength(1);
    }
  });
});

/**
 * Ends this server's LISTEN connection from the database side, as a restart or failover would. why: after an earlier
 * cut the listener reconnects with a delay; the connection to end may not be there yet, so wait for it (a few
 * seconds at most) rather than race it.
 */
async function cutListener(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const cut = await sql<{ pid: number }>`select pg_terminate_backend(pid) as pid from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen %'`.execute(
      server.services.db,
    );
    if (cut.rows.length > 0 || Date.now() > deadline) {
      expect(cut.rows).toHaveLength(1);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The dashboard's live stream, as a list of messages and a way to await the next one. */
async function openLive(client: ApiClient): Promise<{ next: () => Promise<LiveMessage>; close: () => void }> {
  const controller = new AbortController();
  const res = await fetch(`${client.baseUrl}/api/v1/live`, {
    headers: { cookie: client.cookie ?? "" },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    next: async () => {
      for (;;) {
        const data = buffer
          .split("\n\n")
          .slice(0, -1)
          .flatMap((block) => block.split("\n"))
          .find((line) => line.startsWith("data: "));
        if (data) {
          buffer = buffer.slice(buffer.indexOf(data) + data.length);
          return JSON.parse(data.slice(6)) as LiveMessage;
        }
        const chunk = await reader.read();
        if (chunk.done) {
          throw new Error("the live stream ended");
        }
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    close: () => controller.abort(),
  };
}

describe.skipIf(!testPostgresUrl)("after the PostgreSQL listener reconnects", () => {
  it("sends a cabinet the command whose notification was lost", { timeout: 15_000 }, async () => {
    const { cabinet, device } = await enrolledCabinet();
    const stream = await device.stream();
    try {
      await stream.next((m) => m.type === "hello");
      // a command committed while the listener was away: its notification never arrives
      const now = server.clock.now();
      const commandId = randomUUID();
      await server.services.db
        .insertInto("cabinet_commands")
        .values({
          id: commandId,
          organization_id: factory.organizationId,
          property_id: property.id,
          cabinet_id: cabinet.id,
          kind: "remote_release",
          params: JSON.stringify({ seconds: 5 }),
          reason: "Lost in transit",
          requested_by: "Ada Admin",
          requested_at: now.toISOString(),
          expires_at: new Date(now.getTime() + 120_000).toISOString(),
          status: "pending",
          executed_at: null,
        })
        .execute();
      await cutListener();
      const command = await stream.next((m) => m.type === "command");
      expect(command.type === "command" && command.command.id).toBe(commandId);
    } finally {
      stream.close();
    }
  });

  it("tells the dashboard to refetch", { timeout: 15_000 }, async () => {
    const live = await openLive(admin);
    try {
      await cutListener();
      const message = await live.next();
      expect(message).toMatchObject({ propertyId: null, topics: expect.arrayContaining(["checkouts", "cabinets"]) });
    } finally {
      live.close();
    }
  });
});
