/** Key sets: the copies of one lock, and how many copies policy allows ("fewest keys per unit"). */
import { Stack } from "@mantine/core";
import { api } from "../api.ts";
import {
  ArchiveSelect,
  FormAlert,
  FormButtons,
  NumberField,
  numberOrNull,
  TextField,
  useApiForm,
} from "../components/form.tsx";
import { PropertyField, useCanCreate, useDefaultProperty } from "../components/property-field.tsx";
import { RecordListPage } from "../components/record-list-page.tsx";
import { RecordName, RemoteSelect } from "../components/remote-select.tsx";
import { propertyColumn, statusColumn } from "../components/resource-table.tsx";
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
        <TextField form={form} field="name" label="Name" required />
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
        <NumberField
          form={form}
          field="maxCopies"
          label="Most copies allowed"
          description="Inventory flags the set when more copies exist"
          min={1}
          max={50}
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
  return (
    <RecordListPage<KeySet>
      title="Key sets"
      description={session.property ? session.property.name : "All properties"}
      newLabel="New key set"
      canCreate={canCreate}
      tableKey={session.propertyId ?? "all"}
      table={{ path: "key-sets", label: "Key sets", query: { propertyId: session.propertyId }, search: "Name" }}
      openColumn={{ key: "name", header: "Name", sort: "name", label: (s) => s.name }}
      columns={[
        {
          key: "unit",
          header: "Unit",
          render: (s) => <RecordName<Unit> path="units" id={s.unitId} labelOf={(u) => u.number} />,
        },
        { key: "maxCopies", header: "Most copies", value: (s) => s.maxCopies },
        statusColumn(),
        ...propertyColumn<KeySet>(session),
      ]}
      entity="keySet"
      modalTitle={(s) => (s ? `Key set ${s.name}` : "New key set")}
      canUpdate={(s) => session.can("update", "keySet", s.propertyId)}
      form={(s, onDone) => <KeySetForm keySet={s} onDone={onDone} />}
    />
  );
}
