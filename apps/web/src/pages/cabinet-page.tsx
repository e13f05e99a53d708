/** One cabinet: its settings, its hooks and the key on each, and its history. */
import { Badge, Group, Tabs, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useParams } from "react-router";
import { CabinetForm } from "../components/cabinet-form.tsx";
import { Section } from "../components/detail-layout.tsx";
import { Editable } from "../components/form.tsx";
import { HistoryList } from "../components/history-list.tsx";
import { HookGrid } from "../components/hook-grid.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { CABINET_STATUS_LABELS } from "../labels.ts";
import { useRecord } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Cabinet } from "../types.ts";

export function CabinetPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const cabinet = useRecord<Cabinet>("cabinets", id);
  if (!cabinet.data) {
    return <QueryState error={cabinet.error} pending={cabinet.isPending} />;
  }
  const c = cabinet.data;
  const canUpdate = session.can("update", "cabinet", c.propertyId);
  return (
    <Page
      title={c.name}
      description={
        <Group gap="xs" component="span">
          <StatusBadge status={c.status} label={CABINET_STATUS_LABELS[c.status]} />
          <Badge variant="outline" color={c.enrolled ? "green" : "yellow"} radius="sm">
            {c.enrolled ? "Enrolled" : "Not enrolled"}
          </Badge>
          <Text span size="sm">
            {session.propertyName(c.propertyId)}
            {c.location ? ` · ${c.location}` : ""} · {c.hookCount} hooks
          </Text>
        </Group>
      }
    >
      <Tabs defaultValue="hooks" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="hooks">Hooks</Tabs.Tab>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="hooks">
          <Section title="Hooks">
            <HookGrid cabinet={c} canUpdate={canUpdate} />
          </Section>
        </Tabs.Panel>
        <Tabs.Panel value="settings">
          <Section title="Settings">
            <Editable allowed={canUpdate}>
              <CabinetForm
                key={c.updatedAt}
                cabinet={c}
                onSaved={() => notifications.show({ color: "green", message: "Cabinet saved." })}
              />
            </Editable>
          </Section>
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <Section title="History">
            <HistoryList entityType="cabinet" entityId={c.id} />
          </Section>
        </Tabs.Panel>
      </Tabs>
    </Page>
  );
}
