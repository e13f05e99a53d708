/**
 * Custody as the screens read it: open checkouts (the keys-out board), a key's checkouts, and each cabinet's live
 * state. Query keys start with the API path, so the live stream's topics refresh them (live.ts).
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, listAll } from "./api.ts";
import type { CabinetState, Checkout } from "./types.ts";

/** The most open checkouts a board loads; past it the board says "at least". */
export const OPEN_CHECKOUTS_CAP = 5000;

/** What a holder cell says when a key left with nobody identified. */
export const UNKNOWN_HOLDER = "Unknown — taken without a session";

/** Every open checkout of the property (null: every property the user may read), oldest first. */
export function useOpenCheckouts(propertyId: string | null, enabled = true) {
  return useQuery({
    queryKey: ["checkouts", "open", propertyId],
    enabled,
    queryFn: async () => {
      const { items, complete } = await listAll<Checkout>(
        "checkouts",
        { status: "open", propertyId },
        OPEN_CHECKOUTS_CAP,
      );
      return { items: [...items].sort((a, b) => a.since.localeCompare(b.since)), complete };
    },
  });
}

/** A key's checkouts, newest first, a page at a time. */
export function useKeyCheckouts(keyId: string) {
  return useInfiniteQuery({
    queryKey: ["checkouts", "key", keyId],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.list<Checkout>("checkouts", { keyId, sort: "-since", limit: 25, cursor: pageParam }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** The live state of the property's cabinets (null: every property the user may read). */
export function useCabinetStates(propertyId: string | null, enabled = true) {
  return useQuery({
    queryKey: ["cabinet-states", propertyId],
    enabled,
    queryFn: async () => (await api.get<{ items: CabinetState[] }>("cabinet-states", { propertyId })).items,
  });
}

/** Whether a checkout is overdue now: the server's answer, or a due time that has passed since it answered. */
export function isOverdue(c: Checkout, now: Date): boolean {
  return c.status === "open" && (c.overdue || (c.dueAt !== null && new Date(c.dueAt).getTime() < now.getTime()));
}

/** The holder's name, or the flagged wording for a key that left with nobody identified. */
export function holderName(c: Checkout): string {
  return c.holder?.name ?? UNKNOWN_HOLDER;
}

/** Whether a cabinet needs someone's attention: offline after enrolment, or with alarms open. */
export function cabinetTrouble(s: CabinetState): { offline: boolean; alarms: boolean; behind: boolean } {
  return {
    offline: s.enrolled && !s.online,
    alarms: s.openAlarms > 0,
    behind: s.enrolled && (s.snapshotVersion ?? 0) < s.currentSnapshotVersion,
  };
}

/**
 * The current time, refreshed every `everyMs`, so "3 h ago" and "overdue" move on while a board stays open. Only the
 * clock ticks: no request is made.
 */
export function useNow(everyMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
