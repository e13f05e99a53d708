/** Everything that happened, newest first: the append-only history across records. */
import { EVENT_ACTIONS } from "@keyward/domain/event-actions";
import { Button, Code, Popover } from "@mantine/core";
import { AppLink } from "../components/app-link.tsx";
import { withoutSecrets } from "../components/history-list.tsx";
import { Page } from "../components/page.tsx";
import { type Column, ResourceTable } from "../components/resource-table.tsx";
import { formatInstant } from "../format.ts";
import { actionLabel, humanize } from "../labels.ts";
import { useSession } from "../session.tsx";
import type { AuditEvent } from "../types.ts";

/** Where a record of this type is shown, to link events to it. */
const RECORD_PAGES: Record<string, string> = {
  key: "/keys",
  unit: "/units",
  cabinet: "/cabinets",
  person: "/people",
  property: "/properties",
  accessProfile: "/access-profiles",
};

export function ActivityPage() {
  const session = useSession();
  const columns: Column<AuditEvent>[] = [
    {
      key: "when",
      header: "When",
      sort: "seq",
      value: (e) => formatInstant(e.occurredAt, session.zoneOf(e.propertyId)),
    },
    { key: "action", header: "What", value: (e) => actionLabel(e.action) },
    {
      key: "record",
      header: "Record",
      value: (e) => humanize(e.entityType),
      render: (e) => {
        const base = RECORD_PAGES[e.entityType];
        return base && e.entityId ? (
          <AppLink to={`${base}/${e.entityId}`}>{humanize(e.entityType)}</AppLink>
        ) : (
          humanize(e.entityType)
        );
      },
    },
    { key: "who", header: "By", value: (e) => (e.actor.email ? `${e.actor.name} (${e.actor.email})` : e.actor.name) },
    { key: "property", header: "Property", value: (e) => session.propertyName(e.propertyId) },
    {
      key: "change",
      header: "Change",
      render: (e) =>
        e.before || e.after ? (
          <Popover width={420} position="left" withArrow shadow="md">
            <Popover.Target>
              <Button size="compact-xs" variant="subtle">
                Details
              </Button>
            </Popover.Target>
            <Popover.Dropdown>
              <Code block style={{ whiteSpace: "pre-wrap", maxHeight: 320, overflow: "auto" }}>
                {JSON.stringify({ before: withoutSecrets(e.before), after: withoutSecrets(e.after) }, null, 2)}
              </Code>
            </Popover.Dropdown>
          </Popover>
        ) : null,
    },
  ];
  return (
    <Page title="Activity" description="Every change, sign-in and import, as the tamper-evident history records it.">
      <ResourceTable<AuditEvent>
        key={session.propertyId ?? "all"}
        path="events"
        label="Activity"
        columns={columns}
        query={{ propertyId: session.propertyId }}
        defaultSort="-seq"
        filters={[
          { param: "action", label: "What", options: EVENT_ACTIONS.map((a) => ({ value: a, label: actionLabel(a) })) },
        ]}
      />
    </Page>
  );
}
