/**
 * The touch kiosk in Chromium, served by a real agent enrolled with a real server: a person takes a key, returns it,
 * takes keys within four touches after identification, is refused for a wrong PIN, switches to Spanish, and chooses
 * their PIN with a manager's activation code — touching the console and the demo's simulated cabinet the way the demo
 * is used. Each step's screenshot is saved under e2e/artifacts.
 */
import type { KioskState } from "@keyward/contracts/kiosk";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  assertDashboardBuilt,
  chooseProperty,
  expectGone,
  expectVisible,
  launchBrowser,
  signIn,
} from "../../web/e2e/browser.ts";
import { ACCEPT_HZ, REFUSE_HZ } from "../src/beep.ts";
import {
  ARTIFACTS,
  type HangingKey,
  identifyAtConsole,
  type KioskCabinet,
  openCheckoutsOf,
  recordTones,
  recordTouches,
  resetCabinet,
  saveStep,
  smallTouchTargets,
  startKioskCabinet,
  tonesOf,
  touchesOf,
  typeOnKeypad,
} from "./kiosk-cabinet.ts";

function startingWith(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
}

function screenOf<N extends KioskState["screen"]["name"]>(
  state: KioskState,
  name: N,
): Extract<KioskState["screen"], { name: N }> {
  if (state.screen.name !== name) {
    throw new Error(`expected the ${name} screen, the agent shows ${state.screen.name}`);
  }
  return state.screen as Extract<KioskState["screen"], { name: N }>;
}

