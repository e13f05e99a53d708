/**
 * Role grants and dashboard logins: nobody hands out, takes back or takes over more than they could grant.
 */
import type { Role } from "@keyward/domain/permissions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countsOf, rowOf } from "./db-probes.ts";
import { Factory, TEST_PASSWORD } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };
interface ErrorBody {
  code: string;
  field?: string;
  message: string;
}

let server: TestServer;
let org: Factory;
let admin: ApiClient;
let home: Rec;
let elsewhere: Rec;
let manager: ApiClient;
let technician: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  org = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(org.admin.email, org.admin.password);
  home = await org.property();
  elsewhere = await org.property();
  const pm = await org.user("property_manager", { type: "property", id: home.id });
  manager = await server.client().login(pm.email, pm.password);
  const tech = await org.user("technician", { type: "property", id: home.id });
  technician = await server.client().login(tech.email, tech.password);
});
afterAll(() => server.close());

const counts = () => countsOf(server.services.db, ["role_assignments", "users", "people", "credentials", "sessions"]);

async function grant(client: ApiClient, body: Record<string, unknown>) {
  return client.post<Rec & ErrorBody>("/api/v1/role-assignments", body);
}

describe("POST /api/v1/role-assignments", () => {
  it.each<[Role, number]>([
    ["administrator", 403],
    ["executive", 403],
    ["regional_manager", 403],
    ["property_manager", 201],
    ["maintenance_supervisor", 201],
    ["technician", 201],
  ])("lets a property manager grant %s at their own property: %i", async (role, status) => {
    const person = await org.person({ homePropertyId: home.id });
    const before = await counts();
    const res = await grant(manager, { personId: person.id, role, scopeType: "property", scopeId: home.id });
    expect(res.status, res.text).toBe(status);
    if (status === 403) {
      expect(res.body.code).toBe("forbidden");
      expect(await counts()).toEqual(before);
    } else {
      expect(res.body).toMatchObject({ personId: person.id, role, scopeType: "property", scopeId: home.id });
    }
  });

  it("answers 404 to a property manager granting at another property, and writes nothing", async () => {
    const person = await org.person({ homePropertyId: elsewhere.id });
    const before = await counts();
    const res = await grant(manager, {
      personId: person.id,
      role: "technician",
      scopeType: "property",
      scopeId: elsewhere.id,
    });
    expect(res.status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it("answers 404 to a property manager granting at their property to a person of another property", async () => {
    const person = await org.person({ homePropertyId: elsewhere.id });
    const res = await grant(manager, {
      personId: person.id,
      role: "technician",
      scopeType: "property",
      scopeId: home.id,
    });
    expect(res.status).toBe(404);
  });

  it("answers 403 to a property manager granting organization-wide or for a region, even a vendor", async () => {
    const person = await org.person({ homePropertyId: home.id });
    const region = await org.region();
    const before = await counts();
    expect((await grant(manager, { personId: person.id, role: "vendor", scopeType: "organization" })).status).toBe(403);
    expect(
      (await grant(manager, { personId: person.id, role: "vendor", scopeType: "region", scopeId: region.id })).status,
    ).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it.each<Role>(["vendor", "technician", "administrator"])(
    "lets a technician grant nothing, not even %s",
    async (role) => {
      const person = await org.person({ homePropertyId: home.id });
      const before = await counts();
      const res = await grant(technician, { personId: person.id, role, scopeType: "property", scopeId: home.id });
      expect([403, 404]).toContain(res.status);
      expect(await counts()).toEqual(before);
    },
  );

  it("lets an executive make executives but not administrators", async () => {
    const exec = await org.user("executive", { type: "organization", id: null });
    const client = await server.client().login(exec.email, exec.password);
    const person = await org.person();
    expect(
      (await grant(client, { personId: person.id, role: "administrator", scopeType: "organization" })).status,
    ).toBe(403);
    expect((await grant(client, { personId: person.id, role: "executive", scopeType: "organization" })).status).toBe(
      201,
    );
  });

  it("answers 409 for a role the person already holds there", async () => {
    const person = await org.person({ homePropertyId: home.id });
    const body = { personId: person.id, role: "technician", scopeType: "property", scopeId: home.id };
    expect((await grant(admin, body)).status).toBe(201);
    const before = await counts();
    const again = await grant(admin, body);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "conflict", field: "role" });
    expect(await counts()).toEqual(before);
  });

  it.each([
    [{ scopeType: "property" }, "scopeId"],
    [{ scopeType: "organization", scopeId: "anything" }, "scopeId"],
    [{ scopeType: "property", scopeId: "no-such-property" }, "scopeId"],
    [{ scopeType: "galaxy" }, "scopeType"],
  ])("answers 400 for the scope %j, naming %s", async (scope, field) => {
    const person = await org.person();
    const res = await grant(admin, { personId: person.id, role: "technician", ...scope });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_input", field });
  });

  it("answers 400 for a person who is inactive", async () => {
    const person = await org.person({ homePropertyId: home.id });
    await admin.post(`/api/v1/people/${person.id}/deactivate`, { reason: "left" });
    const res = await grant(admin, {
      personId: person.id,
      role: "technician",
      scopeType: "property",
      scopeId: home.id,
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("personId");
  });

  it("takes effect at the grantee's next request, and a revocation too", async () => {
    const u = await org.user("vendor", { type: "property", id: home.id });
    const client = await server.client().login(u.email, u.password);
    expect((await client.get("/api/v1/units")).status).toBe(403);
    const granted = await grant(admin, {
      personId: u.person.id,
      role: "technician",
      scopeType: "property",
      scopeId: home.id,
    });
    expect((await client.get("/api/v1/units")).status).toBe(200);
    await admin.patch(`/api/v1/role-assignments/${granted.body.id}`, { status: "revoked" });
    expect((await client.get("/api/v1/units")).status).toBe(403);
  });
});

describe("PATCH /api/v1/role-assignments/:id", () => {
  it("answers 404 to a property manager revoking an executive's organization-wide role, and changes nothing", async () => {
    const exec = await org.user("executive", { type: "organization", id: null });
    const [assignment] = await server.services.db
      .selectFrom("role_assignments")
      .selectAll()
      .where("person_id", "=", exec.person.id)
      .execute();
    const res = await manager.patch<ErrorBody>(`/api/v1/role-assignments/${assignment?.id}`, { status: "revoked" });
    // Organization-wide grants are not a property manager's to read, let alone revoke.
    expect(res.status).toBe(404);
    expect(await rowOf(server.services.db, "role_assignments", String(assignment?.id))).toEqual(assignment);
  });

  it("answers 403 to a property manager restoring a revoked administrator role at their property", async () => {
    const person = await org.person({ homePropertyId: home.id });
    const granted = await grant(admin, {
      personId: person.id,
      role: "administrator",
      scopeType: "property",
      scopeId: home.id,
    });
    expect((await admin.patch(`/api/v1/role-assignments/${granted.body.id}`, { status: "revoked" })).status).toBe(200);
    const res = await manager.patch(`/api/v1/role-assignments/${granted.body.id}`, { status: "active" });
    expect(res.status).toBe(403);
    expect((await rowOf(server.services.db, "role_assignments", granted.body.id))?.status).toBe("revoked");
  });

  it("does not let an administrator revoke their own administrator role", async () => {
    const [own] = await server.services.db
      .selectFrom("role_assignments")
      .select("id")
      .where("person_id", "=", org.admin.personId)
      .execute();
    const res = await admin.patch<ErrorBody>(`/api/v1/role-assignments/${own?.id}`, { status: "revoked" });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("status");
  });
});

describe("taking over a login of someone above you", () => {
  let executive: { person: Rec; userId: string; email: string };

  beforeAll(async () => {
    // an executive whose home is the property manager's property: visible to them, but above them
    executive = await org.user("executive", { type: "organization", id: null }, { homePropertyId: home.id });
  });

  it("PATCH /api/v1/users/:id answers 403 to a property manager changing an executive's password", async () => {
    const before = await rowOf(server.services.db, "users", executive.userId);
    const res = await manager.patch<ErrorBody>(`/api/v1/users/${executive.userId}`, {
      password: "the manager now knows this one",
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("forbidden");
    expect(await rowOf(server.services.db, "users", executive.userId)).toEqual(before);
    expect(
      (await server.client().post("/api/v1/auth/login", { email: executive.email, password: TEST_PASSWORD })).status,
    ).toBe(200);
  });

  it("PATCH /api/v1/users/:id answers 403 to a property manager changing an executive's e-mail", async () => {
    const res = await manager.patch(`/api/v1/users/${executive.userId}`, {
      email: "inbox-of-the-manager@example.test",
    });
    expect(res.status).toBe(403);
  });

  it("POST /api/v1/users/:id/deactivate answers 403 to a property manager", async () => {
    const res = await manager.post(`/api/v1/users/${executive.userId}/deactivate`);
    expect(res.status).toBe(403);
    expect((await rowOf(server.services.db, "users", executive.userId))?.status).toBe("active");
  });

  it("POST /api/v1/people/:id/deactivate answers 403 to a property manager", async () => {
    const res = await manager.post(`/api/v1/people/${executive.person.id}/deactivate`, { reason: "coup" });
    expect(res.status).toBe(403);
    expect((await rowOf(server.services.db, "people", executive.person.id))?.status).toBe("active");
  });

  it("POST /api/v1/users answers 403 to a property manager giving a login to a person who holds a higher role", async () => {
    const person = await org.person({ homePropertyId: home.id });
    await grant(admin, { personId: person.id, role: "regional_manager", scopeType: "property", scopeId: home.id });
    const before = await counts();
    const res = await manager.post("/api/v1/users", {
      personId: person.id,
      email: "borrowed-identity@example.test",
      password: TEST_PASSWORD,
    });
    expect(res.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it("POST /api/v1/credentials/:id/reset-pin and issuing a badge answer 403 to a property manager", async () => {
    const pin = await admin.post<{ credential: Rec }>(`/api/v1/people/${executive.person.id}/credentials`, {
      kind: "pin",
    });
    expect(pin.status).toBe(201);
    const before = await counts();
    expect((await manager.post(`/api/v1/credentials/${pin.body.credential.id}/reset-pin`)).status).toBe(403);
    expect(
      (await manager.post(`/api/v1/people/${executive.person.id}/credentials`, { kind: "badge", badgeNumber: "EXEC1" }))
        .status,
    ).toBe(403);
    expect((await manager.patch(`/api/v1/credentials/${pin.body.credential.id}`, { status: "disabled" })).status).toBe(
      403,
    );
    expect(await counts()).toEqual(before);
  });

  it("still lets the property manager manage a technician of their property, and an administrator the executive", async () => {
    const tech = await org.user("technician", { type: "property", id: home.id });
    expect(
      (await manager.patch(`/api/v1/users/${tech.userId}`, { password: "a fresh technician phrase" })).status,
    ).toBe(200);
    expect((await admin.patch(`/api/v1/users/${executive.userId}`, { email: "exec@example.test" })).status).toBe(200);
  });
});

describe("PATCH /api/v1/users/:id", () => {
  it("ends the login's other sessions when its password changes, and keeps the changer's", async () => {
    const u = await org.user("technician", { type: "property", id: home.id });
    const session = await server.client().login(u.email, u.password);
    const res = await admin.patch(`/api/v1/users/${u.userId}`, { password: "another long passphrase" });
    expect(res.status).toBe(200);
    expect((await session.get("/api/v1/auth/me")).status).toBe(401);
    expect((await admin.get("/api/v1/auth/me")).status).toBe(200);
    expect(
      (await server.client().post("/api/v1/auth/login", { email: u.email, password: "another long passphrase" }))
        .status,
    ).toBe(200);
  });

  it.each([
    ["short", /at least 8 characters/],
    ["password", /most commonly used/],
  ])("answers 400 naming the password for %j, and changes nothing", async (password, says) => {
    const u = await org.user("technician", { type: "property", id: home.id });
    const before = await rowOf(server.services.db, "users", u.userId);
    const res = await admin.patch<ErrorBody>(`/api/v1/users/${u.userId}`, { password });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_input", field: "password" });
    expect(res.body.message).toMatch(says);
    expect(await rowOf(server.services.db, "users", u.userId)).toEqual(before);
  });
});

describe("POST /api/v1/users/:id/deactivate", () => {
  it("ends the login's sessions at once; reactivation lets it sign in again", async () => {
    const u = await org.user("technician", { type: "property", id: home.id });
    const session = await server.client().login(u.email, u.password);
    expect((await admin.post(`/api/v1/users/${u.userId}/deactivate`)).status).toBe(200);
    expect((await session.get("/api/v1/auth/me")).status).toBe(401);
    const login = { email: u.email, password: u.password };
    expect((await server.client().post("/api/v1/auth/login", login)).status).toBe(401);
    expect((await admin.post(`/api/v1/users/${u.userId}/reactivate`)).status).toBe(200);
    expect((await server.client().post("/api/v1/auth/login", login)).status).toBe(200);
  });

  it("does not let a user deactivate their own login", async () => {
    const res = await admin.post<ErrorBody>(`/api/v1/users/${org.admin.userId}/deactivate`);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("id");
  });
});
