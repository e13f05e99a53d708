/** The key cabinets of the chosen property: whether each is enrolled, online, closed and free of alarms. */
import { Button, Group, Modal, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useNavigate } from "react-router";
import { AppLink } from "../components/app-link.tsx";
import { CabinetForm } from "../components/cabinet-form.tsx";
import { AlarmBadge, alarmLabel, ConnectionBadge, DOOR_LABELS } from "../components/cabinet-state-view.tsx";
import { Page } from "../components/page.tsx";
import { useCanCreate } from "../components/property-field.tsx";
import { type Column, propertyColumn, ResourceTable } from "../components/resource-table.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { cabinetTrouble, useCabinetStates, useNow } from "../custody.ts";
import { formatAgo } from "../format.ts";
import { CABINET_STATUS_LABELS, FACTOR_POLICY_LABELS, optionsOf } from "../labels.ts";
import { useSession } from "../session.tsx";
import type { Cabinet } from "../types.ts";

export function CabinetsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [creating, { open, close }] = useDisclosure(false);
  const canCreate = useCanCreate("cabinet");
  const now = useNow();
  const states = useCabinetStates(session.propertyId);
  const stateOf = new Map((states.data ?? []).map((s) => [s.cabinetId, s]));
  const columns: Column<Cabinet>[] = [
    {
      key: "name",
      header: "Name",
      sort: "name",
      value: (c) => c.name,
      render: (c) => (
        <AppLink to={`/cabinets/${c.id}`} fw={500}>
          {c.name}
        </AppLink>
      ),
    },
    { key: "location", header: "Location", value: (c) => c.location },
    {
      key: "status",
      header: "Status",
      value: (c) => CABINET_STATUS_LABELS[c.status],
      render: (c) => <StatusBadge status={c.status} label={CABINET_STATUS_LABELS[c.status]} />,
    },
    { key: "enrolled", header: "Enrolled", value: (c) => (c.enrolled ? "Yes" : "No") },
    {
      key: "connection",
      header: "Connection",
      value: (c) => {
        const s = stateOf.get(c.id);
        return !s?.enrolled ? "" : s.online ? "online" : "offline";
      },
      render: (c) => {
        const s = stateOf.get(c.id);
        return (
          <div>
            <ConnectionBadge state={s} />
            {s?.lastContactAt && (
              <Text size="xs" c="gray.7">
                {formatAgo(s.lastContactAt, now)}
              </Text>
            )}
          </div>
        );
      },
    },
    {
      key: "door",
      header: "Door",
      value: (c) => {
        const s = stateOf.get(c.id);
        return s?.enrolled ? DOOR_LABELS[s.door] : "";
      },
    },
    {
      key: "alarms",
      header: "Alarms",
      value: (c) => stateOf.get(c.id)?.openAlarms ?? "",
      render: (c) => {
        const s = stateOf.get(c.id);
        return s && s.openAlarms > 0 ? (
          <Group gap={4} wrap="nowrap" title={s.lastAlarm ? `Last: ${alarmLabel(s.lastAlarm.action)}` : undefined}>
            <AlarmBadge state={s} />
          </Group>
        ) : (
          "None"
        );
      },
    },
    {
      key: "keysIn",
      header: "Keys in",
      value: (c) => {
        const s = stateOf.get(c.id);
        return s ? `${s.keysIn} / ${s.hookCount}` : "";
      },
    },
    {
      key: "snapshot",
      header: "Snapshot",
      value: (c) => {
        const s = stateOf.get(c.id);
        if (!s?.enrolled) {
          return "";
        }
        if (s.snapshotVersion === null) {
          return `none yet (current v${s.currentSnapshotVersion})`;
        }
        return cabinetTrouble(s).behind ? `behind (v${s.snapshotVersion} of v${s.currentSnapshotVersion})` : "current";
      },
    },
    { key: "hooks", header: "Hooks", value: (c) => `${c.hookCount} (${c.modules === 2 ? "double" : "single"})` },
    { key: "factors", header: "Factors", value: (c) => FACTOR_POLICY_LABELS[c.factorPolicy] },
    ...propertyColumn<Cabinet>(session),
  ];
  return (
    <Page
      title="Cabinets"
      description={session.property ? session.property.name : "All properties"}
      actions={canCreate && <Button onClick={open}>New cabinet</Button>}
    >
      <ResourceTable<Cabinet>
        key={session.propertyId ?? "all"}
        path="cabinets"
        label="Cabinets"
        columns={columns}
        query={{ propertyId: session.propertyId }}
        filters={[{ param: "status", label: "Status", options: optionsOf(CABINET_STATUS_LABELS) }]}
        search="Name or location"
      />
      <Modal opened={creating} onClose={close} title="New cabinet" size="lg">
        <CabinetForm cabinet={null} onSaved={(c) => navigate(`/cabinets/${c.id}`)} onCancel={close} />
      </Modal>
    </Page>
  );
}
