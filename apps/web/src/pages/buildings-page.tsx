/** The buildings of the chosen property. */
import { Button, Stack, TextInput } from "@mantine/core";
import { useState } from "react";
import { api } from "../api.ts";
import { ArchiveSelect, blankToNull, Editable, FormAlert, FormButtons, useApiForm } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { PropertyField, useCanCreate, useDefaultProperty } from "../components/property-field.tsx";
import { RecordModal } from "../components/record-modal.tsx";
import { type Column, ResourceTable } from "../components/resource-table.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
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
        <TextInput
          label="Name"
          required
          value={v.name}
          onChange={(e) => form.set("name", e.currentTarget.value)}
          error={form.errorFor("name")}
        />
        <TextInput
          label="Code"
          description="Short code used in unit numbers, e.g. “A”"
          value={v.code}
          onChange={(e) => form.set("code", e.currentTarget.value)}
          error={form.errorFor("code")}
        />
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
  const [editing, setEditing] = useState<Building | "new" | null>(null);
  const columns: Column<Building>[] = [
    {
      key: "name",
      header: "Name",
      sort: "name",
      value: (b) => b.name,
      render: (b) => (
        <Button variant="subtle" size="compact-sm" onClick={() => setEditing(b)}>
          {b.name}
        </Button>
      ),
    },
    { key: "code", header: "Code", value: (b) => b.code },
    { key: "status", header: "Status", value: (b) => b.status, render: (b) => <StatusBadge status={b.status} /> },
    ...(session.propertyId
      ? []
      : [{ key: "property", header: "Property", value: (b: Building) => session.propertyName(b.propertyId) }]),
  ];
  const current = editing === "new" ? null : editing;
  return (
    <Page
      title="Buildings"
      description={session.property ? session.property.name : "All properties"}
      actions={canCreate && <Button onClick={() => setEditing("new")}>New building</Button>}
    >
      <ResourceTable<Building>
        key={session.propertyId ?? "all"}
        path="buildings"
        label="Buildings"
        columns={columns}
        query={{ propertyId: session.propertyId }}
        search="Name or code"
      />
      <RecordModal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={current ? `Building ${current.name}` : "New building"}
        history={current ? { entityType: "building", entityId: current.id } : null}
      >
        <Editable allowed={current ? session.can("update", "building", current.propertyId) : true}>
          <BuildingForm key={current?.id ?? "new"} building={current} onDone={() => setEditing(null)} />
        </Editable>
      </RecordModal>
    </Page>
  );
}
