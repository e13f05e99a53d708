import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { chooseProperty, expectVisible, navigate, pickFirstEnabledOption, signIn, withDemoBrowser } from "./browser.ts";

describe("dashboard: creating records through the forms", () => {
  const demo = withDemoBrowser();
  let page: Page;
  beforeEach(async () => {
    const context = await demo.browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, demo.server.url, "admin@demo.keyward.test");
    await chooseProperty(page, "Maple Court Apartments");
  });

  it("shows the server's field error next to the field", async () => {
    await navigate(page, "Units");
    await page.getByRole("button", { name: "New unit" }).click();
    const dialog = page.getByRole("dialog", { name: "New unit" });
    await dialog.getByRole("textbox", { name: "Number or name" }).fill("A101");
    await dialog.getByRole("button", { name: "Create unit" }).click();
    // The 409 names the field; the message sits under that input, not in a banner.
    const input = dialog.getByRole("textbox", { name: "Number or name" });
    await expectVisible(dialog.getByText("Unit A101 already exists at this property."));
    expect(await input.getAttribute("aria-invalid")).toBe("true");
  });

  it("creates a unit, then a key for it on a free hook", async () => {
    await navigate(page, "Units");
    await page.getByRole("button", { name: "New unit" }).click();
    const unitDialog = page.getByRole("dialog", { name: "New unit" });
    await unitDialog.getByRole("textbox", { name: "Number or name" }).fill("Z901");
    await unitDialog.getByRole("textbox", { name: "Floor" }).fill("9");
    await unitDialog.getByRole("button", { name: "Create unit" }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: "Unit Z901" }));

    await page.getByRole("button", { name: "Add a key" }).click();
    const keyDialog = page.getByRole("dialog", { name: "New key for unit Z901" });
    await keyDialog.getByRole("textbox", { name: "Label" }).fill("Z901 (1/1)");
    await keyDialog.getByRole("textbox", { name: "Tag code" }).fill("KW-TEST-0901");
    await keyDialog.getByRole("combobox", { name: "Cabinet" }).click();
    await page.getByRole("option", { name: "Leasing office" }).click();
    await keyDialog.getByRole("combobox", { name: "Hook" }).click();
    // Taken hooks are offered disabled; the first enabled one is free.
    await pickFirstEnabledOption(page);
    await keyDialog.getByRole("button", { name: "Create key" }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: "Key Z901 (1/1)" }));
    await expectVisible(page.getByRole("link", { name: /^Leasing office, hook \d+$/ }));

    // The key is in the database, on that cabinet, and its creation is in its history.
    const api = await demo.server.client().login("admin@demo.keyward.test", "keyward-demo");
    const found = await api.get<{ items: { label: string; cabinetId: string | null; status: string }[] }>(
      "/api/v1/keys?q=KW-TEST-0901",
    );
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]?.status).toBe("in");
    expect(found.body.items[0]?.cabinetId).not.toBeNull();
    await expectVisible(page.getByText("Key created"));
  });
});
