/** Key sets: the copies of one lock, and how many copies policy allows ("fewest keys per unit"). */
import { Button, NumberInput, Stack, TextInput } from "@mantine/core";
import { useState } from "react";
import { api } from "../api.ts";
import { ArchiveSelect, Editable, FormAlert, FormButtons, numberOrNull, useApiForm } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { PropertyField, useCanCreate, useDefaultProperty } from "../components/property-field.tsx";
import { RecordModal } from "../components/record-modal.tsx";
import { RecordName, RemoteSelect } from "../components/remote-select.tsx";
import { type Column, ResourceTable } from "../components/resource-table.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useInvalidate } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { KeySet, Unit } from "../types.ts";

function KeySetForm({ keySet, onDone }: { keySet: KeySet | null; onDone: () => void }) {
  const invalidate = useInvalidate();
  const defaultProperty = useDefaultProperty("keySet");
  const form = useApiForm({
    initial: {
      propertyId: keySet?.propertyId ?? defaultProperty,
      name: keySet?.name ?? "",
      unitId: keySet?.unitId ?? null,
      maxCopies: keySet?.maxCopies ?? ("" as number | string),
      status: keySet?.status ?? "active",
    },
    submit: (v) => {
      const body = { name: v.name, unitId: v.unitId, maxCopies: numberOrNull(v.maxCopies) };
      return keySet
        ? api.patch<KeySet>(`key-sets/${keySet.id}`, { ...body, status: v.status })
        : api.post<KeySet>("key-sets", { ...body, propertyId: v.propertyId });
    },
    onSuccess: async () => {
      await invalidate("key-sets");
      onDone();
    },
  });
  const v = form.values;
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        {!keySet && (
          <PropertyField
            entity="keySet"
            value={v.propertyId}
            onChange={(id) => form.replace({ ...v, propertyId: id, unitId: null })}
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
        <RemoteSelect<Unit>
          label="Unit"
          placeholder="Search units"
          path="units"
          query={{ propertyId: v.propertyId }}
          labelOf={(u) => u.number}
          value={v.unitId}
          onChange={(id) => form.set("unitId", id)}
          error={form.errorFor("unitId")}
        />
        <NumberInput
          label="Most copies allowed"
          description="Inventory flags the set when more copies exist"
          min={1}
          max={50}
          value={v.maxCopies}
          onChange={(n) => form.set("maxCopies", n)}
          error={form.errorFor("maxCopies")}
        />
        {keySet && (
          <ArchiveSelect value={v.status} onChange={(s) => form.set("status", s)} error={form.errorFor("status")} />
        )}
        <FormAlert form={form} />
        <FormButtons form={form} label={keySet ? "Save key set" : "Create key set"} onCancel={onDone} />
      </Stack>
    </form>
  );
}

export function KeySetsPage() {
  const session = useSession();
  const canCreate = useCanCreate("keySet");
  const [editing, setEditing] = useState<KeySet | "new" | null>(null);
  const columns: Column<KeySet>[] = [
    {
      key: "name",
      header: "Name",
      sort: "name",
      value: (s) => s.name,
      render: (s) => (
        <Button variant="subtle" size="compact-sm" onClick={() => setEditing(s)}>
          {s.name}
        </Button>
      ),
    },
    {
      key: "unit",
      header: "Unit",
      render: (s) => <RecordName<Unit> path="units" id={s.unitId} labelOf={(u) => u.number} />,
    },
    { key: "maxCopies", header: "Most copies", value: (s) => s.maxCopies },
    { key: "status", header: "Status", value: (s) => s.status, render: (s) => <StatusBadge status={s.status} /> },
    ...(session.propertyId
      ? []
      : [{ key: "property", header: "Property", value: (s: KeySet) => session.propertyName(s.propertyId) }]),
  ];
  const current = editing === "new" ? null : editing;
  return (
    <Page
      title="Key sets"
      description={session.property ? session.property.name : "All properties"}
      actions={canCreate && <Button onClick={() => setEditing("new")}>New key set</Button>}
    >
      <ResourceTable<KeySet>
        key={session.propertyId ?? "all"}
        path="key-sets"
        label="Key sets"
        columns={columns}
        query={{ propertyId: session.propertyId }}
        search="Name"
      />
      <RecordModal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={current ? `Key set ${current.name}` : "New key set"}
        history={current ? { entityType: "keySet", entityId: current.id } : null}
      >
        <Editable allowed={current ? session.can("update", "keySet", current.propertyId) : true}>
          <KeySetForm key={current?.id ?? "new"} keySet={current} onDone={() => setEditing(null)} />
        </Editable>
      </RecordModal>
    </Page>
  );
}
