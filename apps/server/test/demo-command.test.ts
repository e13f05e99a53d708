/**
 * `keyward demo` — what `npm start` runs — as a person meets it: a real process on a fresh data folder that seeds,
 * serves, runs an agent per demo cabinet, prints the dashboard's and every kiosk's URL, and has keys out already.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../src/commands/seed-demo.ts";
import { ApiClient } from "./harness.ts";

const BIN = resolve(fileURLToPath(new URL("../../../bin/keyward.js", import.meta.url)));

/** Runs the demo until it has printed its last line; resolves with everything printed so far. */
function startDemo(dataDir: string): { child: ChildProcess; printed: Promise<string> } {
  const child = spawn(process.execPath, [BIN, "demo"], {
    env: {
      ...process.env,
      KEYWARD_DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      KEYWARD_DEMO_KIOSK_PORT: "0",
      DATABASE_URL: "",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const printed = new Promise<string>((done, fail) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      // why: the sign-ins and the kiosk badges are the last block; once a blank line follows it, the demo is ready
      if (/At a kiosk[\s\S]*\n\n/.test(out)) {
        done(out);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("exit", (code) => fail(new Error(`the demo exited (${code}) before it was ready:\n${out}\n${err}`)));
  });
  return { child, printed };
}

describe("keyward demo (npm start)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "keyward-demo-test-"));
  let child: ChildProcess | undefined;
  let printed = "";

  beforeAll(async () => {
    const demo = startDemo(dataDir);
    child = demo.child;
    printed = await demo.printed;
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child?.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints the dashboard and one kiosk URL per demo cabinet, each answering with the kiosk", async () => {
    const kiosks = [...printed.matchAll(/Kiosk: +(http:\/\/\S+?)\/? +\(cabinet "([^"]+)"/g)];
    expect(kiosks.map((k) => k[2]).sort()).toEqual(["Leasing office", "Maintenance office", "Maintenance shop"]);
    for (const [, url] of kiosks) {
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      const state = await fetch(`${url}/api/kiosk/state`).then((r) => r.json() as Promise<{ online: boolean }>);
      expect(state.online).toBe(true);
    }
  });

  it("prints a badge and PIN for each person who may open a cabinet", () => {
    expect(printed).toMatch(/badge \d+ {2}PIN \d{6} {2}Sam Supervisor/);
  });

  it("has keys out already, taken through the cabinets", async () => {
    const dashboard = /Dashboard: +(http:\/\/\S+?)\/?\n/.exec(printed)?.[1] ?? "";
    const client = new ApiClient(dashboard);
    const login = await client.post("/api/v1/auth/login", {
      email: "manager@demo.keyward.test",
      password: DEMO_PASSWORD,
    });
    expect(login.status).toBe(200);
    const open = await client.get<{ items: { holder: { name: string } | null; reason: unknown; cabinet: unknown }[] }>(
      "/api/v1/checkouts?status=open",
    );
    expect(open.status).toBe(200);
    expect(open.body.items.length).toBeGreaterThanOrEqual(2);
    for (const checkout of open.body.items) {
      expect(checkout.holder?.name).toBeTruthy();
      expect(checkout.reason).not.toBeNull();
      expect(checkout.cabinet).not.toBeNull();
    }
  });
});
