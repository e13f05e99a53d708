/**
 * Alerts in Chromium against a real server on the demo organization: a cabinet enrolled as a test device (the real
 * protocol: signed uploads) reports its door forced, and the manager's open dashboard shows the alert at once — the
 * bell's count and a toast, nothing reloaded; the manager acknowledges and resolves it with notes; changes a rule
 * and their own notification preferences; an administrator registers a webhook (its secret shown once) and sends it
 * a test ping to a local HTTP receiver; the alerts page on a phone; and a technician sees none of it.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type {
  Alert,
  AlertPage,
  AlertRuleList,
  NotificationPreferences,
  WebhookEndpoint,
} from "@keyward/contracts/alerts";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendDueAlertDeliveries } from "../../server/src/alerts/deliver-alerts.ts";
import { DEMO_PASSWORD } from "../../server/src/commands/seed-demo.ts";
import { verifyWebhookSignature } from "../../server/src/notify/webhook.ts";
import { TestDevice } from "../../server/test/device.ts";
import type { ApiClient } from "../../server/test/harness.ts";
import { type Receiver, startReceiver } from "../../server/test/notify-receiver.ts";
import type { Cabinet, Me, Property } from "../src/types.ts";
import { chooseProperty, expectGone, expectVisible, navigate, signIn, withDemoBrowser } from "./browser.ts";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = resolve(here, "artifacts");
const MAPLE = "Maple Court Apartments";
const MANAGER = "manager@demo.keyward.test";
const ADMIN = "admin@demo.keyward.test";
const ACK_NOTE = "Checked the cabinet: the lock was jammed, no key missing.";
const RESOLVE_NOTE = "Locksmith replaced the latch.";

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: resolve(artifacts, `${name}.png`), fullPage: true, animations: "disabled" });
}

/** The bell's accessible name says the count: "Alerts: 3 open". */
function bell(page: Page): Locator {
  return page.getByRole("banner").getByRole("button", { name: /^Alerts: \d+ open$/ });
}

async function bellCount(page: Page): Promise<number> {
  await expectVisible(bell(page));
  const name = (await bell(page).getAttribute("aria-label")) ?? "";
  return Number(/^Alerts: (\d+) open$/.exec(name)?.[1] ?? Number.NaN);
}

/** Turns a switch over with a click that waits until nothing covers it (a closing menu), and checks it turned. */
async function flip(scope: Page | Locator, name: string): Promise<void> {
  const toggle = scope.getByRole("switch", { name });
  const was = await toggle.isChecked();
  await toggle.click();
  expect(await toggle.isChecked()).toBe(!was);
}

/** How far the page scrolls sideways (0: it fits the screen). */
function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

