import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Factory, TEST_PASSWORD } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;
let org: Factory;
let admin: ApiClient;
let propertyId: string;

interface Issued {
  credential: { id: string; pinState: string | null };
  activationCode: string | null;
}

beforeAll(async () => {
  server = await startTestServer();
  org = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(org.admin.email, TEST_PASSWORD);
  propertyId = (await org.property()).id;
});
afterAll(() => server.close());

async function issuePin(): Promise<Issued> {
  const person = await org.person({ homePropertyId: propertyId });
  const res = await admin.post<Issued>(`/api/v1/people/${person.id}/credentials`, { kind: "pin" });
  expect(res.status).toBe(201);
  return res.body;
}

describe("POST /api/v1/pin-activations", () => {
  it("lets the owner choose a PIN once with the activation code; the manager never sees it", async () => {
    const issued = await issuePin();
    expect(issued.activationCode).toMatch(/^\d{10}$/);
    expect(issued.credential.pinState).toBe("activation_pending");
    const body = { credentialId: issued.credential.id, activationCode: issued.activationCode, pin: "480151" };
    const res = await server.client().post("/api/v1/pin-activations", body);
    expect(res.status).toBe(200);
    const after = await admin.get<Record<string, unknown>>(`/api/v1/credentials/${issued.credential.id}`);
    expect(after.body.pinState).toBe("set");
    expect(JSON.stringify(after.body)).not.toContain("480151");
    expect(Object.keys(after.body).some((k) => /hash/i.test(k))).toBe(false);
    const again = await server.client().post<{ field: string }>("/api/v1/pin-activations", body);
    expect(again.status).toBe(400);
    expect(again.body.field).toBe("activationCode");
  });

  it.each([
    ["000000", "repeats"],
    ["123456", "consecutive"],
    ["987654", "consecutive"],
    ["12345", "at least 6"],
    ["12a456", "digits only"],
  ])("refuses the trivial PIN %s and names the rule", async (pin, words) => {
    const issued = await issuePin();
    const res = await server
      .client()
      .post<{ code: string; field: string; message: string }>("/api/v1/pin-activations", {
        credentialId: issued.credential.id,
        activationCode: issued.activationCode,
        pin,
      });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("pin");
    expect(res.body.message).toContain(words);
  });

  it("follows the organization's minimum length, never below 4", async () => {
    expect((await admin.patch("/api/v1/organization", { settings: { pinMinLength: 4 } })).status).toBe(200);
    expect((await admin.patch("/api/v1/organization", { settings: { pinMinLength: 3 } })).status).toBe(400);
    const issued = await issuePin();
    const res = await server.client().post("/api/v1/pin-activations", {
      credentialId: issued.credential.id,
      activationCode: issued.activationCode,
      pin: "4815",
    });
    expect(res.status).toBe(200);
    expect((await admin.patch("/api/v1/organization", { settings: { pinMinLength: 6 } })).status).toBe(200);
  });

  it("locks a credential after five wrong codes, and an expired code never works", async () => {
    const issued = await issuePin();
    const wrong = issued.activationCode === "0000000000" ? "1111111111" : "0000000000";
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await server
        .client()
        .post("/api/v1/pin-activations", { credentialId: issued.credential.id, activationCode: wrong, pin: "480151" });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    const fresh = await issuePin();
    server.clock.advance(8 * 24 * 3_600_000);
    const expired = await server.client().post("/api/v1/pin-activations", {
      credentialId: fresh.credential.id,
      activationCode: fresh.activationCode,
      pin: "480151",
    });
    expect(expired.status).toBe(400);
  });
});
