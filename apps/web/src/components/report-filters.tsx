/**
 * The filters a report takes, as the catalog names them: building, unit, person, reason, "days", and the period for
 * reports that cover one (with quick choices of the last 7, 30 and 90 days). The values live in the page's URL, so
 * this only reads them and reports changes. The property is the header's switcher, as on every screen.
 */
import { addDays } from "@keyward/domain/zoned-time";
import { Button, Group, NumberInput, Select, TextInput } from "@mantine/core";
import { todayIn } from "../format.ts";
import type { ReportCatalogItem } from "../queries.ts";
import { useOptionsList } from "../queries.ts";
import type { Building, Person, ReasonCode, Unit } from "../types.ts";
import { personName, RemoteSelect } from "./remote-select.tsx";

/** The URL's filter values by parameter name; null when unset. */
export type ReportFilterValues = Record<string, string | null>;

const PRESETS = [7, 30, 90] as const;
const FIELD_WIDTH = { base: "100%", xs: 210 } as const;

export interface ReportFiltersProps {
  item: ReportCatalogItem;
  values: ReportFilterValues;
  /** Sets some parameters (null removes one). */
  onChange: (patch: ReportFilterValues) => void;
  /** The chosen property; building and unit pickers need one. */
  propertyId: string | null;
  /** The period the last answer covered, shown when the URL names none (the server's default). */
  period: { from: string; to: string } | null;
  /** The zone "today" is read in for the quick periods. */
  zone: string;
}

/** The filter bar of one report. */
export function ReportFilters({ item, values, onChange, propertyId, period, zone }: ReportFiltersProps) {
  const takes = (key: string) => item.filters.includes(key);
  const buildings = useOptionsList<Building>(
    "buildings",
    { propertyId, status: "active" },
    takes("buildingId") && propertyId !== null,
  );
  const reasons = useOptionsList<ReasonCode>("reason-codes", {}, takes("reasonCodeId"));
  const needsProperty = propertyId === null ? "Choose a property in the header first" : undefined;
  const today = todayIn(zone);

  return (
    <Group gap="sm" align="flex-end" wrap="wrap" role="search" aria-label="Report filters" className="report-filters">
      {takes("buildingId") && (
        <Select
          label="Building"
          placeholder={needsProperty ? "—" : "Every building"}
          description={needsProperty}
          disabled={propertyId === null}
          data={(buildings.data ?? []).map((b) => ({ value: b.id, label: b.name }))}
          value={values.buildingId ?? null}
          onChange={(v) => onChange({ buildingId: v, unitId: null })}
          clearable
          searchable
          w={FIELD_WIDTH}
        />
      )}
      {takes("unitId") && (
        <RemoteSelect<Unit>
          label="Unit"
          placeholder={needsProperty ? "—" : "Every unit"}
          description={needsProperty}
          disabled={propertyId === null}
          path="units"
          query={{ propertyId, buildingId: values.buildingId }}
          labelOf={(u) => u.number}
          value={values.unitId ?? null}
          onChange={(v) => onChange({ unitId: v })}
          w={FIELD_WIDTH}
        />
      )}
      {takes("personId") && (
        <RemoteSelect<Person>
          label="Person"
          placeholder="Everyone"
          path="people"
          labelOf={personName}
          value={values.personId ?? null}
          onChange={(v) => onChange({ personId: v })}
          w={FIELD_WIDTH}
        />
      )}
      {takes("reasonCodeId") && (
        <Select
          label="Reason"
          placeholder="Every reason"
          data={(reasons.data ?? []).map((r) => ({ value: r.id, label: r.label }))}
          value={values.reasonCodeId ?? null}
          onChange={(v) => onChange({ reasonCodeId: v })}
          clearable
          searchable
          w={FIELD_WIDTH}
        />
      )}
      {takes("days") && (
        <NumberInput
          label="Days"
          description="Without activity for this many days"
          placeholder="Report's default"
          min={1}
          max={3650}
          allowDecimal={false}
          allowNegative={false}
          value={values.days ?? ""}
          onChange={(v) => onChange({ days: typeof v === "number" ? String(v) : null })}
          w={FIELD_WIDTH}
        />
      )}
      {item.periodic && (
        <>
          <TextInput
            type="date"
            label="From"
            value={values.from ?? period?.from ?? ""}
            max={values.to ?? period?.to ?? today}
            onChange={(e) => onChange({ from: e.currentTarget.value || null })}
            w={{ base: "calc(50% - var(--mantine-spacing-sm) / 2)", xs: 170 }}
          />
          <TextInput
            type="date"
            label="To"
            value={values.to ?? period?.to ?? ""}
            min={values.from ?? period?.from ?? undefined}
            onChange={(e) => onChange({ to: e.currentTarget.value || null })}
            w={{ base: "calc(50% - var(--mantine-spacing-sm) / 2)", xs: 170 }}
          />
          <Group gap={4} wrap="nowrap">
            {PRESETS.map((days) => (
              <Button
                key={days}
                variant="default"
                size="sm"
                onClick={() => onChange({ from: addDays(today, -(days - 1)), to: today })}
              >
                {days} days
              </Button>
            ))}
          </Group>
        </>
      )}
    </Group>
  );
}
