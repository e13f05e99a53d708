/** Creating or changing a cabinet: its readers, its factor policy and (when new) its modules and hooks. */
import { Checkbox, Group, Select, SimpleGrid, Stack } from "@mantine/core";
import { api } from "../api.ts";
import { CABINET_STATUS_LABELS, FACTOR_POLICY_LABELS, optionsOf } from "../labels.ts";
import { useInvalidate } from "../queries.ts";
import type { Cabinet, CabinetStatus, FactorPolicy } from "../types.ts";
import { blankToNull, FormAlert, FormButtons, NumberField, numberOrNull, TextField, useApiForm } from "./form.tsx";
import { PropertyField, useDefaultProperty } from "./property-field.tsx";

type Capabilities = Cabinet["capabilities"];

const CAPABILITY_LABELS: Record<keyof Capabilities, string> = {
  badgeReader: "Badge reader",
  keypad: "Keypad",
  fingerprint: "Fingerprint reader",
  touchScreen: "Touch screen",
  litHooks: "Lit hooks",
};

export function CabinetForm({
  cabinet,
  onSaved,
  onCancel,
}: {
  cabinet: Cabinet | null;
  onSaved: (cabinet: Cabinet) => void;
  onCancel?: () => void;
}) {
  const invalidate = useInvalidate();
  const defaultProperty = useDefaultProperty("cabinet");
  const form = useApiForm({
    initial: {
      propertyId: cabinet?.propertyId ?? defaultProperty,
      name: cabinet?.name ?? "",
      location: cabinet?.location ?? "",
      capabilities: cabinet?.capabilities ?? {
        badgeReader: true,
        keypad: true,
        fingerprint: false,
        touchScreen: true,
        litHooks: true,
      },
      factorPolicy: cabinet?.factorPolicy ?? ("badge_pin" as FactorPolicy),
      modules: String(cabinet?.modules ?? 1),
      hooksPerModule: (cabinet?.hooksPerModule ?? 50) as number | string,
      status: cabinet?.status ?? ("pending" as CabinetStatus),
    },
    submit: (v) => {
      const common = {
        name: v.name,
        location: blankToNull(v.location),
        capabilities: v.capabilities,
        factorPolicy: v.factorPolicy,
      };
      return cabinet
        ? api.patch<Cabinet>(`cabinets/${cabinet.id}`, { ...common, status: v.status })
        : api.post<Cabinet>("cabinets", {
            ...common,
            propertyId: v.propertyId,
            modules: Number(v.modules),
            hooksPerModule: numberOrNull(v.hooksPerModule),
          });
    },
    onSuccess: async (saved) => {
      await invalidate("cabinets");
      onSaved(saved);
    },
  });
  const v = form.values;
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        {!cabinet && (
          <PropertyField
            entity="cabinet"
            value={v.propertyId}
            onChange={(id) => form.set("propertyId", id)}
            error={form.errorFor("propertyId")}
          />
        )}
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextField form={form} field="name" label="Name" required />
          <TextField form={form} field="location" label="Location" />
          {!cabinet && (
            <>
              <Select
                label="Modules"
                data={[
                  { value: "1", label: "Single" },
                  { value: "2", label: "Double" },
                ]}
                value={v.modules}
                onChange={(m) => m && form.set("modules", m)}
                allowDeselect={false}
                error={form.errorFor("modules")}
              />
              <NumberField form={form} field="hooksPerModule" label="Hooks per module" min={1} max={500} />
            </>
          )}
          <Select
            label="Factors at the cabinet"
            description="A fingerprint alone never suffices"
            data={optionsOf(FACTOR_POLICY_LABELS)}
            value={v.factorPolicy}
            onChange={(f) => f && form.set("factorPolicy", f as FactorPolicy)}
            allowDeselect={false}
            error={form.errorFor("factorPolicy")}
          />
          {cabinet && (
            <Select
              label="Status"
              data={optionsOf(CABINET_STATUS_LABELS)}
              value={v.status}
              onChange={(s) => s && form.set("status", s as CabinetStatus)}
              allowDeselect={false}
              error={form.errorFor("status")}
            />
          )}
        </SimpleGrid>
        <Checkbox.Group label="Hardware" error={form.errorFor("capabilities")}>
          <Group mt={6} gap="md">
            {(Object.keys(CAPABILITY_LABELS) as (keyof Capabilities)[]).map((cap) => (
              <Checkbox
                key={cap}
                label={CAPABILITY_LABELS[cap]}
                checked={v.capabilities[cap]}
                onChange={(e) => form.set("capabilities", { ...v.capabilities, [cap]: e.currentTarget.checked })}
              />
            ))}
          </Group>
        </Checkbox.Group>
        <FormAlert form={form} />
        <FormButtons form={form} label={cabinet ? "Save cabinet" : "Create cabinet"} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
