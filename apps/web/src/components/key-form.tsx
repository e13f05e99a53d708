/**
 * Creating or changing a key: what it opens (unit, key set), its anonymous tag, its status, and where it hangs
 * (a cabinet and one of its free, enabled hooks).
 */
import { Select, SimpleGrid, Stack, Switch } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api.ts";
import { KEY_KIND_LABELS, KEY_STATUS_LABELS, optionsOf } from "../labels.ts";
import { useInvalidate, useOptionsList } from "../queries.ts";
import type { Cabinet, Hook, Key, KeyKind, KeySet, KeyStatus, Unit } from "../types.ts";
import { FormAlert, FormButtons, TextField, useApiForm } from "./form.tsx";
import { PropertyField, useDefaultProperty } from "./property-field.tsx";
import { RemoteSelect } from "./remote-select.tsx";

interface KeyValues {
  propertyId: string | null;
  label: string;
  tagCode: string;
  kind: KeyKind;
  status: KeyStatus;
  unitId: string | null;
  keySetId: string | null;
  cabinetId: string | null;
  hookNumber: string | null;
  restricted: boolean;
}

function valuesOf(key: Key | null, propertyId: string | null, unitId: string | null): KeyValues {
  return {
    propertyId: key?.propertyId ?? propertyId,
    label: key?.label ?? "",
    tagCode: key?.tagCode ?? "",
    kind: key?.kind ?? "unit",
    status: key?.status ?? "in",
    unitId: key?.unitId ?? unitId,
    keySetId: key?.keySetId ?? null,
    cabinetId: key?.cabinetId ?? null,
    hookNumber: key?.hookNumber ? String(key.hookNumber) : null,
    restricted: key?.restricted ?? false,
  };
}

function HookSelect({
  cabinetId,
  keyId,
  value,
  onChange,
  error,
}: {
  cabinetId: string | null;
  keyId: string | null;
  value: string | null;
  onChange: (v: string | null) => void;
  error?: string | undefined;
}) {
  const hooks = useQuery({
    queryKey: ["cabinets", "hooks", cabinetId],
    queryFn: async () => (await api.get<{ items: Hook[] }>(`cabinets/${cabinetId}/hooks`)).items,
    enabled: Boolean(cabinetId),
  });
  const data = (hooks.data ?? []).map((h) => ({
    value: String(h.number),
    label: `Hook ${h.number}${h.status === "disabled" ? " (disabled)" : h.keyId && h.keyId !== keyId ? ` — ${h.keyLabel ?? "taken"}` : " — free"}`,
    disabled: h.status === "disabled" || (h.keyId !== null && h.keyId !== keyId),
  }));
  return (
    <Select
      label="Hook"
      placeholder={cabinetId ? "Choose a free hook" : "Choose a cabinet first"}
      data={data}
      value={value}
      onChange={onChange}
      disabled={!cabinetId}
      searchable
      clearable
      error={error}
      nothingFoundMessage="No such hook"
    />
  );
}

/** The key form; `key` absent means a new key. */
export function KeyForm({
  keyRecord,
  unitId = null,
  propertyId = null,
  onSaved,
  onCancel,
}: {
  keyRecord: Key | null;
  /** Pre-selects the unit of a new key (adding a key from a unit's page). */
  unitId?: string | null;
  /** The property of a new key when the screen already knows it (a unit's page). */
  propertyId?: string | null;
  onSaved: (key: Key) => void;
  onCancel?: () => void;
}) {
  const invalidate = useInvalidate();
  const defaultProperty = useDefaultProperty("key");
  const form = useApiForm({
    initial: valuesOf(keyRecord, propertyId ?? defaultProperty, unitId),
    submit: (v) => {
      const body = {
        label: v.label,
        tagCode: v.tagCode,
        kind: v.kind,
        status: v.status,
        unitId: v.unitId,
        keySetId: v.keySetId,
        cabinetId: v.cabinetId,
        hookNumber: v.hookNumber ? Number(v.hookNumber) : null,
        restricted: v.restricted,
      };
      return keyRecord
        ? api.patch<Key>(`keys/${keyRecord.id}`, body)
        : api.post<Key>("keys", { ...body, propertyId: v.propertyId });
    },
    onSuccess: async (saved) => {
      await invalidate("keys", "cabinets");
      onSaved(saved);
    },
  });
  const v = form.values;
  const cabinets = useOptionsList<Cabinet>("cabinets", { propertyId: v.propertyId }, Boolean(v.propertyId));
  const propertyQuery = { propertyId: v.propertyId };

  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        {!keyRecord && (
          <PropertyField
            entity="key"
            value={v.propertyId}
            onChange={(id) =>
              form.replace({ ...v, propertyId: id, unitId: null, keySetId: null, cabinetId: null, hookNumber: null })
            }
            error={form.errorFor("propertyId")}
          />
        )}
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextField
            form={form}
            field="label"
            label="Label"
            description="What staff call it, e.g. “B204 (1/2)”"
            required
          />
          <TextField
            form={form}
            field="tagCode"
            label="Tag code"
            description="The anonymous code on the fob; it must not reveal the unit"
            required
          />
          <Select
            label="Kind"
            data={optionsOf(KEY_KIND_LABELS)}
            value={v.kind}
            onChange={(k) => k && form.set("kind", k as KeyKind)}
            allowDeselect={false}
            error={form.errorFor("kind")}
          />
          <Select
            label="Status"
            data={optionsOf(KEY_STATUS_LABELS)}
            value={v.status}
            onChange={(s) => s && form.set("status", s as KeyStatus)}
            allowDeselect={false}
            error={form.errorFor("status")}
          />
          <RemoteSelect<Unit>
            label="Unit"
            placeholder="Search units"
            path="units"
            query={propertyQuery}
            labelOf={(u) => u.number}
            value={v.unitId}
            onChange={(id) => form.set("unitId", id)}
            disabled={!v.propertyId}
            error={form.errorFor("unitId")}
          />
          <RemoteSelect<KeySet>
            label="Key set"
            placeholder="Search key sets"
            path="key-sets"
            query={propertyQuery}
            labelOf={(s) => s.name}
            value={v.keySetId}
            onChange={(id) => form.set("keySetId", id)}
            disabled={!v.propertyId}
            error={form.errorFor("keySetId")}
          />
          <Select
            label="Cabinet"
            placeholder="Not on a hook"
            data={(cabinets.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            value={v.cabinetId}
            onChange={(id) => form.replace({ ...v, cabinetId: id, hookNumber: null, status: id ? "in" : v.status })}
            clearable
            error={form.errorFor("cabinetId")}
          />
          <HookSelect
            cabinetId={v.cabinetId}
            keyId={keyRecord?.id ?? null}
            value={v.hookNumber}
            onChange={(n) => form.set("hookNumber", n)}
            error={form.errorFor("hookNumber")}
          />
        </SimpleGrid>
        <Switch
          label="Restricted key (masters, sub-masters): only profiles that include restricted keys may take it"
          checked={v.restricted}
          onChange={(e) => form.set("restricted", e.currentTarget.checked)}
        />
        <FormAlert form={form} />
        <FormButtons form={form} label={keyRecord ? "Save key" : "Create key"} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
