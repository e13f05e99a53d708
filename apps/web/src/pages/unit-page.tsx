/** One unit: its details, the keys that open it, its evidence packet for those who read its events, and its history. */
import { Badge, Button, Code, Modal } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useNavigate, useParams } from "react-router";
import { AppLink } from "../components/app-link.tsx";
import { DetailLayout, Section } from "../components/detail-layout.tsx";
import { Editable } from "../components/form.tsx";
import { KeyForm } from "../components/key-form.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { ResourceTable } from "../components/resource-table.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { UnitForm } from "../components/unit-form.tsx";
import { KEY_KIND_LABELS, KEY_STATUS_COLORS, KEY_STATUS_LABELS } from "../labels.ts";
import { useRecord } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Key, Unit } from "../types.ts";
import { EvidencePacketSection } from "./evidence-packet-section.tsx";

export function UnitPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const navigate = useNavigate();
  const [adding, { open, close }] = useDisclosure(false);
  const unit = useRecord<Unit>("units", id);
  if (!unit.data) {
    return <QueryState error={unit.error} pending={unit.isPending} />;
  }
  const u = unit.data;
  const canAddKey = session.can("create", "key", u.propertyId);
  return (
    <Page
      title={`Unit ${u.number}`}
      description={
        <>
          <StatusBadge status={u.status} /> {session.propertyName(u.propertyId)}
        </>
      }
    >
      <DetailLayout history={{ entityType: "unit", entityId: u.id }}>
        <Section title="Details">
          <Editable allowed={session.can("update", "unit", u.propertyId)}>
            <UnitForm
              key={u.updatedAt}
              unit={u}
              onSaved={() => notifications.show({ color: "green", message: "Unit saved." })}
            />
          </Editable>
        </Section>
        <Section
          title="Keys"
          actions={
            canAddKey && (
              <Button size="xs" onClick={open}>
                Add a key
              </Button>
            )
          }
        >
          <ResourceTable<Key>
            path="keys"
            label={`Keys of unit ${u.number}`}
            query={{ unitId: u.id }}
            columns={[
              {
                key: "label",
                header: "Label",
                sort: "label",
                value: (k) => k.label,
                render: (k) => <AppLink to={`/keys/${k.id}`}>{k.label}</AppLink>,
              },
              {
                key: "tag",
                header: "Tag",
                value: (k) => k.tagCode,
                render: (k) => <Code style={{ whiteSpace: "nowrap" }}>{k.tagCode}</Code>,
              },
              { key: "kind", header: "Kind", value: (k) => KEY_KIND_LABELS[k.kind] },
              {
                key: "status",
                header: "Status",
                value: (k) => KEY_STATUS_LABELS[k.status],
                render: (k) => (
                  <Badge variant="light" radius="sm" color={KEY_STATUS_COLORS[k.status]}>
                    {KEY_STATUS_LABELS[k.status]}
                  </Badge>
                ),
              },
              { key: "hook", header: "Hook", value: (k) => k.hookNumber },
            ]}
            empty="No keys for this unit yet."
          />
        </Section>
        {session.can("read", "event", u.propertyId) && (
          <EvidencePacketSection unit={u} zone={session.zoneOf(u.propertyId)} />
        )}
      </DetailLayout>
      <Modal opened={adding} onClose={close} title={`New key for unit ${u.number}`} size="lg">
        <KeyForm
          keyRecord={null}
          unitId={u.id}
          propertyId={u.propertyId}
          onSaved={(k) => navigate(`/keys/${k.id}`)}
          onCancel={close}
        />
      </Modal>
    </Page>
  );
}
