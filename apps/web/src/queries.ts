/**
 * Query keys and hooks shared by the screens. Keys start with the resource's path, so a change to a resource
 * refreshes every list and record of it at once.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, type Query } from "./api.ts";

/** One record by id; disabled while the id is unknown. */
export function useRecord<T>(path: string, id: string | null | undefined) {
  return useQuery({
    queryKey: [path, "record", id],
    queryFn: () => api.get<T>(`${path}/${id}`),
    enabled: Boolean(id),
    staleTime: 30_000,
  });
}

/** A short list for a select (buildings of a property, its cabinets, calendars): one page of up to 500. */
export function useOptionsList<T>(path: string, query: Query, enabled = true) {
  return useQuery({
    queryKey: [path, "list", "options", query],
    queryFn: async () => (await api.list<T>(path, { ...query, limit: 500 })).items,
    enabled,
    staleTime: 30_000,
  });
}

/**
 * Refreshes everything cached about the given resources after a change — and the events, since every change writes
 * one and the history beside the form must show it.
 */
export function useInvalidate(): (...paths: string[]) => Promise<void> {
  const client = useQueryClient();
  return useCallback(
    async (...paths: string[]) => {
      const all = new Set([...paths, "events"]);
      await Promise.all([...all].map((p) => client.invalidateQueries({ queryKey: [p] })));
    },
    [client],
  );
}
