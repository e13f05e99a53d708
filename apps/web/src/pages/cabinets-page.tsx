/** The key cabinets of the chosen property and whether each is enrolled. */
import { Button, Modal } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useNavigate } from "react-router";
import { AppLink } from "../components/app-link.tsx";
import { CabinetForm } from "../components/cabinet-form.tsx";
import { Page } from "../components/page.tsx";
import { useCanCreate } from "../components/property-field.tsx";
import { type Column, propertyColumn, ResourceTable } from "../components/resource-table.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { CABINET_STATUS_LABELS, FACTOR_POLICY_LABELS, optionsOf } from "../labels.ts";
import { useSession } from "../session.tsx";
import type { Cabinet } from "../types.ts";

export function CabinetsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [creating, { open, close }] = useDisclosure(false);
  const canCreate = useCanCreate("cabinet");
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
