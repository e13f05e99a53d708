import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("fills in defaults and leaves host and log level to each command", () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.host).toBeUndefined();
    expect(config.logLevel).toBeUndefined();
    expect(config.sqliteFile).toMatch(/data\/keyward\.sqlite$/);
    expect(config.trustProxy).toBe(false);
    expect(config.demoKioskPort).toBe(8081);
  });

  it("reads the demo's first kiosk port, 0 for free ports, and refuses a port that is not one", () => {
    expect(loadConfig({ KEYWARD_DEMO_KIOSK_PORT: "9001" }).demoKioskPort).toBe(9001);
    expect(loadConfig({ KEYWARD_DEMO_KIOSK_PORT: "0" }).demoKioskPort).toBe(0);
    expect(() => loadConfig({ KEYWARD_DEMO_KIOSK_PORT: "70000" })).toThrow(/KEYWARD_DEMO_KIOSK_PORT/);
  });

  it("reads the proxies to trust as a hop count or a list, and refuses to trust every hop", () => {
    expect(loadConfig({ KEYWARD_TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadConfig({ KEYWARD_TRUST_PROXY: "10.0.0.5, 10.1.0.0/16" }).trustProxy).toEqual([
      "10.0.0.5",
      "10.1.0.0/16",
    ]);
    expect(() => loadConfig({ KEYWARD_TRUST_PROXY: "true" })).toThrow(/KEYWARD_TRUST_PROXY/);
  });

  it("reports every invalid variable at once", () => {
    expect(() => loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", LOG_LEVEL: "loud" })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*LOG_LEVEL/,
    );
  });
});
