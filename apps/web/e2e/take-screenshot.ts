/**
 * Renders the README's screenshot: the demo organization's keys at Maple Court, at 1280×800, from a real server and
 * the built dashboard. Run after `npm run build`:  node --import tsx apps/web/e2e/take-screenshot.ts [page]
 * where page is "keys" (default) or "home".
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chooseProperty, expectVisible, launchBrowser, navigate, signIn, startDemoServer } from "./browser.ts";

const target = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/screenshot.png");
const which = process.argv[2] === "home" ? "home" : "keys";

const server = await startDemoServer();
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signIn(page, server.url, "admin@demo.keyward.test");
  await chooseProperty(page, "Maple Court Apartments");
  if (which === "keys") {
    await navigate(page, "Keys");
    await expectVisible(page.getByRole("table", { name: "Keys" }).getByRole("link", { name: "A101 (1/2)" }));
  } else {
    await expectVisible(page.getByText("Cabinets not yet enrolled"));
  }
  // why: a resting pointer would leave a hover highlight in the picture; fonts need a moment to settle
  await page.mouse.move(1270, 790);
  await page.waitForTimeout(500);
  mkdirSync(dirname(target), { recursive: true });
  await page.screenshot({ path: target });
  process.stdout.write(`Saved ${target}\n`);
} finally {
  await browser.close();
  await server.close();
}
