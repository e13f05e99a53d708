/**
 * The audit trail in Chromium, against a real server over the demo organization: an administrator verifies the trail
 * from its page, sees the verifier key and downloads the signed checkpoint; a property manager is not shown it; the
 * unit page offers the evidence packet; and a failing offsite copy or a tampered event shows on the audit page and
 * on the home page.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { AuditStatus } from "@keyward/contracts/audit";
import { formatVerifierKey } from "@keyward/domain/signed-note";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../server/src/commands/seed-demo.ts";
import { tamper } from "../../server/test/audit-tamper.ts";
import type { ApiClient } from "../../server/test/harness.ts";
import type { Property, Unit } from "../src/types.ts";
import { expectGone, expectVisible, navigate, signIn, withDemoBrowser } from "./browser.ts";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = resolve(here, "artifacts");
const ADMIN = "admin@demo.keyward.test";
const MANAGER = "manager@demo.keyward.test";
/** Verifying the whole demo log (thousands of events) takes seconds on a small machine. */
const VERIFYING = 60_000;

/** Text as read aloud: Chromium's dates put a narrow no-break space before "PM". */
async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? "").replace(/[\u202f\u00a0]/g, " ");
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  // why: a full-page shot of a scrolled page repeats the fixed header midway; a focused input shows its caret
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: resolve(artifacts, `${name}.png`), fullPage: true });
}

