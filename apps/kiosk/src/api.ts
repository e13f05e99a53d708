/**
 * The kiosk's calls to the agent that serves it (same origin): the state, the stream of states, the person's actions
 * and, in the demo, the simulated cabinet's inputs. Each post answers the new state.
 */
import type { KioskAction, KioskState, SimulatorAction } from "@keyward/contracts/kiosk";

/** Where the agent streams every new state (Server-Sent Events). */
export const STREAM_URL = "/api/kiosk/stream";

/**
 * Whether a decoded message looks like a kiosk state. The agent is the kiosk's own server, so this guards against a
 * truncated or foreign message rather than re-validating the whole contract in the browser.
 */
export function isKioskState(value: unknown): value is KioskState {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  const screen = v.screen as Record<string, unknown> | undefined;
  return (
    typeof v.cabinet === "object" &&
    (v.language === "en" || v.language === "es") &&
    typeof v.online === "boolean" &&
    typeof screen === "object" &&
    screen !== null &&
    typeof screen.name === "string"
  );
}

/** The agent answered, but not with a state: a malformed action (400) or a simulator refusal (409). */
export class AgentRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "AgentRefusal";
  }
}

async function messageOf(response: Response): Promise<string> {
  try {
    const body: unknown = await response.json();
    if (typeof body === "object" && body !== null && "message" in body && typeof body.message === "string") {
      return body.message;
    }
  } catch {
    // why: an answer without a JSON body still has a status worth reporting
  }
  return `The cabinet answered ${response.status}.`;
}

async function request(path: string, body?: unknown): Promise<KioskState> {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
    cache: "no-store",
  });
  if (!response.ok) {
    throw new AgentRefusal(response.status, await messageOf(response));
  }
  const value: unknown = await response.json();
  if (!isKioskState(value)) {
    throw new AgentRefusal(response.status, `${path} did not answer a kiosk state`);
  }
  return value;
}

/** The current state, for the first paint and while the stream is down. */
export function fetchState(): Promise<KioskState> {
  return request("/api/kiosk/state");
}

/** Posts one of the person's touches. */
export function postAction(action: KioskAction): Promise<KioskState> {
  return request("/api/kiosk/actions", action);
}

/** Posts an input to the simulated cabinet (demo only). */
export function postSimulator(action: SimulatorAction): Promise<KioskState> {
  return request("/api/simulator", action);
}
