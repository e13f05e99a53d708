/** Every key at the chosen property: where it hangs, its status; filter, sort, export, add. */
import { Badge, Button, Code, Modal } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useNavigate, useSearchParams } from "react-router";
import { apiUrl } from "../api.ts";
import { AppLink } from "../components/app-link.tsx";
import { KeyForm } from "../components/key-form.tsx";
import { Page } from "../components/page.tsx";
import { useCanCreate } from "../components/property-field.tsx";
import { type Column, propertyColumn, ResourceTable } from "../components/resource-table.tsx";
import { KEY_KIND_LABELS, KEY_STATUS_COLORS, KEY_STATUS_LABELS, optionsOf } from "../labels.ts";
import { useOptionsList } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Cabinet, Key } from "../types.ts";

export function KeysPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [creating, { open, close }] = useDisclosure(false);
  const canCreate = useCanCreate("key");
  const cabinets = useOptionsList<Cabinet>("cabinets", { propertyId: session.propertyId });
  const cabinetName = new Map((cabinets.data ?? []).map((c) => [c.id, c.name]));

  const columns: Column<Key>[] = [
    {
      key: "label",
      header: "Label",
      sort: "label",
      value: (k) => k.label,
      render: (k) => (
        <AppLink to={`/keys/${k.id}`} fw={500}>
          {k.label}
        </AppLink>
      ),
    },
    {
      key: "tag",
      header: "Tag",
      sort: "tagCode",
      value: (k) => k.tagCode,
      render: (k) => <Code style={{ whiteSpace: "nowrap" }}>{k.tagCode}</Code>,
    },
    { key: "kind", header: "Kind", value: (k) => KEY_KIND_LABELS[k.kind] },
    {
      key: "status",
      header: "Status",
      sort: "status",
      value: (k) => KEY_STATUS_LABELS[k.status],
      render: (k) => (
        <Badge variant="light" radius="sm" color={KEY_STATUS_COLORS[k.status]}>
          {KEY_STATUS_LABELS[k.status]}
        </Badge>
      ),
    },
    { key: "cabinet", header: "Cabinet", value: (k) => (k.cabinetId ? (cabinetName.get(k.cabinetId) ?? "") : "") },
    { key: "hook", header: "Hook", value: (k) => k.hookNumber },
    { key: "restricted", header: "Restricted", value: (k) => (k.restricted ? "Yes" : "") },
    ...propertyColumn<Key>(session),
  ];

  return (
    <Page
      title="Keys"
      description={session.property ? session.property.name : "All properties"}
      actions={canCreate && <Button onClick={open}>New key</Button>}
    >
      <ResourceTable<Key>
        key={session.propertyId ?? "all"}
        path="keys"
        label="Keys"
        columns={columns}
        query={{ propertyId: session.propertyId }}
        initialFilters={{ status: params.get("status") }}
        filters={[
          { param: "status", label: "Status", options: optionsOf(KEY_STATUS_LABELS) },
          { param: "kind", label: "Kind", options: optionsOf(KEY_KIND_LABELS) },
          {
            param: "cabinetId",
            label: "Cabinet",
            options: (cabinets.data ?? []).map((c) => ({ value: c.id, label: c.name })),
          },
        ]}
        search="Label or tag"
        serverExports={
          session.propertyId
            ? [{ label: "Export all (CSV)", href: apiUrl(`properties/${session.propertyId}/export/keys`) }]
            : []
        }
      />
      <Modal opened={creating} onClose={close} title="New key" size="lg">
        <KeyForm keyRecord={null} onSaved={(k) => navigate(`/keys/${k.id}`)} onCancel={close} />
      </Modal>
    </Page>
  );
}
