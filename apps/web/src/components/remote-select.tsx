/**
 * A select over a resource too large to load whole (units, key sets, people): it searches the API as the user types
 * and shows the chosen record's name even when it is not among the results.
 */
import { Select, type SelectProps } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, type Query } from "../api.ts";
import { useRecord } from "../queries.ts";
import type { Person } from "../types.ts";

export interface RemoteSelectProps<T extends { id: string }>
  extends Omit<SelectProps, "data" | "value" | "onChange" | "searchable"> {
  path: string;
  query?: Query;
  labelOf: (record: T) => string;
  value: string | null;
  onChange: (id: string | null) => void;
}

export function RemoteSelect<T extends { id: string }>({
  path,
  query = {},
  labelOf,
  value,
  onChange,
  ...rest
}: RemoteSelectProps<T>) {
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 250);
  const selected = useRecord<T>(path, value);
  const selectedLabel = selected.data ? labelOf(selected.data) : "";
  // why: while the box shows the chosen record's name, that name is not a search the user typed
  const term = q === selectedLabel ? "" : q;
  const results = useQuery({
    queryKey: [path, "list", "search", query, term],
    queryFn: async () => (await api.list<T>(path, { ...query, q: term || undefined, limit: 25 })).items,
    staleTime: 15_000,
  });
  const options = new Map<string, string>();
  if (selected.data) {
    options.set(selected.data.id, selectedLabel);
  }
  for (const r of results.data ?? []) {
    options.set(r.id, labelOf(r));
  }
  return (
    <Select
      {...rest}
      searchable
      clearable
      value={value}
      onChange={(v) => onChange(v)}
      searchValue={search}
      onSearchChange={setSearch}
      data={[...options].map(([id, label]) => ({ value: id, label }))}
      filter={({ options: o }) => o}
      nothingFoundMessage={results.isFetching ? "Searching…" : "No match"}
    />
  );
}

/** A record's name by id, for table cells and details (cached, so repeated ids cost one request). */
export function RecordName<T>({
  path,
  id,
  labelOf,
}: {
  path: string;
  id: string | null | undefined;
  labelOf: (record: T) => string;
}) {
  const record = useRecord<T>(path, id);
  if (!id) {
    return <>—</>;
  }
  return <>{record.data ? labelOf(record.data) : "…"}</>;
}

/** A person's name as tables and pickers show it. */
export function personName(person: Person): string {
  return `${person.firstName} ${person.lastName}`;
}

/** The required choice of an active person, searched by name (granting a role, assigning a profile). */
export function PersonSelect({
  value,
  onChange,
  error,
}: {
  value: string | null;
  onChange: (id: string | null) => void;
  error?: string | undefined;
}) {
  return (
    <RemoteSelect<Person>
      label="Person"
      required
      placeholder="Search people"
      path="people"
      query={{ status: "active" }}
      labelOf={personName}
      value={value}
      onChange={onChange}
      error={error}
    />
  );
}
