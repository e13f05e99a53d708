// The whole suite: builds the dashboard when its build is missing or older than its sources (the browser tests load
// it from the real server), then runs Vitest with TZ=UTC. Arguments pass through to Vitest.
import { execSync, spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { webBuildIsStale } from "./web-build.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
if (webBuildIsStale(root)) {
  execSync("npm run build", { cwd: root, stdio: "inherit" });
}
const result = spawnSync(resolve(root, "node_modules/.bin/vitest"), ["run", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, TZ: "UTC" },
});
process.exit(result.status ?? 1);
