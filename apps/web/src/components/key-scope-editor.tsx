/** Which keys an access profile covers: every key, or those of some buildings, units, key sets or kinds. */
import { MultiSelect, SimpleGrid, Stack, Switch, Text } from "@mantine/core";
import { KEY_KIND_LABELS, optionsOf } from "../labels.ts";
import { useOptionsList } from "../queries.ts";
import type { Building, KeyKind, KeyScope, KeySet, Unit } from "../types.ts";

export function KeyScopeEditor({
  propertyId,
  scope,
  onChange,
  errorFor,
}: {
  propertyId: string | null;
  scope: KeyScope;
  onChange: (scope: KeyScope) => void;
  errorFor: (field: string) => string | undefined;
}) {
  const enabled = Boolean(propertyId) && !scope.allKeys;
  const buildings = useOptionsList<Building>("buildings", { propertyId, status: "active" }, enabled);
  const units = useOptionsList<Unit>("units", { propertyId, status: "active" }, enabled);
  const keySets = useOptionsList<KeySet>("key-sets", { propertyId, status: "active" }, enabled);
  const set = (patch: Partial<KeyScope>) => onChange({ ...scope, ...patch });
  return (
    <Stack gap="sm">
      <Switch
        label="Every key at the property"
        checked={scope.allKeys}
        onChange={(e) => set({ allKeys: e.currentTarget.checked })}
      />
      {!scope.allKeys && (
        <>
          <Text size="sm" c="dimmed">
            A key is covered when it matches any of the choices below.
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <MultiSelect
              label="Key kinds"
              data={optionsOf(KEY_KIND_LABELS)}
              value={scope.keyKinds}
              onChange={(v) => set({ keyKinds: v as KeyKind[] })}
              error={errorFor("keyScope.keyKinds")}
              clearable
            />
            <MultiSelect
              label="Buildings"
              data={(buildings.data ?? []).map((b) => ({ value: b.id, label: b.name }))}
              value={scope.buildingIds}
              onChange={(v) => set({ buildingIds: v })}
              error={errorFor("keyScope.buildingIds")}
              searchable
              clearable
            />
            <MultiSelect
              label="Units"
              data={(units.data ?? []).map((u) => ({ value: u.id, label: u.number }))}
              value={scope.unitIds}
              onChange={(v) => set({ unitIds: v })}
              error={errorFor("keyScope.unitIds")}
              searchable
              clearable
              limit={50}
            />
            <MultiSelect
              label="Key sets"
              data={(keySets.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              value={scope.keySetIds}
              onChange={(v) => set({ keySetIds: v })}
              error={errorFor("keyScope.keySetIds")}
              searchable
              clearable
              limit={50}
            />
          </SimpleGrid>
        </>
      )}
      <Switch
        label="Include restricted keys (masters, sub-masters)"
        checked={scope.includeRestricted}
        onChange={(e) => set({ includeRestricted: e.currentTarget.checked })}
      />
      {errorFor("keyScope") && (
        <Text c="red" size="sm">
          {errorFor("keyScope")}
        </Text>
      )}
    </Stack>
  );
}
