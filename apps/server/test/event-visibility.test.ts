import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Factory, TEST_PASSWORD } from "./factories.ts";
import { startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;
let org: Factory;

beforeAll(async () => {
  server = await startTestServer();
  org = await Factory.organization(server.services.db, server.clock.now);
});
afterAll(() => server.close());

interface EventPage {
  items: { action: string; propertyId: string | null }[];
}

describe("GET /api/v1/events", () => {
  it("shows a property's staff their property's events, never organization-level ones", async () => {
    const property = await org.property();
    await org.unit(property.id);
    const office = await org.user("office_staff", { type: "property", id: property.id });
    // An organization-level event: a failed sign-in, with the client's address.
    await server.client().post("/api/v1/auth/login", { email: org.admin.email, password: "wrong password" });
    const staff = await server.client().login(office.email, office.password);
    const seen = await staff.get<EventPage>("/api/v1/events?limit=500");
    expect(seen.status).toBe(200);
    expect(seen.body.items.some((e) => e.action === "unit.created")).toBe(true);
    expect(seen.body.items.every((e) => e.propertyId === property.id)).toBe(true);
    const admin = await server.client().login(org.admin.email, TEST_PASSWORD);
    const all = await admin.get<EventPage>("/api/v1/events?action=auth.login_failed");
    expect(all.body.items.length).toBeGreaterThan(0);
  });
});
