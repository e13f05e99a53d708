/**
 * The report schedules page in Chromium against a real server: a property manager finds the property's "Daily keys
 * out", creates a weekly by-unit schedule with the form, pauses and resumes it, sends it now and watches the delivery
 * go out; with the SMTP server refusing, the delivery fails in red and "Retry now" sends it once the server accepts.
 * A real SMTP server in this process (smtp-server) receives the messages and mailparser reads them back; the delivery
 * worker's passes are run by the test at the server's clock, as the server's own delivery test does.
 */

import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ReportSchedule } from "@keyward/contracts/report-schedules";
import { parse } from "csv-parse/sync";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../server/src/commands/seed-demo.ts";
import { runDeliveryPass } from "../../server/src/reports/deliver-reports.ts";
import type { Services } from "../../server/src/services.ts";
import type { ApiClient } from "../../server/test/harness.ts";
import { type Inbox, type Received, startInbox } from "../../server/test/smtp-inbox.ts";
import type { Property } from "../src/types.ts";
import { chooseProperty, expectGone, expectVisible, navigate, signIn, withDemoBrowser } from "./browser.ts";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = resolve(here, "artifacts");
const MAPLE = "Maple Court Apartments";
const MANAGER = "manager@demo.keyward.test";
const SUPERVISOR = "supervisor@demo.keyward.test";
const WEEKLY = "Friday unit activity";
const MINUTE = 60_000;
/** How often the deliveries dialog asks the server again (the page's refetch interval). */
const DELIVERIES_REFRESH_MS = 15_000;

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: resolve(artifacts, `${name}.png`), fullPage: true });
}

/** Whether a CSS colour is a red: the red channel well above the others. */
function isRed(color: string): boolean {
  const [r = 0, g = 0, b = 0] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return r > 150 && r > g + 60 && r > b + 60;
}

