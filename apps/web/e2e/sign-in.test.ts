import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { chooseProperty, expectGone, expectVisible, navigate, signIn, withDemoBrowser } from "./browser.ts";

describe("dashboard: signing in and choosing a property", () => {
  const demo = withDemoBrowser();
  let page: Page;
  beforeEach(async () => {
    const context = await demo.browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  it("shows the server's message for a wrong password and stays on sign-in", async () => {
    await page.goto(`${demo.server.url}/`);
    await page.getByLabel("E-mail").fill("admin@demo.keyward.test");
    await page.getByRole("textbox", { name: "Password" }).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expectVisible(page.getByRole("alert").getByText("The e-mail or password is not correct."));
    await expectVisible(page.getByRole("heading", { level: 1, name: "Sign in" }));
  });

  it("signs in, lands on the home page, and signs out", async () => {
    await signIn(page, demo.server.url, "admin@demo.keyward.test");
    await expectVisible(page.getByRole("heading", { level: 1, name: "Hello, Avery" }));
    // The demo's cabinets all await enrolment: the home page says so, from the API.
    await expectVisible(page.getByText("Cabinets not yet enrolled"));
    await page.getByRole("button", { name: /^Account of/ }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: "Sign in" }));
  });

  it("switches property with one login, and lists only the chosen property's records", async () => {
    // The property manager holds a role at both demo properties, and no organization-wide one.
    await signIn(page, demo.server.url, "manager@demo.keyward.test");
    await navigate(page, "Units");
    await chooseProperty(page, "Maple Court Apartments");
    const units = page.getByRole("table", { name: "Units" });
    await expectVisible(units.getByRole("link", { name: "A101", exact: true }));

    await chooseProperty(page, "Harbor View Residences");
    await expectVisible(units.getByRole("link", { name: "N101", exact: true }));
    await expectGone(units.getByRole("link", { name: "A101", exact: true }));

    // The choice is remembered across a reload.
    await page.reload();
    await expectVisible(page.getByRole("table", { name: "Units" }).getByRole("link", { name: "N101", exact: true }));
    expect(await page.getByRole("combobox", { name: "Property" }).inputValue()).toBe("Harbor View Residences");
  });
});
