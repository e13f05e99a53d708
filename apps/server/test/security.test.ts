/**
 * Regressions for the findings of the first security review: each case failed before its fix.
 */
import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Factory, TEST_PASSWORD } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;
let org: Factory;
let admin: ApiClient;
let property: { id: string };

beforeAll(async () => {
  server = await startTestServer();
  org = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(org.admin.email, TEST_PASSWORD);
  property = await org.property();
});
afterAll(() => server.close());

describe("TOTP re-enrolment", () => {
  it("needs a current code, and never switches off the authenticator in use", async () => {
    const u = await org.user("office_staff", { type: "property", id: property.id });
    const c = await server.client().login(u.email, u.password);
    const setup = await c.post<{ secret: string }>("/api/v1/auth/totp/setup");
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(setup.body.secret) });
    expect(
      (await c.post("/api/v1/auth/totp/confirm", { code: totp.generate({ timestamp: server.clock.ms }) })).status,
    ).toBe(200);
    const hijack = await c.post<{ field: string }>("/api/v1/auth/totp/setup");
    expect(hijack.status).toBe(400);
    expect(hijack.body.field).toBe("code");
    const login = await server
      .client()
      .post<{ code: string }>("/api/v1/auth/login", { email: u.email, password: u.password });
    expect(login.body.code).toBe("totp_required");
  });
});

describe("sign-in throttling", () => {
  it("lets no more than the cap of parallel guesses be checked", async () => {
    const u = await org.user("technician", { type: "property", id: property.id });
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () =>
        server
          .client()
          .post("/api/v1/auth/login", { email: u.email, password: "wrong password" })
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
  });
});

describe("property managers", () => {
  it("cannot move their property out of its region", async () => {
    const r1 = await org.region();
    const r2 = await org.region();
    const p = await org.property({ regionId: r1.id });
    const manager = await org.user("property_manager", { type: "property", id: p.id });
    const c = await server.client().login(manager.email, manager.password);
    expect((await c.patch(`/api/v1/properties/${p.id}`, { regionId: r2.id })).status).toBe(403);
    expect((await c.patch(`/api/v1/properties/${p.id}`, { status: "archived" })).status).toBe(403);
    expect((await c.patch(`/api/v1/properties/${p.id}`, { name: "Renamed" })).status).toBe(200);
    expect((await admin.patch(`/api/v1/properties/${p.id}`, { regionId: r2.id })).status).toBe(200);
  });
});

describe("organization-wide staff", () => {
  it("keep their badges, logins and grants from a property's staff", async () => {
    const exec = await org.user("executive", { type: "organization", id: null });
    await admin.post(`/api/v1/people/${exec.person.id}/credentials`, { kind: "badge", badgeNumber: "EXEC0001" });
    const office = await org.user("office_staff", { type: "property", id: property.id });
    const c = await server.client().login(office.email, office.password);
    const creds = await c.get<{ items: unknown[] }>(`/api/v1/credentials?personId=${exec.person.id}`);
    expect(creds.status === 403 || creds.body.items.length === 0).toBe(true);
    expect((await c.get(`/api/v1/people/${exec.person.id}`)).status).toBe(404);
    const grants = await c.get<{ items: { personId: string }[] }>("/api/v1/role-assignments?limit=500");
    expect(grants.body.items.some((g) => g.personId === exec.person.id)).toBe(false);
  });

  it("cannot be edited by staff ranked below them", async () => {
    const chief = await org.user("administrator", { type: "property", id: property.id });
    const office = await org.user("office_staff", { type: "property", id: property.id });
    const c = await server.client().login(office.email, office.password);
    const res = await c.patch(`/api/v1/people/${chief.person.id}`, { endDate: "2020-01-01" });
    expect(res.status).toBe(403);
    const after = await admin.get<{ endDate: string | null }>(`/api/v1/people/${chief.person.id}`);
    expect(after.body.endDate).toBeNull();
  });
});

