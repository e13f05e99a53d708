/**
 * Text messages through Twilio's Messages REST API, with Node's own `fetch` (the official `twilio` package brings a
 * whole SDK for one POST): `POST {apiUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json`, a form body with `To`,
 * `Body` and `From` or `MessagingServiceSid`, HTTP Basic auth with the account SID and auth token. Twilio answers 201
 * with the message as JSON (`sid`, `status`), or an error as JSON (`code`, `message`, `more_info`, `status`).
 */
import { z } from "zod";
import type { SmsConfig } from "../config.ts";
import { VERSION } from "../version.ts";
import { CHANNEL_TIMEOUT_MS, type ChannelResult, describeFetchError } from "./channel-result.ts";
import type { SmsMessage, SmsOptions, SmsProvider } from "./sms.ts";

/** The parts of Twilio's answers read here (a field of another type is dropped); everything else is ignored. */
const TwilioAnswer = z.object({
  sid: z.string().optional().catch(undefined),
  status: z.string().optional().catch(undefined),
  code: z.number().optional().catch(undefined),
  message: z.string().optional().catch(undefined),
  more_info: z.string().optional().catch(undefined),
});
type TwilioAnswer = z.infer<typeof TwilioAnswer>;

/**
 * A provider sending through the Twilio account in `config`. Use `createSmsProvider`, which checks the number and cuts
 * the body first.
 */
export function createTwilioSms(config: SmsConfig, options: SmsOptions = {}): SmsProvider {
  const timeoutMs = options.timeoutMs ?? CHANNEL_TIMEOUT_MS;
  const url = `${config.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString("base64")}`;
  return {
    name: "twilio",
    send: async (message: SmsMessage): Promise<ChannelResult> => {
      const form = new URLSearchParams({ To: message.to, Body: message.body });
      if (config.messagingServiceSid !== undefined) {
        form.set("MessagingServiceSid", config.messagingServiceSid);
      } else if (config.from !== undefined) {
        form.set("From", config.from);
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: {
            Authorization: authorization,
            "Content-Type": "application/x-www-form-urlencoded",
            Accept: "application/json",
            "User-Agent": `Keyward/${VERSION}`,
          },
          body: form,
          // why: Twilio's API does not redirect; following one would send the credentials somewhere unexpected
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        return { ok: false, permanent: false, status: null, error: `Twilio: ${describeFetchError(error, timeoutMs)}` };
      }
      // why: once a 201 has come the message is Twilio's; a body that breaks off must not make it a failure (and a
      // retry would text the same person twice)
      const text = await response.text().catch(() => "");
      const answer = parseAnswer(text);
      if (response.status >= 200 && response.status < 300) {
        const sid = answer?.sid ?? null;
        const state = answer?.status ?? "accepted";
        return { ok: true, providerId: sid, status: response.status, detail: `Twilio ${state} ${sid ?? "(no SID)"}` };
      }
      return {
        ok: false,
        permanent: isPermanent(response.status),
        status: response.status,
        error: `Twilio answered ${response.status}: ${describeError(answer, text)}`,
      };
    },
  };
}

/**
 * Whether Twilio's answer means the same request can never succeed: a 4xx (a bad number, an unknown sender) — except
 * 408 and 429, which say "later", and 401 and 403, which say the credentials are wrong.
 */
function isPermanent(status: number): boolean {
  // why: a 5xx, a 3xx (a wrong API URL behind a proxy) and throttling may all pass; so does a wrong or revoked token
  // once an operator fixes it — dropping every text queued meanwhile would lose alerts that are still worth sending
  return status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
}

function parseAnswer(text: string): TwilioAnswer | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = TwilioAnswer.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Twilio's error in one line: "error 21211: The 'To' number … (https://www.twilio.com/docs/errors/21211)". */
function describeError(answer: TwilioAnswer | null, text: string): string {
  if (answer !== null && (answer.code !== undefined || answer.message !== undefined)) {
    const code = answer.code !== undefined ? `error ${answer.code}: ` : "";
    const more = answer.more_info !== undefined ? ` (${answer.more_info})` : "";
    return `${code}${answer.message ?? "(no message)"}${more}`;
  }
  return text.trim().slice(0, 200) || "(empty answer)";
}
