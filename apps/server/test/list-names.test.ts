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

describe("lists that point at people", () => {
  it("name the person, so a page needs no request per row", async () => {
    const property = await org.property();
    const tech = await org.user(
      "technician",
      { type: "property", id: property.id },
      { firstName: "Rosa", lastName: "Parada" },
    );
    const profile = await org.accessProfile(property.id);
    const admin = await server.client().login(org.admin.email, TEST_PASSWORD);
    await admin.post("/api/v1/profile-assignments", {
      propertyId: property.id,
      personId: tech.person.id,
      accessProfileId: profile.id,
    });
    const users = await admin.get<{ items: { personId: string; personName: string }[] }>(
      `/api/v1/users?personId=${tech.person.id}`,
    );
    expect(users.body.items).toEqual([expect.objectContaining({ personName: "Rosa Parada" })]);
    const roles = await admin.get<{ items: { personName: string }[] }>(
      `/api/v1/role-assignments?personId=${tech.person.id}`,
    );
    expect(roles.body.items.map((r) => r.personName)).toEqual(["Rosa Parada"]);
    const assignments = await admin.get<{ items: { personName: string }[] }>(
      `/api/v1/profile-assignments?personId=${tech.person.id}`,
    );
    expect(assignments.body.items.map((a) => a.personName)).toEqual(["Rosa Parada"]);
  });
});
