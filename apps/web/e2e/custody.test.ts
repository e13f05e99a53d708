/**
 * The live custody screens in Chromium, against a real server and a test device that speaks the real cabinet
 * protocol (enrolled with the code the dashboard shows, signed uploads, the command stream). Nothing is reloaded
 * between a cabinet event and the screen showing it: the dashboard's live stream refetches what changed.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../server/src/commands/seed-demo.ts";
import { TestDevice } from "../../server/test/device.ts";
import type { ApiClient } from "../../server/test/harness.ts";
import type { Cabinet, Hook, Key, Person, Property, ReasonCode } from "../src/types.ts";
import { chooseProperty, expectGone, expectVisible, signIn, withDemoBrowser } from "./browser.ts";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = resolve(here, "artifacts");
const docsShot = resolve(here, "../../../docs/keys-out.png");
const PROPERTY = "Maple Court Apartments";
const MANAGER = "manager@demo.keyward.test";

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: resolve(artifacts, `${name}.png`), fullPage: true });
}

/** The table row that names this key. */
function row(page: Page, table: string, keyLabel: string): Locator {
  return page
    .getByRole("table", { name: table })
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: keyLabel, exact: true }) });
}

describe("live custody screens", () => {
  const demo = withDemoBrowser();
  let page: Page;
  let admin: ApiClient;
  let device: TestDevice;
  let cabinet: Cabinet;
  let keys: [Key, Key, Key];
  let holder: Person;
  let holderName: string;
  let other: Person;
  let reason: ReasonCode;
  let freeHook: number;
  const now = () => demo.server.clock.now();

  beforeAll(async () => {
    admin = await demo.server.client().login("admin@demo.keyward.test", DEMO_PASSWORD);
    const properties = await admin.get<{ items: Property[] }>("/api/v1/properties?limit=50");
    const maple = properties.body.items.find((p) => p.name === PROPERTY);
    if (!maple) {
      throw new Error(`the demo has no ${PROPERTY}`);
    }
    const cabinets = await admin.get<{ items: Cabinet[] }>(`/api/v1/cabinets?propertyId=${maple.id}&limit=50`);
    const inKeys = async (c: Cabinet) =>
      (await admin.get<{ items: Key[] }>(`/api/v1/keys?cabinetId=${c.id}&status=in&sort=label&limit=3`)).body.items;
    for (const c of cabinets.body.items) {
      const found = await inKeys(c);
      if (found.length === 3) {
        cabinet = c;
        keys = found as [Key, Key, Key];
        break;
      }
    }
    if (!keys) {
      throw new Error(`no cabinet at ${PROPERTY} holds three keys`);
    }
    const hooks = await admin.get<{ items: Hook[] }>(`/api/v1/cabinets/${cabinet.id}/hooks`);
    const free = hooks.body.items.find((h) => h.keyId === null && h.status === "active");
    if (!free) {
      throw new Error(`${cabinet.name} has no free hook to return a key to`);
    }
    freeHook = free.number;
    const people = await admin.get<{ items: Person[] }>(`/api/v1/people?homePropertyId=${maple.id}&limit=2`);
    const reasons = await admin.get<{ items: ReasonCode[] }>("/api/v1/reason-codes?limit=50");
    const [firstPerson, secondPerson] = people.body.items;
    const workOrder = reasons.body.items.find((r) => r.requiresWorkOrder) ?? reasons.body.items[0];
    if (!firstPerson || !secondPerson || !workOrder) {
      throw new Error("the demo has no two people or no reason code");
    }
    holder = firstPerson;
    other = secondPerson;
    holderName = `${holder.firstName} ${holder.lastName}`;
    reason = workOrder;

    page = await demo.browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    // why: the server's clock is fixed in tests; the browser's must agree, or "overdue" and "3 h ago" would differ
    await page.clock.install({ time: now() });
    await signIn(page, demo.server.url, MANAGER);
    await chooseProperty(page, PROPERTY);
  });

  it("shows a cabinet's one-time enrolment code with the command to run, and the code enrols it", async () => {
    await page.goto(`${demo.server.url}/cabinets/${cabinet.id}`);
    await page.getByRole("button", { name: "Enrol this cabinet" }).click();
    const code = (await page.getByTestId("enrollment-code").textContent()) ?? "";
    expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    expect(await page.getByTestId("enrol-command").textContent()).toBe(
      `npx keyward agent enroll --server ${demo.server.url} --code ${code}`,
    );
    await expectVisible(page.getByRole("button", { name: "Copy command" }));
    await shoot(page, "enrol");
    await page.getByRole("button", { name: "Done" }).click();

    device = await TestDevice.enrollWithCode(demo.server.url, code, now);
    const snapshot = await device.verifiedSnapshot();
    device.record("cabinet.agent_started", { agentVersion: "test-device", snapshotVersion: null });
    device.record("cabinet.snapshot_applied", { version: snapshot.version });
    expect((await device.upload()).status).toBe(200);
  });

  it("puts a checkout on the keys-out board the moment the cabinet reports it, and takes it off on return", async () => {
    await page.goto(`${demo.server.url}/`);
    await page.getByRole("link", { name: /^Keys out: / }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: "Keys out" }));
    const table = page.getByRole("table", { name: "Keys out" });
    await expectVisible(table);
    // why: a marker on window survives only if the page is never reloaded
    await page.evaluate(() => Object.assign(window, { keywardNoReload: true }));

    const [first, second, third] = keys;
    const minutesAgo = (m: number) => new Date(now().getTime() - m * 60_000);
    const taken = (key: Key, who: Person, at: Date, dueAt: Date) =>
      device.record(
        "key.taken",
        {
          visitId: `visit-${who.id}`,
          checkoutId: randomUUID(),
          keyId: key.id,
          hook: key.hookNumber,
          personId: who.id,
          authorized: true,
          reasonCodeId: reason.id,
          workOrder: who === holder ? "WO-4411" : "WO-4502",
          dueAt: dueAt.toISOString(),
        },
        at,
      );
    // why: times in the past make the board read as it would mid-morning (and the overdue one is really overdue)
    taken(second, other, minutesAgo(190), minutesAgo(70));
    device.record("key.removed_without_session", { hook: third.hookNumber, keyId: third.id }, minutesAgo(42));
    taken(first, holder, minutesAgo(25), new Date(now().getTime() + 2 * 3_600_000));
    expect((await device.upload()).status).toBe(200);

    await expectVisible(row(page, "Keys out", first.label));
    expect(await row(page, "Keys out", first.label).textContent()).toContain(holderName);
    expect(await row(page, "Keys out", first.label).textContent()).toContain("25 min ago");
    expect(await row(page, "Keys out", second.label).textContent()).toContain(`${other.firstName} ${other.lastName}`);
    expect(await row(page, "Keys out", first.label).textContent()).toContain("WO-4411");
    expect(await row(page, "Keys out", first.label).textContent()).not.toContain("Overdue");
    expect(await row(page, "Keys out", second.label).textContent()).toContain("Overdue");
    expect(await row(page, "Keys out", third.label).textContent()).toContain("Unknown — taken without a session");
    await page.mouse.move(1270, 790);
    await shoot(page, "keys-out");
    mkdirSync(dirname(docsShot), { recursive: true });
    await page.screenshot({ path: docsShot });

    device.record("key.returned", { visitId: "visit-2", keyId: first.id, hook: freeHook, personId: holder.id });
    expect((await device.upload()).status).toBe(200);
    await expectGone(row(page, "Keys out", first.label));
    await expectVisible(row(page, "Keys out", second.label));
    expect(await page.evaluate(() => "keywardNoReload" in window)).toBe(true);
  });

  it("answers who last had a key on its page, with its checkouts newest first", async () => {
    const [first] = keys;
    await page.goto(`${demo.server.url}/keys/${first.id}`);
    await expectVisible(page.getByRole("alert", { name: `Last had by ${holderName}` }));
    const history = page.getByRole("table", { name: "Who had this key" });
    const lines = history.getByRole("row");
    expect(await lines.count()).toBe(2);
    const text = (await lines.nth(1).textContent()) ?? "";
    expect(text).toContain(holderName);
    expect(text).toContain("WO-4411");
    expect(text).toContain(reason.label);
    expect(text).toContain(`${cabinet.name} · hook ${first.hookNumber}`);
    expect(text).toContain(`${cabinet.name} · hook ${freeHook}`);
    await shoot(page, "key-history");
  });

  it("shows the cabinet online, its door open and the alarm after the cabinet reports them, and home flags it", async () => {
    await page.goto(`${demo.server.url}/cabinets/${cabinet.id}`);
    const state = page.getByRole("region", { name: "State" });
    await expectVisible(state.getByText("Online"));
    // The key lifted with no session earlier is the first alarm.
    await expectVisible(state.getByText("1 open"));
    await expectVisible(state.getByText(/Last: Key removed without session/));
    device.record("door.opened", { visitId: null });
    device.record("door.forced", {});
    expect((await device.upload()).status).toBe(200);
    await expectVisible(state.getByText("2 open"));
    await expectVisible(state.getByText(/Last: Door forced/));
    await expectVisible(state.getByText("Open", { exact: true }));
    await shoot(page, "cabinet-state");

    await page.getByRole("link", { name: "Home" }).first().click();
    await expectVisible(page.getByRole("link", { name: "Cabinets with alarms: 1" }));
    await expectVisible(page.getByRole("link", { name: "Keys out: 2" }));
    await expectVisible(page.getByRole("link", { name: "Overdue: 1" }));
    await expectVisible(page.getByRole("region", { name: "Needs attention" }).getByText(cabinet.name));
    await shoot(page, "home");
  });

  it("acknowledges the open alarms with a note, and home stops flagging the cabinet", async () => {
    await page.goto(`${demo.server.url}/cabinets/${cabinet.id}`);
    const state = page.getByRole("region", { name: "State" });
    await expectVisible(state.getByText("2 open"));
    await state.getByRole("button", { name: "Acknowledge…" }).click();
    const dialog = page.getByRole("dialog", { name: "Acknowledge the alarms" });
    await expectVisible(dialog.getByText("2 alarms are open."));
    await dialog.getByLabel("Note").fill("Checked the door: forced by a locksmith on a work order; latch fine");
    await dialog.getByRole("button", { name: "Acknowledge", exact: true }).click();
    await expectVisible(state.getByText("None open"));
    await expectVisible(state.getByText(/Last: Door forced/));
    await page.getByRole("link", { name: "Home" }).first().click();
    await expectVisible(page.getByRole("link", { name: "Cabinets with alarms: 0" }));
  });

  it("sends a remote release after confirmation and follows it from pending to executed", async () => {
    const stream = await device.stream();
    try {
      await page.goto(`${demo.server.url}/cabinets/${cabinet.id}`);
      const panel = page.getByRole("region", { name: "Remote release" });
      await panel.getByRole("textbox", { name: "Reason" }).fill("Locksmith arriving, office closed");
      await panel.getByRole("button", { name: "Release the door…" }).click();
      const dialog = page.getByRole("dialog", { name: "Release the door?" });
      await expectVisible(dialog.getByText("Locksmith arriving, office closed"));
      await dialog.getByRole("button", { name: "Release now" }).click();
      const status = page.getByTestId("remote-release-status");
      await expectVisible(status);
      expect(await status.textContent()).toContain("Pending");
      await shoot(page, "remote-release-pending");

      const message = await stream.next((m) => m.type === "command");
      if (message.type !== "command") {
        throw new Error("expected a command");
      }
      device.record("cabinet.remote_release_executed", { commandId: message.command.id, seconds: 10 });
      expect((await device.upload()).status).toBe(200);
      await expectVisible(page.getByTestId("remote-release-status").getByText(/^Executed/));
    } finally {
      stream.close();
    }
  });

  it("shows a technician the cabinet's state but neither enrolment nor remote release", async () => {
    const tech = await demo.browser.newPage({ viewport: { width: 1280, height: 800 } });
    tech.setDefaultTimeout(10_000);
    await signIn(tech, demo.server.url, "tech@demo.keyward.test");
    await tech.goto(`${demo.server.url}/cabinets/${cabinet.id}`);
    await expectVisible(tech.getByRole("region", { name: "State" }).getByText("Online"));
    expect(await tech.getByRole("region", { name: "Remote release" }).count()).toBe(0);
    expect(await tech.getByRole("button", { name: /^Enrol/ }).count()).toBe(0);
    await tech.close();
  });

  it("lays the board out as cards on a phone, without sideways scrolling", async () => {
    const phone = await demo.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    phone.setDefaultTimeout(10_000);
    await phone.clock.install({ time: now() });
    await signIn(phone, demo.server.url, MANAGER);
    await chooseProperty(phone, PROPERTY);
    await phone.goto(`${demo.server.url}/keys-out`);
    const cards = phone.getByRole("list", { name: "Keys out" }).getByRole("listitem");
    await expectVisible(cards);
    expect(await cards.count()).toBe(2);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(phone, "keys-out-phone");
    await phone.close();
  });
});
