import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { expectVisible, signIn, withDemoBrowser } from "./browser.ts";

describe("dashboard on a phone (390×844)", () => {
  const demo = withDemoBrowser();
  let page: Page;

  beforeAll(async () => {
    page = await demo.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    page.setDefaultTimeout(10_000);
  });

  it("keeps the navigation behind a burger, and closes it after choosing a page", async () => {
    await signIn(page, demo.server.url, "admin@demo.keyward.test");
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
