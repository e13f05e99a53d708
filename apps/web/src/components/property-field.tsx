/**
 * The property a new record belongs to: only properties where the user may create it are offered, and the
 * property chosen in the header comes first.
 */
import type { Entity } from "@keyward/domain/permissions";
import { Select } from "@mantine/core";
import { useSession } from "../session.tsx";

/** The value standing for "no property" (organization-wide records such as shared holiday calendars). */
export const ORGANIZATION_WIDE = "organization";

export function PropertyField({
  entity,
  value,
  onChange,
  error,
  allowOrganization = false,
  label = "Property",
}: {
  entity: Entity;
  value: string | null;
  onChange: (propertyId: string | null) => void;
  error?: string | undefined;
  /** Offer "Organization-wide" (value null) when the user may create the record at organization level. */
  allowOrganization?: boolean;
  label?: string;
}) {
  const session = useSession();
  const choices = session.propertiesWhere("create", entity).map((p) => ({ value: p.id, label: p.name }));
  const orgAllowed = allowOrganization && session.can("create", entity, null);
  const data = [...(orgAllowed ? [{ value: ORGANIZATION_WIDE, label: "Organization-wide" }] : []), ...choices];
  return (
    <Select
      label={label}
      required={!allowOrganization}
      data={data}
      value={value ?? (orgAllowed ? ORGANIZATION_WIDE : null)}
      onChange={(v) => onChange(v === ORGANIZATION_WIDE ? null : v)}
      allowDeselect={false}
      searchable={data.length > 8}
      error={error}
    />
  );
}

/** The property a create form starts with: the chosen one if the user may create there, else the first allowed. */
export function useDefaultProperty(entity: Entity): string | null {
  const session = useSession();
  const allowed = session.propertiesWhere("create", entity);
  if (session.propertyId && allowed.some((p) => p.id === session.propertyId)) {
    return session.propertyId;
  }
  return allowed[0]?.id ?? null;
}

/** Whether the toolbar should offer "New …": at the chosen property, or anywhere under "All properties". */
export function useCanCreate(entity: Entity): boolean {
  const session = useSession();
  if (session.propertyId) {
    return session.can("create", entity, session.propertyId);
  }
  return session.propertiesWhere("create", entity).length > 0;
}
