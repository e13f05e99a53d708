/**
 * Choosing one's PIN at the kiosk against a real Keyward server: the person presents their badge, types the
 * activation code their manager gave them, chooses a PIN and types it again; the agent sends it over the
 * device-signed route, the server applies the organization's rules and throttles wrong codes, and the new snapshot
 * lets the person take a key with their new PIN. Neither the code nor the PIN is ever journalled.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KioskState } from "@keyward/contracts/kiosk";
import { afterEach, describe, expect, it } from "vitest";
import { Factory } from "../../server/test/factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "../../server/test/harness.ts";
import { enrollAgent, type RunningAgent, startAgent } from "../src/agent.ts";
import { quietLogger } from "./cabinet-factory.ts";

const BADGE = "B4410";
const NEW_PIN = "480151";

interface World {
  server: TestServer;
  admin: ApiClient;
  credentialId: string;
  activationCode: string;
  keyHook: number;
  reasonId: string;
  dataDir: string;
  agent: RunningAgent;
}

let world: World | null = null;

async function setUp(): Promise<World> {
  const server = await startTestServer();
  // why: the server dates its answers with the real clock (the `Date` header the agent learns its offset from)
  server.clock.ms = Date.now();
  const f = await Factory.organization(server.services.db, server.clock.now);
  const admin = await server.client().login(f.admin.email, f.admin.password);
  const property = await f.property({ timeZone: "UTC" });
  const cabinet = await f.cabinet(property.id, { hooksPerModule: 10 });
  const unit = await f.unit(property.id, { number: "101" });
  await f.key(property.id, { unitId: unit.id, cabinetId: cabinet.id, hookNumber: 3 });
  const reason = await f.reasonCode({ label: "Inspection", defaultDueMinutes: 120 });
  const person = await f.person({ firstName: "Rosa", homePropertyId: property.id });
  const profile = await f.accessProfile(property.id, {
    windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "24:00" }],
  });
  expect(
    (await admin.post(`/api/v1/people/${person.id}/credentials`, { kind: "badge", badgeNumber: BADGE })).status,
  ).toBe(201);
  // The manager issues a PIN credential: only a one-time activation code exists, no PIN.
  const pin = await admin.post<{ credential: { id: string }; activationCode: string }>(
    `/api/v1/people/${person.id}/credentials`,
    { kind: "pin" },
  );
  expect(pin.status).toBe(201);
  const assigned = await admin.post("/api/v1/profile-assignments", {
    propertyId: property.id,
    personId: person.id,
    accessProfileId: profile.id,
  });
  expect(assigned.status).toBe(201);
  const code = await admin.post<{ code: string }>(`/api/v1/cabinets/${cabinet.id}/enrollment-codes`);
  const dataDir = mkdtempSync(join(tmpdir(), "keyward-agent-pin-"));
  await enrollAgent({ serverUrl: server.url, code: code.body.code, dataDir });
  const agent = await startAgent({ dataDir, kioskPort: 0, logger: quietLogger });
  await agent.waitForSnapshot();
  // why: PINs can be set only while the cabinet is in contact; the stream's hello says so
  await expect.poll(() => agent.state().online).toBe(true);
  world = {
    server,
    admin,
    credentialId: pin.body.credential.id,
    activationCode: pin.body.activationCode,
    keyHook: 3,
    reasonId: reason.id,
    dataDir,
    agent,
  };
  return world;
}

afterEach(async () => {
  if (world) {
    await world.agent.close();
    await world.server.close();
    rmSync(world.dataDir, { recursive: true, force: true });
    world = null;
  }
});

function screenOf<N extends KioskState["screen"]["name"]>(state: KioskState, name: N) {
  expect(state.screen.name).toBe(name);
  return state.screen as Extract<KioskState["screen"], { name: N }>;
}

/** Set my PIN, the badge, the code: the screen that asks for the new PIN. */
async function untilNewPin(w: World, code = w.activationCode): Promise<KioskState> {
  expect(screenOf(await w.agent.act({ type: "set_pin" }), "set_pin").step).toBe("identify");
  expect(screenOf(await w.agent.simulate({ type: "badge", number: BADGE }), "set_pin")).toEqual({
    name: "set_pin",
    step: "activation_code",
    firstName: "Rosa",
  });
  return w.agent.act({ type: "activation_code", code });
}

/** The PIN, then again. */
async function choose(w: World, pin: string, again = pin): Promise<KioskState> {
  expect(screenOf(await w.agent.act({ type: "choose_pin", pin }), "set_pin").step).toBe("repeat_pin");
  return w.agent.act({ type: "choose_pin", pin: again });
}

