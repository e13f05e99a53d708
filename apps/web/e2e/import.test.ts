import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { chooseProperty, expectGone, expectVisible, navigate, signIn, withDemoBrowser } from "./browser.ts";

const BAD = "number,building,occupancy\nZ801,Building Z,occupied\nZ802,Building Z,sold\n";
const GOOD = "number,building,occupancy\nZ801,Building Z,occupied\nZ802,Building Z,vacant\n";

describe("dashboard: CSV import of units", () => {
  const demo = withDemoBrowser();
  let page: Page;

  beforeAll(async () => {
    page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    await signIn(page, demo.server.url, "admin@demo.keyward.test");
    await chooseProperty(page, "Harbor View Residences");
  });

  it("lists a dry run's problems by row and column, and imports nothing", async () => {
    await navigate(page, "Import and export");
    await page.getByRole("textbox", { name: "CSV" }).fill(BAD);
    await page.getByRole("button", { name: "Check (dry run)" }).click();
    const problems = page.getByRole("table", { name: "Problems found" });
    await expectVisible(problems);
    const row = problems.getByRole("row").nth(1);
    expect(await row.getByRole("cell").nth(0).textContent()).toBe("3");
    expect(await row.getByRole("cell").nth(1).textContent()).toBe("occupancy");
    // The preview shows the file, and the import stays disabled while a problem remains.
    await expectVisible(page.getByRole("table", { name: "Preview of the file" }).getByText("sold"));
    expect(await page.getByRole("button", { name: /^Import/ }).isDisabled()).toBe(true);
  });

  it("imports a valid file after a clean dry run", async () => {
    await page.getByRole("textbox", { name: "CSV" }).fill(GOOD);
    await page.getByRole("button", { name: "Check (dry run)" }).click();
    await expectVisible(page.getByText("2 rows checked; no problems found."));
    await page.getByRole("button", { name: "Import 2 rows" }).click();
    await expectVisible(page.getByText("2 units imported."));
    await expectGone(page.getByRole("table", { name: "Preview of the file" }));

    await navigate(page, "Units");
    await page.getByRole("textbox", { name: "Search" }).fill("Z80");
    const units = page.getByRole("table", { name: "Units" });
    await expectVisible(units.getByRole("link", { name: "Z801", exact: true }));
    await expectVisible(units.getByRole("link", { name: "Z802", exact: true }));
    expect(await units.getByRole("row", { name: /Z802/ }).getByText("Vacant").count()).toBe(1);
  });
});
