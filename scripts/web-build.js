// Whether the browser apps' builds (the dashboard and the cabinet kiosk) are missing or older than their sources.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // why: browser tests write screenshots under e2e/artifacts; those are outputs, not sources of the build
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name === "artifacts") {
      continue;
    }
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * @param {string} root the repository root
 * @param {"web" | "kiosk"} app which browser app
 */
export function appIsStale(root, app) {
  const index = resolve(root, `apps/${app}/dist/index.html`);
  if (!existsSync(index)) {
    return true;
  }
  const built = statSync(index).mtimeMs;
  return [
    resolve(root, `apps/${app}`),
    resolve(root, "packages/contracts/src"),
    resolve(root, "packages/domain/src"),
  ].some((dir) => newest(dir) > built);
}

/** @param {string} root the repository root */
export function webBuildIsStale(root) {
  return ["web", "kiosk"].some((app) => appIsStale(root, app));
}