describe("report schedules page", () => {
  const demo = withDemoBrowser();
  let inbox: Inbox;
  let manager: ApiClient;
  let maple: Property;
  let context: BrowserContext;
  let page: Page;
  const now = () => demo.server.clock.now();

  /** The server's services with the in-process SMTP server configured, as a server with KEYWARD_SMTP_URL has. */
  function mailing(): Services {
    const s = demo.server.services;
    return { ...s, config: { ...s.config, mail: { smtpUrl: inbox.url, from: "Keyward <reports@keyward.test>" } } };
  }

  /** One pass of the delivery worker at the server's clock. */
  async function deliveryPass() {
    return runDeliveryPass(mailing(), "e2e-worker");
  }

  /**
   * Moves the server's clock on, in steps shorter than a session's idle limit, the page asking the server something
   * at each step as a person's open dashboard does; the manager's API session is opened again afterwards.
   */
  async function advance(minutes: number): Promise<void> {
    for (let left = minutes; left > 0; left -= 20) {
      demo.server.clock.advance(Math.min(20, left) * MINUTE);
      const status = await page.evaluate(async () => (await fetch("/api/v1/auth/me")).status);
      expect(status).toBe(200);
    }
    manager = await demo.server.client().login(MANAGER, DEMO_PASSWORD);
  }

  async function schedulesOf(client: ApiClient): Promise<ReportSchedule[]> {
    const res = await client.get<{ items: ReportSchedule[] }>(`/api/v1/report-schedules?propertyId=${maple.id}`);
    expect(res.status, res.text).toBe(200);
    return res.body.items;
  }

  async function scheduleNamed(name: string): Promise<ReportSchedule> {
    const found = (await schedulesOf(manager)).find((s) => s.name === name);
    if (!found) {
      throw new Error(`no schedule named ${name}`);
    }
    return found;
  }

  function row(name: string): Locator {
    return page
      .getByRole("table", { name: "Report schedules", exact: true })
      .locator("tbody tr")
      .filter({ has: page.getByRole("button", { name, exact: true }) });
  }

  /** A cell of a schedule's row, by its column's heading. */
  async function cell(name: string, heading: string): Promise<Locator> {
    const headings = await page
      .getByRole("table", { name: "Report schedules", exact: true })
      .locator("thead th")
      .allTextContents();
    const index = headings.indexOf(heading);
    expect(index, `no column ${heading}`).toBeGreaterThanOrEqual(0);
    return row(name).locator("td").nth(index);
  }

  /** "Jun 5, 2026, 8:30 AM CDT", as the page writes an instant in a zone. */
  function shown(iso: string, zone: string): Promise<string> {
    return page.evaluate(
      ([at, z]) =>
        new Intl.DateTimeFormat("en-US", {
          timeZone: z,
          year: "numeric",
          month: "short",
          day: "numeric",
          hour: "numeric",
          minute: "2-digit",
          timeZoneName: "short",
        }).format(new Date(at)),
      [iso, zone] as const,
    );
  }

  /** On a desktop screen the table shows whole, its buttons included, without scrolling sideways. */
  async function tableFits(): Promise<void> {
    const hidden = await page.getByRole("table", { name: "Report schedules", exact: true }).evaluate((table) => {
      let box = table.parentElement;
      while (box && getComputedStyle(box).overflowX === "visible") {
        box = box.parentElement;
      }
      return box ? box.scrollWidth - box.clientWidth : 0;
    });
    expect(hidden).toBeLessThanOrEqual(0);
  }

  function deliveriesDialog(name: string): Locator {
    return page.getByRole("dialog", { name: `Deliveries of “${name}”` });
  }

  /** The dialog's delivery rows, newest first. */
  function deliveryRows(name: string): Locator {
    return deliveriesDialog(name).locator("tbody tr");
  }

  /** Lets the deliveries dialog ask the server again (its refetch timer) after a worker pass. */
  async function refreshDeliveries(): Promise<void> {
    await page.clock.fastForward(DELIVERIES_REFRESH_MS);
  }

  /** Waits until the newest delivery of the dialog shows `status`. */
  async function newestDeliveryIs(name: string, status: string): Promise<Locator> {
    const newest = deliveryRows(name).first();
    await expectVisible(newest.getByText(status, { exact: true }));
    return newest;
  }

  beforeAll(async () => {
    inbox = await startInbox();
    manager = await demo.server.client().login(MANAGER, DEMO_PASSWORD);
    const properties = (await manager.get<{ items: Property[] }>("/api/v1/properties?limit=50")).body.items;
    const found = properties.find((p) => p.name === MAPLE);
    if (!found) {
      throw new Error(`the demo has no ${MAPLE}`);
    }
    maple = found;
    context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    // why: the browser's timers are the test's, so the deliveries dialog's refetch comes when the test says
    await page.clock.install({ time: now() });
    await signIn(page, demo.server.url, MANAGER);
    await chooseProperty(page, MAPLE);
  });

  afterAll(async () => {
    await context?.close();
    await inbox?.close();
  });

  it("opens from the navigation and lists the property's Daily keys out, next run in the property's zone", async () => {
    await navigate(page, "Report schedules");
    await expectVisible(page.getByRole("heading", { level: 1, name: "Report schedules" }));
    const daily = await scheduleNamed("Daily keys out");
    expect(daily).toMatchObject({ report: "keys-out", frequency: "daily", localTime: "07:00", status: "active" });
    await expectVisible(row("Daily keys out"));
    expect(await (await cell("Daily keys out", "When")).textContent()).toBe(`Daily at 07:00 (${maple.timeZone})`);
    // With the property chosen in the header, the rows need not name it again.
    expect(await page.getByRole("columnheader", { name: "Property", exact: true }).count()).toBe(0);
    expect(await (await cell("Daily keys out", "Recipients")).textContent()).toBe("Property managers");
    const nextRun = await shown(daily.nextRunAt, maple.timeZone);
    // the clock reads Monday 2026-06-01 10:00 in Chicago: the next run is Tuesday at 07:00 local
    expect(nextRun).toBe("Jun 2, 2026, 7:00 AM CDT");
    expect(await (await cell("Daily keys out", "Next run")).textContent()).toBe(nextRun);
    await tableFits();
    await shoot(page, "report-schedules");
  });

  it("creates a weekly by-unit schedule with the form", async () => {
    await page.getByRole("button", { name: "New schedule" }).click();
    const dialog = page.getByRole("dialog", { name: "New report schedule" });
    await expectVisible(dialog);
    await dialog.getByRole("textbox", { name: "Name" }).fill(WEEKLY);
    await dialog.getByRole("combobox", { name: "Report" }).click();
    await page.getByRole("option", { name: "By unit", exact: true }).click();
    expect(await dialog.getByRole("combobox", { name: "Property" }).inputValue()).toBe(MAPLE);
    expect(await dialog.getByRole("textbox", { name: "Time zone" }).inputValue()).toBe(maple.timeZone);
    await dialog.getByRole("combobox", { name: "Frequency" }).click();
    await page.getByRole("option", { name: "Weekly", exact: true }).click();
    await dialog.getByRole("combobox", { name: "Weekday" }).click();
    await page.getByRole("option", { name: "Friday", exact: true }).click();
    await dialog.getByLabel("Local time").fill("08:30");
    // why: a MultiSelect holding values hides its input under the pills' box, which takes the click a person makes
    await dialog.getByRole("combobox", { name: "Send to everyone holding these roles" }).click({ force: true });
    await page.getByRole("option", { name: "Maintenance supervisor", exact: true }).click();
    await dialog.getByRole("combobox", { name: "Attach" }).click({ force: true });
    await expectVisible(page.getByRole("option", { name: "PDF", exact: true }));
    await page.keyboard.press("Escape");
    await shoot(page, "report-schedule-form");
    await dialog.getByRole("button", { name: "Create schedule" }).click();
    await expectGone(dialog);

    const created = await scheduleNamed(WEEKLY);
    expect(created).toMatchObject({
      report: "by-unit",
      propertyId: maple.id,
      frequency: "weekly",
      weekday: 5,
      localTime: "08:30",
      timeZone: maple.timeZone,
      recipients: { roles: ["property_manager", "maintenance_supervisor"], userIds: [], emails: [] },
      formats: ["pdf", "csv"],
      status: "active",
    });
    await expectVisible(row(WEEKLY));
    expect(await (await cell(WEEKLY, "Report")).textContent()).toBe("By unit");
    expect(await (await cell(WEEKLY, "When")).textContent()).toBe(`Fridays at 08:30 (${maple.timeZone})`);
    expect(await (await cell(WEEKLY, "Recipients")).textContent()).toBe("Property managers, Maintenance supervisors");
    // Friday 2026-06-05 08:30 in Chicago (CDT, UTC−5)
    expect(created.nextRunAt).toBe("2026-06-05T13:30:00.000Z");
    expect(await (await cell(WEEKLY, "Next run")).textContent()).toBe("Jun 5, 2026, 8:30 AM CDT");
    await tableFits();
  });

  it("pauses and resumes a schedule", async () => {
    await row(WEEKLY).getByRole("button", { name: "Pause", exact: true }).click();
    await expectVisible(row(WEEKLY).getByText("paused", { exact: true }));
    expect((await scheduleNamed(WEEKLY)).status).toBe("paused");
    expect(await (await cell(WEEKLY, "Next run")).textContent()).toBe("");

    await row(WEEKLY).getByRole("button", { name: "Resume", exact: true }).click();
    await expectVisible(row(WEEKLY).getByText("active", { exact: true }));
    const resumed = await scheduleNamed(WEEKLY);
    expect(resumed.status).toBe("active");
    expect(await (await cell(WEEKLY, "Next run")).textContent()).toBe(await shown(resumed.nextRunAt, maple.timeZone));
  });

  it("sends now: the delivery appears, is sent once the worker has passed, and the message arrives", async () => {
    await row(WEEKLY).getByRole("button", { name: "Send now", exact: true }).click();
    await expectVisible(page.getByRole("status").filter({ hasText: `"${WEEKLY}" will go out within a minute.` }));
    await row(WEEKLY).getByRole("button", { name: "Deliveries", exact: true }).click();
    await expectVisible(deliveriesDialog(WEEKLY));
    // why: counted only once the dialog has its rows; a slower database answers after the dialog opens
    await newestDeliveryIs(WEEKLY, "pending");
    expect(await deliveryRows(WEEKLY).count()).toBe(1);

    expect(await deliveryPass()).toMatchObject({ sent: 1, failed: 0 });
    await refreshDeliveries();
    const sent = await newestDeliveryIs(WEEKLY, "sent");
    expect(await sent.textContent()).toContain(MANAGER);
    expect(await sent.textContent()).toContain(SUPERVISOR);
    await expectGone(sent.getByRole("button", { name: "Retry now" }));
    await shoot(page, "report-schedule-deliveries");

    expect(inbox.messages).toHaveLength(1);
    const [message] = inbox.messages as [Received];
    expect([...message.to].sort()).toEqual([MANAGER, SUPERVISOR]);
    expect(message.mail.subject).toBe(`${WEEKLY} — ${MAPLE} — 2026-06-01`);
    const names = message.mail.attachments.map((a) => a.filename ?? "");
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(/^by-unit-.*\.pdf$/);
    expect(names[1]).toMatch(/^by-unit-.*\.csv$/);
    const [pdf, csv] = message.mail.attachments;
    expect(pdf?.content.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const records = parse(csv?.content.toString("utf8") ?? "", {
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
    expect(records[0]?.[0]).toBe("Unit");
    await page.keyboard.press("Escape");
    await expectGone(deliveriesDialog(WEEKLY));
  });

  it("shows a failed delivery in red with its error, and retries it once the SMTP server accepts", async () => {
    inbox.refuse = 5;
    const before = inbox.messages.length;
    // why: the server's clock stands still in tests; a second "send now" in the same instant is the same run
    await advance(1);
    await row(WEEKLY).getByRole("button", { name: "Send now", exact: true }).click();
    await row(WEEKLY).getByRole("button", { name: "Deliveries", exact: true }).click();
    await expectVisible(deliveriesDialog(WEEKLY));
    await newestDeliveryIs(WEEKLY, "pending");

    // The first refusal: the delivery waits for its next attempt, its error and that attempt's time shown.
    expect(await deliveryPass()).toMatchObject({ sent: 0, failed: 1 });
    await refreshDeliveries();
    const retrying = await newestDeliveryIs(WEEKLY, "retrying");
    const firstError = retrying.getByText(/Mailbox busy, try again later/);
    await expectVisible(firstError);
    expect(await firstError.textContent()).toContain("next attempt");

    // Four more refusals, each at its retry's time (1, 5, 30 and 120 minutes on): the delivery gives up.
    for (const wait of [1, 5, 30, 120]) {
      await advance(wait);
      expect(await deliveryPass()).toMatchObject({ sent: 0, failed: 1 });
    }
    await refreshDeliveries();
    const failed = await newestDeliveryIs(WEEKLY, "failed");
    const error = failed.getByText(/Mailbox busy, try again later/);
    await expectVisible(error);
    expect(isRed(await error.evaluate((e) => getComputedStyle(e).color))).toBe(true);
    const badge = failed.getByText("failed", { exact: true });
    expect(isRed(await badge.evaluate((e) => getComputedStyle(e).color))).toBe(true);
    expect(await failed.locator("td").nth(2).textContent()).toBe("5");
    expect(inbox.messages).toHaveLength(before);
    await shoot(page, "report-schedule-failed");

    // The server accepts again: "Retry now" sends it on the worker's next pass.
    await failed.getByRole("button", { name: "Retry now" }).click();
    await newestDeliveryIs(WEEKLY, "retrying");
    expect(await deliveryPass()).toMatchObject({ sent: 1, failed: 0 });
    await refreshDeliveries();
    const sent = await newestDeliveryIs(WEEKLY, "sent");
    expect(await sent.locator("td").nth(2).textContent()).toBe("6");
    await expectGone(sent.getByRole("button", { name: "Retry now" }));
    expect(inbox.messages).toHaveLength(before + 1);
    const message = inbox.messages[before];
    expect(message?.mail.subject?.startsWith(WEEKLY)).toBe(true);
    expect(message?.mail.attachments.map((a) => a.contentType)).toEqual(["application/pdf", "text/csv"]);
    await page.keyboard.press("Escape");
  });

  it("works on a phone: the page does not scroll sideways and the form's fields stack", async () => {
    const phone = await demo.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const p = await phone.newPage();
      p.setDefaultTimeout(10_000);
      await signIn(p, demo.server.url, MANAGER);
      await p.goto(`${demo.server.url}/reports/schedules`);
      await expectVisible(p.getByRole("table", { name: "Report schedules", exact: true }));
      const overflow = () => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shoot(p, "report-schedules-phone");

      await p.getByRole("button", { name: "New schedule" }).click();
      const dialog = p.getByRole("dialog", { name: "New report schedule" });
      await expectVisible(dialog);
      const name = await dialog.getByRole("textbox", { name: "Name" }).boundingBox();
      const report = await dialog.getByRole("combobox", { name: "Report" }).boundingBox();
      expect(name && report).toBeTruthy();
      if (name && report) {
        expect(report.y).toBeGreaterThan(name.y + name.height - 1);
        expect(report.x + report.width).toBeLessThanOrEqual(390);
      }
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shoot(p, "report-schedule-form-phone");
    } finally {
      await phone.close();
    }
  });

  it("is not offered to a technician", async () => {
    const own = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const p = await own.newPage();
      p.setDefaultTimeout(10_000);
      await signIn(p, demo.server.url, "tech@demo.keyward.test");
      const nav = p.getByRole("navigation", { name: "Main navigation" });
      await expectVisible(nav.getByRole("link", { name: "Home", exact: true }));
      expect(await nav.getByRole("link", { name: "Report schedules", exact: true }).count()).toBe(0);
      expect(await nav.getByRole("link", { name: "Reports", exact: true }).count()).toBe(0);
    } finally {
      await own.close();
    }
  });
});
