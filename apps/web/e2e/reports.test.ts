/**
 * The report pages in Chromium against a real server: keys taken through the real cabinet protocol at two
 * properties, then the keys-out and by-unit reports read on screen, sorted, filtered through the URL, downloaded as
 * CSV and PDF, laid out for print and on a phone, and seen by a manager of one property only.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "@keyward/contracts/reports";
import { parse } from "csv-parse/sync";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../server/src/commands/seed-demo.ts";
import { TestDevice } from "../../server/test/device.ts";
import type { ApiClient } from "../../server/test/harness.ts";
import type { Cabinet, Key, Person, Property, ReasonCode } from "../src/types.ts";
import { chooseProperty, expectGone, expectVisible, navigate, signIn, withDemoBrowser } from "./browser.ts";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = resolve(here, "artifacts");
const MAPLE = "Maple Court Apartments";
const HARBOR = "Harbor View Residences";
const MANAGER = "manager@demo.keyward.test";

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: resolve(artifacts, `${name}.png`), fullPage: true });
}

/** The body rows of a report's table. */
function bodyRows(page: Page, title: string): Locator {
  return page.getByRole("table", { name: title, exact: true }).locator("tbody tr");
}

/** The text of one column of the table, top to bottom. */
async function columnTexts(page: Page, title: string, column: number): Promise<string[]> {
  return bodyRows(page, title).evaluateAll(
    (rows, index) => rows.map((r) => (r.children[index] as HTMLElement | undefined)?.textContent?.trim() ?? ""),
    column,
  );
}

/** Waits until the table's first cell reads `text`: the answer for a new sort has arrived. */
async function firstCellIs(page: Page, title: string, text: unknown): Promise<void> {
  await page.waitForFunction(
    ([name, first]) => document.querySelector(`table[aria-label="${name}"] tbody tr td`)?.textContent === first,
    [title, String(text)] as const,
  );
}

/** A total's figure as the page shows it. */
async function shownTotal(page: Page, key: string): Promise<number> {
  const text = await page.locator(`[data-total="${key}"] p`).nth(1).textContent();
  return Number((text ?? "").replaceAll(",", ""));
}

