/** Access profiles: which keys people may take, when, how many and for how long. */
import { Button } from "@mantine/core";
import { Link } from "react-router";
import { AppLink } from "../components/app-link.tsx";
import { Page } from "../components/page.tsx";
import { useCanCreate } from "../components/property-field.tsx";
import {
  type Column,
  propertyColumn,
  ResourceTable,
  statusColumn,
  statusFilter,
} from "../components/resource-table.tsx";
import { formatMinutes } from "../format.ts";
import { WEEKDAY_LABELS } from "../labels.ts";
import { useSession } from "../session.tsx";
import type { AccessProfile, WeeklyWindow } from "../types.ts";

/** "Mon–Fri 07:00–18:00; Sat 10:00–17:00". */
export function describeWindows(windows: WeeklyWindow[]): string {
  if (windows.length === 0) {
    return "Never";
  }
  return windows
    .map((w) => {
      const days = [...w.days].sort((a, b) => a - b);
      const first = days[0] ?? 1;
      const last = days[days.length - 1] ?? first;
      const consecutive = days.length > 2 && last - first === days.length - 1;
      const names = consecutive
        ? `${WEEKDAY_LABELS[first - 1]}–${WEEKDAY_LABELS[last - 1]}`
        : days.map((d) => WEEKDAY_LABELS[d - 1]).join(", ");
      return `${names} ${w.start}–${w.end}`;
    })
    .join("; ");
}

export function AccessProfilesPage() {
  const session = useSession();
  const canCreate = useCanCreate("accessProfile");
  const columns: Column<AccessProfile>[] = [
    {
      key: "name",
      header: "Name",
      sort: "name",
      value: (p) => p.name,
      render: (p) => (
        <AppLink to={`/access-profiles/${p.id}`} fw={500}>
          {p.name}
        </AppLink>
      ),
    },
    { key: "when", header: "When", value: (p) => describeWindows(p.windows) },
    { key: "keys", header: "Keys", value: (p) => (p.keyScope.allKeys ? "All keys" : "Some keys") },
    { key: "max", header: "Most out", value: (p) => p.maxKeysOut },
    {
      key: "duration",
      header: "Longest",
      value: (p) => (p.maxDurationMinutes ? formatMinutes(p.maxDurationMinutes) : ""),
    },
    statusColumn(),
    ...propertyColumn<AccessProfile>(session),
  ];
  return (
    <Page
      title="Access profiles"
      description={session.property ? session.property.name : "All properties"}
      actions={
        canCreate && (
          <Button component={Link} to="/access-profiles/new">
            New profile
          </Button>
        )
      }
    >
      <ResourceTable<AccessProfile>
        key={session.propertyId ?? "all"}
        path="access-profiles"
        label="Access profiles"
        columns={columns}
        query={{ propertyId: session.propertyId }}
        search="Name or description"
        filters={[statusFilter("archived")]}
      />
    </Page>
  );
}