describe("kiosk: a visit at the simulated cabinet", () => {
  let cabinet: KioskCabinet;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    cabinet = await startKioskCabinet();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await cabinet?.close();
  });
  beforeEach(async () => {
    await resetCabinet(cabinet);
    context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await recordTones(page);
    await page.goto(`${cabinet.agent.kioskUrl}/`);
    await expectVisible(page.getByRole("heading", { name: "Present your badge or finger" }));
  });

  afterEach(async () => {
    await context?.close();
  });

  const identify = (pin: string) => identifyAtConsole(page, cabinet, pin);

  /** Takes a key through the agent itself (no browser), so a test can start with it out. */
  async function takeThroughAgent(key: HangingKey): Promise<void> {
    const { agent, person } = cabinet;
    await agent.simulate({ type: "badge", number: person.badge });
    await agent.act({ type: "pin", pin: person.pin });
    const found = await agent.act({ type: "find_unit", number: key.unitNumber });
    if (found.screen.name === "choose_keys") {
      await agent.act({ type: "toggle_key", keyId: key.id });
      await agent.act({ type: "confirm_keys" });
    }
    const { reasons, selected } = screenOf(agent.state(), "reason");
    expect(selected).toEqual([key.id]);
    const reason = reasons.find((r) => !r.requiresWorkOrder);
    if (!reason) {
      throw new Error("the demo has no reason without a work order");
    }
    screenOf(await agent.act({ type: "reason", reasonCodeId: reason.id, workOrder: null }), "take");
    await agent.simulate({ type: "door", open: true });
    await agent.simulate({ type: "lift", hook: key.hook });
    await agent.simulate({ type: "door", open: false });
    await agent.act({ type: "cancel" });
  }

  it("takes a key: badge, PIN keypad, unit, one of its two keys, reason, lift the lit hook, close the door", async () => {
    const key = cabinet.keys[0];
    if (!key) {
      throw new Error("the demo cabinet has no unit key on a hook");
    }
    await saveStep(page, "take-01-idle");
    await identify(cabinet.person.pin);
    expect(await smallTouchTargets(page)).toEqual([]);
    await saveStep(page, "take-02-pin");
    await page.getByRole("button", { name: "Enter", exact: true }).click();

    // Identified, the person is asked straight for the unit; returning and the keys out are one touch away.
    await expectVisible(page.getByRole("heading", { name: "Hello, Sam — which keys?" }));
    await expectVisible(page.getByRole("button", { name: "Return keys", exact: true }));
    await expectVisible(page.getByRole("button", { name: startingWith("My keys (") }));
    expect(await smallTouchTargets(page)).toEqual([]);
    await saveStep(page, "take-03-choose-keys");

    await typeOnKeypad(page, "Unit number", key.unitNumber);
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await expectVisible(page.getByText(`Keys of unit ${key.unitNumber}`));
    await page.getByRole("button", { name: startingWith(key.label) }).click();
    await expectVisible(page.getByRole("button", { name: startingWith(key.label), pressed: true }));
    expect(await smallTouchTargets(page)).toEqual([]);
    await saveStep(page, "take-04-key-chosen");
    await page.getByRole("button", { name: "Continue with 1 key" }).click();

    await expectVisible(page.getByRole("heading", { name: "Why do you need it?" }));
    await expectVisible(page.getByText(`Key ${key.label}`, { exact: true }));
    await saveStep(page, "take-05-reason");
    await page.getByRole("button", { name: "Preventive maintenance" }).click();

    // The console names the hook; the panel shows the same hook lit green.
    const takeLine = page.getByRole("listitem", { name: startingWith(`Take key ${key.label} from hook ${key.hook}`) });
    await expectVisible(takeLine);
    await expectVisible(page.getByRole("group", { name: `Hook ${key.hook}: ${key.label}, light green (take)` }));
    await saveStep(page, "take-06-hook-lit");

    await page.getByRole("button", { name: "Open the door" }).click();
    await page.getByRole("button", { name: `Lift the key from hook ${key.hook}`, exact: true }).click();
    await expectVisible(page.getByRole("listitem", { name: `Take key ${key.label} from hook ${key.hook}: Taken` }));
    await expectVisible(page.getByRole("status", { name: "Door open" }));
    await saveStep(page, "take-07-taken");
    await page.getByRole("button", { name: "Close the door" }).click();

    await expectVisible(page.getByRole("heading", { name: "Done" }));
    await saveStep(page, "take-08-done");

    // The checkout reached the server: the keys-out board lists it, with its holder and reason.
    await expect
      .poll(async () => (await openCheckoutsOf(cabinet, key.id)).map((c) => [c.holder?.name, c.reason?.label]), {
        timeout: 10_000,
      })
      .toEqual([[cabinet.person.name, "Preventive maintenance"]]);
    expect(await tonesOf(page)).toContain(ACCEPT_HZ);
  });

  it("returns a key: scan its tag, hang it on the lit hook (never the one it left)", async () => {
    const key = cabinet.keys[1];
    if (!key) {
      throw new Error("the demo cabinet needs two unit keys on hooks");
    }
    await takeThroughAgent(key);
    await identify(cabinet.person.pin);
    await page.getByRole("button", { name: "Enter", exact: true }).click();
    await page.getByRole("button", { name: "Return keys", exact: true }).click();

    await expectVisible(page.getByRole("heading", { name: "Scan the key's tag" }));
    await saveStep(page, "return-01-scan");
    await page.getByRole("button", { name: `Scan the tag of ${key.label}` }).click();

    // why: the click returns before the agent has acted on the scan; the console's heading says it has
    await expectVisible(page.getByRole("heading", { name: /^Hang it on hook \d+$/ }));
    const hook = screenOf(cabinet.agent.state(), "return_hang").hook;
    expect(hook).not.toBe(key.hook);
    await expectVisible(page.getByRole("heading", { name: `Hang it on hook ${hook}` }));
    await expectVisible(page.getByRole("group", { name: `Hook ${hook}: empty, light blue (return)` }));
    await saveStep(page, "return-02-hang");

    await page.getByRole("button", { name: "Open the door" }).click();
    await page.getByRole("button", { name: `Hang ${key.label} on hook ${hook}`, exact: true }).click();
    await expectVisible(page.getByRole("list", { name: "Returned this visit" }).getByText(key.label));
    await saveStep(page, "return-03-returned");
    await page.getByRole("button", { name: "Close the door" }).click();
    await expectVisible(page.getByRole("heading", { name: "Done" }));
    await saveStep(page, "return-04-done");

    await expect.poll(async () => (await openCheckoutsOf(cabinet, key.id)).length, { timeout: 10_000 }).toBe(0);
  });

  /**
   * One usual visit after identification, touching only the console and the panel's door and hook: the unit on the
   * keypad, Find, the key and Continue when the unit has several to take, a reason; the door closed, the cabinet goes
   * back to the start by itself. Answers the console's touches (each button press), keypad characters marked apart.
   */
  async function usualVisit(key: HangingKey, pickFromTwo: boolean) {
    await identify(cabinet.person.pin);
    await page.getByRole("button", { name: "Enter", exact: true }).click();
    await expectVisible(page.getByRole("heading", { name: "Hello, Sam — which keys?" }));
    await recordTouches(page, ["Unit number"]);

    await typeOnKeypad(page, "Unit number", key.unitNumber);
    await page.getByRole("button", { name: "Find", exact: true }).click();
    if (pickFromTwo) {
      await expectVisible(page.getByText(`Keys of unit ${key.unitNumber}`));
      await page.getByRole("button", { name: startingWith(key.label) }).click();
      await page.getByRole("button", { name: "Continue with 1 key" }).click();
    }
    await expectVisible(page.getByRole("heading", { name: "Why do you need it?" }));
    await page.getByRole("button", { name: "Preventive maintenance" }).click();

    await expectVisible(page.getByRole("heading", { name: "Take your keys" }));
    const hook = screenOf(cabinet.agent.state(), "take").hooks[0]?.hook ?? 0;
    await page.getByRole("button", { name: "Open the door" }).click();
    await page.getByRole("button", { name: `Lift the key from hook ${hook}`, exact: true }).click();
    await page.getByRole("button", { name: "Close the door" }).click();
    await expectVisible(page.getByRole("heading", { name: "Done" }));
    // "Done" needs no touch: the cabinet goes back to the start on its own a few seconds after the door closes.
    await expectVisible(page.getByRole("heading", { name: "Present your badge or finger" }), 20_000);
    const touches = await touchesOf(page);
    return {
      touches: touches.filter((t) => !t.entry).map((t) => t.label),
      entries: touches.filter((t) => t.entry).map((t) => t.label),
    };
  }

  it("a usual visit costs at most four touches after identification, the unit's characters apart", async () => {
    const key = cabinet.keys[2];
    if (!key) {
      throw new Error("the demo cabinet needs three unit keys on hooks");
    }
    const typed = [...key.unitNumber].filter((ch) => /[0-9]/.test(ch)).length;

    // Both of the unit's copies hang here (so the demo's units): Find, the key, Continue, a reason.
    const two = await usualVisit(key, true);
    expect(two.touches).toHaveLength(4);
    expect(two.touches).toEqual([
      "Find",
      expect.stringMatching(startingWith(key.label)),
      "Continue with 1 key",
      expect.stringMatching(/^Preventive maintenance/),
    ]);
    expect(two.entries.length).toBeGreaterThanOrEqual(key.unitNumber.length);
    expect(two.entries.filter((label) => /^[0-9]$/.test(label))).toHaveLength(typed);

    // Now the other copy is the unit's only key to take: Find chooses it, and a reason releases it.
    const one = await usualVisit(key, false);
    expect(one.touches).toEqual(["Find", expect.stringMatching(/^Preventive maintenance/)]);
    expect(one.touches.length).toBeLessThanOrEqual(4);
    await expect.poll(async () => (await openCheckoutsOf(cabinet, key.id)).length, { timeout: 10_000 }).toBe(1);
  }, 90_000);

  it("refuses a wrong PIN: says so, beeps twice low, and the keypad asks again", async () => {
    await identify("0000");
    await page.getByRole("button", { name: "Enter", exact: true }).click();

    await expectVisible(page.getByRole("alert").getByText(/^That PIN is not right — try again/));
    await expectVisible(page.getByRole("heading", { name: "Hello, Sam" }));
    await expectVisible(page.getByRole("status", { name: "PIN: 0 digits entered" }));
    await saveStep(page, "pin-01-wrong");
    expect((await tonesOf(page)).filter((hz) => hz === REFUSE_HZ)).toHaveLength(2);

    await typeOnKeypad(page, "PIN", cabinet.person.pin);
    await page.getByRole("button", { name: "Enter", exact: true }).click();
    await expectVisible(page.getByRole("heading", { name: "Hello, Sam — which keys?" }));
  });

  it("takes a PIN then 9 (duress) as the PIN, with room for a 12-digit PIN's 13, and the server hears of it", async () => {
    await page.getByRole("button", { name: `Present ${cabinet.presetLabel}'s badge` }).click();
    await page.getByRole("heading", { name: "Hello, Sam" }).waitFor();
    await typeOnKeypad(page, "PIN", "73915482061394");
    await expectVisible(page.getByRole("status", { name: "PIN: 13 digits entered" }));
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    await expectVisible(page.getByRole("heading", { name: "Present your badge or finger" }));

    await identify(`${cabinet.person.pin}9`);
    await page.getByRole("button", { name: "Enter", exact: true }).click();
    await expectVisible(page.getByRole("heading", { name: "Hello, Sam — which keys?" }));
    expect(await tonesOf(page)).not.toContain(REFUSE_HZ);
    await expect
      .poll(
        async () =>
          (
            await cabinet.server.services.db
              .selectFrom("events")
              .select("actor_id")
              .where("action", "=", "cabinet.duress_signalled")
              .execute()
          ).map((e) => e.actor_id),
        { timeout: 10_000 },
      )
      .toEqual([cabinet.person.personId]);
  });

  it("denies a badge the cabinet does not know: the sentence says what to do, and OK goes back to the start", async () => {
    await page.getByRole("button", { name: `Present ${cabinet.strangerLabel}'s badge` }).click();

    await expectVisible(page.getByRole("heading", { name: "Not allowed" }));
    await expectVisible(page.getByRole("alert").getByText("ask your manager", { exact: false }));
    expect(await smallTouchTargets(page)).toEqual([]);
    await saveStep(page, "denied-01-unknown-badge");
    expect((await tonesOf(page)).filter((hz) => hz === REFUSE_HZ)).toHaveLength(2);

    await page.getByRole("button", { name: "OK", exact: true }).click();
    await expectVisible(page.getByRole("heading", { name: "Present your badge or finger" }));
  });

  it("speaks Spanish after the switch: the console's own strings and the agent's", async () => {
    await page.getByRole("button", { name: "Español" }).click();
    await expectVisible(page.getByRole("heading", { name: "Presente su credencial o su huella" }));
    await expectVisible(page.getByRole("button", { name: "Español", pressed: true }));
    await saveStep(page, "spanish-01-idle");

    await page.getByRole("button", { name: `Presentar la credencial de ${cabinet.presetLabel}` }).click();
    await expectVisible(page.getByRole("heading", { name: "Hola, Sam" }));
    await expectVisible(page.getByText("Escriba su PIN"));
    await typeOnKeypad(page, "PIN", cabinet.person.pin);
    await page.getByRole("button", { name: "Entrar", exact: true }).click();
    await expectVisible(page.getByRole("heading", { name: "Hola, Sam — ¿qué llaves?" }));
    await expectVisible(page.getByRole("button", { name: "Devolver llaves", exact: true }));
    await expectVisible(page.getByRole("button", { name: startingWith("Mis llaves (") }));
    await saveStep(page, "spanish-02-choose-keys");

    // Ending the visit hands the cabinet back in its own language for the next person.
    await page.getByRole("button", { name: "Cancelar" }).click();
    await expectVisible(page.getByRole("heading", { name: "Present your badge or finger" }));
  });

  it("keeps up by polling when the stream is refused", async () => {
    const polled = await context.newPage();
    await polled.route("**/api/kiosk/stream", (route) => route.abort());
    await polled.goto(`${cabinet.agent.kioskUrl}/`);
    await expectVisible(polled.getByRole("heading", { name: "Present your badge or finger" }));
    await expectVisible(polled.getByRole("status", { name: "Online" }));

    await polled.getByRole("button", { name: `Present ${cabinet.presetLabel}'s badge` }).click();
    await expectVisible(polled.getByRole("heading", { name: "Hello, Sam" }));
    // A change made at the cabinet, not by this page's touches, still reaches the screen.
    await cabinet.agent.act({ type: "pin", pin: cabinet.person.pin });
    await expectVisible(polled.getByRole("heading", { name: "Hello, Sam — which keys?" }));
  });

  it("puts a key taken at the kiosk on the dashboard's keys-out board without a reload, and takes it off on return", async () => {
    const key = cabinet.keys[3];
    if (!key) {
      throw new Error("the demo cabinet needs four unit keys on hooks");
    }
    assertDashboardBuilt();
    const board = await context.newPage();
    await signIn(board, cabinet.server.url, "manager@demo.keyward.test");
    await chooseProperty(board, "Maple Court Apartments");
    await board.getByRole("link", { name: /^Keys out: / }).click();
    await expectVisible(board.getByRole("heading", { level: 1, name: "Keys out" }));
    // why: a marker on window survives only if the page is never reloaded
    await board.evaluate(() => Object.assign(window, { keywardNoReload: true }));
    const row = board
      .getByRole("table", { name: "Keys out" })
      .getByRole("row")
      .filter({ has: board.getByRole("link", { name: key.label, exact: true }) });

    await takeThroughAgent(key);
    await expectVisible(row);
    expect(await row.textContent()).toContain(cabinet.person.name);
    expect(await row.textContent()).toContain("Preventive maintenance");
    await board.screenshot({ path: `${ARTIFACTS}/board-01-taken-at-kiosk.png`, fullPage: true });

    await identify(cabinet.person.pin);
    await page.getByRole("button", { name: "Enter", exact: true }).click();
    await page.getByRole("button", { name: "Return keys", exact: true }).click();
    await page.getByRole("button", { name: `Scan the tag of ${key.label}` }).click();
    await expectVisible(page.getByRole("heading", { name: /^Hang it on hook \d+$/ }));
    const hook = screenOf(cabinet.agent.state(), "return_hang").hook;
    await page.getByRole("button", { name: "Open the door" }).click();
    await page.getByRole("button", { name: `Hang ${key.label} on hook ${hook}`, exact: true }).click();
    await page.getByRole("button", { name: "Close the door" }).click();
    await expectGone(row);
    expect(await board.evaluate(() => (window as unknown as { keywardNoReload?: boolean }).keywardNoReload)).toBe(true);
  });

  it("lets a person choose their PIN at the kiosk with the activation code a manager issued, then use it", async () => {
    const pin = await cabinet.server.services.db
      .selectFrom("credentials")
      .innerJoin("people", "people.id", "credentials.person_id")
      .select("credentials.id")
      .where("credentials.kind", "=", "pin")
      .where("credentials.status", "=", "active")
      .where("people.first_name", "=", cabinet.person.name.split(" ")[0] ?? "")
      .where("people.last_name", "=", cabinet.person.name.split(" ")[1] ?? "")
      .executeTakeFirstOrThrow();
    // The manager resets the PIN: a new one-time code, no PIN; the person chooses theirs at the cabinet.
    const reset = await cabinet.admin.post<{ activationCode: string }>(`/api/v1/credentials/${pin.id}/reset-pin`);
    expect(reset.status).toBe(200);
    const { activationCode } = reset.body;
    // why: the tries below must run on a known snapshot — the one with the reset, then the one with the new PIN; a
    // PIN tried on an older snapshot would fail and count towards the lockout
    const versionAfterReset = async () => {
      const states = await cabinet.admin.get<{ items: { cabinetId: string; currentSnapshotVersion: number }[] }>(
        "/api/v1/cabinet-states",
      );
      return states.body.items.find((s) => s.cabinetId === cabinet.agent.cabinetId)?.currentSnapshotVersion ?? 0;
    };
    const resetVersion = await versionAfterReset();
    await cabinet.agent.waitForSnapshot(resetVersion);

    await page.getByRole("button", { name: "Set my PIN", exact: true }).click();
    await expectVisible(page.getByRole("heading", { name: "Set my PIN" }));
    expect(await smallTouchTargets(page)).toEqual([]);
    await saveStep(page, "set-pin-01-present-badge");
    await page.getByRole("button", { name: `Present ${cabinet.presetLabel}'s badge` }).click();

    await expectVisible(page.getByText("Type the activation code your manager gave you"));
    await typeOnKeypad(page, "Activation code", activationCode);
    await saveStep(page, "set-pin-02-activation-code");
    await page.getByRole("button", { name: "Next", exact: true }).click();

    await expectVisible(page.getByRole("heading", { name: "Choose a PIN" }));
    await typeOnKeypad(page, "New PIN", cabinet.person.pin);
    await page.getByRole("status", { name: `New PIN: ${cabinet.person.pin.length} digits entered` }).waitFor();
    await saveStep(page, "set-pin-03-choose");
    await page.getByRole("button", { name: "Next", exact: true }).click();

    await expectVisible(page.getByRole("heading", { name: "Type it again" }));
    await typeOnKeypad(page, "New PIN again", cabinet.person.pin);
    await page.getByRole("button", { name: "Set my PIN", exact: true }).click();

    await expectVisible(page.getByRole("heading", { name: "Done" }));
    await expectVisible(page.getByText("Your PIN is set — use it with your badge from now on."));
    await saveStep(page, "set-pin-04-done");
    await expect
      .poll(async () => (await cabinet.admin.get<{ pinState: string }>(`/api/v1/credentials/${pin.id}`)).body.pinState)
      .toBe("set");

    // With the snapshot the server announced, the new PIN opens a visit.
    await page.getByRole("button", { name: "OK", exact: true }).click();
    // why: the click only dispatches the page's request to the agent; drive the agent once the page is back at the
    // start, so a late "OK" (a loaded machine) cannot end the visit opened below
    await expectVisible(page.getByRole("heading", { name: "Present your badge or finger" }), 20_000);
    await cabinet.agent.waitForSnapshot(resetVersion + 1);
    await cabinet.agent.act({ type: "cancel" });
    await cabinet.agent.simulate({ type: "badge", number: cabinet.person.badge });
    expect((await cabinet.agent.act({ type: "pin", pin: cabinet.person.pin })).screen.name).toBe("choose_keys");
    await expectVisible(page.getByRole("heading", { name: "Hello, Sam — which keys?" }));
  });
});