describe("report pages", () => {
  const demo = withDemoBrowser();
  let admin: ApiClient;
  let manager: ApiClient;
  let maple: Property;
  let harbor: Property;
  let mapleKeys: Key[];
  let harborKey: Key;
  let reasons: [ReasonCode, ReasonCode];
  let context: BrowserContext;
  let page: Page;
  const now = () => demo.server.clock.now();
  const minutesAgo = (m: number) => new Date(now().getTime() - m * 60_000);

  /** Enrols a cabinet of the property holding at least `count` unit keys on their hooks. */
  async function cabinetWithKeys(property: Property, count: number): Promise<{ device: TestDevice; keys: Key[] }> {
    const cabinets = await admin.get<{ items: Cabinet[] }>(`/api/v1/cabinets?propertyId=${property.id}&limit=50`);
    for (const cabinet of cabinets.body.items) {
      const keys = await admin.get<{ items: Key[] }>(
        `/api/v1/keys?cabinetId=${cabinet.id}&status=in&kind=unit&sort=label&limit=${count}`,
      );
      if (keys.body.items.length === count) {
        const device = await TestDevice.enroll(admin, cabinet.id, now);
        device.record("cabinet.agent_started", { agentVersion: "test-device", snapshotVersion: null });
        return { device, keys: keys.body.items };
      }
    }
    throw new Error(`no cabinet at ${property.name} holds ${count} unit keys`);
  }

  function take(device: TestDevice, key: Key, who: Person, reason: ReasonCode, at: Date, due: Date): string {
    const checkoutId = randomUUID();
    device.record(
      "key.taken",
      {
        visitId: `visit-${checkoutId}`,
        checkoutId,
        keyId: key.id,
        hook: key.hookNumber,
        personId: who.id,
        authorized: true,
        reasonCodeId: reason.id,
        workOrder: `WO-${key.label.slice(0, 3)}`,
        dueAt: due.toISOString(),
      },
      at,
    );
    return checkoutId;
  }

  async function report(client: ApiClient, name: string, query: string): Promise<Report> {
    const res = await client.get<Report>(`/api/v1/reports/${name}?${query}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  beforeAll(async () => {
    admin = await demo.server.client().login("admin@demo.keyward.test", DEMO_PASSWORD);
    manager = await demo.server.client().login(MANAGER, DEMO_PASSWORD);
    const properties = (await admin.get<{ items: Property[] }>("/api/v1/properties?limit=50")).body.items;
    const byName = (name: string) => {
      const found = properties.find((p) => p.name === name);
      if (!found) {
        throw new Error(`the demo has no ${name}`);
      }
      return found;
    };
    maple = byName(MAPLE);
    harbor = byName(HARBOR);
    const codes = (await admin.get<{ items: ReasonCode[] }>("/api/v1/reason-codes?limit=50")).body.items;
    const [first, second] = codes;
    if (!first || !second) {
      throw new Error("the demo has fewer than two reason codes");
    }
    reasons = [first, second];
    const people = async (p: Property) =>
      (await admin.get<{ items: Person[] }>(`/api/v1/people?homePropertyId=${p.id}&status=active&limit=2`)).body.items;
    const [ana, ben] = await people(maple);
    const [cy] = await people(harbor);
    if (!ana || !ben || !cy) {
      throw new Error("the demo has too few people at its properties");
    }

    const atMaple = await cabinetWithKeys(maple, 4);
    const atHarbor = await cabinetWithKeys(harbor, 1);
    mapleKeys = atMaple.keys;
    const [k1, k2, k3, k4] = atMaple.keys as [Key, Key, Key, Key];
    harborKey = atHarbor.keys[0] as Key;
    // Three keys out at Maple (one overdue, one under the second reason), one taken and returned yesterday.
    take(atMaple.device, k1, ana, reasons[0], minutesAgo(190), minutesAgo(70));
    take(atMaple.device, k2, ben, reasons[1], minutesAgo(60), minutesAgo(-120));
    take(atMaple.device, k3, ana, reasons[0], minutesAgo(30), minutesAgo(-240));
    take(atMaple.device, k4, ben, reasons[0], minutesAgo(26 * 60), minutesAgo(24 * 60));
    atMaple.device.record(
      "key.returned",
      { visitId: "visit-return", keyId: k4.id, hook: k4.hookNumber, personId: ben.id },
      minutesAgo(25 * 60),
    );
    take(atHarbor.device, harborKey, cy, reasons[0], minutesAgo(45), minutesAgo(-60));
    expect((await atMaple.device.upload()).status).toBe(200);
    expect((await atHarbor.device.upload()).status).toBe(200);

    context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    // why: the server's clock is fixed in tests; the browser's must agree, or "today" and "overdue" would differ
    await page.clock.install({ time: now() });
    await signIn(page, demo.server.url, MANAGER);
    await chooseProperty(page, MAPLE);
  });

  afterAll(async () => {
    await context?.close();
  });

  it("reaches a report from home in two clicks, and shows the keys out with the API's totals", async () => {
    await expectVisible(page.getByRole("region", { name: "Activity this week" }).getByRole("figure"));
    const taken = await report(manager, "by-activity", `propertyId=${maple.id}&from=2026-05-26&to=2026-06-01`);
    const card = page.getByRole("link", { name: /^Keys taken this week: / });
    expect(await card.getAttribute("aria-label")).toBe(
      `Keys taken this week: ${taken.totals.find((t) => t.key === "checkouts")?.value}`,
    );
    await shoot(page, "home-overview");
    const home = page.getByRole("region", { name: "Reports" });
    await home.getByRole("link", { name: "Keys out", exact: true }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: "Keys out" }));
    expect(new URL(page.url()).searchParams.get("propertyId")).toBe(maple.id);

    const api = await report(manager, "keys-out", `propertyId=${maple.id}`);
    expect(api.rowCount).toBe(3);
    await expectVisible(page.getByRole("table", { name: "Keys out", exact: true }));
    expect(await bodyRows(page, "Keys out").count()).toBe(api.rowCount);
    for (const total of api.totals) {
      expect(await shownTotal(page, total.key)).toBe(total.value);
    }
    // Times read in the property's zone with the zone named, and the overdue key carries its badge.
    const header = page.getByRole("region", { name: "About this report" });
    expect(await header.textContent()).toContain(maple.timeZone);
    const overdueRow = bodyRows(page, "Keys out").filter({ hasText: (mapleKeys[0] as Key).label });
    await expectVisible(overdueRow.getByText("Overdue", { exact: true }));
    await shoot(page, "report-keys-out");
  });

  it("sorts by a heading on the server, and keeps the order in the URL", async () => {
    await page.getByRole("button", { name: "Sort by Key" }).click();
    await page.waitForURL((url) => url.searchParams.get("sort") === "key");
    const ascending = (await report(manager, "keys-out", `propertyId=${maple.id}&sort=key`)).rows.map(
      (r) => r.cells.key,
    );
    await firstCellIs(page, "Keys out", ascending[0]);
    expect(await columnTexts(page, "Keys out", 0)).toEqual(ascending);

    await page.getByRole("button", { name: "Sort by Key" }).click();
    await page.waitForURL((url) => url.searchParams.get("sort") === "-key");
    const descending = [...ascending].reverse();
    await firstCellIs(page, "Keys out", descending[0]);
    expect(await columnTexts(page, "Keys out", 0)).toEqual(descending);
    expect(await page.getByRole("columnheader", { name: /Key/ }).first().getAttribute("aria-sort")).toBe("descending");
  });

  it("narrows by a filter that lands in the URL, and a reload keeps it", async () => {
    await page.getByRole("combobox", { name: "Reason" }).click();
    await page.getByRole("option", { name: reasons[1].label, exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("reasonCodeId") === reasons[1].id);
    await expectGone(bodyRows(page, "Keys out").filter({ hasText: (mapleKeys[0] as Key).label }));
    expect(await bodyRows(page, "Keys out").count()).toBe(1);
    expect(await shownTotal(page, "keysOut")).toBe(1);

    await page.reload();
    await expectVisible(page.getByRole("table", { name: "Keys out", exact: true }));
    await expect.poll(() => page.getByRole("combobox", { name: "Reason" }).inputValue()).toBe(reasons[1].label);
    expect(await bodyRows(page, "Keys out").count()).toBe(1);
    await expectVisible(bodyRows(page, "Keys out").filter({ hasText: (mapleKeys[1] as Key).label }));
  });

  it("downloads the same rows and totals as CSV, and the report as PDF", async () => {
    await page.goto(`${demo.server.url}/reports/keys-out?propertyId=${maple.id}&sort=key`);
    await expectVisible(page.getByRole("table", { name: "Keys out", exact: true }));
    const api = await report(manager, "keys-out", `propertyId=${maple.id}&sort=key`);

    const [csvDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "CSV", exact: true }).click(),
    ]);
    expect(csvDownload.suggestedFilename()).toMatch(/^keys-out.*\.csv$/);
    const csv = readFileSync(await csvDownload.path(), "utf8");
    const records = parse(csv, { relax_column_count: true, skip_empty_lines: true }) as string[][];
    const [heading, ...rest] = records;
    expect(heading?.[0]).toBe("Key");
    const data = rest.filter((r) => r[0] !== "Total");
    const totals = new Map(rest.filter((r) => r[0] === "Total").map((r) => [r[1], Number(r[2])]));
    expect(data.map((r) => r[0])).toEqual(api.rows.map((r) => r.cells.key));
    for (const total of api.totals) {
      expect(totals.get(total.label)).toBe(total.value);
      expect(await shownTotal(page, total.key)).toBe(total.value);
    }

    const [pdfDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "PDF", exact: true }).click(),
    ]);
    expect(pdfDownload.suggestedFilename()).toMatch(/^keys-out.*\.pdf$/);
    const pdf = readFileSync(await pdfDownload.path());
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  });

  it("prints without navigation, with the header on top and the table at full width", async () => {
    await page.emulateMedia({ media: "print" });
    try {
      await expectGone(page.getByRole("navigation", { name: "Main navigation" }));
      await expectGone(page.getByRole("button", { name: "Print" }));
      await expectGone(page.getByRole("search", { name: "Report filters" }));
      const header = await page.getByRole("region", { name: "About this report" }).boundingBox();
      const table = await page.getByRole("table", { name: "Keys out", exact: true }).boundingBox();
      const width = await page.evaluate(() => document.documentElement.clientWidth);
      expect(header && table).toBeTruthy();
      if (header && table) {
        expect(header.y).toBeLessThan(table.y);
        expect(table.x).toBeLessThan(40);
        expect(table.width).toBeGreaterThan(width - 80);
      }
      await shoot(page, "report-print");
    } finally {
      await page.emulateMedia({ media: "screen" });
    }
    await expectVisible(page.getByRole("navigation", { name: "Main navigation" }));
  });

  it("links a by-unit row to the unit's page with its timeline", async () => {
    await navigate(page, "Reports");
    await page.getByRole("link", { name: "By unit", exact: true }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: "By unit" }));
    const table = page.getByRole("table", { name: "By unit", exact: true });
    await expectVisible(table);
    const api = await report(manager, "by-unit", `propertyId=${maple.id}`);
    expect(api.rowCount).toBe(new Set(mapleKeys.map((k) => k.unitId)).size);
    expect(await bodyRows(page, "By unit").count()).toBe(api.rowCount);
    const first = api.rows[0];
    const unitId = first?.links?.unitId;
    expect(unitId).toBeTruthy();
    await table.locator(`a[href="/units/${unitId}"]`).first().click();
    await page.waitForURL((url) => url.pathname === `/units/${unitId}`);
    await expectVisible(page.getByRole("region", { name: "Evidence packet" }));
    await expectVisible(page.getByRole("region", { name: "History" }));
  });

  it("never shows a manager of one property another property's rows", async () => {
    const person = await admin.post<Person>("/api/v1/people", {
      firstName: "Hana",
      lastName: "Harbor",
      homePropertyId: harbor.id,
    });
    expect(person.status).toBe(201);
    const granted = await admin.post("/api/v1/role-assignments", {
      personId: person.body.id,
      role: "property_manager",
      scopeType: "property",
      scopeId: harbor.id,
    });
    expect(granted.status).toBe(201);
    const email = `hana-${randomUUID().slice(0, 8)}@demo.keyward.test`;
    const created = await admin.post("/api/v1/users", { personId: person.body.id, email, password: DEMO_PASSWORD });
    expect(created.status).toBe(201);
    const hana = await demo.server.client().login(email, DEMO_PASSWORD);
    expect((await hana.get(`/api/v1/reports/keys-out?propertyId=${maple.id}`)).status).toBe(404);

    const own = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    try {
      const p = await own.newPage();
      p.setDefaultTimeout(10_000);
      await p.clock.install({ time: now() });
      await signIn(p, demo.server.url, email);
      // A link to the other property's report is not followed: the page shows her property's instead.
      await p.goto(`${demo.server.url}/reports/keys-out?propertyId=${maple.id}`);
      await p.waitForURL((url) => url.searchParams.get("propertyId") === harbor.id);
      await expectVisible(bodyRows(p, "Keys out").filter({ hasText: harborKey.label }));
      expect(await bodyRows(p, "Keys out").count()).toBe(1);
      const shown = (await p.getByRole("table", { name: "Keys out", exact: true }).textContent()) ?? "";
      for (const key of mapleKeys) {
        expect(shown).not.toContain(key.label);
      }
      const [download] = await Promise.all([
        p.waitForEvent("download"),
        p.getByRole("link", { name: "CSV", exact: true }).click(),
      ]);
      const csv = readFileSync(await download.path(), "utf8");
      expect(csv).toContain(harborKey.label);
      for (const key of mapleKeys) {
        expect(csv).not.toContain(key.label);
      }
    } finally {
      await own.close();
    }
  });

  it("opens every report of the catalog with the API's rows", async () => {
    const catalog = await manager.get<{ items: { name: string; title: string }[] }>("/api/v1/reports");
    expect(catalog.body.items).toHaveLength(9);
    for (const item of catalog.body.items) {
      await page.goto(`${demo.server.url}/reports/${item.name}?propertyId=${maple.id}`);
      await expectVisible(page.getByRole("heading", { level: 1, name: item.title }));
      await expectVisible(page.getByRole("table", { name: item.title, exact: true }));
      const api = await report(manager, item.name, `propertyId=${maple.id}`);
      const rows = bodyRows(page, item.title);
      expect(await rows.count()).toBe(Math.max(1, api.rows.length));
      for (const total of api.totals) {
        expect(await shownTotal(page, total.key)).toBe(total.value);
      }
    }
  });

  it("works on a phone: filters stack and only the table scrolls sideways", async () => {
    const phone = await demo.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const p = await phone.newPage();
      p.setDefaultTimeout(10_000);
      await p.clock.install({ time: now() });
      await signIn(p, demo.server.url, MANAGER);
      await p.goto(`${demo.server.url}/reports/by-unit?propertyId=${maple.id}`);
      await expectVisible(p.getByRole("table", { name: "By unit", exact: true }));
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const building = await p.getByRole("combobox", { name: "Building" }).boundingBox();
      const unit = await p.getByRole("combobox", { name: "Unit" }).boundingBox();
      expect(building && unit).toBeTruthy();
      if (building && unit) {
        expect(unit.y).toBeGreaterThan(building.y + building.height - 1);
      }
      await shoot(p, "report-phone");
    } finally {
      await phone.close();
    }
  });
});
