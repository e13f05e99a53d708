/**
 * Webhooks: a JSON POST signed with HMAC-SHA256, and the rules around it (the signature scheme receivers verify, the
 * retry schedule, which URLs may be registered). The scheme: header `Keyward-Signature: t=<unix seconds>,v1=<hex>`
 * where the hex is HMAC-SHA256(secret, "<t>.<raw body>"); several `v1=` values while a secret is being rotated. See
 * docs/webhooks.md for the receiver's side.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { VERSION } from "../version.ts";
import { CHANNEL_TIMEOUT_MS, type ChannelResult, describeFetchError } from "./channel-result.ts";

/** Seconds a signature's timestamp may be away from the receiver's clock before it is refused (replays). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
/** Seconds to wait after the 1st, 2nd … 5th failed attempt; the 6th failure gives up. */
export const WEBHOOK_RETRY_SECONDS = [30, 120, 600, 3600, 21_600] as const;
/** Attempts before a webhook delivery is given up on. */
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_SECONDS.length + 1;
/** Characters of the receiver's answer kept for the delivery log. */
export const WEBHOOK_EXCERPT_LENGTH = 500;
/** The longest URL a webhook may have. */
export const WEBHOOK_URL_MAX_LENGTH = 2000;

type Body = string | Uint8Array;

function hmacHex(secret: string, timestampSeconds: number, body: Body): string {
  return createHmac("sha256", secret).update(`${timestampSeconds}.`).update(body).digest("hex");
}

/**
 * The `Keyward-Signature` header value for a body sent at `timestampSeconds`.
 * @param secret the endpoint's secret, or several (old and new, while rotating): one `v1=` each.
 * @param timestampSeconds Unix seconds, also sent in the header (and signed, so it cannot be changed).
 * @param body the exact bytes sent.
 */
export function signWebhook(secret: string | readonly string[], timestampSeconds: number, body: Body): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError(`A webhook timestamp is a whole number of Unix seconds, not ${timestampSeconds}`);
  }
  const secrets = typeof secret === "string" ? [secret] : secret;
  return [`t=${timestampSeconds}`, ...secrets.map((s) => `v1=${hmacHex(s, timestampSeconds, body)}`)].join(",");
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Whether a `Keyward-Signature` header signs `body` with `secret` (one of them, when the receiver is rotating) at a
 * time within `toleranceSeconds` of `nowSeconds`. False for a malformed header, a stale or future timestamp, or no
 * matching `v1=`. Unknown schemes (`v2=`…) are ignored, so a sender may add one without breaking receivers.
 * @param body the raw bytes received, before any JSON parsing.
 */
export function verifyWebhookSignature(
  secret: string | readonly string[],
  header: string,
  body: Body,
  nowSeconds: number,
  toleranceSeconds: number = WEBHOOK_TOLERANCE_SECONDS,
): boolean {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at <= 0) {
      return false;
    }
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === "t") {
      if (timestamp !== null || !/^\d{1,15}$/.test(value)) {
        return false;
      }
      timestamp = Number(value);
    } else if (key === "v1") {
      if (!HEX64.test(value)) {
        return false;
      }
      signatures.push(Buffer.from(value, "hex"));
    }
  }
  if (timestamp === null || signatures.length === 0 || Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return false;
  }
  const secrets = typeof secret === "string" ? [secret] : secret;
  let match = false;
  for (const s of secrets) {
    const expected = Buffer.from(hmacHex(s, timestamp, body), "hex");
    for (const signature of signatures) {
      // why: constant time, and every pair compared, so the time taken says nothing about which bytes matched
      match = timingSafeEqual(expected, signature) || match;
    }
  }
  return match;
}

/** A new endpoint secret: `whsec_` and 32 random bytes, base64url. Shown once to whoever registers the endpoint. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/**
 * When to try a webhook delivery again after `attempts` attempts have failed, or null to give up (after
 * `WEBHOOK_MAX_ATTEMPTS`). Nothing tried yet: now.
 */
export function nextWebhookAttempt(attempts: number, now: Date): Date | null {
  if (!Number.isInteger(attempts) || attempts < 0) {
    throw new RangeError(`Attempts are a count, not ${attempts}`);
  }
  if (attempts === 0) {
    return now;
  }
  const wait = WEBHOOK_RETRY_SECONDS[attempts - 1];
  return wait === undefined ? null : new Date(now.getTime() + wait * 1000);
}

