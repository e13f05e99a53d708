/**
 * The duress PIN at the console: a person forced to open the cabinet types their PIN then 9. The cabinet behaves
 * exactly as for their PIN (same screen, beeps, keys, `cabinet.identified`, lockout cleared) and journals
 * `cabinet.duress_signalled` right after the identification; the person identifying and a witness alike.
 */
import type { KioskState } from "@keyward/contracts/kiosk";
import { verify } from "@node-rs/argon2";
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

const ana: PersonSpec = { id: "ana", firstName: "Ana", badge: "1001", pin: "4821" };
const ben: PersonSpec = { id: "ben", firstName: "Ben", badge: "1002", pin: "7319" };
const k101: KeySpec = { id: "k101", unit: "101", hook: 1 };
const k202: KeySpec = { id: "k202", unit: "202", hook: 5 };

const open: TestCabinet[] = [];
/** A cabinet whose PIN verifications are counted (with the real argon2 check). */
async function cabinet(spec: Partial<CabinetSpec> = {}): Promise<TestCabinet & { verifications: string[] }> {
  const verifications: string[] = [];
  const c = await startCabinet(
    { people: [ana, ben], keys: [k101, k202], ...spec },
    {
      verifyPin: (hash, pin) => {
        verifications.push(pin);
        return verify(hash, pin);
      },
    },
  );
  open.push(c);
  return Object.assign(c, { verifications });
}
afterEach(async () => {
  for (const c of open.splice(0)) {
    await c.close();
  }
});

/** The person's badge, then a PIN typed on the keypad. */
async function badgeThenPin(c: TestCabinet, person: PersonSpec, pin: string): Promise<KioskState> {
  await c.sim({ type: "badge", number: person.badge ?? "" });
  return c.act({ type: "pin", pin });
}

function types(c: TestCabinet): string[] {
  return c.events().map((e) => e.type);
}

function lockoutOf(c: TestCabinet, personId: string) {
  const pinHash = c.body.credentials.find((x) => x.id === `pin-${personId}`)?.pinHash ?? "";
  return c.journal.pinLockout(`pin-${personId}`, pinHash);
}

