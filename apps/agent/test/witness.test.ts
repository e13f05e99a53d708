/**
 * Dual custody at the console: a profile that demands a witness sends the visit to the witness screen; a second
 * person allowed at this property identifies with the cabinet's factors, and the take is granted and recorded with
 * them. Manager approval and key pairing are still refused, with a sentence naming what is missing. And choosing a
 * PIN needs the server: an offline cabinet says so.
 */
import type { KioskState } from "@keyward/contracts/kiosk";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CabinetSpec,
  type KeySpec,
  MONDAY_MORNING,
  type PersonSpec,
  REASON_ID,
  startCabinet,
  type TestCabinet,
} from "./cabinet-factory.ts";

const witnessNeeded = { conditions: { witness: true, managerApproval: false, keyPairing: false } };
const ana: PersonSpec = { id: "ana", firstName: "Ana", badge: "1001", pin: "4821", profile: witnessNeeded };
const ben: PersonSpec = { id: "ben", firstName: "Ben", badge: "1002", pin: "7319" };
/** Known to the snapshot but without a profile assignment here (an assignment revoked since, say). */
const cleo: PersonSpec = { id: "cleo", firstName: "Cleo", badge: "1003", pin: "5064", profile: null };
const k101: KeySpec = { id: "k101", unit: "101", hook: 1 };

const open: TestCabinet[] = [];
async function cabinet(spec: Partial<CabinetSpec> = {}): Promise<TestCabinet> {
  const c = await startCabinet({ people: [ana, ben, cleo], keys: [k101], ...spec });
  open.push(c);
  return c;
}
afterEach(async () => {
  for (const c of open.splice(0)) {
    await c.close();
  }
});

function screenOf<N extends KioskState["screen"]["name"]>(state: KioskState, name: N) {
  expect(state.screen.name).toBe(name);
  return state.screen as Extract<KioskState["screen"], { name: N }>;
}

/** Ana identifies, finds unit 101 and gives a reason: the witness screen. */
async function untilWitness(c: TestCabinet): Promise<KioskState> {
  const state = await c.take(ana, "101", []);
  expect(screenOf(state, "witness").needs).toEqual(["badge"]);
  expect(state.feedback?.message).toBe("A witness must confirm: present the witness's badge and PIN.");
  return state;
}

/** A witness presents a badge and types a PIN. */
async function witness(c: TestCabinet, person: PersonSpec, pin = person.pin ?? ""): Promise<KioskState> {
  const named = await c.sim({ type: "badge", number: person.badge ?? "" });
  if (named.screen.name === "witness" && named.screen.needs.includes("pin")) {
    return c.act({ type: "pin", pin });
  }
  return named;
}

