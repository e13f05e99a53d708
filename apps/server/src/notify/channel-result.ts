/**
 * What one attempt on a channel (a text message, a webhook) came to, in the shape the alert delivery worker records:
 * a success with the provider's id for the message, or a failure that says whether trying again could help.
 */
export type ChannelResult =
  | {
      ok: true;
      /** The provider's id for what was sent (Twilio's message SID); null when it gives none. */
      providerId: string | null;
      /** The HTTP status of the answer; null when there was no HTTP exchange. */
      status: number | null;
      /** A short line for the delivery log. */
      detail: string;
    }
  | {
      ok: false;
      /** True when another attempt would fail the same way (a bad number, bad credentials, a webhook gone). */
      permanent: boolean;
      /** The HTTP status of the answer; null when none came (refused, timed out, not sent). */
      status: number | null;
      /** What went wrong, for a person reading the delivery log. */
      error: string;
    };

/** How long a channel waits for a provider or a receiver before calling the attempt a (transient) failure. */
export const CHANNEL_TIMEOUT_MS = 10_000;

/**
 * A failure of `fetch` itself, in words: a timeout, or the network error under "fetch failed" (ECONNREFUSED…).
 * @param error what `fetch` (or reading its body) threw.
 * @param timeoutMs the timeout the request ran under, to say it.
 */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  // why: undici throws a bare "fetch failed" whose cause carries the useful part (ECONNREFUSED, ENOTFOUND, TLS…)
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = "code" in cause && typeof cause.code === "string" ? cause.code : null;
    return code && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}