describe("alerts in the dashboard", () => {
  const demo = withDemoBrowser();
  let manager: ApiClient;
  let managerName: string;
  let maple: Property;
  let device: TestDevice;
  let receiver: Receiver;
  let context: BrowserContext;
  let page: Page;
  let forced: Alert;
  const now = () => demo.server.clock.now();

  async function activeAlerts(): Promise<AlertPage> {
    const res = await manager.get<AlertPage>("/api/v1/alerts?status=active&limit=500");
    expect(res.status, res.text).toBe(200);
    return res.body;
  }

  /** The cabinet reports its door forced over the real upload. */
  async function forceDoor(): Promise<void> {
    device.record("door.forced", {});
    const res = await device.upload();
    expect(res.status, res.text).toBe(200);
  }

  beforeAll(async () => {
    receiver = await startReceiver();
    manager = await demo.server.client().login(MANAGER, DEMO_PASSWORD);
    const me = await manager.get<Me>("/api/v1/auth/me");
    managerName = `${me.body.person.firstName} ${me.body.person.lastName}`;
    const properties = (await manager.get<{ items: Property[] }>("/api/v1/properties?limit=50")).body.items;
    const found = properties.find((p) => p.name === MAPLE);
    if (!found) {
      throw new Error(`the demo has no ${MAPLE}`);
    }
    maple = found;
    const admin = await demo.server.client().login(ADMIN, DEMO_PASSWORD);
    const cabinets = await admin.get<{ items: Cabinet[] }>(`/api/v1/cabinets?propertyId=${maple.id}&limit=50`);
    const cabinet = cabinets.body.items[0];
    if (!cabinet) {
      throw new Error(`${MAPLE} has no cabinet`);
    }
    device = await TestDevice.enroll(admin, cabinet.id, now);
    context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, demo.server.url, MANAGER);
    await chooseProperty(page, MAPLE);
  });

  afterAll(async () => {
    await context?.close();
    await receiver?.close();
  });

  it("shows a forced door at once on the home page: the bell counts it and a toast says it, nothing reloaded", async () => {
    const before = await bellCount(page);
    expect(before).toBe((await activeAlerts()).counts.open);
    // The first answer is the baseline: alerts already open when the page loaded are never toasted.
    expect(await page.getByRole("alert").filter({ hasText: "Door forced" }).count()).toBe(0);
    await page.evaluate(() => {
      (window as unknown as { stillThisPage: boolean }).stillThisPage = true;
    });

    await forceDoor();

    await expectVisible(page.getByRole("banner").getByRole("button", { name: `Alerts: ${before + 1} open` }));
    const toast = page.getByRole("alert").filter({ hasText: "Critical: Door forced" });
    await expectVisible(toast);
    expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(true);
    await expectVisible(page.getByRole("heading", { level: 1, name: /^Hello,/ }));

    const opened = (await activeAlerts()).items.filter((a) => a.kind === "door_forced");
    expect(opened).toHaveLength(1);
    forced = opened[0] as Alert;
    expect(forced).toMatchObject({ status: "open", severity: "critical", propertyId: maple.id });
    expect(await toast.textContent()).toContain(forced.summary);

    // The bell's menu lists it with its severity in words, and "View all".
    await bell(page).click();
    const item = page.getByRole("menuitem").filter({ hasText: "Critical: Door forced" });
    await expectVisible(item);
    expect(await item.textContent()).toContain(forced.summary);
    await expectVisible(page.getByRole("menuitem", { name: "View all alerts" }));
    await shoot(page, "alerts-bell");
    await page.keyboard.press("Escape");
  });

  it("opens the alert from the toast, acknowledges it with a note, then resolves it: it leaves the active list", async () => {
    const toast = page.getByRole("alert").filter({ hasText: "Critical: Door forced" });
    await toast.getByRole("link", { name: "Open the alert" }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: "Door forced" }));
    expect(new URL(page.url()).pathname).toBe(`/alerts/${forced.id}`);
    // why: the link closes the toast it was in; a critical toast otherwise stays until closed
    await expectGone(toast);
    const life = page.getByRole("region", { name: "Life of the alert" });
    expect(await life.textContent()).toContain("AcknowledgedNot yet");

    await page.getByRole("textbox", { name: "Note" }).fill(ACK_NOTE);
    await page.getByRole("button", { name: "Acknowledge", exact: true }).click();
    await expectVisible(life.getByText(`by ${managerName}`));
    await expectVisible(life.getByText(`“${ACK_NOTE}”`));
    await expectGone(page.getByRole("button", { name: "Acknowledge", exact: true }));
    const acknowledged = await manager.get<Alert>(`/api/v1/alerts/${forced.id}`);
    expect(acknowledged.body).toMatchObject({
      status: "acknowledged",
      acknowledged: { byName: managerName, note: ACK_NOTE },
    });
    await shoot(page, "alert-acknowledged");

    await page.getByRole("textbox", { name: "Note" }).fill(RESOLVE_NOTE);
    await page.getByRole("button", { name: "Resolve", exact: true }).click();
    await expectVisible(life.getByText(`“${RESOLVE_NOTE}”`));
    await expectGone(page.getByRole("button", { name: "Resolve", exact: true }));
    const resolved = await manager.get<Alert>(`/api/v1/alerts/${forced.id}`);
    expect(resolved.body).toMatchObject({
      status: "resolved",
      resolved: { byName: managerName, note: RESOLVE_NOTE, how: "manual" },
    });

    await navigate(page, "Alerts");
    await expectVisible(page.getByRole("heading", { level: 1, name: "Alerts" }));
    expect(await page.getByRole("combobox", { name: "Status" }).inputValue()).toBe("Active (open or acknowledged)");
    // why: wait for the list's answer (a table or "No alerts match") before looking for the row
    await expectVisible(page.getByRole("table", { name: "Alerts" }).or(page.getByText("No alerts match.")));
    expect(await page.getByRole("link", { name: "Door forced", exact: true }).count()).toBe(0);
    expect((await activeAlerts()).items.some((a) => a.id === forced.id)).toBe(false);

    await page.getByRole("combobox", { name: "Status" }).click();
    await page.getByRole("option", { name: "Resolved", exact: true }).click();
    const row = page
      .getByRole("table", { name: "Alerts" })
      .locator("tbody tr")
      .filter({ has: page.getByRole("link", { name: "Door forced", exact: true }) });
    await expectVisible(row);
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain("Resolved");
    expect(await row.textContent()).toContain("Critical");
    await shoot(page, "alerts");
  });

  it("switches a rule off and changes its threshold on the rules page; after a reload it is still so", async () => {
    await navigate(page, "Alert rules");
    await expectVisible(page.getByRole("heading", { level: 1, name: "Alert rules" }));
    expect(await page.getByRole("combobox", { name: "Rules of" }).inputValue()).toBe(MAPLE);
    // One row per kind, folded: it says whether the rule is on; opening it shows the rule's form.
    await expectVisible(page.getByRole("button", { name: "Key overdue: on", exact: true }));
    await page.getByRole("button", { name: "Key overdue: on", exact: true }).click();
    const overdue = page.getByRole("region", { name: /^Key overdue: / });
    await expectVisible(overdue);
    const on = overdue.getByRole("switch", { name: "On" });
    const grace = overdue.getByRole("textbox", { name: "Minutes of grace after the due time" });
    expect(await on.isChecked()).toBe(true);
    expect(await grace.inputValue()).toBe("0");

    // A rule the domain refuses is not sent, and the problem shows by its field.
    await flip(overdue, "Quiet hours");
    await overdue.getByLabel("Quiet from").fill("22:00");
    await overdue.getByLabel("Quiet until").fill("22:00");
    await overdue.getByRole("button", { name: "Save", exact: true }).click();
    await expectVisible(overdue.getByText("Quiet hours must start and end at different times."));
    await flip(overdue, "Quiet hours");

    await flip(overdue, "On");
    await grace.fill("15");
    await overdue.getByRole("button", { name: "Save", exact: true }).click();
    await expectVisible(overdue.getByRole("status").filter({ hasText: "Saved." }));
    await shoot(page, "alert-rules");

    await expectVisible(page.getByRole("button", { name: "Key overdue: off", exact: true }));
    await page.reload();
    await page.getByRole("button", { name: "Key overdue: off", exact: true }).click();
    const again = page.getByRole("region", { name: /^Key overdue: / });
    await expectVisible(again);
    expect(await again.getByRole("switch", { name: "On" }).isChecked()).toBe(false);
    expect(await again.getByRole("textbox", { name: "Minutes of grace after the due time" }).inputValue()).toBe("15");
    const rules = await manager.get<AlertRuleList>(`/api/v1/alert-rules?propertyId=${maple.id}`);
    expect(rules.body.rules.find((r) => r.kind === "key_overdue")).toMatchObject({
      enabled: false,
      threshold: 15,
      quietHours: null,
      customized: true,
    });

    await again.getByRole("button", { name: "Reset to defaults" }).click();
    await expectVisible(again.getByRole("status").filter({ hasText: "Back to the defaults." }));
    expect(await again.getByRole("switch", { name: "On" }).isChecked()).toBe(true);
    await expectVisible(page.getByRole("button", { name: "Key overdue: on", exact: true }));
    const reset = await manager.get<AlertRuleList>(`/api/v1/alert-rules?propertyId=${maple.id}`);
    expect(reset.body.rules.find((r) => r.kind === "key_overdue")).toMatchObject({
      enabled: true,
      threshold: 0,
      customized: false,
    });
  });

  it("keeps the manager's notification preferences, refusing a phone number that is not international", async () => {
    await page.getByRole("button", { name: /^Account of / }).click();
    await page.getByRole("menuitem", { name: "My notifications" }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: "My notifications" }));
    const texts = page.getByRole("switch", { name: "Text me alerts" });
    await expectVisible(texts);
    expect(await texts.isChecked()).toBe(false);
    await flip(page, "Text me alerts");
    await page.getByRole("textbox", { name: "Mobile number" }).fill("312 555 0123");
    await page.getByRole("button", { name: "Save preferences" }).click();
    await expectVisible(page.getByText("use the international format, e.g. +13125550123"));
    expect((await manager.get<NotificationPreferences>("/api/v1/me/notification-preferences")).body.sms).toBe(false);

    await page.getByRole("textbox", { name: "Mobile number" }).fill("+13125550123");
    await page.getByRole("combobox", { name: "Only alerts at least this severe" }).click();
    await page.getByRole("option", { name: "Warning", exact: true }).click();
    await flip(page, "Daily digest");
    await page.getByLabel("Digest time").fill("06:30");
    await page.getByRole("combobox", { name: "Time zone" }).fill("America/Chicago");
    await page.getByRole("option", { name: "America/Chicago", exact: true }).click();
    await page.getByRole("button", { name: "Save preferences" }).click();
    await expectVisible(page.getByRole("status").filter({ hasText: "Saved." }));

    await page.reload();
    await expectVisible(page.getByRole("switch", { name: "Text me alerts" }));
    expect(await page.getByRole("switch", { name: "Text me alerts" }).isChecked()).toBe(true);
    expect(await page.getByRole("textbox", { name: "Mobile number" }).inputValue()).toBe("+13125550123");
    expect(await page.getByRole("combobox", { name: "Only alerts at least this severe" }).inputValue()).toBe("Warning");
    expect(await page.getByRole("switch", { name: "Daily digest" }).isChecked()).toBe(true);
    expect(await page.getByLabel("Digest time").inputValue()).toBe("06:30");
    const stored = await manager.get<NotificationPreferences>("/api/v1/me/notification-preferences");
    expect(stored.body).toEqual({
      email: true,
      sms: true,
      phone: "+13125550123",
      minSeverity: "warning",
      digest: true,
      digestTime: "06:30",
      timeZone: "America/Chicago",
    });
  });

  it("registers a webhook, shows its secret once, and logs a test ping", async () => {
    const own = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const p = await own.newPage();
      p.setDefaultTimeout(10_000);
      await signIn(p, demo.server.url, ADMIN);
      await navigate(p, "Webhooks");
      await expectVisible(p.getByRole("heading", { level: 1, name: "Webhooks" }));
      await p.getByRole("button", { name: "Add webhook" }).click();
      const form = p.getByRole("dialog", { name: "New webhook" });
      await expectVisible(form);
      const url = `${receiver.url}/keyward`;
      await form.getByRole("textbox", { name: "URL" }).fill(url);
      await form.getByRole("textbox", { name: "Description" }).fill("Operations channel");
      await form.getByRole("button", { name: "Add webhook" }).click();

      const shown = p.getByRole("dialog", { name: "Signing secret" });
      await expectVisible(shown);
      await expectVisible(shown.getByText(/You will not see it again/));
      await expectVisible(shown.getByRole("button", { name: "Copy secret" }));
      const secret = (await shown.getByTestId("webhook-secret").textContent()) ?? "";
      expect(secret.length).toBeGreaterThanOrEqual(24);
      await shoot(p, "webhook-secret");
      await shown.getByRole("button", { name: "Done" }).click();
      await expectGone(shown);

      const admin = await demo.server.client().login(ADMIN, DEMO_PASSWORD);
      const listed = await admin.get<{ items: WebhookEndpoint[] }>("/api/v1/webhooks");
      const endpoint = listed.body.items.find((e) => e.url === url);
      expect(endpoint).toMatchObject({ status: "active", description: "Operations channel" });
      expect(endpoint?.secret).toBeUndefined();
      const row = p.getByRole("table", { name: "Webhooks" }).locator("tbody tr").filter({ hasText: url });
      await expectVisible(row);
      // The secret is nowhere on the page once its dialog is closed.
      expect(await p.locator("body").textContent()).not.toContain(secret);

      await row.getByRole("button", { name: "Send test ping" }).click();
      await expectVisible(p.getByRole("status").filter({ hasText: `A test ping went to ${url}` }));
      await row.getByRole("button", { name: "Deliveries" }).click();
      const log = p.getByRole("dialog", { name: `Deliveries to ${url}` });
      await expectVisible(log);
      const pings = log.getByRole("table", { name: "Webhook deliveries" }).locator("tbody tr");
      // why: counted only once the dialog has its rows
      await expectVisible(pings.filter({ hasText: "ping" }));
      expect(await pings.count()).toBe(1);
      expect(await pings.first().textContent()).toContain("Pending");

      // The delivery worker's pass (run here at the server's clock) sends it; the log shows the receiver's answer.
      expect(receiver.requests).toHaveLength(0);
      const pass = await sendDueAlertDeliveries(demo.server.services, "e2e-worker");
      expect(pass.sent).toBeGreaterThanOrEqual(1);
      expect(receiver.requests).toHaveLength(1);
      const [request] = receiver.requests;
      expect(request?.path).toBe("/keyward");
      expect(request?.headers["keyward-event"]).toBe("ping");
      const signature = String(request?.headers["keyward-signature"] ?? "");
      const sentAt = Math.floor(now().getTime() / 1000);
      expect(verifyWebhookSignature(secret, signature, request?.body ?? Buffer.alloc(0), sentAt)).toBe(true);
      expect(verifyWebhookSignature(`${secret}x`, signature, request?.body ?? Buffer.alloc(0), sentAt)).toBe(false);
      // why: the log asks the server again every few seconds while it is open
      const sent = pings.filter({ hasText: "Sent" });
      await expectVisible(sent, 15_000);
      expect(await sent.textContent()).toContain("200");
      await shoot(p, "webhook-deliveries");
      await p.keyboard.press("Escape");
      await expectGone(log);

      // A ping the receiver refuses for good (410 Gone) fails at once; "Retry now" sends it again once it accepts.
      receiver.handler = (_request, response) => {
        response.writeHead(410);
        response.end("gone");
      };
      await row.getByRole("button", { name: "Send test ping" }).click();
      await expectVisible(p.getByRole("status").filter({ hasText: `A test ping went to ${url}` }));
      await sendDueAlertDeliveries(demo.server.services, "e2e-worker");
      expect(receiver.requests).toHaveLength(2);
      await row.getByRole("button", { name: "Deliveries" }).click();
      await expectVisible(log);
      // why: found by status, not position — both pings may carry the same instant on the test's clock
      const refused = pings.filter({ hasText: "Failed" });
      await expectVisible(refused, 15_000);
      expect(await refused.count()).toBe(1);
      expect(await refused.textContent()).toContain("410");
      receiver.handler = (_request, response) => {
        response.writeHead(200);
        response.end("thanks");
      };
      await refused.getByRole("button", { name: "Retry now" }).click();
      await expectGone(refused);
      await sendDueAlertDeliveries(demo.server.services, "e2e-worker");
      expect(receiver.requests).toHaveLength(3);
      await expectVisible(pings.filter({ hasText: "Sent" }).nth(1), 15_000);
      expect(await pings.count()).toBe(2);
      await expectGone(log.getByRole("button", { name: "Retry now" }));
      await p.keyboard.press("Escape");
      await expectGone(log);

      // Rotating shows the new secret once; disabling stops the endpoint.
      await row.getByRole("button", { name: "Rotate secret" }).click();
      await p
        .getByRole("dialog", { name: "Rotate the signing secret?" })
        .getByRole("button", { name: "Rotate secret" })
        .click();
      await expectVisible(shown);
      const rotated = (await shown.getByTestId("webhook-secret").textContent()) ?? "";
      expect(rotated.length).toBeGreaterThanOrEqual(24);
      expect(rotated).not.toBe(secret);
      await shown.getByRole("button", { name: "Done" }).click();
      await expectGone(shown);
      await row.getByRole("button", { name: "Disable", exact: true }).click();
      await expectVisible(row.getByRole("button", { name: "Enable", exact: true }));
      await expectVisible(row.getByText("Disabled", { exact: true }));
      const after = await admin.get<{ items: WebhookEndpoint[] }>("/api/v1/webhooks");
      expect(after.body.items.find((e) => e.url === url)?.status).toBe("disabled");
    } finally {
      await own.close();
    }
  });

  it("lists alerts as cards on a phone, with no sideways scroll", async () => {
    await forceDoor();
    const phone = await demo.browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const p = await phone.newPage();
      p.setDefaultTimeout(10_000);
      await signIn(p, demo.server.url, MANAGER);
      await chooseProperty(p, MAPLE);
      await expectVisible(bell(p));
      expect(await overflow(p)).toBeLessThanOrEqual(0);
      await p.goto(`${demo.server.url}/alerts`);
      const cards = p.getByRole("list", { name: "Alerts" });
      await expectVisible(cards);
      const card = cards.getByRole("article").filter({ has: p.getByRole("link", { name: "Door forced" }) });
      await expectVisible(card);
      expect(await card.textContent()).toContain("Critical");
      expect(await card.textContent()).toContain("Open");
      expect(await p.getByRole("table", { name: "Alerts" }).count()).toBe(0);
      expect(await overflow(p)).toBeLessThanOrEqual(0);
      await shoot(p, "alerts-phone");
    } finally {
      await phone.close();
    }
  });

  it("shows a technician no bell and no alert pages in the navigation", async () => {
    const own = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const p = await own.newPage();
      p.setDefaultTimeout(10_000);
      await signIn(p, demo.server.url, "tech@demo.keyward.test");
      const nav = p.getByRole("navigation", { name: "Main navigation" });
      await expectVisible(nav.getByRole("link", { name: "Home", exact: true }));
      await expectVisible(p.getByRole("button", { name: /^Account of / }));
      expect(await p.getByRole("button", { name: /^Alerts:/ }).count()).toBe(0);
      for (const name of ["Alerts", "Alert rules", "Webhooks"]) {
        expect(await nav.getByRole("link", { name, exact: true }).count()).toBe(0);
      }
    } finally {
      await own.close();
    }
  });
});
