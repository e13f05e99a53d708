/**
 * Text messages through the Twilio adapter, against a real HTTP server on 127.0.0.1 that records each request and
 * answers as Twilio's Messages API does (201 with the message; errors as `{code, message, more_info, status}`).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, type SmsConfig } from "../src/config.ts";
import { createSmsProvider, SMS_MAX_LENGTH, type SmsProvider } from "../src/notify/sms.ts";
import { VERSION } from "../src/version.ts";
import { json, type Receiver, refusingUrl, startReceiver } from "./notify-receiver.ts";

const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const SERVICE_SID = `MG${"fedcba9876543210".repeat(2)}`;
const AUTH_TOKEN = "twilio-auth-token";
const TO = "+15551234567";

let twilio: Receiver;

beforeEach(async () => {
  twilio = await startReceiver();
  twilio.handler = json(201, {
    sid: "SM00000000000000000000000000000001",
    status: "queued",
    to: TO,
    body: "ignored",
    error_code: null,
  });
});
afterEach(async () => {
  await twilio.close();
});

function settings(overrides: Partial<SmsConfig> = {}): SmsConfig {
  return {
    provider: "twilio",
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    from: "+15005550006",
    apiUrl: twilio.url,
    ...overrides,
  };
}

function provider(overrides: Partial<SmsConfig> = {}, timeoutMs?: number): SmsProvider {
  const sms = createSmsProvider(settings(overrides), timeoutMs === undefined ? {} : { timeoutMs });
  if (sms === null) {
    throw new Error("the provider should be configured");
  }
  return sms;
}

function form(index = 0): URLSearchParams {
  const request = twilio.requests[index];
  if (!request) {
    throw new Error(`no request ${index}`);
  }
  return new URLSearchParams(request.body.toString("utf8"));
}

describe("createSmsProvider", () => {
  it("is null while no provider is configured", () => {
    expect(createSmsProvider(null)).toBeNull();
    expect(createSmsProvider(loadConfig({}).sms)).toBeNull();
  });

  it("builds the Twilio adapter from the environment's variables", async () => {
    const config = loadConfig({
      KEYWARD_SMS_PROVIDER: "twilio",
      KEYWARD_TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      KEYWARD_TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      KEYWARD_TWILIO_FROM: "+15005550006",
      KEYWARD_TWILIO_API_URL: `${twilio.url}/`,
    });
    const sms = createSmsProvider(config.sms);
    expect(sms?.name).toBe("twilio");
    const result = await sms?.send({ to: TO, body: "Key 12B is overdue" });
    expect(result).toMatchObject({ ok: true });
    expect(twilio.requests[0]?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
  });
});

describe("Twilio: POST /2010-04-01/Accounts/{AccountSid}/Messages.json", () => {
  it("posts To, Body and From as a form with Basic auth, and reads the message SID from the 201", async () => {
    const result = await provider().send({ to: TO, body: "Key 12B (Unit 4) is 30 minutes overdue — Ana Ruiz" });
    expect(result).toEqual({
      ok: true,
      providerId: "SM00000000000000000000000000000001",
      status: 201,
      detail: "Twilio queued SM00000000000000000000000000000001",
    });
    expect(twilio.requests).toHaveLength(1);
    const request = twilio.requests[0];
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`,
    );
    expect(request?.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.headers["user-agent"]).toBe(`Keyward/${VERSION}`);
    const fields = form();
    expect(Object.fromEntries(fields)).toEqual({
      To: TO,
      Body: "Key 12B (Unit 4) is 30 minutes overdue — Ana Ruiz",
      From: "+15005550006",
    });
  });

  it("names the messaging service instead of a sender when one is configured", async () => {
    const sms = provider({ from: undefined, messagingServiceSid: SERVICE_SID });
    expect(await sms.send({ to: TO, body: "Door forced at cabinet A" })).toMatchObject({ ok: true });
    const fields = form();
    expect(fields.get("MessagingServiceSid")).toBe(SERVICE_SID);
    expect(fields.has("From")).toBe(false);
  });

  it("counts a 201 whose body breaks off as sent, so a retry does not text the person twice", async () => {
    twilio.handler = (_request, response) => {
      response.writeHead(201, { "Content-Type": "application/json", "Content-Length": "500" });
      response.write('{"sid":"SM');
      setTimeout(() => response.destroy(), 20);
    };
    expect(await provider().send({ to: TO, body: "x" })).toEqual({
      ok: true,
      providerId: null,
      status: 201,
      detail: "Twilio accepted (no SID)",
    });
  });

  it("answers a 400 with Twilio's error code and message as a permanent failure", async () => {
    twilio.handler = json(400, {
      code: 21211,
      message: "The 'To' number +15550000000 is not a valid phone number.",
      more_info: "https://www.twilio.com/docs/errors/21211",
      status: 400,
    });
    const result = await provider().send({ to: "+15550000000", body: "x" });
    expect(result).toMatchObject({ ok: false, permanent: true, status: 400 });
    expect(result.ok ? "" : result.error).toBe(
      "Twilio answered 400: error 21211: The 'To' number +15550000000 is not a valid phone number. " +
        "(https://www.twilio.com/docs/errors/21211)",
    );
  });

  it("answers bad credentials (401) as a transient failure: texts wait for the operator to fix the token", async () => {
    twilio.handler = json(401, { code: 20003, message: "Authenticate", more_info: "x", status: 401 });
    const result = await provider().send({ to: TO, body: "x" });
    expect(result).toMatchObject({ ok: false, permanent: false, status: 401 });
    expect(result.ok ? "" : result.error).toContain("error 20003: Authenticate");
  });

  it.each([500, 503, 429])("answers %i as a transient failure", async (status) => {
    twilio.handler = (_request, response) => {
      response.writeHead(status, { "Content-Type": "text/html" });
      response.end("<html>Service unavailable</html>");
    };
    const result = await provider().send({ to: TO, body: "x" });
    expect(result).toEqual({
      ok: false,
      permanent: false,
      status,
      error: `Twilio answered ${status}: <html>Service unavailable</html>`,
    });
  });

  it("gives up on a server that never answers, as a transient failure", async () => {
    twilio.handler = () => undefined;
    const result = await provider({}, 200).send({ to: TO, body: "x" });
    expect(result).toEqual({ ok: false, permanent: false, status: null, error: "Twilio: no answer within 0.2 s" });
    expect(twilio.requests).toHaveLength(1);
  });

  it("reports a refused connection as a transient failure", async () => {
    const result = await provider({ apiUrl: await refusingUrl() }).send({ to: TO, body: "x" });
    expect(result).toMatchObject({ ok: false, permanent: false, status: null });
    expect(result.ok ? "" : result.error).toMatch(/^Twilio: .*ECONNREFUSED/);
  });

  it.each(["5551234567", "+1 555 123 4567", "+0123456789", "+1234567", "+1234567890123456", "tel:+15551234567"])(
    "refuses %j as a permanent failure without a request",
    async (to) => {
      const result = await provider().send({ to, body: "x" });
      expect(result).toMatchObject({ ok: false, permanent: true, status: null });
      expect(result.ok ? "" : result.error).toContain("E.164");
      expect(twilio.requests).toHaveLength(0);
    },
  );

  it("accepts the shortest and longest E.164 numbers", async () => {
    const sms = provider();
    expect(await sms.send({ to: "+12345678", body: "x" })).toMatchObject({ ok: true });
    expect(await sms.send({ to: "+123456789012345", body: "x" })).toMatchObject({ ok: true });
    expect(twilio.requests.map((_, i) => form(i).get("To"))).toEqual(["+12345678", "+123456789012345"]);
  });

  it("cuts a body over 1,600 characters with an ellipsis, without splitting a character", async () => {
    const long = `${"🔑".repeat(1000)}${"a".repeat(1000)}`;
    await provider().send({ to: TO, body: long });
    const sent = form().get("Body") ?? "";
    expect(Array.from(sent)).toHaveLength(SMS_MAX_LENGTH);
    expect(sent.endsWith("a…")).toBe(true);
    expect(sent.startsWith("🔑".repeat(1000))).toBe(true);

    const exact = "b".repeat(SMS_MAX_LENGTH);
    await provider().send({ to: TO, body: exact });
    expect(form(1).get("Body")).toBe(exact);
  });
});