describe("a PIN typed then 9 (duress)", () => {
  it("identifies exactly as the PIN does, and journals the duress signal right after the identification", async () => {
    const plain = await cabinet();
    const forced = await cabinet();
    const asUsual = await badgeThenPin(plain, ana, "4821");
    const underDuress = await badgeThenPin(forced, ana, "48219");
    expect(underDuress.screen.name).toBe("choose_keys");
    // why: the whole kiosk state (screen, feedback, simulated panel with its lights and door) is what anyone sees
    expect(underDuress).toEqual(asUsual);
    expect(forced.driver.beeps).toEqual(plain.driver.beeps);

    expect(types(plain)).toEqual(["cabinet.snapshot_applied", "cabinet.identified"]);
    expect(types(forced)).toEqual(["cabinet.snapshot_applied", "cabinet.identified", "cabinet.duress_signalled"]);
    const [identified, signal] = forced.events().slice(1);
    const { visitId: _plainVisit, ...plainIdentified } = plain.events("cabinet.identified")[0]?.data ?? {};
    const { visitId, ...forcedIdentified } = identified?.data ?? {};
    expect(forcedIdentified).toEqual(plainIdentified);
    expect(forcedIdentified).toMatchObject({ personId: "ana", pinCredentialId: "pin-ana" });
    expect(signal?.data).toEqual({ visitId, personId: "ana", credentialId: "pin-ana" });
    expect(JSON.stringify(signal?.data)).not.toContain("4821");

    // The same keys are offered and given out.
    const listedPlain = await plain.act({ type: "find_unit", number: "101" });
    const listedForced = await forced.act({ type: "find_unit", number: "101" });
    expect(listedForced).toEqual(listedPlain);
    const take = await forced.act({ type: "reason", reasonCodeId: REASON_ID, workOrder: null });
    expect(take.screen.name).toBe("take");
    await forced.sim({ type: "door", open: true });
    await forced.sim({ type: "lift", hook: 1 });
    expect(forced.events("key.taken")[0]?.data).toMatchObject({ keyId: "k101", personId: "ana", authorized: true });
  });

  it("counts no failure and clears the count as the PIN does", async () => {
    const anHourAgo = new Date(MONDAY_MORNING - 3_600_000).toISOString();
    const c = await cabinet({ people: [{ ...ana, pinLockout: { failures: 3, lastFailureAt: anHourAgo } }, ben] });
    const wrong = await badgeThenPin(c, ana, "0000");
    expect(wrong.feedback?.message).toContain("1 try left");
    expect(lockoutOf(c, "ana").failures).toBe(4);

    expect((await c.act({ type: "pin", pin: "48219" })).screen.name).toBe("choose_keys");
    expect(lockoutOf(c, "ana")).toEqual({ failures: 0, lastFailureAt: null });
    expect(c.events("cabinet.identification_failed").map((e) => e.data.pinFailures)).toEqual([4]);
    expect(c.events("cabinet.identified")[0]?.data).toMatchObject({ pinCredentialId: "pin-ana" });
    expect(c.events("cabinet.duress_signalled")).toHaveLength(1);
  });

  it("takes a wrong PIN then 9 as one ordinary wrong PIN", async () => {
    const plain = await cabinet();
    const c = await cabinet();
    const asUsual = await badgeThenPin(plain, ana, "0000");
    const state = await badgeThenPin(c, ana, "00009");
    expect(state).toEqual(asUsual);
    expect(state.feedback).toMatchObject({ tone: "refuse", message: expect.stringContaining("4 tries left") });
    expect(c.events("cabinet.identification_failed").map((e) => e.data)).toEqual([
      expect.objectContaining({ personId: "ana", credentialId: "pin-ana", code: "pin_incorrect", pinFailures: 1 }),
    ]);
    expect(lockoutOf(c, "ana").failures).toBe(1);
    expect(types(c)).not.toContain("cabinet.duress_signalled");
    expect(types(c)).not.toContain("cabinet.identified");
  });

  it("takes the duress form of a 12-digit PIN (13 digits typed)", async () => {
    const long: PersonSpec = { id: "lou", firstName: "Lou", badge: "1003", pin: "739154820613" };
    const c = await cabinet({ people: [long] });
    expect((await badgeThenPin(c, long, "7391548206139")).screen.name).toBe("choose_keys");
    expect(c.events("cabinet.duress_signalled").map((e) => e.data)).toEqual([
      expect.objectContaining({ personId: "lou", credentialId: "pin-lou" }),
    ]);
  });

  it("signals nothing when a PIN that ends in 9 is typed as it is, and duress when it is typed then 9", async () => {
    const nina: PersonSpec = { id: "nina", firstName: "Nina", badge: "1004", pin: "5279" };
    const c = await cabinet({ people: [nina] });
    expect((await badgeThenPin(c, nina, "5279")).screen.name).toBe("choose_keys");
    expect(types(c)).toEqual(["cabinet.snapshot_applied", "cabinet.identified"]);
    expect(c.verifications).toEqual(["5279"]);

    await c.act({ type: "cancel" });
    expect((await badgeThenPin(c, nina, "52799")).screen.name).toBe("choose_keys");
    expect(types(c).slice(-2)).toEqual(["cabinet.identified", "cabinet.duress_signalled"]);
    // Her PIN without its last 9 is just a wrong PIN.
    await c.act({ type: "cancel" });
    expect((await badgeThenPin(c, nina, "527")).feedback?.tone).toBe("refuse");
    expect(c.events("cabinet.duress_signalled")).toHaveLength(1);
    expect(c.events("cabinet.identification_failed").map((e) => e.data.pinFailures)).toEqual([1]);
  });

  it("verifies the PIN once, and a second time only for a wrong PIN that ends in 9", async () => {
    const c = await cabinet();
    const tried = async (pin: string) => {
      c.verifications.length = 0;
      await c.act({ type: "cancel" });
      await badgeThenPin(c, ana, pin);
      return [...c.verifications];
    };
    expect(await tried("4821")).toEqual(["4821"]);
    expect(await tried("0000")).toEqual(["0000"]);
    expect(await tried("9")).toEqual(["9"]);
    expect(await tried("00009")).toEqual(["00009", "0000"]);
    expect(await tried("48219")).toEqual(["48219", "4821"]);
  });

  it("does not try the duress form while the PIN waits after five wrong ones", async () => {
    const anHourAgo = new Date(MONDAY_MORNING - 3_600_000).toISOString();
    const c = await cabinet({ people: [{ ...ana, pinLockout: { failures: 4, lastFailureAt: anHourAgo } }] });
    expect((await badgeThenPin(c, ana, "0000")).screen).toMatchObject({ name: "identify", waitSeconds: 30 });
    c.clock.advance(10);
    const waiting = await c.act({ type: "pin", pin: "48219" });
    expect(waiting.screen).toMatchObject({ name: "identify", waitSeconds: 20 });
    expect(c.verifications).toEqual(["0000"]);
    expect(types(c)).not.toContain("cabinet.duress_signalled");
    expect(types(c)).not.toContain("cabinet.identified");
  });
});

describe("a witness typing their PIN then 9", () => {
  const witnessNeeded = { conditions: { witness: true, managerApproval: false, keyPairing: false } };
  const taker: PersonSpec = { ...ana, profile: witnessNeeded };

  /** Ana takes unit 101's key, Ben witnesses with this PIN. */
  async function witnessed(c: TestCabinet, pin: string): Promise<KioskState> {
    expect((await c.take(taker, "101", [])).screen.name).toBe("witness");
    return badgeThenPin(c, ben, pin);
  }

  it("confirms the take as with their PIN, and signals their duress", async () => {
    const plain = await cabinet({ people: [taker, ben] });
    const forced = await cabinet({ people: [taker, ben] });
    const asUsual = await witnessed(plain, "7319");
    const underDuress = await witnessed(forced, "73199");
    expect(underDuress.screen.name).toBe("take");
    expect(underDuress).toEqual(asUsual);
    expect(forced.driver.beeps).toEqual(plain.driver.beeps);

    const after = types(forced).slice(types(forced).lastIndexOf("cabinet.identified"));
    expect(after).toEqual(["cabinet.identified", "cabinet.duress_signalled", "door.released"]);
    const identified = forced.events("cabinet.identified").at(-1);
    expect(identified?.data).toMatchObject({ personId: "ben", pinCredentialId: "pin-ben" });
    expect(forced.events("cabinet.duress_signalled").map((e) => e.data)).toEqual([
      { visitId: identified?.data.visitId, personId: "ben", credentialId: "pin-ben" },
    ]);
    await forced.sim({ type: "door", open: true });
    await forced.sim({ type: "lift", hook: 1 });
    expect(forced.events("key.taken")[0]?.data).toMatchObject({ personId: "ana", witnessPersonId: "ben" });
  });
});
