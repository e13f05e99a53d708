/**
 * People's special acts and their credentials: deactivation stops everything at once; a PIN's activation code is
 * shown once and no hash ever leaves the server.
 */
import { Credential } from "@keyward/contracts/resources";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiEvent, countsOf, rowOf } from "./db-probes.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };
interface Issued {
  credential: Rec;
  activationCode: string | null;
  activationExpiresAt: string | null;
}

let server: TestServer;
let org: Factory;
let admin: ApiClient;
let propertyId: string;

beforeAll(async () => {
  server = await startTestServer();
  org = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(org.admin.email, org.admin.password);
  propertyId = (await org.property()).id;
});
afterAll(() => server.close());

async function issue(personId: string, body: Record<string, unknown>): Promise<Issued> {
  const res = await admin.post<Issued>(`/api/v1/people/${personId}/credentials`, body);
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const CREDENTIAL_FIELDS = Object.keys(Credential.shape).sort();

describe("POST /api/v1/people/:id/deactivate", () => {
  it("disables every live credential, deactivates the login and ends its sessions, in one go", async () => {
    const u = await org.user("technician", { type: "property", id: propertyId });
    const badge = await issue(u.person.id, { kind: "badge", badgeNumber: "D100" });
    const pin = await issue(u.person.id, { kind: "pin" });
    const old = await issue(u.person.id, { kind: "badge", badgeNumber: "D099" });
    await admin.patch(`/api/v1/credentials/${old.credential.id}`, { status: "revoked" });
    const session = await server.client().login(u.email, u.password);
    expect((await session.get("/api/v1/auth/me")).status).toBe(200);
    const before = await countsOf(server.services.db, ["people", "credentials", "users"]);

    server.clock.advance(60_000);
    const res = await admin.post<Rec>(`/api/v1/people/${u.person.id}/deactivate`, { reason: "left the company" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ status: "inactive", deactivatedAt: server.clock.now().toISOString() });

    // one event per change: the person, each credential, the login
    const after = await countsOf(server.services.db, ["people", "credentials", "users"]);
    expect(after.events).toBe((before.events ?? 0) + 4);

    const statusOf = async (id: string) => (await rowOf(server.services.db, "credentials", id))?.status;
    expect(await statusOf(badge.credential.id)).toBe("disabled");
    expect(await statusOf(pin.credential.id)).toBe("disabled");
    expect(await statusOf(old.credential.id)).toBe("revoked");
    expect((await rowOf(server.services.db, "users", u.userId))?.status).toBe("inactive");
    const sessions = await server.services.db
      .selectFrom("sessions")
      .selectAll()
      .where("user_id", "=", u.userId)
      .execute();
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.ended_at !== null)).toBe(true);
    expect(sessions.at(-1)?.end_reason).toBe("deactivated");
    expect((await session.get("/api/v1/auth/me")).status).toBe(401);
    expect((await server.client().post("/api/v1/auth/login", { email: u.email, password: u.password })).status).toBe(
      401,
    );

    const events = await admin.get<{ items: ApiEvent[] }>(`/api/v1/events?entityId=${u.person.id}`);
    expect(events.body.items[0]).toMatchObject({
      action: "person.deactivated",
      before: { status: "active" },
      after: { status: "inactive", reason: "left the company" },
      actor: { id: org.admin.userId },
    });
  });

  it("answers 400 for a person already inactive, and for oneself, writing nothing", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    expect((await admin.post(`/api/v1/people/${person.id}/deactivate`, { reason: "first" })).status).toBe(200);
    const before = await countsOf(server.services.db, ["people"]);
    const again = await admin.post<{ field: string }>(`/api/v1/people/${person.id}/deactivate`, { reason: "again" });
    expect(again.status).toBe(400);
    expect(again.body.field).toBe("status");
    const self = await admin.post<{ field: string }>(`/api/v1/people/${org.admin.personId}/deactivate`, {
      reason: "x",
    });
    expect(self.status).toBe(400);
    expect(self.body.field).toBe("id");
    expect(await countsOf(server.services.db, ["people"])).toEqual(before);
  });

  it("answers 400 naming the reason when none is given", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const res = await admin.post<{ field: string }>(`/api/v1/people/${person.id}/deactivate`, { reason: " " });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("reason");
    expect((await rowOf(server.services.db, "people", person.id))?.status).toBe("active");
  });
});

