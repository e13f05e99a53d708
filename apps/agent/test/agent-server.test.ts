/**
 * The agent against a real Keyward server (apps/server/test/harness.ts): enrolment, the snapshot and its stream,
 * uploads, remote release, revocation, and a stretch offline.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Checkout } from "@keyward/contracts/custody";
import type { KioskState } from "@keyward/contracts/kiosk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildApp } from "../../server/src/app.ts";
import { Factory } from "../../server/test/factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "../../server/test/harness.ts";
import { checkServerUrl, enrollAgent, InsecureServerUrl, type RunningAgent, startAgent } from "../src/agent.ts";
import { quietLogger } from "./cabinet-factory.ts";

const PIN = "483920";
const BADGE = "B7731";

interface World {
  server: TestServer;
  admin: ApiClient;
  factory: Factory;
  propertyId: string;
  cabinetId: string;
  personId: string;
  keys: { id: string; tagCode: string; hook: number }[];
  reasonId: string;
  dataDir: string;
  agent: RunningAgent;
}

let world: World | null = null;

async function setUp(keyCount = 3): Promise<World> {
  const server = await startTestServer();
  // why: the server dates its answers with the real clock (the `Date` header the agent learns its offset from)
  server.clock.ms = Date.now();
  const f = await Factory.organization(server.services.db, server.clock.now);
  const admin = await server.client().login(f.admin.email, f.admin.password);
  const property = await f.property({ timeZone: "UTC" });
  const cabinet = await f.cabinet(property.id, { hooksPerModule: 10 });
  const unit = await f.unit(property.id, { number: "101" });
  const keys: World["keys"] = [];
  for (let i = 0; i < keyCount; i += 1) {
    const key = await f.key(property.id, { unitId: unit.id, cabinetId: cabinet.id, hookNumber: i + 1 });
    keys.push({ id: key.id, tagCode: String(key.tagCode), hook: i + 1 });
  }
  const reason = await f.reasonCode({ label: "Inspection", defaultDueMinutes: 120 });
  const person = await f.person({ firstName: "Rosa", homePropertyId: property.id });
  const profile = await f.accessProfile(property.id, {
    windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "24:00" }],
  });
  expect(
    (await admin.post(`/api/v1/people/${person.id}/credentials`, { kind: "badge", badgeNumber: BADGE })).status,
  ).toBe(201);
  const pin = await admin.post<{ credential: { id: string }; activationCode: string }>(
    `/api/v1/people/${person.id}/credentials`,
    { kind: "pin" },
  );
  const activated = await server.client().post("/api/v1/pin-activations", {
    credentialId: pin.body.credential.id,
    activationCode: pin.body.activationCode,
    pin: PIN,
  });
  expect(activated.status).toBe(200);
  const assigned = await admin.post("/api/v1/profile-assignments", {
    propertyId: property.id,
    personId: person.id,
    accessProfileId: profile.id,
  });
  expect(assigned.status).toBe(201);

  const code = await admin.post<{ code: string }>(`/api/v1/cabinets/${cabinet.id}/enrollment-codes`);
  expect(code.status).toBe(201);
  const dataDir = mkdtempSync(join(tmpdir(), "keyward-agent-e2e-"));
  const enrolled = await enrollAgent({ serverUrl: server.url, code: code.body.code, dataDir });
  expect(enrolled.cabinetId).toBe(cabinet.id);
  const agent = await startAgent({ dataDir, kioskPort: 0, logger: quietLogger });
  await agent.waitForSnapshot();
  world = {
    server,
    admin,
    factory: f,
    propertyId: property.id,
    cabinetId: cabinet.id,
    personId: person.id,
    keys,
    reasonId: reason.id,
    dataDir,
    agent,
  };
  return world;
}

beforeEach(() => {
  world = null;
});
afterEach(async () => {
  if (world) {
    await world.agent.close();
    await world.server.close();
    rmSync(world.dataDir, { recursive: true, force: true });
  }
});

async function kiosk(agent: RunningAgent, path: string, body: unknown): Promise<KioskState> {
  const res = await fetch(`${agent.kioskUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as KioskState;
}

/**
 * One visit that takes `keyIds` (all of unit 101) and closes the door, through the agent's own calls; when unit 101
 * has one key to take, Find chooses it and goes straight to the reason.
 */
