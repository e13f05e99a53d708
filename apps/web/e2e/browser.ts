/**
 * What the browser tests share: Debian's Chromium driven by playwright-core, a real Keyward server over a fresh
 * database seeded with the demo organization, and the built dashboard that server serves.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { appIsStale } from "../../../scripts/web-build.js";
import { DEMO_PASSWORD, seedDemo } from "../../server/src/commands/seed-demo.ts";
import { startTestServer, type TestServer } from "../../server/test/harness.ts";

const CHROMIUM = "/usr/bin/chromium";
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * Fails unless apps/web/dist holds a build at least as new as everything it is built from: the server serves that
 * build, so a stale one would test yesterday's dashboard. The same rule `npm test` uses to decide to rebuild.
 */
export function assertDashboardBuilt(): void {
  // why: only the dashboard is served to these tests; the kiosk's build has its own check in its own tests
  if (appIsStale(repoRoot, "web")) {
    throw new Error("The dashboard build is missing or older than its sources: run `npm run build` (`npm test` does).");
  }
}

/** Launches Debian's Chromium headless; a missing browser is a failure, never a skip. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\`.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A real server over a fresh database holding the demo organization. */
export async function startDemoServer(): Promise<TestServer> {
  assertDashboardBuilt();
  const server = await startTestServer();
  const seeded = await seedDemo(server.services.db, server.clock.now());
  if (!seeded) {
    await server.close();
    throw new Error("the demo could not be seeded into a fresh database");
  }
  return server;
}

/**
 * Starts a demo server and a browser before the enclosing block's tests and closes both after them.
 * @returns accessors, valid once the block's tests run.
 */
export function withDemoBrowser(): { readonly server: TestServer; readonly browser: Browser } {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) {
      throw new Error("the demo server and browser start in beforeAll; use them inside hooks and tests");
    }
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get browser() {
      return started(browser);
    },
  };
}

/** Signs in through the sign-in screen and waits for the home page. */
export async function signIn(page: Page, baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("textbox", { name: "Password" }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: /^Hello,/ }).waitFor();
}

/** Chooses a property in the header's switcher. */
export async function chooseProperty(page: Page, name: string): Promise<void> {
  await page.getByRole("combobox", { name: "Property" }).click();
  await page.getByRole("option", { name }).click();
}

/** Waits until the element shows; fails the test (with Playwright's description of what it waited for) if not. */
export async function expectVisible(locator: Locator, timeout = 10_000): Promise<void> {
  await locator.first().waitFor({ state: "visible", timeout });
}

/** Waits until no such element shows. */
export async function expectGone(locator: Locator, timeout = 10_000): Promise<void> {
  await locator.first().waitFor({ state: "hidden", timeout });
}

/** Follows a link of the main navigation. */
export async function navigate(page: Page, label: string): Promise<void> {
  await page
    .getByRole("navigation", { name: "Main navigation" })
    .getByRole("link", { name: label, exact: true })
    .click();
}

/** Picks the first enabled option of the open dropdown. */
export async function pickFirstEnabledOption(page: Page): Promise<void> {
  await page.locator('[role="option"]:visible:not([data-combobox-disabled])').first().click();
}