/**
 * Why a URL cannot be a webhook's, or null when it can: http or https, no user name or password in it (the secret
 * signs; credentials in a URL end up in logs), at most `WEBHOOK_URL_MAX_LENGTH` characters.
 */
export function validateWebhookUrl(url: string): string | null {
  if (url.length > WEBHOOK_URL_MAX_LENGTH) {
    return `The URL is longer than ${WEBHOOK_URL_MAX_LENGTH} characters.`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "This is not a URL (it must start with https:// or http://).";
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return `Only http and https URLs can receive webhooks, not ${parsed.protocol.replace(/:$/, "")}.`;
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return "The URL must not carry a user name or password; the receiver checks the signature instead.";
  }
  return null;
}

/** One webhook delivery attempt. */
export interface WebhookRequest {
  url: string;
  /** The endpoint's secret (several while rotating: each signs). */
  secret: string | readonly string[];
  /** The event's name, sent as `Keyward-Event` (e.g. `alert.opened`). */
  event: string;
  /** The delivery's id, sent as `Keyward-Delivery`: the same on every retry, so receivers can drop duplicates. */
  deliveryId: string;
  /** The JSON body. */
  payload: unknown;
  /** The sending time, signed as the timestamp. */
  now: Date;
  /** How long to wait for the receiver (default `CHANNEL_TIMEOUT_MS`); tests shorten it. */
  timeoutMs?: number;
}

/** An attempt's result, with how long it took and the start of the receiver's answer for the delivery log. */
export type WebhookResult = ChannelResult & { durationMs: number; responseExcerpt: string | null };

/**
 * Sends one webhook: POSTs the payload as JSON, signed. Any 2xx is a success; 410 Gone is a permanent failure (the
 * receiver asks not to be called again); anything else — another 4xx, a 5xx, a redirect (not followed), a refused
 * connection, a timeout — is a transient one. Never throws.
 */
export async function postWebhook(request: WebhookRequest): Promise<WebhookResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const problem = validateWebhookUrl(request.url);
  if (problem !== null) {
    return { ok: false, permanent: true, status: null, error: problem, durationMs: 0, responseExcerpt: null };
  }
  const timeoutMs = request.timeoutMs ?? CHANNEL_TIMEOUT_MS;
  const body = JSON.stringify(request.payload);
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": `Keyward/${VERSION}`,
        "Keyward-Event": request.event,
        "Keyward-Delivery": request.deliveryId,
        "Keyward-Signature": signWebhook(request.secret, Math.floor(request.now.getTime() / 1000), body),
      },
      body,
      // why: a redirect could carry the signed alert to a host nobody registered; the receiver must give its real URL
      redirect: "manual",
      signal,
    });
  } catch (error) {
    return {
      ok: false,
      permanent: false,
      status: null,
      error: describeFetchError(error, timeoutMs),
      durationMs: elapsed(),
      responseExcerpt: null,
    };
  }
  const excerpt = await readExcerpt(response);
  const { status } = response;
  const durationMs = elapsed();
  if (status >= 200 && status < 300) {
    return { ok: true, providerId: null, status, detail: `HTTP ${status}`, durationMs, responseExcerpt: excerpt };
  }
  const location = response.headers.get("location");
  const error =
    status >= 300 && status < 400
      ? `HTTP ${status}: the receiver redirects${location ? ` to ${location.slice(0, 200)}` : ""}; redirects are not followed, register the final URL`
      : status === 410
        ? "HTTP 410 Gone: the receiver asks not to be called again"
        : `HTTP ${status}`;
  return { ok: false, permanent: status === 410, status, error, durationMs, responseExcerpt: excerpt };
}

/**
 * The first `WEBHOOK_EXCERPT_LENGTH` characters of the answer, or null when it has none. Reading stops there: a
 * receiver answering with megabytes costs no more than one answering with a line. A body cut short by the timeout
 * keeps what arrived.
 */
async function readExcerpt(response: Response): Promise<string | null> {
  if (response.body === null) {
    return null;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    // why: twice the length in UTF-16 units holds that many characters even when each takes two
    while (text.length < 2 * WEBHOOK_EXCERPT_LENGTH) {
      const { done, value } = await reader.read();
      if (done) {
        text += decoder.decode();
        break;
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // why: the status already decided the attempt; a body that breaks off only shortens the excerpt
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const excerpt = Array.from(text).slice(0, WEBHOOK_EXCERPT_LENGTH).join("");
  return excerpt === "" ? null : excerpt;
}
