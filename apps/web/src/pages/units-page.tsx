/** The units (apartment homes and common areas) of the chosen property. */
import { Button, Modal } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useNavigate } from "react-router";
import { apiUrl } from "../api.ts";
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
import { UnitForm } from "../components/unit-form.tsx";
import { OCCUPANCY_LABELS, optionsOf, UNIT_KIND_LABELS } from "../labels.ts";
import { useOptionsList } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Building, Unit } from "../types.ts";

export function UnitsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [creating, { open, close }] = useDisclosure(false);
  const canCreate = useCanCreate("unit");
  const buildings = useOptionsList<Building>("buildings", { propertyId: session.propertyId });
  const buildingName = new Map((buildings.data ?? []).map((b) => [b.id, b.name]));

  const columns: Column<Unit>[] = [
    {
      key: "number",
      header: "Unit",
      sort: "number",
      value: (u) => u.number,
      render: (u) => (
        <AppLink to={`/units/${u.id}`} fw={500}>
          {u.number}
        </AppLink>
      ),
    },
    { key: "building", header: "Building", value: (u) => (u.buildingId ? (buildingName.get(u.buildingId) ?? "") : "") },
    { key: "kind", header: "Kind", value: (u) => UNIT_KIND_LABELS[u.kind] },
    { key: "occupancy", header: "Occupancy", value: (u) => OCCUPANCY_LABELS[u.occupancy] },
    { key: "floor", header: "Floor", value: (u) => u.floor },
    statusColumn(),
    ...propertyColumn<Unit>(session),
  ];

  return (
    <Page
      title="Units"
      description={session.property ? session.property.name : "All properties"}
      actions={canCreate && <Button onClick={open}>New unit</Button>}
    >
      <ResourceTable<Unit>
        key={session.propertyId ?? "all"}
        path="units"
        label="Units"
        columns={columns}
        query={{ propertyId: session.propertyId }}
        filters={[
          ...(session.propertyId
            ? [
                {
                  param: "buildingId",
                  label: "Building",
                  options: (buildings.data ?? []).map((b) => ({ value: b.id, label: b.name })),
                },
              ]
            : []),
          { param: "kind", label: "Kind", options: optionsOf(UNIT_KIND_LABELS) },
          { param: "occupancy", label: "Occupancy", options: optionsOf(OCCUPANCY_LABELS) },
          statusFilter("archived"),
        ]}
        search="Unit number or notes"
        serverExports={
          session.propertyId
            ? [{ label: "Export all (CSV)", href: apiUrl(`properties/${session.propertyId}/export/units`) }]
            : []
        }
      />
      <Modal opened={creating} onClose={close} title="New unit" size="lg">
        <UnitForm unit={null} onSaved={(u) => navigate(`/units/${u.id}`)} onCancel={close} />
      </Modal>
    </Page>
  );
}
