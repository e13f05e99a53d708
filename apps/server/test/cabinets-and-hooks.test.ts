/**
 * Cabinets and their hooks: a cabinet is built with all its hooks, and a hook holds at most one key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiEvent, countOf, countsOf } from "./db-probes.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };
interface Hook {
  id: string;
  cabinetId: string;
  number: number;
  module: number;
  status: "active" | "disabled";
  keyId: string | null;
  keyLabel: string | null;
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

async function hooksOf(cabinetId: string): Promise<Hook[]> {
  const res = await admin.get<{ items: Hook[] }>(`/api/v1/cabinets/${cabinetId}/hooks`);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe("POST /api/v1/cabinets", () => {
  it("builds modules × hooksPerModule hooks, numbered through the modules", async () => {
    const res = await admin.post<Rec>("/api/v1/cabinets", {
      propertyId,
      name: "Double",
      modules: 2,
      hooksPerModule: 7,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      modules: 2,
      hooksPerModule: 7,
      hookCount: 14,
      status: "pending",
      enrolled: false,
    });
    const hooks = await hooksOf(res.body.id);
    expect(hooks.map((h) => [h.number, h.module])).toEqual(
      Array.from({ length: 14 }, (_, i) => [i + 1, i < 7 ? 1 : 2]),
    );
    expect(hooks.every((h) => h.status === "active" && h.keyId === null)).toBe(true);
  });

  it("builds 50 hooks on one module by default, and 1000 for the largest cabinet", async () => {
    const before = await countOf(server.services.db, "hooks");
    const small = await admin.post<Rec>("/api/v1/cabinets", { propertyId, name: "Default" });
    expect(small.body.hookCount).toBe(50);
    const large = await admin.post<Rec>("/api/v1/cabinets", {
      propertyId,
      name: "Largest",
      modules: 2,
      hooksPerModule: 500,
    });
    expect(large.body.hookCount).toBe(1000);
    expect(await countOf(server.services.db, "hooks")).toBe(before + 1050);
    expect((await hooksOf(large.body.id)).at(-1)).toMatchObject({ number: 1000, module: 2 });
  });

  it("answers 409 for a second cabinet of the same name at the property, building no hooks", async () => {
    await org.cabinet(propertyId, { name: "Lobby" });
    const before = await countsOf(server.services.db, ["cabinets", "hooks"]);
    const res = await admin.post<{ code: string; field: string }>("/api/v1/cabinets", { propertyId, name: "Lobby" });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "conflict", field: "name" });
    expect(await countsOf(server.services.db, ["cabinets", "hooks"])).toEqual(before);
  });
});

describe("keys on hooks", () => {
  let cabinet: Rec;
  beforeAll(async () => {
    cabinet = await org.cabinet(propertyId, { hooksPerModule: 6 });
  });

  it("shows the key a hook holds", async () => {
    const key = await org.key(propertyId, { label: "Unit 101", cabinetId: cabinet.id, hookNumber: 2 });
    const hook = (await hooksOf(cabinet.id)).find((h) => h.number === 2);
    expect(hook).toMatchObject({ keyId: key.id, keyLabel: "Unit 101" });
  });

  it("answers 409 for a key on a hook another key holds, and writes nothing", async () => {
    await org.key(propertyId, { cabinetId: cabinet.id, hookNumber: 3 });
    const before = await countsOf(server.services.db, ["keys"]);
    const res = await admin.post<{ code: string; field: string; message: string }>("/api/v1/keys", {
      propertyId,
      label: "Intruder",
      tagCode: "HOOK-3-B",
      cabinetId: cabinet.id,
      hookNumber: 3,
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "conflict", field: "cabinetId,hookNumber" });
    expect(res.body.message).toBe("Hook 3 of that cabinet already holds another key.");
    expect(await countsOf(server.services.db, ["keys"])).toEqual(before);
  });

  it("answers 409 for moving a key onto a taken hook, and frees a hook when its key leaves", async () => {
    const first = await org.key(propertyId, { cabinetId: cabinet.id, hookNumber: 4 });
    const second = await org.key(propertyId, { cabinetId: cabinet.id, hookNumber: 5 });
    const move = await admin.patch(`/api/v1/keys/${second.id}`, { hookNumber: 4 });
    expect(move.status).toBe(409);
    const out = await admin.patch<Rec>(`/api/v1/keys/${first.id}`, {
      cabinetId: null,
      hookNumber: null,
      status: "out",
    });
    expect(out.status).toBe(200);
    expect((await hooksOf(cabinet.id)).find((h) => h.number === 4)?.keyId).toBeNull();
    expect((await admin.patch<Rec>(`/api/v1/keys/${second.id}`, { hookNumber: 4 })).body.hookNumber).toBe(4);
  });

  it("answers 400 for a key on a hook that is out, or not in", async () => {
    const res = await admin.post<{ field: string }>("/api/v1/keys", {
      propertyId,
      label: "Lent",
      tagCode: "HOOK-6-OUT",
      cabinetId: cabinet.id,
      hookNumber: 6,
      status: "out",
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("status");
  });

  it("lets only one of several keys sent at once onto the same hook", async () => {
    const target = await org.cabinet(propertyId, { hooksPerModule: 2 });
    const before = await countOf(server.services.db, "keys");
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        admin.post("/api/v1/keys", {
          propertyId,
          label: `Racer ${i}`,
          tagCode: `RACE-${i}`,
          cabinetId: target.id,
          hookNumber: 1,
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const refused of results.filter((r) => r.status === 409)) {
      expect(refused.body).toMatchObject({ code: "conflict", field: "cabinetId,hookNumber" });
    }
    expect(await countOf(server.services.db, "keys")).toBe(before + 1);
  });
});

describe("PATCH /api/v1/cabinets/:id/hooks/:number", () => {
  it("disables a free hook and records it; enabling it again records that too", async () => {
    const cabinet = await org.cabinet(propertyId, { hooksPerModule: 3 });
    const res = await admin.patch<Hook>(`/api/v1/cabinets/${cabinet.id}/hooks/2`, { status: "disabled" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ number: 2, status: "disabled" });
    expect((await hooksOf(cabinet.id)).map((h) => h.status)).toEqual(["active", "disabled", "active"]);
    await admin.patch(`/api/v1/cabinets/${cabinet.id}/hooks/2`, { status: "active" });
    const events = await admin.get<{ items: ApiEvent[] }>(`/api/v1/events?entityId=${res.body.id}&sort=seq`);
    expect(events.body.items.map((e) => [e.action, e.after?.status])).toEqual([
      ["hook.updated", "disabled"],
      ["hook.updated", "active"],
    ]);
  });

  it("answers 400 for disabling a hook that holds a key, and changes nothing", async () => {
    const cabinet = await org.cabinet(propertyId, { hooksPerModule: 3 });
    await org.key(propertyId, { label: "Pool gate", cabinetId: cabinet.id, hookNumber: 1 });
    const before = await countsOf(server.services.db, ["hooks"]);
    const res = await admin.patch<{ field: string; message: string }>(`/api/v1/cabinets/${cabinet.id}/hooks/1`, {
      status: "disabled",
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("status");
    expect(res.body.message).toContain("Pool gate");
    expect((await hooksOf(cabinet.id))[0]?.status).toBe("active");
    expect(await countsOf(server.services.db, ["hooks"])).toEqual(before);
  });

  it("answers 404 for a hook the cabinet does not have, and 400 for a status that does not exist", async () => {
    const cabinet = await org.cabinet(propertyId, { hooksPerModule: 3 });
    expect((await admin.patch(`/api/v1/cabinets/${cabinet.id}/hooks/4`, { status: "disabled" })).status).toBe(404);
    const bad = await admin.patch<{ field: string }>(`/api/v1/cabinets/${cabinet.id}/hooks/1`, { status: "broken" });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("status");
  });
});
