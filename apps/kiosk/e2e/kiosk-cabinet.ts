/**
 * What the kiosk's browser tests share: a real Keyward server over a fresh database seeded with the demo
 * organization, a real cabinet agent enrolled through the dashboard's one-time code and running the simulated
 * cabinet, the built kiosk that agent serves, and helpers that touch the console as a person would.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Checkout } from "@keyward/contracts/custody";
import type { Page } from "playwright-core";
import { appIsStale } from "../../../scripts/web-build.js";
import { enrollAgent, type RunningAgent, startAgent } from "../../agent/src/agent.ts";
import type { AgentLogger } from "../../agent/src/engine.ts";
import { DEMO_PASSWORD, type DemoCabinetUser, seedDemo } from "../../server/src/commands/seed-demo.ts";
import { type ApiClient, startTestServer, type TestServer } from "../../server/test/harness.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Where each test step's screenshot is saved (gitignored). */
export const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), "artifacts");

/** The demo cabinet the tests drive: Maple Court's maintenance shop, two modules of 200 hooks. */
const CABINET_NAME = "Maintenance shop";
/** The demo person who may take any key at Maple Court at any hour (so the tests pass on any weekday). */
const PERSON_NAME = "Sam Supervisor";
/** A demo person of the other property, whom this cabinet does not know. */
const STRANGER_NAME = "Hugo Leasing";

const quiet: AgentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A unit key hanging in the cabinet, as the tests choose it. */
export interface HangingKey {
  id: string;
  label: string;
  tag: string;
  hook: number;
  unitNumber: string;
}

/** A server, an enrolled agent on the simulated cabinet, and the person who will use it. */
export interface KioskCabinet {
  server: TestServer;
  agent: RunningAgent;
  /** Signed in as the demo administrator. */
  admin: ApiClient;
  person: DemoCabinetUser;
  /** The label the simulator panel gives the person (their name). */
  presetLabel: string;
  /** The label of a second preset: someone from another property, whose badge this cabinet does not know. */
  strangerLabel: string;
  /** Unit keys on the cabinet's hooks, by hook number, each of a different unit. */
  keys: HangingKey[];
  close(): Promise<void>;
}

/** Fails unless the kiosk's build is at least as new as its sources: the agent serves that build. */
export function assertKioskBuilt(): void {
  if (appIsStale(repoRoot, "kiosk")) {
    throw new Error("The kiosk build is missing or older than its sources: run `npm run build` (`npm test` does).");
  }
}

async function unitKeysOf(server: TestServer, cabinetId: string): Promise<HangingKey[]> {
  const rows = await server.services.db
    .selectFrom("keys")
    .innerJoin("units", "units.id", "keys.unit_id")
    .select(["keys.id", "keys.label", "keys.tag_code", "keys.hook_number", "units.number"])
    .where("keys.cabinet_id", "=", cabinetId)
    .where("keys.kind", "=", "unit")
    .where("keys.status", "=", "in")
    .where("keys.restricted", "=", 0)
    .orderBy("keys.hook_number")
    .execute();
  const seen = new Set<string>();
  const keys: HangingKey[] = [];
  for (const r of rows) {
    // why: one key per unit, so that choosing a unit in a test finds exactly the key the test means
    if (r.hook_number !== null && !seen.has(r.number)) {
      seen.add(r.number);
      keys.push({ id: r.id, label: r.label, tag: r.tag_code, hook: r.hook_number, unitNumber: r.number });
    }
  }
  return keys;
}

/**
 * Starts the server, seeds the demo, enrols an agent for the cabinet with a code issued through the API, and starts
 * it on a free port with the simulated driver; resolves once the agent holds the server's snapshot.
 */
