/**
 * One cabinet: its live state (connection, door, alarms, snapshot), enrolment and remote release for those allowed,
 * its hooks with the key on each (and who holds the keys that left them), its settings and its history.
 */
import { Badge, Group, Tabs, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useParams } from "react-router";
import { CabinetForm } from "../components/cabinet-form.tsx";
import { AlarmBadge, CabinetStateView, ConnectionBadge } from "../components/cabinet-state-view.tsx";
import { Section } from "../components/detail-layout.tsx";
import { EnrolCabinet } from "../components/enrol-cabinet.tsx";
import { Editable } from "../components/form.tsx";
import { HistoryList } from "../components/history-list.tsx";
import { HookGrid } from "../components/hook-grid.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { RemoteReleasePanel } from "../components/remote-release.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useCabinetStates, useOpenCheckouts } from "../custody.ts";
import { CABINET_STATUS_LABELS, TONES } from "../labels.ts";
import { useRecord } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Cabinet } from "../types.ts";

export function CabinetPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const cabinet = useRecord<Cabinet>("cabinets", id);
  const propertyId = cabinet.data?.propertyId ?? null;
  const states = useCabinetStates(propertyId, propertyId !== null);
  const open = useOpenCheckouts(propertyId, propertyId !== null);
  if (!cabinet.data) {
    return <QueryState error={cabinet.error} pending={cabinet.isPending} />;
  }
  const c = cabinet.data;
  const canUpdate = session.can("update", "cabinet", c.propertyId);
  const canControl = session.can("create", "cabinetControl", c.propertyId);
  const state = states.data?.find((s) => s.cabinetId === c.id);
  const zone = session.zoneOf(c.propertyId);
  return (
    <Page
      title={c.name}
      description={
        <Group gap="xs" component="span">
          <StatusBadge status={c.status} label={CABINET_STATUS_LABELS[c.status]} />
          <Badge variant="outline" color={c.enrolled ? TONES.ok : TONES.warning} radius="sm">
            {c.enrolled ? "Enrolled" : "Not enrolled"}
          </Badge>
          {c.enrolled && <ConnectionBadge state={state} />}
          <AlarmBadge state={state} />
          <Text span size="sm">
            {session.propertyName(c.propertyId)}
            {c.location ? ` · ${c.location}` : ""} · {c.hookCount} hooks
          </Text>
        </Group>
      }
      actions={canControl && c.status !== "archived" && <EnrolCabinet cabinet={c} zone={zone} />}
    >
      <Section title="State">
        {state ? (
          <CabinetStateView state={state} zone={zone} canAcknowledge={canControl} />
        ) : (
          <QueryState error={states.error} pending={states.isPending} />
        )}
        {states.isSuccess && !state && (
          <Text size="sm" c="gray.7">
            This cabinet has not reported yet: enrol it and start its agent.
          </Text>
        )}
      </Section>
      {canControl && c.status !== "archived" && (
        <Section title="Remote release">
          <RemoteReleasePanel cabinet={c} zone={zone} />
        </Section>
      )}
      <Tabs defaultValue="hooks" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="hooks">Hooks</Tabs.Tab>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="hooks">
          <Section title="Hooks">
            <HookGrid cabinet={c} canUpdate={canUpdate} openCheckouts={open.data?.items} />
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
