// Builds the dashboard only when its sources changed since the last build, so `npm start` stays quick.
import { execSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { webBuildIsStale } from "./web-build.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
if (webBuildIsStale(root)) {
  execSync("npm run build", { cwd: root, stdio: "inherit" });
}