async function take(w: World, hooks: { id: string; hook: number }[]): Promise<void> {
  const { agent } = w;
  await agent.simulate({ type: "badge", number: BADGE });
  expect((await agent.act({ type: "pin", pin: PIN })).screen.name).toBe("choose_keys");
  const found = await agent.act({ type: "find_unit", number: "101" });
  if (found.screen.name === "choose_keys") {
    for (const k of hooks) {
      await agent.act({ type: "toggle_key", keyId: k.id });
    }
    await agent.act({ type: "confirm_keys" });
  } else {
    expect(found.screen).toMatchObject({ name: "reason", selected: hooks.map((k) => k.id) });
  }
  const state = await agent.act({ type: "reason", reasonCodeId: w.reasonId, workOrder: null });
  expect(state.screen.name).toBe("take");
  await agent.simulate({ type: "door", open: true });
  for (const k of hooks) {
    await agent.simulate({ type: "lift", hook: k.hook });
  }
  await agent.simulate({ type: "door", open: false });
}

/** One visit that returns the key with `tag`; answers the hook it was hung on. */
async function giveBack(w: World, tag: string): Promise<number> {
  const { agent } = w;
  await agent.simulate({ type: "badge", number: BADGE });
  await agent.act({ type: "pin", pin: PIN });
  await agent.act({ type: "menu", choice: "return" });
  const state = await agent.simulate({ type: "tag", code: tag });
  if (state.screen.name !== "return_hang") {
    throw new Error(`expected return_hang, got ${state.screen.name}`);
  }
  const { hook } = state.screen;
  await agent.simulate({ type: "door", open: true });
  await agent.simulate({ type: "hang", hook, tag });
  await agent.simulate({ type: "door", open: false });
  return hook;
}

async function openCheckouts(w: World): Promise<Checkout[]> {
  const res = await w.admin.get<{ items: Checkout[] }>("/api/v1/checkouts?status=open");
  expect(res.status).toBe(200);
  return res.body.items;
}

