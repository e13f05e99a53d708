import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "../../server/test/harness.ts";
import { expectVisible, launchBrowser, signIn, startDemoServer } from "./browser.ts";

describe("dashboard on a phone (390×844)", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("keeps the navigation behind a burger, and closes it after choosing a page", async () => {
    await signIn(page, server.url, "admin@demo.keyward.test");
    const nav = page.locator(`nav[aria-label="Main navigation"]`);
    const burger = page.getByRole("button", { name: "Open navigation" });
    await expectVisible(burger);
    // Closed, the menu sits off-screen and takes no focus.
    const onScreen = async () => ((await nav.boundingBox())?.x ?? -1) >= 0;
    expect(await onScreen()).toBe(false);
    expect(await nav.getAttribute("inert")).not.toBeNull();

    await burger.click();
    await page.waitForFunction(
      () => (document.querySelector('nav[aria-label="Main navigation"]')?.getBoundingClientRect().x ?? -1) >= 0,
    );
    expect(await nav.getAttribute("inert")).toBeNull();
    await nav.getByRole("link", { name: "Keys", exact: true }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: "Keys" }));
    await page.waitForFunction(
      () => (document.querySelector('nav[aria-label="Main navigation"]')?.getBoundingClientRect().x ?? 0) < 0,
    );

    // The table scrolls sideways inside its container; the page itself does not.
    await expectVisible(page.getByRole("table", { name: "Keys" }));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