describe("POST /api/v1/people/:id/reactivate", () => {
  it("makes the person active again while their credentials and login stay off until re-enabled", async () => {
    const u = await org.user("technician", { type: "property", id: propertyId });
    const badge = await issue(u.person.id, { kind: "badge", badgeNumber: "R200" });
    await admin.post(`/api/v1/people/${u.person.id}/deactivate`, { reason: "leave" });
    const res = await admin.post<Rec>(`/api/v1/people/${u.person.id}/reactivate`, { reason: "back from leave" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "active", deactivatedAt: null });
    expect((await rowOf(server.services.db, "credentials", badge.credential.id))?.status).toBe("disabled");
    expect((await rowOf(server.services.db, "users", u.userId))?.status).toBe("inactive");
    expect(
      (await admin.patch<Rec>(`/api/v1/credentials/${badge.credential.id}`, { status: "active" })).body.status,
    ).toBe("active");
  });
});

describe("POST /api/v1/people/:id/credentials", () => {
  it("issues a PIN as a one-time activation code, valid seven days, and stores only its hash", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const res = await admin.post<Issued>(`/api/v1/people/${person.id}/credentials`, { kind: "pin" });
    expect(res.status).toBe(201);
    expect(res.body.activationCode).toMatch(/^\d{10}$/);
    expect(res.body.activationExpiresAt).toBe(new Date(server.clock.ms + 7 * 86_400_000).toISOString());
    expect(Object.keys(res.body.credential).sort()).toEqual(CREDENTIAL_FIELDS);
    expect(res.body.credential).toMatchObject({ kind: "pin", pinState: "activation_pending", status: "active" });
    expect(res.text).not.toMatch(/hash|argon2/i);

    const stored = await rowOf(server.services.db, "credentials", res.body.credential.id);
    expect(String(stored?.pin_activation_hash)).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(stored)).not.toContain(res.body.activationCode ?? "-");
  });

  it("never shows the activation code again, nor any hash, when the credential is read or listed", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const issued = await issue(person.id, { kind: "pin" });
    const read = await admin.get<Rec>(`/api/v1/credentials/${issued.credential.id}`);
    expect(Object.keys(read.body).sort()).toEqual(CREDENTIAL_FIELDS);
    expect(read.text).not.toContain(issued.activationCode ?? "-");
    expect(read.text).not.toMatch(/hash|argon2|activationCode/i);
    const list = await admin.get<{ items: Rec[] }>(`/api/v1/credentials?personId=${person.id}`);
    expect(list.body.items).toEqual([read.body]);
    expect(list.text).not.toMatch(/hash|argon2|activationCode/i);
  });

  it("answers 409 for a second PIN, which is reset instead", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    await issue(person.id, { kind: "pin" });
    const before = await countsOf(server.services.db, ["credentials"]);
    const res = await admin.post<{ code: string; field: string }>(`/api/v1/people/${person.id}/credentials`, {
      kind: "pin",
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "conflict", field: "kind" });
    expect(await countsOf(server.services.db, ["credentials"])).toEqual(before);
  });

  it("answers 409 for a badge the same person already holds, and frees the number once revoked", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const badge = await issue(person.id, { kind: "badge", badgeNumber: "C300" });
    const again = await admin.post<{ message: string }>(`/api/v1/people/${person.id}/credentials`, {
      kind: "badge",
      badgeNumber: "C300",
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain("already issued to this person");
    await admin.patch(`/api/v1/credentials/${badge.credential.id}`, { status: "revoked" });
    const other = await org.person({ homePropertyId: propertyId });
    expect(
      (await admin.post(`/api/v1/people/${other.id}/credentials`, { kind: "badge", badgeNumber: "C300" })).status,
    ).toBe(201);
  });

  it.each([
    [{ kind: "badge", badgeNumber: "x!" }, "badgeNumber"],
    [{ kind: "fingerprint", fingerprintRef: "reader-7/slot-2" }, "consent"],
    [{ kind: "fingerprint", fingerprintRef: "reader-7/slot-2", consent: false }, "consent"],
    [{ kind: "iris" }, "kind"],
  ])("answers 400 for %j, naming %s", async (body, field) => {
    const person = await org.person({ homePropertyId: propertyId });
    const before = await countsOf(server.services.db, ["credentials"]);
    const res = await admin.post<{ code: string; field: string }>(`/api/v1/people/${person.id}/credentials`, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_input", field });
    expect(await countsOf(server.services.db, ["credentials"])).toEqual(before);
  });

  it("records the consent to a fingerprint enrolment", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const issued = await issue(person.id, { kind: "fingerprint", fingerprintRef: "reader-7/slot-3", consent: true });
    expect(issued.credential).toMatchObject({
      kind: "fingerprint",
      fingerprintRef: "reader-7/slot-3",
      consentAt: server.clock.now().toISOString(),
    });
    expect(issued.activationCode).toBeNull();
  });

  it("answers 400 for a person who is inactive", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    await admin.post(`/api/v1/people/${person.id}/deactivate`, { reason: "gone" });
    const res = await admin.post<{ field: string }>(`/api/v1/people/${person.id}/credentials`, { kind: "pin" });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("personId");
  });
});

