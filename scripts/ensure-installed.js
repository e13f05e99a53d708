// Installs the workspace's dependencies when they are missing or older than the lock file, so that `npm start` and
// `npm test` work on a fresh clone with nothing but Node.js. Uses only Node's built-ins: nothing is installed yet.
import { execSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const marker = resolve(root, "node_modules/.package-lock.json");
const lock = resolve(root, "package-lock.json");
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  process.stdout.write("Installing dependencies (the first time takes a minute or two: better-sqlite3 compiles)…\n");
  execSync(existsSync(lock) ? "npm ci --no-audit --no-fund" : "npm install --no-audit --no-fund", {
    cwd: root,
    stdio: "inherit",
  });
}
