/** Creating or changing a unit (an apartment home or a common area). */
import { Select, SimpleGrid, Stack, Textarea } from "@mantine/core";
import { api } from "../api.ts";
import { OCCUPANCY_LABELS, optionsOf, UNIT_KIND_LABELS } from "../labels.ts";
import { useInvalidate, useOptionsList } from "../queries.ts";
import type { Building, Occupancy, Unit, UnitKind } from "../types.ts";
import { ArchiveSelect, blankToNull, FormAlert, FormButtons, TextField, useApiForm } from "./form.tsx";
import { PropertyField, useDefaultProperty } from "./property-field.tsx";

export function UnitForm({
  unit,
  onSaved,
  onCancel,
}: {
  unit: Unit | null;
  onSaved: (unit: Unit) => void;
  onCancel?: () => void;
}) {
  const invalidate = useInvalidate();
  const defaultProperty = useDefaultProperty("unit");
  const form = useApiForm({
    initial: {
      propertyId: unit?.propertyId ?? defaultProperty,
      number: unit?.number ?? "",
      buildingId: unit?.buildingId ?? null,
      kind: unit?.kind ?? ("apartment" as UnitKind),
      occupancy: unit?.occupancy ?? ("occupied" as Occupancy),
      floor: unit?.floor ?? "",
      notes: unit?.notes ?? "",
      status: unit?.status ?? "active",
    },
    submit: (v) => {
      const body = {
        number: v.number,
        buildingId: v.buildingId,
        kind: v.kind,
        occupancy: v.occupancy,
        floor: blankToNull(v.floor),
        notes: blankToNull(v.notes),
      };
      return unit
        ? api.patch<Unit>(`units/${unit.id}`, { ...body, status: v.status })
        : api.post<Unit>("units", { ...body, propertyId: v.propertyId });
    },
    onSuccess: async (saved) => {
      await invalidate("units");
      onSaved(saved);
    },
  });
  const v = form.values;
  const buildings = useOptionsList<Building>("buildings", { propertyId: v.propertyId }, Boolean(v.propertyId));
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        {!unit && (
          <PropertyField
            entity="unit"
            value={v.propertyId}
            onChange={(id) => form.replace({ ...v, propertyId: id, buildingId: null })}
            error={form.errorFor("propertyId")}
          />
        )}
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextField
            form={form}
            field="number"
            label="Number or name"
            description="“B204”, or a common area such as “Pool”"
            required
          />
          <Select
            label="Building"
            placeholder="None"
            data={(buildings.data ?? []).map((b) => ({ value: b.id, label: b.name }))}
            value={v.buildingId}
            onChange={(id) => form.set("buildingId", id)}
            clearable
            error={form.errorFor("buildingId")}
          />
          <Select
            label="Kind"
            data={optionsOf(UNIT_KIND_LABELS)}
            value={v.kind}
            onChange={(k) => k && form.set("kind", k as UnitKind)}
            allowDeselect={false}
            error={form.errorFor("kind")}
          />
          <Select
            label="Occupancy"
            data={optionsOf(OCCUPANCY_LABELS)}
            value={v.occupancy}
            onChange={(o) => o && form.set("occupancy", o as Occupancy)}
            allowDeselect={false}
            error={form.errorFor("occupancy")}
          />
          <TextField form={form} field="floor" label="Floor" />
          {unit && (
            <ArchiveSelect value={v.status} onChange={(s) => form.set("status", s)} error={form.errorFor("status")} />
          )}
        </SimpleGrid>
        <Textarea
          label="Notes"
          autosize
          minRows={2}
          value={v.notes}
          onChange={(e) => form.set("notes", e.currentTarget.value)}
          error={form.errorFor("notes")}
        />
        <FormAlert form={form} />
        <FormButtons form={form} label={unit ? "Save unit" : "Create unit"} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