describe("POST /api/v1/credentials/:id/reset-pin", () => {
  it("clears the PIN and issues a new code; the old code stops working and the new one works", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const issued = await issue(person.id, { kind: "pin" });
    const id = issued.credential.id;
    const set = await server
      .client()
      .post("/api/v1/pin-activations", { credentialId: id, activationCode: issued.activationCode, pin: "480151" });
    expect(set.status).toBe(200);

    const reset = await admin.post<Issued>(`/api/v1/credentials/${id}/reset-pin`);
    expect(reset.status).toBe(200);
    expect(reset.body.activationCode).toMatch(/^\d{10}$/);
    expect(reset.body.activationCode).not.toBe(issued.activationCode);
    expect(reset.body.credential.pinState).toBe("activation_pending");
    expect((await rowOf(server.services.db, "credentials", id))?.pin_hash).toBeNull();

    const activate = (code: string | null) =>
      server.client().post("/api/v1/pin-activations", { credentialId: id, activationCode: code, pin: "735921" });
    expect((await activate(issued.activationCode)).status).toBe(400);
    expect((await activate(reset.body.activationCode)).status).toBe(200);
  });

  it("answers 400 for a badge, which has no PIN", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const badge = await issue(person.id, { kind: "badge", badgeNumber: "P400" });
    const res = await admin.post<{ field: string }>(`/api/v1/credentials/${badge.credential.id}/reset-pin`);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("id");
  });
});

describe("PATCH /api/v1/credentials/:id", () => {
  it("makes revocation final", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const badge = await issue(person.id, { kind: "badge", badgeNumber: "F500" });
    expect((await admin.patch(`/api/v1/credentials/${badge.credential.id}`, { status: "revoked" })).status).toBe(200);
    const res = await admin.patch<{ field: string }>(`/api/v1/credentials/${badge.credential.id}`, {
      status: "active",
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("status");
    expect((await rowOf(server.services.db, "credentials", badge.credential.id))?.status).toBe("revoked");
  });

  it("writes one event for a change and none for a repeat", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const badge = await issue(person.id, { kind: "badge", badgeNumber: "F600" });
    const before = await countsOf(server.services.db, ["credentials"]);
    await admin.patch(`/api/v1/credentials/${badge.credential.id}`, { status: "disabled" });
    await admin.patch(`/api/v1/credentials/${badge.credential.id}`, { status: "disabled" });
    expect((await countsOf(server.services.db, ["credentials"])).events).toBe((before.events ?? 0) + 1);
  });
});
