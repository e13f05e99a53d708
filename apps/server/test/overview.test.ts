import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Factory, TEST_PASSWORD } from "./factories.ts";
import { startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;
let org: Factory;
let a: { id: string };
let b: { id: string };

interface OverviewBody {
  keys: Record<string, number>;
  cabinets: Record<string, number>;
  peopleActivePastEndDate: number;
}

beforeAll(async () => {
  server = await startTestServer();
  org = await Factory.organization(server.services.db, server.clock.now);
  a = await org.property({ timeZone: "America/Chicago" });
  b = await org.property({ timeZone: "America/Los_Angeles" });
  for (const status of ["in", "in", "out", "lost"]) {
    await org.key(a.id, { status });
  }
  await org.key(b.id, { status: "in" });
  await org.cabinet(a.id);
  // The clock stands at 2026-06-01T15:00Z: an end date of May 31 has passed, June 1 has not.
  await org.person({ homePropertyId: a.id, endDate: "2026-05-31" });
  await org.person({ homePropertyId: a.id, endDate: "2026-06-01" });
  await org.person({ homePropertyId: b.id, endDate: "2026-01-01" });
});
afterAll(() => server.close());

describe("GET /api/v1/overview", () => {
  it("counts every property for an organization-wide role", async () => {
    const admin = await server.client().login(org.admin.email, TEST_PASSWORD);
    const res = await admin.get<OverviewBody>("/api/v1/overview");
    expect(res.status).toBe(200);
    expect(res.body.keys).toEqual({ in: 3, out: 1, lost: 1, retired: 0, with_resident: 0 });
    expect(res.body.cabinets).toEqual({ pending: 1, active: 0, archived: 0 });
    expect(res.body.peopleActivePastEndDate).toBe(2);
  });

  it("counts only the property asked for", async () => {
    const admin = await server.client().login(org.admin.email, TEST_PASSWORD);
    const res = await admin.get<OverviewBody>(`/api/v1/overview?propertyId=${b.id}`);
    expect(res.body.keys.in).toBe(1);
    expect(res.body.keys.out).toBe(0);
    expect(res.body.peopleActivePastEndDate).toBe(1);
  });

  it("never counts a property where the user holds no role", async () => {
    const manager = await org.user("property_manager", { type: "property", id: b.id });
    const c = await server.client().login(manager.email, manager.password);
    const res = await c.get<OverviewBody>("/api/v1/overview");
    expect(res.body.keys).toEqual({ in: 1, out: 0, lost: 0, retired: 0, with_resident: 0 });
    expect(res.body.cabinets.pending).toBe(0);
    expect((await c.get(`/api/v1/overview?propertyId=${a.id}`)).status).toBe(404);
    const other = await Factory.organization(server.services.db, server.clock.now);
    const stranger = await server.client().login(other.admin.email, TEST_PASSWORD);
    expect((await stranger.get(`/api/v1/overview?propertyId=${a.id}`)).status).toBe(404);
    expect((await stranger.get<OverviewBody>("/api/v1/overview")).body.keys.in).toBe(0);
  });
});

describe("GET /api/v1/people?endDateBefore=", () => {
  it("lists people still active past their end date", async () => {
    const admin = await server.client().login(org.admin.email, TEST_PASSWORD);
    const res = await admin.get<{ items: { endDate: string }[] }>(
      "/api/v1/people?status=active&endDateBefore=2026-06-01",
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((p) => p.endDate).sort()).toEqual(["2026-01-01", "2026-05-31"]);
  });
});
