/**
 * Query keys and hooks shared by the screens. Keys start with the resource's path, so a change to a resource
 * refreshes every list and record of it at once.
 */
import type { Report, ReportColumn, ReportName } from "@keyward/contracts/reports";
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

/** A report as the catalog (`GET /api/v1/reports`) describes it. */
export interface ReportCatalogItem {
  name: ReportName;
  title: string;
  description: string;
  /** Whether it covers a period (from/to); otherwise it shows the present moment. */
  periodic: boolean;
  /** The filters it takes besides the property and the period. */
  filters: string[];
  columns: ReportColumn[];
  defaultSort: Report["sort"];
}

/** The reports the user may run, with the filters each takes. */
export function useReportCatalog(enabled = true) {
  return useQuery({
    queryKey: ["reports", "catalog"],
    queryFn: async () => (await api.get<{ items: ReportCatalogItem[] }>("reports")).items,
    enabled,
    staleTime: 5 * 60_000,
  });
}

/** One report's answer (JSON) for these filters; the previous answer stays on screen while the next loads. */
export function useReport(name: ReportName | null, query: Query, enabled = true) {
  return useQuery({
    queryKey: ["reports", name, query],
    queryFn: () => api.get<Report>(`reports/${name}`, query),
    enabled: enabled && name !== null,
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[1] === name ? previous : undefined),
  });
}
