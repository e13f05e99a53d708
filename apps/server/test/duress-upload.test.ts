/**
 * A duress PIN reaches the server like any cabinet event: stored in the device's chain and as the organization's
 * event in the person's name, worded in the transactions report and listed as an exception, and never counted as an
 * alarm on the cabinet's state. Over real HTTP on SQLite (and PostgreSQL when KEYWARD_TEST_DATABASE_URL is set).
 */
import { randomUUID } from "node:crypto";
import type { Report } from "@keyward/contracts/reports";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;
let factory: Factory;
let admin: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  factory = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(factory.admin.email, factory.admin.password);
});
afterAll(() => server.close());

async function report(name: string, query: string): Promise<Report> {
  const res = await admin.get<Report>(`/api/v1/reports/${name}?${query}`);
  expect(res.status, res.text.slice(0, 400)).toBe(200);
  return res.body;
}

describe("POST /api/v1/agent/events with cabinet.duress_signalled", () => {
  it("stores the duress signal after the identification, in the person's name, and raises no alarm", async () => {
    const property = await factory.property({ name: "Duress Court" });
    const cabinet = await factory.cabinet(property.id);
    const device = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
    const person = await factory.person({ homePropertyId: property.id, firstName: "Dana", lastName: "Duress" });
    const issued = await admin.post<{ credential: { id: string } }>(`/api/v1/people/${person.id}/credentials`, {
      kind: "pin",
    });
    expect(issued.status, issued.text).toBe(201);
    const credentialId = issued.body.credential.id;
    const visitId = randomUUID();
    device.record("cabinet.identified", {
      visitId,
      personId: person.id,
      factors: ["badge", "pin"],
      pinCredentialId: credentialId,
    });
    const signal = device.record("cabinet.duress_signalled", { visitId, personId: person.id, credentialId });

    const res = await device.upload();
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ acknowledgedSeq: signal.seq, stored: 2, duplicates: 0 });

    const db = server.services.db;
    const stored = await db
      .selectFrom("cabinet_events")
      .select(["seq", "type", "hash"])
      .where("device_id", "=", device.deviceId)
      .orderBy("seq")
      .execute();
    expect(stored.map((e) => [Number(e.seq), e.type])).toEqual([
      [1, "cabinet.identified"],
      [2, "cabinet.duress_signalled"],
    ]);
    expect(stored[1]?.hash).toBe(signal.hash);
    const event = await db
      .selectFrom("events")
      .select(["actor_type", "actor_id", "property_id", "after"])
      .where("organization_id", "=", factory.organizationId)
      .where("action", "=", "cabinet.duress_signalled")
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_type: "person", actor_id: person.id, property_id: property.id });
    expect(JSON.parse(event.after ?? "{}")).toMatchObject({ visitId, personId: person.id, credentialId });

    const states = await admin.get<{ items: { cabinetId: string; openAlarms: number }[] }>(
      `/api/v1/cabinet-states?propertyId=${property.id}`,
    );
    expect(states.body.items.find((s) => s.cabinetId === cabinet.id)?.openAlarms).toBe(0);

    const day = server.clock.now().toISOString().slice(0, 10);
    const period = `propertyId=${property.id}&from=${day}&to=${day}`;
    const transactions = await report("transactions", period);
    const worded = transactions.rows.find((r) => r.cells.action === "cabinet.duress_signalled");
    expect(worded?.cells.summary).toBe("Duress PIN entered: the cabinet behaved as for the PIN.");
    const exceptions = await report("exceptions", period);
    expect(exceptions.totals.find((t) => t.key === "duress")?.value).toBe(1);
    expect(exceptions.rows.map((r) => [r.cells.kind, r.cells.person])).toEqual([["Duress PIN entered", "Dana Duress"]]);
  });

  it("refuses a duress signal that names no credential", async () => {
    const property = await factory.property();
    const cabinet = await factory.cabinet(property.id);
    const device = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
    device.record("cabinet.duress_signalled", { visitId: randomUUID(), personId: randomUUID() });
    const res = await device.upload();
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "malformed_upload" });
  });
});
