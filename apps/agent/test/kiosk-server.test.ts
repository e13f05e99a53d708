import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KioskState } from "@keyward/contracts/kiosk";
import { afterEach, describe, expect, it } from "vitest";
import { buildKioskServer, hostAllowed, type KioskBackend } from "../src/kiosk-server.ts";
import { startCabinet, type TestCabinet } from "./cabinet-factory.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    await c();
  }
});

async function backendOf(simulated: boolean): Promise<{ cabinet: TestCabinet; backend: KioskBackend }> {
  const cabinet = await startCabinet({
    people: [{ id: "ana", badge: "1001", pin: "4821" }],
    keys: [{ id: "k1", unit: "101", hook: 1 }],
  });
  cleanups.push(() => cabinet.close());
  return {
    cabinet,
    backend: {
      state: () => cabinet.engine.state(),
      act: (action) => cabinet.engine.act(action),
      simulate: simulated ? (action) => cabinet.sim(action) : null,
      subscribe: (listener) => cabinet.engine.subscribe(listener),
    },
  };
}

describe("the kiosk server", () => {
  it("answers only requests that name its own address or a loopback name", async () => {
    const { backend } = await backendOf(true);
    const app = await buildKioskServer({ backend, kioskDist: join(tmpdir(), "no-such-kiosk-build") });
    cleanups.push(() => app.close());
    const at = (host: string) => app.inject({ method: "GET", url: "/api/kiosk/state", headers: { host } });
    expect((await at("localhost:8081")).statusCode).toBe(200);
    expect((await at("127.0.0.1:8081")).statusCode).toBe(200);
    expect((await at("[::1]:8081")).statusCode).toBe(200);
    const rebound = await at("attacker.example:8081");
    expect(rebound.statusCode).toBe(421);
    expect(rebound.body).toContain("only at its own address");
  });

  it("accepts the address it listens on, and any name when it listens on every interface", () => {
    expect(hostAllowed("kiosk.lan:8081", "kiosk.lan")).toBe(true);
    expect(hostAllowed("10.0.0.7:8081", "10.0.0.7")).toBe(true);
    expect(hostAllowed("10.0.0.8:8081", "10.0.0.7")).toBe(false);
    expect(hostAllowed("demo.example", "0.0.0.0")).toBe(true);
    expect(hostAllowed(undefined, "127.0.0.1")).toBe(false);
  });

  it("answers / with 503 and what to do when the kiosk is not built", async () => {
    const { backend } = await backendOf(true);
    const app = await buildKioskServer({ backend, kioskDist: join(tmpdir(), "no-such-kiosk-build") });
    cleanups.push(() => app.close());
    const res = await app.inject({ method: "GET", url: "/" });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain("npm run build");
  });

  it("serves the build, and index.html for the kiosk's own paths", async () => {
    const dist = mkdtempSync(join(tmpdir(), "kiosk-dist-"));
    cleanups.push(() => rmSync(dist, { recursive: true, force: true }));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>Kiosk</title>");
    const { backend } = await backendOf(true);
    const app = await buildKioskServer({ backend, kioskDist: dist });
    cleanups.push(() => app.close());
    expect((await app.inject({ method: "GET", url: "/" })).body).toContain("<title>Kiosk</title>");
    expect((await app.inject({ method: "GET", url: "/take" })).body).toContain("<title>Kiosk</title>");
    expect((await app.inject({ method: "GET", url: "/api/nothing" })).statusCode).toBe(404);
  });

  it("takes actions, validates them, and refuses the simulator when the driver is real", async () => {
    const { backend } = await backendOf(false);
    const app = await buildKioskServer({ backend, kioskDist: join(tmpdir(), "no-such-kiosk-build") });
    cleanups.push(() => app.close());
    expect((await app.inject({ method: "POST", url: "/api/kiosk/actions", payload: { type: "pin" } })).statusCode).toBe(
      400,
    );
    const ok = await app.inject({
      method: "POST",
      url: "/api/kiosk/actions",
      payload: { type: "language", language: "es" },
    });
    expect((ok.json() as KioskState).language).toBe("es");
    const sim = await app.inject({ method: "POST", url: "/api/simulator", payload: { type: "badge", number: "1001" } });
    expect(sim.statusCode).toBe(404);
  });

  it("answers 409 when the simulated cabinet cannot do what the panel asked", async () => {
    const { backend } = await backendOf(true);
    const app = await buildKioskServer({ backend, kioskDist: join(tmpdir(), "no-such-kiosk-build") });
    cleanups.push(() => app.close());
    const res = await app.inject({ method: "POST", url: "/api/simulator", payload: { type: "lift", hook: 2 } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ message: "Hook 2 is empty." });
  });

  it("streams a full state on connect and after every change", async () => {
    const { backend } = await backendOf(true);
    const app = await buildKioskServer({ backend, kioskDist: join(tmpdir(), "no-such-kiosk-build") });
    cleanups.push(() => app.close());
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const res = await fetch(`http://127.0.0.1:${port}/api/kiosk/stream`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body?.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const nextState = async (): Promise<KioskState> => {
      while (!buffer.includes("\n\n")) {
        const chunk = await reader?.read();
        buffer += decoder.decode(chunk?.value, { stream: true });
      }
      const end = buffer.indexOf("\n\n");
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      return JSON.parse(frame.replace(/^data: /, "")) as KioskState;
    };
    expect((await nextState()).screen.name).toBe("idle");
    await app.inject({ method: "POST", url: "/api/simulator", payload: { type: "badge", number: "1001" } });
    expect((await nextState()).screen.name).toBe("identify");
    // Identified, the person is asked straight for the unit; unit 101's only key is chosen by Find itself.
    await app.inject({ method: "POST", url: "/api/kiosk/actions", payload: { type: "pin", pin: "4821" } });
    expect((await nextState()).screen).toMatchObject({ name: "choose_keys", unitNumber: null, keysOut: 0 });
    await app.inject({ method: "POST", url: "/api/kiosk/actions", payload: { type: "find_unit", number: "101" } });
    expect((await nextState()).screen).toMatchObject({ name: "reason", selected: ["k1"] });
  });
});
