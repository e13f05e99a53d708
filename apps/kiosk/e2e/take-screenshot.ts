/**
 * Renders the README's picture of the kiosk: the take screen with its hook lit, beside the simulated cabinet, at
 * 1600×1000, from a real server, a real agent and the built kiosk. Run after `npm run build`:
 *   node --import tsx apps/kiosk/e2e/take-screenshot.ts
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "../../web/e2e/browser.ts";
import { identifyAtConsole, startKioskCabinet, typeOnKeypad } from "./kiosk-cabinet.ts";

const target = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/kiosk.png");

const cabinet = await startKioskCabinet();
const browser = await launchBrowser();
try {
  const key = cabinet.keys[0];
  if (!key) {
    throw new Error("the demo cabinet has no unit key on a hook");
  }
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(10_000);
  await page.goto(`${cabinet.agent.kioskUrl}/`);
  await identifyAtConsole(page, cabinet, cabinet.person.pin);
  await page.getByRole("button", { name: "Enter", exact: true }).click();
  await page.getByRole("button", { name: "Take keys", exact: true }).click();
  await typeOnKeypad(page, "Unit number", key.unitNumber);
  await page.getByRole("button", { name: "Find", exact: true }).click();
  await page.getByRole("button", { name: new RegExp(`^${key.label.replace(/[()]/g, "\\$&")}`) }).click();
  await page.getByRole("button", { name: "Continue with 1 key" }).click();
  await page.getByRole("button", { name: "Preventive maintenance" }).click();
  await page.getByRole("button", { name: "Open the door" }).click();
  await page.getByRole("status", { name: "Door open" }).waitFor();
  // why: a resting pointer would leave a hover highlight in the picture; the feedback banner fades after its time
  await page.mouse.move(0, 0);
  await page.waitForTimeout(500);
  await page.screenshot({ path: target });
  process.stdout.write(`Saved ${target}\n`);
} finally {
  await browser.close();
  await cabinet.close();
}