describe("sessions under a TOTP policy", () => {
  it("restrict a session as soon as its user is promoted to a role the policy covers", async () => {
    const other = await Factory.organization(server.services.db, server.clock.now);
    const otherAdmin = await server.client().login(other.admin.email, TEST_PASSWORD);
    await otherAdmin.patch("/api/v1/organization", { settings: { requireTotpForManagers: true } });
    const p = await other.property();
    const tech = await other.user("technician", { type: "property", id: p.id });
    const c = await server.client().login(tech.email, tech.password);
    expect((await c.get("/api/v1/units")).status).toBe(200);
    // The administrator is restricted by the same policy, so the grant is made by the system.
    await other.grant(tech.person.id, "property_manager", { type: "property", id: p.id });
    const res = await c.get<{ code: string }>("/api/v1/units");
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("totp_enrollment_required");
  });
});

describe("GET /api/v1/events", () => {
  it("leaves out events about entities the reader's role may not read", async () => {
    const office = await org.user("office_staff", { type: "property", id: property.id });
    const c = await server.client().login(office.email, office.password);
    const res = await c.get<{ items: { entityType: string }[] }>("/api/v1/events?limit=500");
    expect(res.status).toBe(200);
    expect(res.body.items.some((e) => e.entityType === "user")).toBe(false);
    expect((await c.get("/api/v1/events?entityType=user")).body).toEqual({ items: [], nextCursor: null });
  });
});

describe("POST /api/v1/users", () => {
  it("gives a person one login even when several are created at once", async () => {
    const person = await org.person({ homePropertyId: property.id });
    const statuses = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        admin
          .post("/api/v1/users", {
            personId: person.id,
            email: `twin-${n}-${person.id}@example.test`,
            password: TEST_PASSWORD,
          })
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(3);
  });
});

describe("PATCH /api/v1/users/:id on one's own login", () => {
  it("is open to every role, and needs the current password to choose a new one", async () => {
    const u = await org.user("technician", { type: "property", id: property.id });
    const c = await server.client().login(u.email, u.password);
    const without = await c.patch<{ field: string }>(`/api/v1/users/${u.userId}`, {
      password: "a brand new passphrase",
    });
    expect(without.status).toBe(400);
    expect(without.body.field).toBe("currentPassword");
    const wrong = await c.patch(`/api/v1/users/${u.userId}`, {
      password: "a brand new passphrase",
      currentPassword: "nope",
    });
    expect(wrong.status).toBe(400);
    const right = await c.patch(`/api/v1/users/${u.userId}`, {
      password: "a brand new passphrase",
      currentPassword: u.password,
    });
    expect(right.status).toBe(200);
    expect((await c.patch(`/api/v1/users/${u.userId}`, { email: "elsewhere@example.test" })).status).toBe(404);
  });
});

describe("lists", () => {
  it("answer 400 to a cursor whose value does not fit the sort column, on both databases", async () => {
    const forged = Buffer.from(JSON.stringify(["abc", "x"])).toString("base64url");
    const res = await admin.get<{ field: string }>(`/api/v1/reason-codes?sort=sortOrder&cursor=${forged}`);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("cursor");
    expect((await admin.get(`/api/v1/events?cursor=${forged}`)).status).toBe(400);
    const instant = Buffer.from(JSON.stringify(["not a time", "x"])).toString("base64url");
    expect((await admin.get(`/api/v1/units?sort=createdAt&cursor=${instant}`)).status).toBe(400);
  });

  it("search beyond ASCII the same way on SQLite and PostgreSQL", async () => {
    await org.person({ homePropertyId: property.id, firstName: "Ángel", lastName: "Muñoz" });
    const res = await admin.get<{ items: { firstName: string }[] }>("/api/v1/people?q=%C3%A1ngel");
    expect(res.body.items.map((p) => p.firstName)).toContain("Ángel");
    const upper = await admin.get<{ items: { lastName: string }[] }>("/api/v1/people?q=MU%C3%91OZ");
    expect(upper.body.items.map((p) => p.lastName)).toContain("Muñoz");
  });
});

describe("POST /api/v1/properties", () => {
  it("keeps property codes to characters that are safe in file names and headers", async () => {
    const res = await admin.post<{ field: string }>("/api/v1/properties", {
      name: "Quoted",
      code: 'A"B',
      timeZone: "America/Chicago",
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("code");
  });
});