export async function startKioskCabinet(): Promise<KioskCabinet> {
  assertKioskBuilt();
  const server = await startTestServer();
  // why: the agent sets its clock from the server's HTTP `Date` header, which is real time, and the server refuses
  // signed requests more than a few minutes from its own clock; so here the server's test clock follows real time
  server.clock.ms = Date.now();
  const follow = setInterval(() => {
    server.clock.ms = Date.now();
  }, 1000);
  const dataDir = mkdtempSync(join(tmpdir(), "keyward-kiosk-e2e-"));
  let agent: RunningAgent | null = null;
  const stop = async () => {
    clearInterval(follow);
    await agent?.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const seed = await seedDemo(server.services.db, server.clock.now());
    const person = seed?.cabinetUsers.find((u) => u.name === PERSON_NAME);
    const stranger = seed?.cabinetUsers.find((u) => u.name === STRANGER_NAME);
    if (!person || !stranger) {
      throw new Error(`the demo seed lacks the cabinet users ${PERSON_NAME} and ${STRANGER_NAME}`);
    }
    const cabinet = await server.services.db
      .selectFrom("cabinets")
      .select("id")
      .where("name", "=", CABINET_NAME)
      .executeTakeFirstOrThrow();
    const admin = await server.client().login("admin@demo.keyward.test", DEMO_PASSWORD);
    const issued = await admin.post<{ code: string }>(`/api/v1/cabinets/${cabinet.id}/enrollment-codes`);
    if (issued.status !== 201) {
      throw new Error(`issuing an enrolment code answered ${issued.status}: ${issued.text}`);
    }
    await enrollAgent({ serverUrl: server.url, code: issued.body.code, dataDir });
    agent = await startAgent({
      dataDir,
      kioskPort: 0,
      logger: quiet,
      simulatorPresets: [
        { label: PERSON_NAME, badge: person.badge, fingerprint: null, pin: person.pin },
        { label: STRANGER_NAME, badge: stranger.badge, fingerprint: null, pin: null },
      ],
    });
    await agent.waitForSnapshot();
    const keys = await unitKeysOf(server, cabinet.id);
    return {
      server,
      agent,
      admin,
      person,
      presetLabel: PERSON_NAME,
      strangerLabel: STRANGER_NAME,
      keys,
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Puts the cabinet back at rest between tests: door closed, no visit, English. */
export async function resetCabinet(cabinet: KioskCabinet): Promise<void> {
  if (cabinet.agent.simulator?.state().door.open) {
    await cabinet.agent.simulate({ type: "door", open: false });
  }
  await cabinet.agent.act({ type: "cancel" });
  await cabinet.agent.act({ type: "language", language: "en" });
}

/** The open checkouts the server holds for a key (the keys-out board's view of it). */
export async function openCheckoutsOf(cabinet: KioskCabinet, keyId: string): Promise<Checkout[]> {
  const res = await cabinet.admin.get<{ items: Checkout[] }>(`/api/v1/checkouts?status=open&keyId=${keyId}`);
  if (res.status !== 200) {
    throw new Error(`GET /api/v1/checkouts answered ${res.status}: ${res.text}`);
  }
  return res.body.items;
}

/** Types a value on the on-screen keypad named `label`, switching to letters and back as the value needs. */
export async function typeOnKeypad(page: Page, label: string, value: string): Promise<void> {
  const pad = page.getByRole("group", { name: label, exact: true });
  let letters = false;
  for (const ch of value.toUpperCase()) {
    const isDigit = /[0-9]/.test(ch);
    if (isDigit === letters) {
      await pad.getByRole("button", { name: letters ? "123" : "ABC", exact: true }).click();
      letters = !letters;
    }
    await pad.getByRole("button", { name: ch, exact: true }).click();
  }
  if (letters) {
    await pad.getByRole("button", { name: "123", exact: true }).click();
  }
}

/** Presents the person's badge from the simulator panel and types a PIN on the console's keypad (not yet Enter). */
export async function identifyAtConsole(page: Page, cabinet: KioskCabinet, pin: string): Promise<void> {
  await page.getByRole("button", { name: `Present ${cabinet.presetLabel}'s badge` }).click();
  await page.getByRole("heading", { name: `Hello, ${cabinet.person.name.split(" ")[0]}` }).waitFor();
  await typeOnKeypad(page, "PIN", pin);
  await page.getByRole("status", { name: `PIN: ${pin.length} digits entered` }).waitFor();
}

/** Saves a screenshot of the step under e2e/artifacts. */
export async function saveStep(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // why: a resting pointer would leave a focus or press highlight in the picture
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * The console's buttons smaller than a gloved finger (64 px either way), described; the simulator panel stands for
 * hardware and is not measured.
 */
export async function smallTouchTargets(page: Page): Promise<string[]> {
  return page.locator("main button:visible").evaluateAll((buttons) =>
    buttons.flatMap((b) => {
      const box = b.getBoundingClientRect();
      return box.width < 64 || box.height < 64
        ? [
            `${b.getAttribute("aria-label") ?? b.textContent ?? "?"} (${Math.round(box.width)}×${Math.round(box.height)})`,
          ]
        : [];
    }),
  );
}

/** Records every tone the kiosk's WebAudio beep starts, in `window.kioskTones`, before the page's own scripts run. */
export async function recordTones(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const tones: number[] = [];
    Object.assign(window, { kioskTones: tones });
    const create = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function createOscillator(this: AudioContext) {
      const oscillator = create.call(this);
      const start = oscillator.start.bind(oscillator);
      oscillator.start = (when?: number) => {
        tones.push(oscillator.frequency.value);
        start(when);
      };
      return oscillator;
    };
  });
}

/** The tones recorded so far. */
export async function tonesOf(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { kioskTones: number[] }).kioskTones.slice());
}

/** One press of a console button, as `recordTouches` sees it. */
export interface Touch {
  label: string;
  /** A key of an on-screen keypad (a character, ABC/123, delete): data entry, counted apart from touches. */
  entry: boolean;
}

/**
 * From now on, records every press of a button on the console (not on the simulator panel, which stands for the
 * hardware) in `window.kioskTouches`; presses inside the keypads named `keypads` are marked as data entry.
 */
export async function recordTouches(page: Page, keypads: string[]): Promise<void> {
  await page.evaluate((entryGroups) => {
    const touches: { label: string; entry: boolean }[] = [];
    Object.assign(window, { kioskTouches: touches });
    document.addEventListener(
      "click",
      (event) => {
        const button = event.target instanceof Element ? event.target.closest("button") : null;
        if (!button?.closest("main")) {
          return;
        }
        const group = button.closest('[role="group"]')?.getAttribute("aria-label") ?? null;
        touches.push({
          label: button.getAttribute("aria-label") ?? button.textContent ?? "?",
          entry: group !== null && entryGroups.includes(group),
        });
      },
      true,
    );
  }, keypads);
}

/** The touches recorded since `recordTouches`. */
export async function touchesOf(page: Page): Promise<Touch[]> {
  return page.evaluate(() => (window as unknown as { kioskTouches: Touch[] }).kioskTouches.slice());
}
