// Whether the dashboard's build is missing or older than anything it is built from.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") {
      continue;
    }
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** @param {string} root the repository root */
export function webBuildIsStale(root) {
  const index = resolve(root, "apps/web/dist/index.html");
  if (!existsSync(index)) {
    return true;
  }
  const built = statSync(index).mtimeMs;
  return [
    resolve(root, "apps/web"),
    resolve(root, "packages/contracts/src"),
    resolve(root, "packages/domain/src"),
  ].some((dir) => newest(dir) > built);
}