describe("the agent with a real server", () => {
  it("enrols, takes a key through the kiosk's HTTP API, and the server's keys-out board shows it", async () => {
    const w = await setUp();
    const { agent } = w;
    const idle = (await fetch(`${agent.kioskUrl}/api/kiosk/state`).then((r) => r.json())) as KioskState;
    expect(idle.screen.name).toBe("idle");
    expect(idle.online).toBe(true);

    await kiosk(agent, "/api/simulator", { type: "badge", number: BADGE });
    expect((await kiosk(agent, "/api/kiosk/actions", { type: "pin", pin: PIN })).screen.name).toBe("choose_keys");
    await kiosk(agent, "/api/kiosk/actions", { type: "find_unit", number: "101" });
    await kiosk(agent, "/api/kiosk/actions", { type: "toggle_key", keyId: w.keys[0]?.id });
    await kiosk(agent, "/api/kiosk/actions", { type: "confirm_keys" });
    const take = await kiosk(agent, "/api/kiosk/actions", {
      type: "reason",
      reasonCodeId: w.reasonId,
      workOrder: null,
    });
    expect(take.screen).toMatchObject({ name: "take", hooks: [{ hook: 1, taken: false }] });
    await kiosk(agent, "/api/simulator", { type: "door", open: true });
    await kiosk(agent, "/api/simulator", { type: "lift", hook: 1 });
    expect((await kiosk(agent, "/api/simulator", { type: "door", open: false })).screen.name).toBe("done");

    await agent.syncNow();
    expect(agent.outboxSize()).toBe(0);
    const [checkout, ...others] = await openCheckouts(w);
    expect(others).toEqual([]);
    expect(checkout).toMatchObject({
      key: { id: w.keys[0]?.id },
      holder: { id: w.personId },
      authorized: true,
      reason: { id: w.reasonId },
      hookOut: 1,
    });

    const hook = await giveBack(w, w.keys[0]?.tagCode ?? "");
    expect(hook).not.toBe(1);
    await agent.syncNow();
    expect(await openCheckouts(w)).toEqual([]);
  });

  it("closes the holderless checkout of a key lifted with nobody at the console once it hangs again", async () => {
    const w = await setUp(2);
    const [first] = w.keys;
    if (!first) {
      throw new Error("no key");
    }
    await w.agent.simulate({ type: "lift", hook: first.hook });
    await w.agent.syncNow();
    const [holderless] = await openCheckouts(w);
    expect(holderless).toMatchObject({ key: { id: first.id }, holder: null, authorized: false });
    await w.agent.simulate({ type: "hang", hook: 7, tag: first.tagCode });
    await w.agent.syncNow();
    expect(await openCheckouts(w)).toEqual([]);
    // and the next person can take it from its new hook
    await take(w, [{ id: first.id, hook: 7 }]);
    await w.agent.syncNow();
    expect((await openCheckouts(w)).map((c) => [c.key.id, c.holder?.id, c.authorized])).toEqual([
      [first.id, w.personId, true],
    ]);
  });

  it("refuses to enrol over plain http to another computer", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "keyward-agent-http-"));
    try {
      for (const serverUrl of ["http://keys.example.com", "http://10.0.0.8:8080", "ftp://127.0.0.1"]) {
        await expect(enrollAgent({ serverUrl, code: "ABCD-EFGH-JKLM", dataDir })).rejects.toThrow(InsecureServerUrl);
      }
      expect(() => checkServerUrl("https://keys.example.com")).not.toThrow();
      for (const loopback of [
        "http://127.0.0.1:8080",
        "http://127.8.9.1",
        "http://localhost:3000",
        "http://[::1]:80",
      ]) {
        expect(() => checkServerUrl(loopback)).not.toThrow();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses a malformed kiosk action with 400", async () => {
    const w = await setUp(1);
    const res = await fetch(`${w.agent.kioskUrl}/api/kiosk/actions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "pin" }),
    });
    expect(res.status).toBe(400);
  });

  it("executes a remote release sent down the stream, once, and reports it", async () => {
    const w = await setUp(1);
    const res = await w.admin.post<{ commandId: string }>(`/api/v1/cabinets/${w.cabinetId}/remote-release`, {
      reason: "Locksmith visit",
      seconds: 20,
    });
    expect(res.status).toBe(201);
    await vi.waitFor(
      () => {
        expect(w.agent.journal.eventsFrom(1, 1000).some((e) => e.type === "cabinet.remote_release_executed")).toBe(
          true,
        );
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(w.agent.simulator?.state().door.locked).toBe(false);
    const released = w.agent.journal.eventsFrom(1, 1000).filter((e) => e.type === "door.released");
    expect(released.map((e) => e.data)).toEqual([
      { visitId: null, personId: null, purpose: "remote_release", commandId: res.body.commandId },
    ]);
    await w.agent.syncNow();
    await vi.waitFor(
      async () => {
        const status = await w.admin.get<{ status: string }>(
          `/api/v1/cabinets/${w.cabinetId}/remote-releases/${res.body.commandId}`,
        );
        expect(status.body.status).toBe("executed");
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it("refuses a person deactivated while the cabinet is online, as soon as the new snapshot lands", async () => {
    const w = await setUp(1);
    const version = w.agent.state().snapshot.version ?? 0;
    const res = await w.admin.post(`/api/v1/people/${w.personId}/deactivate`, { reason: "Left the company" });
    expect(res.status).toBe(200);
    await w.agent.waitForSnapshot(version + 1);
    const state = await w.agent.simulate({ type: "badge", number: BADGE });
    expect(state.screen.name).toBe("denied");
    expect(state.feedback?.tone).toBe("refuse");
  });

  it("makes a person wait at a second cabinet after five wrong PINs at the first", async () => {
    const w = await setUp(1);
    const second = await w.factory.cabinet(w.propertyId, { hooksPerModule: 10 });
    const code = await w.admin.post<{ code: string }>(`/api/v1/cabinets/${second.id}/enrollment-codes`);
    const dataDir = mkdtempSync(join(tmpdir(), "keyward-agent-e2e-"));
    await enrollAgent({ serverUrl: w.server.url, code: code.body.code, dataDir });
    const b = await startAgent({ dataDir, kioskPort: 0, logger: quietLogger });
    try {
      await b.waitForSnapshot();
      await w.agent.simulate({ type: "badge", number: BADGE });
      for (let i = 0; i < 5; i += 1) {
        await w.agent.act({ type: "pin", pin: "000000" });
      }
      expect(w.agent.state().screen).toMatchObject({ name: "identify", waitSeconds: 30 });
      await w.agent.syncNow();
      const { version } = await w.server.services.db
        .selectFrom("snapshot_versions")
        .select("version")
        .where("property_id", "=", w.propertyId)
        .executeTakeFirstOrThrow();
      await b.waitForSnapshot(Number(version));

      const named = await b.simulate({ type: "badge", number: BADGE });
      expect(named.screen.name).toBe("identify");
      const waitSeconds = named.screen.name === "identify" ? named.screen.waitSeconds : null;
      expect(waitSeconds).toBeGreaterThan(0);
      expect(waitSeconds).toBeLessThanOrEqual(30);
      const failures = b.journal.eventsFrom(1, 100).filter((e) => e.type === "cabinet.identification_failed");
      expect(failures.at(-1)?.data).toMatchObject({ code: "pin_wait", personId: w.personId });
    } finally {
      await b.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("keeps working offline: 200 transactions, then every event arrives once and in order and the board is right", {
    timeout: 180_000,
  }, async () => {
    const w = await setUp(5);
    const { server, agent } = w;
    const port = Number(new URL(server.url).port);
    await server.app.close();

    let transactions = 0;
    // 196 transactions: take a key and bring it back, 98 times over the five keys
    for (let pair = 0; pair < 98; pair += 1) {
      const key = w.keys[pair % 5];
      if (!key) {
        throw new Error("no key");
      }
      const from = agent.simulator?.state().hooks.find((h) => h.tag === key.tagCode)?.number ?? 0;
      await take(w, [{ id: key.id, hook: from }]);
      await giveBack(w, key.tagCode);
      transactions += 2;
    }
    // and four that leave keys out
    for (const key of w.keys.slice(0, 4)) {
      const from = agent.simulator?.state().hooks.find((h) => h.tag === key.tagCode)?.number ?? 0;
      await take(w, [{ id: key.id, hook: from }]);
      transactions += 1;
    }
    expect(transactions).toBe(200);
    const journalled = agent.journal.eventsFrom(1, 100_000);
    expect(agent.outboxSize()).toBeGreaterThan(0);
    expect(agent.state().online).toBe(false);

    const revived = await buildApp(server.services);
    await revived.listen({ port, host: "127.0.0.1" });
    try {
      await agent.syncNow();
      await agent.syncNow();
      expect(agent.outboxSize()).toBe(0);
      const stored = await server.services.db
        .selectFrom("cabinet_events")
        .select(["seq", "hash", "type"])
        .where("cabinet_id", "=", w.cabinetId)
        .orderBy("seq")
        .execute();
      expect(stored.map((e) => [e.seq, e.hash, e.type])).toEqual(
        agent.journal.eventsFrom(1, 100_000).map((e) => [e.seq, e.hash, e.type]),
      );
      expect(stored.length).toBeGreaterThanOrEqual(journalled.length);
      expect(stored.filter((e) => e.type === "key.taken")).toHaveLength(102);
      const open = await openCheckouts(w);
      expect(open.map((c) => c.key.id).sort()).toEqual(
        w.keys
          .slice(0, 4)
          .map((k) => k.id)
          .sort(),
      );
      expect(open.every((c) => c.holder?.id === w.personId && c.authorized)).toBe(true);
    } finally {
      await agent.close();
      await revived.close();
      world = { ...w, agent: { ...agent, close: async () => undefined } };
    }
  });
});
