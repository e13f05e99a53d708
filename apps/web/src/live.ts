/**
 * Live updates: one Server-Sent Events stream (`GET /api/v1/live`) per signed-in session. Each message names the
 * topics that changed at a property; the dashboard refetches the cached queries that show them, so every screen of
 * checkouts, keys or cabinets follows the cabinets without polling.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { apiUrl } from "./api.ts";
import type { LiveMessage, LiveTopic } from "./types.ts";

/** Query-key prefixes that show each topic (keys start with the API path; see queries.ts). */
const TOPIC_QUERIES: Record<LiveTopic, readonly (readonly string[])[]> = {
  checkouts: [["checkouts"], ["overview"]],
  // why: a key taken or returned changes what its hook holds, so the hook grids refetch with the keys
  keys: [["keys"], ["cabinets", "hooks"], ["overview"]],
  cabinets: [["cabinet-states"], ["cabinets"], ["remote-releases"]],
  events: [["events"]],
  // why: the bell, the toasts, the alerts list and an alert's page (its deliveries included) all start with "alerts"
  alerts: [["alerts"]],
};

const ALL_TOPICS = Object.keys(TOPIC_QUERIES) as LiveTopic[];

/** The distinct query-key prefixes to invalidate for these topics, in a stable order. */
export function queryKeysFor(topics: readonly LiveTopic[]): string[][] {
  const seen = new Map<string, string[]>();
  for (const topic of topics) {
    for (const key of TOPIC_QUERIES[topic] ?? []) {
      seen.set(key.join("\u0000"), [...key]);
    }
  }
  return [...seen.values()];
}

/** A `data:` payload, if it is a live message; anything else (a comment, a ping) is ignored. */
export function parseLiveMessage(data: string): LiveMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || !("topics" in value) || !Array.isArray(value.topics)) {
    return null;
  }
  const topics = value.topics.filter((t): t is LiveTopic => ALL_TOPICS.includes(t as LiveTopic));
  const propertyId = "propertyId" in value && typeof value.propertyId === "string" ? value.propertyId : null;
  const at = "at" in value && typeof value.at === "string" ? value.at : "";
  return { topics, propertyId, at };
}

function invalidate(client: QueryClient, topics: readonly LiveTopic[]): void {
  for (const queryKey of queryKeysFor(topics)) {
    void client.invalidateQueries({ queryKey });
  }
}

/** Delay before the n-th reconnection attempt after the stream was refused: 1 s, 2 s, 4 s … at most 30 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
}

/**
 * Keeps the live stream open while mounted (the signed-in shell) and closes it on unmount (sign-out). The browser's
 * EventSource retries dropped connections by itself; a refused one (closed for good) is reopened with backoff.
 */
export function useLiveUpdates(): void {
  const client = useQueryClient();
  useEffect(() => {
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let opened = false;
    let stopped = false;

    const connect = () => {
      source = new EventSource(apiUrl("live"), { withCredentials: true });
      source.onopen = () => {
        // why: messages sent while the stream was down are lost; a reconnection refetches everything it could show
        if (opened) {
          invalidate(client, ALL_TOPICS);
        }
        opened = true;
        attempt = 0;
      };
      source.onmessage = (event: MessageEvent<string>) => {
        const message = parseLiveMessage(event.data);
        if (message && message.topics.length > 0) {
          invalidate(client, message.topics);
        }
      };
      source.onerror = () => {
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          timer = setTimeout(connect, reconnectDelay(attempt));
          attempt += 1;
        }
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [client]);
}

/** The live stream as a component, for the signed-in shell: renders nothing. */
export function LiveUpdates(): null {
  useLiveUpdates();
  return null;
}
