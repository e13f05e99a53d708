/** The buildings of the chosen property. */
import { Stack } from "@mantine/core";
import { api } from "../api.ts";
import { ArchiveSelect, blankToNull, FormAlert, FormButtons, TextField, useApiForm } from "../components/form.tsx";
import { PropertyField, useCanCreate, useDefaultProperty } from "../components/property-field.tsx";
import { RecordListPage } from "../components/record-list-page.tsx";
import { propertyColumn, statusColumn } from "../components/resource-table.tsx";
import { useInvalidate } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Building } from "../types.ts";

function BuildingForm({ building, onDone }: { building: Building | null; onDone: () => void }) {
  const invalidate = useInvalidate();
  const defaultProperty = useDefaultProperty("building");
  const form = useApiForm({
    initial: {
      propertyId: building?.propertyId ?? defaultProperty,
      name: building?.name ?? "",
      code: building?.code ?? "",
      status: building?.status ?? "active",
    },
    submit: (v) =>
      building
        ? api.patch<Building>(`buildings/${building.id}`, { name: v.name, code: blankToNull(v.code), status: v.status })
        : api.post<Building>("buildings", { propertyId: v.propertyId, name: v.name, code: blankToNull(v.code) }),
    onSuccess: async () => {
      await invalidate("buildings");
      onDone();
    },
  });
  const v = form.values;
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        {!building && (
          <PropertyField
            entity="building"
            value={v.propertyId}
            onChange={(id) => form.set("propertyId", id)}
            error={form.errorFor("propertyId")}
          />
        )}
        <TextField form={form} field="name" label="Name" required />
        <TextField form={form} field="code" label="Code" description="Short code used in unit numbers, e.g. “A”" />
        {building && (
          <ArchiveSelect value={v.status} onChange={(s) => form.set("status", s)} error={form.errorFor("status")} />
        )}
        <FormAlert form={form} />
        <FormButtons form={form} label={building ? "Save building" : "Create building"} onCancel={onDone} />
      </Stack>
    </form>
  );
}

export function BuildingsPage() {
  const session = useSession();
  const canCreate = useCanCreate("building");
  return (
    <RecordListPage<Building>
      title="Buildings"
      description={session.property ? session.property.name : "All properties"}
      newLabel="New building"
      canCreate={canCreate}
      tableKey={session.propertyId ?? "all"}
      table={{
        path: "buildings",
        label: "Buildings",
        query: { propertyId: session.propertyId },
        search: "Name or code",
      }}
      openColumn={{ key: "name", header: "Name", sort: "name", label: (b) => b.name }}
      columns={[
        { key: "code", header: "Code", value: (b) => b.code },
        statusColumn(),
        ...propertyColumn<Building>(session),
      ]}
      entity="building"
      modalTitle={(b) => (b ? `Building ${b.name}` : "New building")}
      canUpdate={(b) => session.can("update", "building", b.propertyId)}
      form={(b, onDone) => <BuildingForm building={b} onDone={onDone} />}
    />
  );
}