describe("audit trail screens", () => {
  const demo = withDemoBrowser();
  let page: Page;
  let admin: ApiClient;
  let organizationId: string;
  let unit: Unit;

  const status = async () => (await admin.get<AuditStatus>("/api/v1/audit/status")).body;
  const integrity = () => page.getByRole("region", { name: "Is the trail intact?" });

  beforeAll(async () => {
    admin = await demo.server.client().login(ADMIN, DEMO_PASSWORD);
    const me = await admin.get<{ organization: { id: string } }>("/api/v1/auth/me");
    organizationId = me.body.organization.id;
    const properties = await admin.get<{ items: Property[] }>("/api/v1/properties?limit=50");
    const maple = properties.body.items.find((p) => p.name === "Maple Court Apartments");
    const units = await admin.get<{ items: Unit[] }>(`/api/v1/units?propertyId=${maple?.id}&limit=1`);
    const first = units.body.items[0];
    if (!first) {
      throw new Error("the demo has no unit at Maple Court");
    }
    unit = first;
    page = await demo.browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    // why: the server's clock is fixed in tests; the browser's must agree for the packet's default period
    await page.clock.install({ time: demo.server.clock.now() });
    await signIn(page, demo.server.url, ADMIN);
  });

  it("verifies the trail on demand and shows the result, the log, the verifier key and no offsite copy", async () => {
    await navigate(page, "Audit trail");
    await expectVisible(page.getByRole("heading", { level: 1, name: "Audit trail" }));
    await expectVisible(integrity().getByText("Not verified yet"));
    // The verifier key is the server signer's own, in signed-note verifier form.
    const signer = demo.server.services.audit.signer;
    if (!signer) {
      throw new Error("the test server has no signer");
    }
    expect(await page.getByTestId("verifier-key").textContent()).toBe(formatVerifierKey(signer.key));
    const offsite = page.getByRole("region", { name: "Offsite copies" });
    await expectVisible(offsite.getByText("Not configured"));
    expect(await textOf(offsite)).toContain("KEYWARD_AUDIT_OFFSITE");

    // why: the request is held until the progress line has been seen, so a fast verification cannot outrun the check
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    await page.route("**/api/v1/audit/verifications", async (route) => {
      await held;
      await route.continue();
    });
    await integrity().getByRole("button", { name: "Verify now" }).click();
    await expectVisible(
      integrity()
        .getByRole("status")
        .getByText(/^Verifying every entry/),
    );
    release();
    await expectVisible(integrity().getByText("OK", { exact: true }), VERIFYING);
    await page.unroute("**/api/v1/audit/verifications");
    const after = await status();
    expect(after.lastVerification?.status).toBe("ok");
    expect(after.size).toBeGreaterThan(0);
    expect(after.lastVerification?.entriesVerified).toBe(after.size);
    const text = await textOf(integrity());
    expect(text).toContain(`${after.size.toLocaleString("en-US")} entries verified`);
    expect(text).toContain("The trail is intact");
    expect(text).toContain("UTC (from the dashboard)");
    expect(text).not.toContain("finding");

    // The log as the server has it after the pass the verification ran first.
    const log = page.getByRole("region", { name: "Log", exact: true });
    await expectVisible(log.getByText(after.size.toLocaleString("en-US"), { exact: true }));
    expect(await page.getByTestId("root-hash").getAttribute("title")).toBe(after.rootHash);
    expect(await page.getByTestId("root-hash").textContent()).toBe(
      `${after.rootHash.slice(0, 12)}…${after.rootHash.slice(-6)}`,
    );
    const checkpoint = after.checkpoint;
    if (!checkpoint) {
      throw new Error("no checkpoint was signed while the demo's events were appended");
    }
    expect(await textOf(log)).toContain(`${checkpoint.size.toLocaleString("en-US")} entries, signed`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      log.getByRole("link", { name: "Download checkpoint" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`keyward-checkpoint-${checkpoint.size}.txt`);
    expect(readFileSync(await download.path(), "utf8")).toBe(checkpoint.note);
    await page.mouse.move(1270, 790);
    await shoot(page, "audit");
  });

  it("fits the audit page on a phone", async () => {
    const phone = await demo.browser.newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    phone.setDefaultTimeout(10_000);
    await signIn(phone, demo.server.url, ADMIN);
    await phone.goto(`${demo.server.url}/audit`);
    await expectVisible(phone.getByRole("region", { name: "Is the trail intact?" }).getByText("OK", { exact: true }));
    await expectVisible(phone.getByTestId("verifier-key"));
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(phone, "audit-phone");
    await phone.close();
  });

  it("does not show the trail to a property manager, nor ask the server for it", async () => {
    const manager = await demo.browser.newPage({ viewport: { width: 1280, height: 800 } });
    manager.setDefaultTimeout(10_000);
    const asked: string[] = [];
    manager.on("request", (r) => {
      if (r.url().includes("/api/v1/audit/")) {
        asked.push(r.url());
      }
    });
    await signIn(manager, demo.server.url, MANAGER);
    const nav = manager.getByRole("navigation", { name: "Main navigation" });
    await expectVisible(nav.getByRole("link", { name: "Units", exact: true }));
    expect(await nav.getByRole("link", { name: "Audit trail" }).count()).toBe(0);
    await manager.goto(`${demo.server.url}/audit`);
    await expectVisible(manager.getByText("Only organization-wide roles see the audit trail."));
    expect(asked).toEqual([]);
    await manager.close();
  });

  it("offers a unit's evidence packet for the last 90 days as a PDF link and a JSON link", async () => {
    await page.goto(`${demo.server.url}/units/${unit.id}`);
    const section = page.getByRole("region", { name: "Evidence packet" });
    await expectVisible(section);
    // The server's today at Maple Court (Austin) is June 1, 2026; 90 days, today included, start on March 4.
    expect(await section.getByLabel("From").inputValue()).toBe("2026-03-04");
    expect(await section.getByLabel("To (included)").inputValue()).toBe("2026-06-01");
    const base = `/api/v1/units/${unit.id}/evidence-packet`;
    const pdf = section.getByRole("link", { name: "Download PDF" });
    const json = section.getByRole("link", { name: "Download JSON" });
    expect(await pdf.getAttribute("href")).toBe(`${base}?from=2026-03-04&to=2026-06-01&format=pdf`);
    expect(await json.getAttribute("href")).toBe(`${base}?from=2026-03-04&to=2026-06-01&format=json`);

    await section.getByLabel("From").fill("2026-05-01");
    expect(await json.getAttribute("href")).toBe(`${base}?from=2026-05-01&to=2026-06-01&format=json`);
    // The links really serve the packet, authenticated by the session cookie alone.
    const packet = await page.evaluate(
      async (url) => {
        const res = await fetch(url, { credentials: "same-origin" });
        return { status: res.status, body: (await res.json()) as { format?: string; unit?: { id?: string } } };
      },
      (await json.getAttribute("href")) ?? "",
    );
    expect(packet.status).toBe(200);
    expect(packet.body.format).toBe("keyward-evidence-packet");
    expect(packet.body.unit?.id).toBe(unit.id);
    const [download] = await Promise.all([page.waitForEvent("download"), pdf.click()]);
    expect(download.suggestedFilename()).toBe(`evidence-${unit.number}-2026-05-01-2026-06-01.pdf`);
    expect(
      readFileSync(await download.path())
        .subarray(0, 5)
        .toString("latin1"),
    ).toBe("%PDF-");

    await section.getByLabel("From").fill("2026-06-02");
    await expectVisible(section.getByRole("alert").getByText("The start date is after the end date."));
    expect(await section.getByRole("link", { name: "Download JSON" }).count()).toBe(0);
    await section.getByLabel("From").fill("2025-05-31");
    await expectVisible(section.getByRole("alert").getByText("A packet covers at most 366 days; shorten the period."));
    await section.getByLabel("From").fill("2025-06-01");
    await expectGone(section.getByRole("alert"));
    expect(await json.getAttribute("href")).toBe(`${base}?from=2025-06-01&to=2026-06-01&format=json`);
    await shoot(page, "evidence-packet");
  });

  it("flags a failing offsite copy on the home page and on the audit page", async () => {
    const at = demo.server.clock.now().getTime();
    await demo.server.services.db
      .insertInto("audit_offsite")
      .values({
        organization_id: organizationId,
        target: "s3://keyward-audit/demo",
        copied_size: 256,
        last_success_at: new Date(at - 3 * 3_600_000).toISOString(),
        last_attempt_at: new Date(at - 60_000).toISOString(),
        last_error: "AccessDenied: the bucket refused the write",
        failures: 3,
        next_attempt_at: new Date(at + 240_000).toISOString(),
        alarm_raised: 1,
      })
      .execute();
    await page.goto(`${demo.server.url}/`);
    const warning = page.getByRole("alert", { name: "Audit trail needs attention" });
    await expectVisible(warning);
    expect(await textOf(warning)).toContain(
      "The offsite copy to s3://keyward-audit/demo is failing (3 attempts in a row).",
    );
    expect(await page.getByText("Nothing needs attention").count()).toBe(0);

    await warning.getByRole("link", { name: "Open the audit trail" }).click();
    const copy = page.getByRole("article", { name: "Offsite copy to s3://keyward-audit/demo" });
    await expectVisible(copy);
    const text = await textOf(copy);
    expect(text).toContain("Failing");
    expect(text).toContain("Last successful copy: Jun 1, 2026, 12:00 PM UTC, 256 entries");
    expect(text).toContain("3 failed attempts in a row. Last error: AccessDenied: the bucket refused the write.");
    expect(text).toContain("Next attempt Jun 1, 2026, 3:04 PM UTC.");
  });

  it("shows a tampered trail with its findings after an event is changed in the database", async () => {
    const db = demo.server.services.db;
    const leaf = await db
      .selectFrom("audit_leaves")
      .select("event_id")
      .where("organization_id", "=", organizationId)
      .where("idx", "=", 7)
      .executeTakeFirstOrThrow();
    await tamper(db, demo.server.services.handle.dialect, async (tx) => {
      await tx.updateTable("events").set({ after: '{"rewritten":true}' }).where("id", "=", leaf.event_id).execute();
    });

    await page.goto(`${demo.server.url}/audit`);
    await integrity().getByRole("button", { name: "Verify now" }).click();
    await expectVisible(integrity().getByText("Tampered", { exact: true }), VERIFYING);
    const findings = integrity().getByRole("list", { name: "Findings" });
    await expectVisible(findings);
    const text = await textOf(findings);
    expect(text).toMatch(/event_(changed|reencoded)/);
    expect(text).toContain(`Event ${leaf.event_id} (leaf 7)`);
    expect(await textOf(integrity())).toContain("The trail was altered after it was written");
    await shoot(page, "audit-tampered");

    await page.goto(`${demo.server.url}/`);
    const warning = page.getByRole("alert", { name: "Audit trail needs attention" });
    await expectVisible(warning);
    expect(await textOf(warning)).toContain("The last verification found the audit trail tampered with.");
  });
});
