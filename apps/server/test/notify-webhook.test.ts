/**
 * Signed webhooks: the signature scheme (signed and verified by the same exported code a receiver would use), and
 * `postWebhook` against a real HTTP server on 127.0.0.1 that verifies what it receives and answers as told.
 */
import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  generateWebhookSecret,
  nextWebhookAttempt,
  postWebhook,
  signWebhook,
  validateWebhookUrl,
  verifyWebhookSignature,
  WEBHOOK_EXCERPT_LENGTH,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_SECONDS,
  type WebhookRequest,
} from "../src/notify/webhook.ts";
import { VERSION } from "../src/version.ts";
import { type Receiver, refusingUrl, startReceiver } from "./notify-receiver.ts";

const SECRET = "whsec_test-secret";
const NOW = new Date("2025-03-04T05:06:07.890Z");
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const PAYLOAD = {
  type: "alert.opened",
  alert: { id: "a1", cause: "key.overdue", severity: "high", key: "12B", property: "Maple Court" },
};

let receiver: Receiver;

beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

function request(overrides: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    url: `${receiver.url}/hooks/keyward`,
    secret: SECRET,
    event: "alert.opened",
    deliveryId: "d-0001",
    payload: PAYLOAD,
    now: NOW,
    ...overrides,
  };
}

/** Answers with a status and a text body. */
function answer(status: number, body = "", headers: Record<string, string> = {}) {
  receiver.handler = (_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  };
}

describe("signWebhook and verifyWebhookSignature", () => {
  const body = JSON.stringify(PAYLOAD);
  const header = signWebhook(SECRET, NOW_SECONDS, body);

  it("signs HMAC-SHA256 of '<t>.<body>' as t=…,v1=<hex>", () => {
    const expected = createHmac("sha256", SECRET).update(`${NOW_SECONDS}.${body}`).digest("hex");
    expect(header).toBe(`t=${NOW_SECONDS},v1=${expected}`);
  });

  it("accepts the header for the exact body, as a string or as the raw bytes", () => {
    expect(verifyWebhookSignature(SECRET, header, body, NOW_SECONDS)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, Buffer.from(body), NOW_SECONDS + 300)).toBe(true);
  });

  it("rejects a tampered body, a wrong secret and a changed timestamp", () => {
    expect(verifyWebhookSignature(SECRET, header, body.replace("high", "low"), NOW_SECONDS)).toBe(false);
    expect(verifyWebhookSignature(`${SECRET}x`, header, body, NOW_SECONDS)).toBe(false);
    const moved = header.replace(`t=${NOW_SECONDS}`, `t=${NOW_SECONDS + 60}`);
    expect(verifyWebhookSignature(SECRET, moved, body, NOW_SECONDS)).toBe(false);
  });

  it("rejects a timestamp older (or further ahead) than the tolerance", () => {
    expect(verifyWebhookSignature(SECRET, header, body, NOW_SECONDS + 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, body, NOW_SECONDS - 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, body, NOW_SECONDS + 3600, 7200)).toBe(true);
  });

  const v1 = header.split(",v1=")[1] ?? "";
  it.each([
    ["empty", ""],
    ["no timestamp", `v1=${v1}`],
    ["no signature", `t=${NOW_SECONDS}`],
    ["two timestamps", `t=${NOW_SECONDS},t=${NOW_SECONDS},v1=${v1}`],
    ["a timestamp that is not a number", `t=soon,v1=${v1}`],
    ["a negative timestamp", `t=-${NOW_SECONDS},v1=${v1}`],
    ["a short signature", `t=${NOW_SECONDS},v1=${v1.slice(2)}`],
    ["an upper-case signature", `t=${NOW_SECONDS},v1=${v1.toUpperCase()}`],
    ["a part without '='", `t=${NOW_SECONDS},${v1}`],
    ["an empty part", `t=${NOW_SECONDS},,v1=${v1}`],
  ])("rejects a malformed header: %s", (_name, value) => {
    expect(verifyWebhookSignature(SECRET, value, body, NOW_SECONDS)).toBe(false);
  });

  it("signs with old and new secrets while rotating; either verifies, and unknown schemes are ignored", () => {
    const rotating = signWebhook(["whsec_old", "whsec_new"], NOW_SECONDS, body);
    expect(rotating.split(",")).toHaveLength(3);
    expect(verifyWebhookSignature("whsec_old", rotating, body, NOW_SECONDS)).toBe(true);
    expect(verifyWebhookSignature("whsec_new", rotating, body, NOW_SECONDS)).toBe(true);
    expect(verifyWebhookSignature("whsec_other", rotating, body, NOW_SECONDS)).toBe(false);
    expect(verifyWebhookSignature(["whsec_other", "whsec_new"], rotating, body, NOW_SECONDS)).toBe(true);
    expect(verifyWebhookSignature(SECRET, `${header},v2=abc`, body, NOW_SECONDS)).toBe(true);
  });

  it("refuses to sign a timestamp that is not whole Unix seconds", () => {
    expect(() => signWebhook(SECRET, NOW.getTime() / 1000, body)).toThrow(RangeError);
  });
});