/** Whether `secret` appears in `text` as a value of its own (not by chance inside a hash or an id). */
function leaks(text: string, secret: string): boolean {
  return new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`).test(text);
}

async function pinStateOf(w: World): Promise<unknown> {
  return (await w.admin.get<{ pinState: unknown }>(`/api/v1/credentials/${w.credentialId}`)).body.pinState;
}

describe("choosing a PIN at the kiosk", () => {
  it("sets the PIN with the activation code, and the person then takes a key with it", async () => {
    const w = await setUp();
    expect(screenOf(await untilNewPin(w), "set_pin").step).toBe("new_pin");
    const done = await choose(w, NEW_PIN);
    expect(screenOf(done, "done").message).toBe("Your PIN is set — use it with your badge from now on.");
    expect(await pinStateOf(w)).toBe("set");

    // The server announced the new snapshot; with it the badge and the new PIN open a visit.
    await expect
      .poll(async () => {
        await w.agent.act({ type: "cancel" });
        await w.agent.simulate({ type: "badge", number: BADGE });
        return (await w.agent.act({ type: "pin", pin: NEW_PIN })).screen.name;
      })
      .toBe("choose_keys");
    const reason = await w.agent.act({ type: "find_unit", number: "101" });
    screenOf(reason, "reason");
    const take = await w.agent.act({ type: "reason", reasonCodeId: w.reasonId, workOrder: null });
    expect(screenOf(take, "take").hooks.map((h) => h.hook)).toEqual([w.keyHook]);

    // Neither the code nor the PIN is in the journal, nor in the organization's events on the server.
    await w.agent.syncNow();
    const journal = JSON.stringify(w.agent.journal.eventsFrom(1, 10_000));
    expect(leaks(journal, NEW_PIN)).toBe(false);
    expect(leaks(journal, w.activationCode)).toBe(false);
    const events = await w.server.services.db.selectFrom("events").selectAll().execute();
    expect(events.map((e) => e.action)).toContain("credential.pin_set");
    expect(leaks(JSON.stringify(events), NEW_PIN)).toBe(false);
    expect(leaks(JSON.stringify(events), w.activationCode)).toBe(false);
  });

  it("refuses a repeat that does not match, and asks for the PIN again", async () => {
    const w = await setUp();
    await untilNewPin(w);
    const state = await choose(w, NEW_PIN, "480152");
    expect(screenOf(state, "set_pin").step).toBe("new_pin");
    expect(state.feedback).toMatchObject({
      tone: "refuse",
      message: "The two PINs are not the same — choose your PIN again.",
    });
    expect(await pinStateOf(w)).toBe("activation_pending");
    expect(screenOf(await choose(w, NEW_PIN), "done")).toBeTruthy();
  });

  it("refuses a trivial PIN with the rule's sentence, in the kiosk's language", async () => {
    const w = await setUp();
    await untilNewPin(w);
    const english = await choose(w, "123456");
    expect(screenOf(english, "set_pin").step).toBe("new_pin");
    expect(english.feedback).toMatchObject({
      tone: "refuse",
      message: "That PIN is a run of consecutive digits; choose one that is harder to guess.",
    });
    await w.agent.act({ type: "language", language: "es" });
    const spanish = await choose(w, "1234");
    expect(spanish.feedback).toMatchObject({ tone: "refuse", message: "Elija un PIN de al menos 6 dígitos." });
    expect(await pinStateOf(w)).toBe("activation_pending");
  });

  it("refuses a wrong code and asks for it again; after five the server makes the person wait", async () => {
    const w = await setUp();
    expect(screenOf(await untilNewPin(w, "12345"), "set_pin").step).toBe("activation_code");
    for (let i = 0; i < 5; i += 1) {
      expect(screenOf(await w.agent.act({ type: "activation_code", code: `000000000${i}` }), "set_pin").step).toBe(
        "new_pin",
      );
      const refused = await choose(w, NEW_PIN);
      expect(screenOf(refused, "set_pin").step).toBe("activation_code");
      expect(refused.feedback?.message).toMatch(/^This activation code is not right, or it has expired/);
    }
    // The right code now meets the server's lock.
    await w.agent.act({ type: "activation_code", code: w.activationCode });
    const locked = await choose(w, NEW_PIN);
    expect(screenOf(locked, "denied")).toMatchObject({
      code: "too_many_attempts",
      message: "Too many wrong activation codes. Wait 15 min and try again, or ask your manager.",
      next: "idle",
    });
    expect(await pinStateOf(w)).toBe("activation_pending");
    const failures = await w.server.services.db
      .selectFrom("events")
      .select("id")
      .where("action", "=", "credential.pin_activation_failed")
      .execute();
    expect(failures).toHaveLength(5);
  });

  it("says the PIN can be set once the cabinet is back in contact when the server goes away mid-way", async () => {
    const w = await setUp();
    await untilNewPin(w);
    await w.server.close();
    const state = await choose(w, NEW_PIN);
    expect(screenOf(state, "denied")).toMatchObject({
      code: "pin_setup_offline",
      message: expect.stringMatching(/You can set your PIN once it is back in contact/),
    });
    await expect.poll(() => w.agent.state().online).toBe(false);
    const next = await w.agent.act({ type: "set_pin" });
    expect(screenOf(next, "denied").code).toBe("pin_setup_offline");
    await w.agent.close();
    rmSync(w.dataDir, { recursive: true, force: true });
    world = null;
  });
});
