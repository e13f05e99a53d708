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

  it("reads the alert worker's intervals and the public URL (no trailing slash), refusing what is not a URL", () => {
    const defaults = loadConfig({});
    expect([defaults.alertScanSeconds, defaults.alertDeliverySeconds, defaults.publicUrl]).toEqual([30, 10, undefined]);
    const set = loadConfig({
      KEYWARD_ALERT_SCAN_SECONDS: "60",
      KEYWARD_ALERT_DELIVERY_SECONDS: "5",
      KEYWARD_PUBLIC_URL: "https://keys.example.com/",
    });
    expect([set.alertScanSeconds, set.alertDeliverySeconds, set.publicUrl]).toEqual([
      60,
      5,
      "https://keys.example.com",
    ]);
    expect(loadConfig({ KEYWARD_PUBLIC_URL: "" }).publicUrl).toBeUndefined();
    expect(() => loadConfig({ KEYWARD_PUBLIC_URL: "keys.example.com" })).toThrow(/KEYWARD_PUBLIC_URL/);
    expect(() => loadConfig({ KEYWARD_ALERT_DELIVERY_SECONDS: "0" })).toThrow(/KEYWARD_ALERT_DELIVERY_SECONDS/);
  });

  describe("text messages", () => {
    const sid = `AC${"0123456789abcdef".repeat(2)}`;
    const service = `MG${"fedcba9876543210".repeat(2)}`;
    const twilio = {
      KEYWARD_SMS_PROVIDER: "twilio",
      KEYWARD_TWILIO_ACCOUNT_SID: sid,
      KEYWARD_TWILIO_AUTH_TOKEN: "t0ken",
    };

    it("has no provider unless one is named", () => {
      expect(loadConfig({}).sms).toBeNull();
      expect(loadConfig({ KEYWARD_SMS_PROVIDER: "" }).sms).toBeNull();
    });

    it("reads Twilio's account, token and sender, with the public API by default", () => {
      expect(loadConfig({ ...twilio, KEYWARD_TWILIO_FROM: "+15005550006" }).sms).toEqual({
        provider: "twilio",
        accountSid: sid,
        authToken: "t0ken",
        from: "+15005550006",
        apiUrl: "https://api.twilio.com",
      });
    });

    it("reads a messaging service instead of a sender, and another API URL without its trailing slash", () => {
      const sms = loadConfig({
        ...twilio,
        KEYWARD_TWILIO_FROM: "",
        KEYWARD_TWILIO_MESSAGING_SERVICE_SID: service,
        KEYWARD_TWILIO_API_URL: "http://127.0.0.1:9999/",
      }).sms;
      expect(sms).toEqual({
        provider: "twilio",
        accountSid: sid,
        authToken: "t0ken",
        messagingServiceSid: service,
        apiUrl: "http://127.0.0.1:9999",
      });
    });

    it("lists every missing Twilio variable at once, with the other problems", () => {
      expect(() => loadConfig({ KEYWARD_SMS_PROVIDER: "twilio", PORT: "eighty" })).toThrow(
        /PORT[\s\S]*KEYWARD_TWILIO_ACCOUNT_SID: required[\s\S]*KEYWARD_TWILIO_AUTH_TOKEN: required[\s\S]*KEYWARD_TWILIO_FROM: required/,
      );
    });

    it("refuses both a sender and a messaging service", () => {
      expect(() =>
        loadConfig({ ...twilio, KEYWARD_TWILIO_FROM: "+15005550006", KEYWARD_TWILIO_MESSAGING_SERVICE_SID: service }),
      ).toThrow(/KEYWARD_TWILIO_FROM: set either it or KEYWARD_TWILIO_MESSAGING_SERVICE_SID, not both/);
    });

    it("refuses an unknown provider, malformed SIDs and an API URL that is not http(s)", () => {
      expect(() => loadConfig({ KEYWARD_SMS_PROVIDER: "carrier-pigeon" })).toThrow(/KEYWARD_SMS_PROVIDER/);
      expect(() =>
        loadConfig({
          ...twilio,
          KEYWARD_TWILIO_ACCOUNT_SID: "AC123",
          KEYWARD_TWILIO_MESSAGING_SERVICE_SID: "SM123",
          KEYWARD_TWILIO_API_URL: "ftp://api.twilio.com",
        }),
      ).toThrow(
        /KEYWARD_TWILIO_ACCOUNT_SID: must be[\s\S]*KEYWARD_TWILIO_MESSAGING_SERVICE_SID: must be[\s\S]*KEYWARD_TWILIO_API_URL/,
      );
    });

    it("refuses Twilio settings without the provider, which would leave text alerts silently off", () => {
      expect(() => loadConfig({ KEYWARD_TWILIO_ACCOUNT_SID: sid, KEYWARD_TWILIO_FROM: "+15005550006" })).toThrow(
        /KEYWARD_TWILIO_ACCOUNT_SID: set KEYWARD_SMS_PROVIDER=twilio[\s\S]*KEYWARD_TWILIO_FROM: set KEYWARD_SMS_PROVIDER=twilio/,
      );
    });
  });

  it("reports every invalid variable at once", () => {
    expect(() => loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", LOG_LEVEL: "loud" })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*LOG_LEVEL/,
    );
  });
});
