/**
 * Text messages: one small interface over the provider, and the rules every provider gets from it — the number must be
 * E.164 (checked before anything is sent, so a bad number in a profile is a permanent failure that costs nothing) and
 * a body longer than a provider takes is cut, with "…", rather than refused.
 */
import type { SmsConfig } from "../config.ts";
import type { ChannelResult } from "./channel-result.ts";
import { createTwilioSms } from "./twilio-sms.ts";

/** One text message: the recipient's number in E.164 form and the text. */
export interface SmsMessage {
  to: string;
  body: string;
}

/** A text-message provider. `send` never throws: every outcome is a `ChannelResult`. */
export interface SmsProvider {
  readonly name: string;
  send(message: SmsMessage): Promise<ChannelResult>;
}

/** Options for tests; production uses the defaults. */
export interface SmsOptions {
  /** How long to wait for the provider (default `CHANNEL_TIMEOUT_MS`). */
  timeoutMs?: number;
}

/** The longest body sent, in characters (Twilio's limit for one message, split into segments by the carrier). */
export const SMS_MAX_LENGTH = 1600;

const E164 = /^\+[1-9]\d{7,14}$/;

/** Whether a number is in E.164 form: "+", a country code not starting with 0, 8 to 15 digits in all. */
export function isE164(to: string): boolean {
  return E164.test(to);
}

/** The body as sent: unchanged when it fits, else its first characters and "…" (never splitting a character). */
export function fitSmsBody(body: string): string {
  const characters = Array.from(body);
  if (characters.length <= SMS_MAX_LENGTH) {
    return body;
  }
  return `${characters.slice(0, SMS_MAX_LENGTH - 1).join("")}…`;
}

/**
 * The configured provider, or null when none is (text alerts are then off).
 * @param config the `sms` section of the configuration.
 * @param options a shorter timeout, for tests.
 */
export function createSmsProvider(config: SmsConfig | null, options: SmsOptions = {}): SmsProvider | null {
  if (config === null) {
    return null;
  }
  const adapter = createTwilioSms(config, options);
  return {
    name: adapter.name,
    send: async (message) => {
      if (!isE164(message.to)) {
        return {
          ok: false,
          permanent: true,
          status: null,
          error: `"${message.to}" is not a phone number in E.164 form (+ and country code, 8 to 15 digits, e.g. +15551234567)`,
        };
      }
      return adapter.send({ to: message.to, body: fitSmsBody(message.body) });
    },
  };
}
