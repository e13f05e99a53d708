/** Creating or changing a property: its code, IANA time zone, region and key policies. */
import { Select, SimpleGrid, Stack, Textarea } from "@mantine/core";
import { useMemo } from "react";
import { api } from "../api.ts";
import { BROWSER_TIME_ZONE, timeZones } from "../format.ts";
import { useInvalidate, useOptionsList } from "../queries.ts";
import type { Property, Region } from "../types.ts";
import {
  ArchiveSelect,
  blankToNull,
  FormAlert,
  FormButtons,
  NumberField,
  numberOrNull,
  TextField,
  useApiForm,
} from "./form.tsx";

export function PropertyForm({
  property,
  onSaved,
  onCancel,
}: {
  property: Property | null;
  onSaved: (property: Property) => void;
  onCancel?: () => void;
}) {
  const invalidate = useInvalidate();
  const zones = useMemo(() => timeZones().map((z) => ({ value: z, label: z.replaceAll("_", " ") })), []);
  const regions = useOptionsList<Region>("regions", { status: "active" });
  const form = useApiForm({
    initial: {
      name: property?.name ?? "",
      code: property?.code ?? "",
      timeZone: property?.timeZone ?? BROWSER_TIME_ZONE,
      regionId: property?.regionId ?? null,
      address: property?.address ?? "",
      maxOfflineMinutes: (property?.maxOfflineMinutes ?? 1440) as number | string,
      maxCopiesPerUnit: (property?.maxCopiesPerUnit ?? 2) as number | string,
      status: property?.status ?? "active",
    },
    submit: (v) => {
      const body = {
        name: v.name,
        code: v.code,
        timeZone: v.timeZone,
        regionId: v.regionId,
        address: blankToNull(v.address),
        maxOfflineMinutes: numberOrNull(v.maxOfflineMinutes) ?? undefined,
        maxCopiesPerUnit: numberOrNull(v.maxCopiesPerUnit) ?? undefined,
      };
      return property
        ? api.patch<Property>(`properties/${property.id}`, { ...body, status: v.status })
        : api.post<Property>("properties", body);
    },
    onSuccess: async (saved) => {
      // why: the property switcher lists properties from /auth/me
      await invalidate("properties", "me");
      onSaved(saved);
    },
  });
  const v = form.values;
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextField form={form} field="name" label="Name" required />
          <TextField
            form={form}
            field="code"
            label="Code"
            description="Short and unique, e.g. “MAPLE”; names export files"
            required
          />
          <Select
            label="Time zone"
            description="Schedules and times at this property use it"
            required
            searchable
            data={zones}
            value={v.timeZone}
            onChange={(z) => z && form.set("timeZone", z)}
            allowDeselect={false}
            limit={100}
            error={form.errorFor("timeZone")}
          />
          <Select
            label="Region"
            placeholder="None"
            data={(regions.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
            value={v.regionId}
            onChange={(id) => form.set("regionId", id)}
            clearable
            error={form.errorFor("regionId")}
          />
          <NumberField
            form={form}
            field="maxOfflineMinutes"
            label="Longest offline time of a cabinet (minutes)"
            description="After this, an offline cabinet stops granting ordinary access"
            min={5}
            max={43200}
          />
          <NumberField form={form} field="maxCopiesPerUnit" label="Most key copies per unit" min={1} max={20} />
        </SimpleGrid>
        <Textarea
          label="Address"
          autosize
          minRows={2}
          value={v.address}
          onChange={(e) => form.set("address", e.currentTarget.value)}
          error={form.errorFor("address")}
        />
        {property && (
          <ArchiveSelect value={v.status} onChange={(s) => form.set("status", s)} error={form.errorFor("status")} />
        )}
        <FormAlert form={form} />
        <FormButtons form={form} label={property ? "Save property" : "Create property"} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
