import * as OTPAuth from "otpauth";
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

describe("POST /api/v1/auth/login", () => {
  it("answers 200 with the user and an HttpOnly SameSite session cookie", async () => {
    const c = server.client();
    const res = await c.post<{ user: { email: string } }>("/api/v1/auth/login", {
      email: org.admin.email,
      password: TEST_PASSWORD,
    });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(org.admin.email);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^keyward_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await c.get("/api/v1/auth/me")).status).toBe(200);
  });

  it("answers 401 with the same body for an unknown e-mail and for a wrong password", async () => {
    const unknown = await server
      .client()
      .post("/api/v1/auth/login", { email: "nobody@example.test", password: TEST_PASSWORD });
    const wrong = await server
      .client()
      .post("/api/v1/auth/login", { email: org.admin.email, password: "not the password" });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
    expect(unknown.headers.get("set-cookie")).toBeNull();
  });

  it("answers 400 naming the field when the e-mail is missing", async () => {
    const res = await server.client().post<{ code: string; field: string }>("/api/v1/auth/login", { password: "x" });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_input");
    expect(res.body.field).toBe("email");
  });

  it("rotates the session token at login and ends the old one", async () => {
    const c = await server.client().login(org.admin.email, TEST_PASSWORD);
    const before = c.cookie;
    const stale = server.client();
    stale.cookie = before;
    await c.login(org.admin.email, TEST_PASSWORD);
    expect(c.cookie).not.toBe(before);
    expect((await stale.get("/api/v1/auth/me")).status).toBe(401);
    expect((await c.get("/api/v1/auth/me")).status).toBe(200);
  });

  it("slows repeated failures and caps them per account, for unknown accounts too", async () => {
    const email = `ghost-${Date.now()}@example.test`;
    server.sleeps.length = 0;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await server.client().post("/api/v1/auth/login", { email, password: "wrong-password" })).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(server.sleeps[0]).toBe(0);
    expect(server.sleeps.at(-1)).toBeGreaterThan(server.sleeps[3] ?? 0);
    server.clock.advance(16 * 60_000);
    expect((await server.client().post("/api/v1/auth/login", { email, password: "wrong-password" })).status).toBe(401);
  });
});

describe("POST /api/v1/auth/logout", () => {
  it("ends the session on the server", async () => {
    const c = await server.client().login(org.admin.email, TEST_PASSWORD);
    const token = c.cookie;
    expect((await c.post("/api/v1/auth/logout")).status).toBe(200);
    const replay = server.client();
    replay.cookie = token;
    expect((await replay.get("/api/v1/auth/me")).status).toBe(401);
  });
});

describe("sessions", () => {
  it("expire after the organization's idle time", async () => {
    const c = await server.client().login(org.admin.email, TEST_PASSWORD);
    server.clock.advance(31 * 60_000);
    expect((await c.get("/api/v1/auth/me")).status).toBe(401);
  });

  it("end at once when the person is deactivated", async () => {
    const property = await org.property();
    const tech = await org.user("technician", { type: "property", id: property.id });
    const techClient = await server.client().login(tech.email, tech.password);
    expect((await techClient.get("/api/v1/auth/me")).status).toBe(200);
    const admin = await server.client().login(org.admin.email, TEST_PASSWORD);
    const res = await admin.post(`/api/v1/people/${tech.person.id}/deactivate`, { reason: "left the company" });
    expect(res.status).toBe(200);
    expect((await techClient.get("/api/v1/auth/me")).status).toBe(401);
    expect(
      (await server.client().post("/api/v1/auth/login", { email: tech.email, password: tech.password })).status,
    ).toBe(401);
  });
});

describe("TOTP", () => {
  it("once enrolled, is required at sign-in", async () => {
    const property = await org.property();
    const u = await org.user("office_staff", { type: "property", id: property.id });
    const c = await server.client().login(u.email, u.password);
    const setup = await c.post<{ secret: string }>("/api/v1/auth/totp/setup");
    expect(setup.status).toBe(200);
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(setup.body.secret) });
    const code = totp.generate({ timestamp: server.clock.ms });
    expect((await c.post("/api/v1/auth/totp/confirm", { code: "000000" === code ? "111111" : "000000" })).status).toBe(
      400,
    );
    expect((await c.post("/api/v1/auth/totp/confirm", { code })).status).toBe(200);
    const without = await server
      .client()
      .post<{ code: string }>("/api/v1/auth/login", { email: u.email, password: u.password });
    expect(without.status).toBe(401);
    expect(without.body.code).toBe("totp_required");
    const replayed = await server.client().post<{ code: string }>("/api/v1/auth/login", {
      email: u.email,
      password: u.password,
      totp: code,
    });
    expect(replayed.body.code).toBe("totp_required");
    server.clock.advance(30_000);
    const withCode = await server.client().post("/api/v1/auth/login", {
      email: u.email,
      password: u.password,
      totp: totp.generate({ timestamp: server.clock.ms }),
    });
    expect(withCode.status).toBe(200);
  });

  it("restricts managers to enrolment when organization policy requires it", async () => {
    const other = await Factory.organization(server.services.db, server.clock.now);
    const admin = await server.client().login(other.admin.email, other.admin.password);
    expect((await admin.patch("/api/v1/organization", { settings: { requireTotpForManagers: true } })).status).toBe(
      200,
    );
    const property = await other.property();
    const manager = await other.user("property_manager", { type: "property", id: property.id });
    const tech = await other.user("technician", { type: "property", id: property.id });
    const m = await server.client().login(manager.email, manager.password);
    const me = await m.get<{ totpEnrollmentRequired: boolean }>("/api/v1/auth/me");
    expect(me.body.totpEnrollmentRequired).toBe(true);
    const blocked = await m.get<{ code: string }>("/api/v1/units");
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe("totp_enrollment_required");
    const t = await server.client().login(tech.email, tech.password);
    expect((await t.get<{ totpEnrollmentRequired: boolean }>("/api/v1/auth/me")).body.totpEnrollmentRequired).toBe(
      false,
    );
  });
});

describe("GET /api/health", () => {
  it("reports the database", async () => {
    const res = await server.client().get<{ status: string; database: string }>("/api/health");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
    expect(["sqlite", "postgres"]).toContain(res.body.database);
  });
});

describe("GET /api/openapi.json", () => {
  it("documents every route of the API", async () => {
    const res = await server.client().get<{ openapi: string; paths: Record<string, unknown> }>("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const routes = server.app.printRoutes({ commonPrefix: false });
    for (const path of [
      "/api/v1/auth/login",
      "/api/v1/units",
      "/api/v1/keys/{id}",
      "/api/v1/people/{id}/deactivate",
      "/api/v1/properties/{id}/import/{kind}",
    ]) {
      expect(Object.keys(res.body.paths)).toContain(path);
    }
    expect(routes).toContain("login");
  });
});