describe("a witness for dual custody", () => {
  it("waits for a witness, then grants and records who witnessed the take", async () => {
    const c = await cabinet();
    await untilWitness(c);
    expect(c.events("door.released")).toHaveLength(0);
    expect(c.driver.door().locked).toBe(true);

    const named = await c.sim({ type: "badge", number: "1002" });
    expect(screenOf(named, "witness")).toMatchObject({ firstName: "Ben", needs: ["pin"] });
    const granted = await c.act({ type: "pin", pin: "7319" });
    expect(screenOf(granted, "take").hooks.map((h) => h.hook)).toEqual([1]);
    expect(c.events("door.released")).toHaveLength(1);

    await c.sim({ type: "door", open: true });
    await c.sim({ type: "lift", hook: 1 });
    const [taken] = c.events("key.taken");
    expect(taken?.data).toMatchObject({ personId: "ana", keyId: "k101", authorized: true, witnessPersonId: "ben" });
  });

  it("holds a witness's PIN lock reported by other cabinets, and reports a witness's right PIN", async () => {
    const lastWeek = new Date(MONDAY_MORNING - 7 * 86_400_000).toISOString();
    const lockedBen = { ...ben, pinLockout: { failures: 10, lastFailureAt: lastWeek } };
    const c = await cabinet({ people: [ana, lockedBen, cleo] });
    await untilWitness(c);
    const locked = await c.sim({ type: "badge", number: "1002" });
    expect(screenOf(locked, "witness").needs).toEqual(["badge"]);
    expect(locked.feedback).toMatchObject({
      tone: "refuse",
      message: "Your PIN is locked — ask your manager to reset it.",
    });
    expect(c.events("door.released")).toHaveLength(0);

    const d = await cabinet();
    await untilWitness(d);
    screenOf(await witness(d, ben), "take");
    expect(d.events("cabinet.identified").at(-1)?.data).toMatchObject({
      personId: "ben",
      factors: ["badge", "pin"],
      pinCredentialId: "pin-ben",
    });
  });

  it("refuses the person taking as their own witness, and keeps asking", async () => {
    const c = await cabinet();
    await untilWitness(c);
    const state = await witness(c, ana);
    expect(screenOf(state, "witness").needs).toEqual(["badge"]);
    expect(state.feedback).toMatchObject({
      tone: "refuse",
      message: "Your witness must be someone else — ask a colleague to identify at the cabinet.",
    });
    expect(c.events("door.released")).toHaveLength(0);
    // Another colleague can still step in.
    expect((await witness(c, ben)).screen.name).toBe("take");
  });

  it("refuses an unknown badge, a wrong PIN and someone not assigned at this property", async () => {
    const c = await cabinet();
    await untilWitness(c);
    const unknown = await c.sim({ type: "badge", number: "9999" });
    expect(screenOf(unknown, "witness").firstName).toBeNull();
    expect(unknown.feedback).toMatchObject({
      tone: "refuse",
      message: expect.stringMatching(/^This badge is not recognised/),
    });

    const wrongPin = await witness(c, ben, "0000");
    expect(screenOf(wrongPin, "witness").firstName).toBe("Ben");
    expect(wrongPin.feedback).toMatchObject({
      tone: "refuse",
      message: expect.stringMatching(/^That PIN is not right/),
    });
    expect(c.events("cabinet.identification_failed").at(-1)?.data).toMatchObject({ personId: "ben", pinFailures: 1 });
    await c.act({ type: "back" });
    await c.act({ type: "reason", reasonCodeId: REASON_ID, workOrder: null });

    const notHere = await witness(c, cleo);
    expect(screenOf(notHere, "witness").needs).toEqual(["badge"]);
    expect(notHere.feedback).toMatchObject({
      tone: "refuse",
      message: "This person cannot be a witness at this cabinet — ask a colleague who works at this property.",
    });
    expect(c.events("door.released")).toHaveLength(0);
    expect(c.events("key.taken")).toHaveLength(0);
  });

  it("still refuses a manager's approval and key pairing, naming what is missing", async () => {
    const c = await cabinet({
      people: [{ ...ana, profile: { conditions: { witness: true, managerApproval: true, keyPairing: false } } }, ben],
    });
    const state = await c.take(ana, "101", []);
    expect(screenOf(state, "denied")).toMatchObject({
      code: "conditions_required",
      message: "This key needs a manager's approval, which this cabinet cannot take — ask your manager.",
    });
    expect(c.events("cabinet.access_denied").at(-1)?.data).toMatchObject({
      params: { conditions: ["witness", "manager_approval"] },
    });
  });
});

describe("choosing a PIN at the console", () => {
  it("needs the server: offline, the kiosk says the PIN can be set once the cabinet is back in contact", async () => {
    const c = await cabinet();
    const state = await c.act({ type: "set_pin" });
    expect(screenOf(state, "denied")).toMatchObject({
      code: "pin_setup_offline",
      message: expect.stringMatching(/You can set your PIN once it is back in contact/),
      next: "idle",
    });
    expect(c.events().map((e) => e.type)).not.toContain("cabinet.identified");
  });
});
