/**
 * Which property the dashboard shows. One login spans every property the user holds a role at; the choice is
 * remembered in this browser. "All properties" is offered to organization-wide roles only.
 */
import { Select } from "@mantine/core";
import { useSession } from "../session.tsx";

const ALL = "all";

export function PropertySwitcher() {
  const { properties, propertyId, setPropertyId, canChooseAll } = useSession();
  const data = [
    ...(canChooseAll ? [{ value: ALL, label: "All properties" }] : []),
    ...properties.map((p) => ({ value: p.id, label: p.name })),
  ];
  if (data.length === 0) {
    return null;
  }
  return (
    <Select
      aria-label="Property"
      data={data}
      value={propertyId ?? ALL}
      onChange={(v) => setPropertyId(v === ALL || v === null ? null : v)}
      allowDeselect={false}
      searchable={data.length > 8}
      w={{ base: 170, xs: 220, sm: 280 }}
      comboboxProps={{ width: "target", withinPortal: true }}
    />
  );
}
