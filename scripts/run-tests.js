// The whole suite: builds the dashboard when its build is missing or older than its sources (the browser tests load
// it from the real server), then runs Vitest with TZ=UTC. Arguments pass through to Vitest. It ends with one plain
// line, "N passed, N failed, N skipped", that any CI can read without knowing Vitest.
import { execSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { webBuildIsStale } from "./web-build.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
if (webBuildIsStale(root)) {
  execSync("npm run build", { cwd: root, stdio: "inherit" });
}
const dir = mkdtempSync(join(tmpdir(), "keyward-vitest-"));
const report = join(dir, "report.json");
const result = spawnSync(
  resolve(root, "node_modules/.bin/vitest"),
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit", env: { ...process.env, TZ: "UTC" } },
);
if (existsSync(report)) {
  const totals = JSON.parse(readFileSync(report, "utf8"));
  const skipped = (totals.numPendingTests ?? 0) + (totals.numTodoTests ?? 0);
  process.stdout.write(`\n${totals.numPassedTests} passed, ${totals.numFailedTests} failed, ${skipped} skipped\n`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
