/**
 * The agent's state as the kiosk sees it: a Server-Sent Events stream of full states, with polling of
 * `/api/kiosk/state` while the stream is down and a reconnect every few seconds until it is back.
 */
import type { KioskAction, KioskState, SimulatorAction } from "@keyward/contracts/kiosk";
import { useCallback, useEffect, useRef, useState } from "react";
import { AgentRefusal, fetchState, isKioskState, postAction, postSimulator, STREAM_URL } from "./api.ts";

/** How the kiosk is hearing from the agent: the stream, polling while it is down, or not at all. */
export type Link = "stream" | "polling" | "down";

const POLL_MS = 1_000;
const RECONNECT_MS = 3_000;

/** What the screens need: the state, the link to the agent, and the two ways to act. */
export interface KioskConnection {
  state: KioskState | null;
  link: Link;
  /** Posts a touch; resolves once the agent has answered or could not be reached (never rejects). */
  send: (action: KioskAction) => Promise<void>;
  /** Posts an input to the simulated cabinet (demo panel). */
  simulate: (action: SimulatorAction) => Promise<void>;
  /** Why the simulated cabinet refused the panel's last input (lift an empty hook…), until the next one succeeds. */
  simulatorRefusal: string | null;
}

/** Subscribes to the agent for the life of the component. */
export function useKioskState(): KioskConnection {
  const [state, setState] = useState<KioskState | null>(null);
  const [link, setLink] = useState<Link>("down");
  const [simulatorRefusal, setSimulatorRefusal] = useState<string | null>(null);
  const live = useRef(false);

  useEffect(() => {
    let source: EventSource | null = null;
    let poll: ReturnType<typeof setInterval> | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let closed = false;

    const refresh = () => {
      fetchState().then(
        (next) => {
          if (!closed && !live.current) {
            setState(next);
            setLink("polling");
          }
        },
        () => {
          if (!closed && !live.current) {
            setLink("down");
          }
        },
      );
    };
    const startPolling = () => {
      if (poll === undefined) {
        refresh();
        poll = setInterval(refresh, POLL_MS);
      }
    };
    const stopPolling = () => {
      clearInterval(poll);
      poll = undefined;
    };
    const connect = () => {
      source = new EventSource(STREAM_URL);
      source.onopen = () => {
        live.current = true;
        stopPolling();
        setLink("stream");
      };
      source.onmessage = (event: MessageEvent<string>) => {
        const value: unknown = JSON.parse(event.data);
        if (isKioskState(value)) {
          setState(value);
        }
      };
      source.onerror = () => {
        // why: EventSource retries on its own only in some failures and never after a non-200 answer; closing it
        // and reconnecting on our own schedule gives one behaviour, with polling to cover the gap
        source?.close();
        live.current = false;
        startPolling();
        retry = setTimeout(connect, RECONNECT_MS);
      };
    };

    startPolling();
    connect();
    return () => {
      closed = true;
      source?.close();
      stopPolling();
      clearTimeout(retry);
    };
  }, []);

  const apply = useCallback((next: KioskState) => {
    // why: while the stream is live it delivers every change in order; applying a post's answer too could put an
    // older state over a newer one that the stream delivered first
    if (!live.current) {
      setState(next);
    }
  }, []);

  // why: a touch that cannot reach the agent must not throw into React; the header then shows the lost link
  const unreachable = useCallback((error: unknown) => {
    if (!(error instanceof AgentRefusal)) {
      setLink("down");
    }
  }, []);
  const send = useCallback((action: KioskAction) => postAction(action).then(apply, unreachable), [apply, unreachable]);
  const simulate = useCallback(
    (action: SimulatorAction) =>
      postSimulator(action).then(
        (next) => {
          setSimulatorRefusal(null);
          apply(next);
        },
        (error: unknown) => {
          if (error instanceof AgentRefusal) {
            setSimulatorRefusal(error.message);
          }
          unreachable(error);
        },
      ),
    [apply, unreachable],
  );

  return { state, link, send, simulate, simulatorRefusal };
}