describe("postWebhook", () => {
  it("POSTs the JSON body with its headers, signed so the receiver verifies it", async () => {
    answer(200, '{"received":true}', { "Content-Type": "application/json" });
    const result = await postWebhook(request());
    expect(result).toMatchObject({
      ok: true,
      providerId: null,
      status: 200,
      detail: "HTTP 200",
      responseExcerpt: '{"received":true}',
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(receiver.requests).toHaveLength(1);
    const received = receiver.requests[0];
    if (!received) {
      throw new Error("nothing received");
    }
    expect(received.method).toBe("POST");
    expect(received.path).toBe("/hooks/keyward");
    expect(received.headers["content-type"]).toBe("application/json");
    expect(received.headers["user-agent"]).toBe(`Keyward/${VERSION}`);
    expect(received.headers["keyward-event"]).toBe("alert.opened");
    expect(received.headers["keyward-delivery"]).toBe("d-0001");
    const signature = String(received.headers["keyward-signature"]);
    expect(signature.startsWith(`t=${NOW_SECONDS},v1=`)).toBe(true);
    // the receiver's side: the raw bytes, checked at its own clock, then parsed
    expect(verifyWebhookSignature(SECRET, signature, received.body, NOW_SECONDS + 5)).toBe(true);
    expect(verifyWebhookSignature("whsec_wrong", signature, received.body, NOW_SECONDS + 5)).toBe(false);
    expect(JSON.parse(received.body.toString("utf8"))).toEqual(PAYLOAD);
  });

  it("sends the same delivery id on a retry, signed at the retry's time", async () => {
    answer(204);
    const later = new Date(NOW.getTime() + 30_000);
    expect(await postWebhook(request())).toMatchObject({ ok: true, status: 204, responseExcerpt: null });
    expect(await postWebhook(request({ now: later }))).toMatchObject({ ok: true });
    const [first, second] = receiver.requests;
    expect(second?.headers["keyward-delivery"]).toBe(first?.headers["keyward-delivery"]);
    expect(String(second?.headers["keyward-signature"])).toMatch(new RegExp(`^t=${NOW_SECONDS + 30},`));
  });

  it("treats 410 Gone as a permanent failure", async () => {
    answer(410, "unsubscribed");
    expect(await postWebhook(request())).toMatchObject({
      ok: false,
      permanent: true,
      status: 410,
      responseExcerpt: "unsubscribed",
    });
  });

  it.each([500, 502, 400, 404, 429])("treats %i as a transient failure", async (status) => {
    answer(status, "nope");
    expect(await postWebhook(request())).toMatchObject({
      ok: false,
      permanent: false,
      status,
      error: `HTTP ${status}`,
      responseExcerpt: "nope",
    });
  });

  it("does not follow a redirect: a 302 is a transient failure and the target is never called", async () => {
    const target = await startReceiver();
    try {
      answer(302, "", { Location: `${target.url}/elsewhere` });
      const result = await postWebhook(request());
      expect(result).toMatchObject({ ok: false, permanent: false, status: 302 });
      expect(result.ok ? "" : result.error).toContain(`redirects to ${target.url}/elsewhere`);
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.close();
    }
  });

  it("gives up on a receiver that never answers, as a transient failure", async () => {
    receiver.handler = () => undefined;
    const result = await postWebhook(request({ timeoutMs: 200 }));
    expect(result).toMatchObject({
      ok: false,
      permanent: false,
      status: null,
      error: "no answer within 0.2 s",
      responseExcerpt: null,
    });
    expect(receiver.requests).toHaveLength(1);
  });

  it("reports a refused connection as a transient failure", async () => {
    const result = await postWebhook(request({ url: `${await refusingUrl()}/hook` }));
    expect(result).toMatchObject({ ok: false, permanent: false, status: null, responseExcerpt: null });
    expect(result.ok ? "" : result.error).toContain("ECONNREFUSED");
  });

  it("keeps at most 500 characters of the answer", async () => {
    answer(200, `${"é".repeat(300)}${"z".repeat(100_000)}`);
    const result = await postWebhook(request());
    expect(result.ok).toBe(true);
    expect(result.responseExcerpt).toBe(`${"é".repeat(300)}${"z".repeat(WEBHOOK_EXCERPT_LENGTH - 300)}`);
  });

  it("refuses a URL that may not receive webhooks without sending anything", async () => {
    const result = await postWebhook(request({ url: "ftp://127.0.0.1/hook" }));
    expect(result).toMatchObject({ ok: false, permanent: true, status: null, responseExcerpt: null });
    expect(receiver.requests).toHaveLength(0);
  });
});

describe("nextWebhookAttempt", () => {
  it("retries after 30 s, 2 min, 10 min, 1 h and 6 h, then gives up after the 6th attempt", () => {
    expect(WEBHOOK_MAX_ATTEMPTS).toBe(6);
    expect(nextWebhookAttempt(0, NOW)).toEqual(NOW);
    const waits = [1, 2, 3, 4, 5].map((attempts) => {
      const next = nextWebhookAttempt(attempts, NOW);
      return next === null ? null : (next.getTime() - NOW.getTime()) / 1000;
    });
    expect(waits).toEqual([30, 120, 600, 3600, 21_600]);
    expect(waits).toEqual([...WEBHOOK_RETRY_SECONDS]);
    expect(nextWebhookAttempt(6, NOW)).toBeNull();
    expect(nextWebhookAttempt(7, NOW)).toBeNull();
  });

  it("refuses a count that is not one", () => {
    expect(() => nextWebhookAttempt(-1, NOW)).toThrow(RangeError);
    expect(() => nextWebhookAttempt(1.5, NOW)).toThrow(RangeError);
  });
});

describe("validateWebhookUrl", () => {
  it.each(["https://hooks.example.com/keyward", "http://10.0.0.5:8080/in?source=keyward"])("accepts %s", (url) => {
    expect(validateWebhookUrl(url)).toBeNull();
  });

  it.each([
    ["not a URL", "hooks.example.com/keyward", /not a URL/],
    ["another scheme", "ftp://example.com/hook", /not ftp/],
    ["javascript", "javascript:alert(1)", /not javascript/],
    ["a user name", "https://user@example.com/hook", /user name or password/],
    ["a password", "https://user:secret@example.com/hook", /user name or password/],
    ["too long", `https://example.com/${"a".repeat(2000)}`, /longer than 2000/],
  ])("refuses %s", (_name, url, problem) => {
    expect(validateWebhookUrl(url)).toMatch(problem);
  });
});

describe("generateWebhookSecret", () => {
  it("makes whsec_ and 32 random bytes in base64url, different each time", () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice("whsec_".length), "base64url")).toHaveLength(32);
    expect(a).not.toBe(b);
  });
});
