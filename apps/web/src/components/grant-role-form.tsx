/**
 * Granting a role at the organization, a region or a property. Only roles the user may hand out at the chosen scope
 * are offered — the same `canGrantRole` rule the server enforces.
 */
import { canGrantRole, ROLES, type Role, type ScopeType } from "@keyward/domain/permissions";
import { Select, SimpleGrid, Stack } from "@mantine/core";
import { api } from "../api.ts";
import { ROLE_LABELS } from "../labels.ts";
import { useInvalidate, useOptionsList } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Property, Region, RoleAssignment } from "../types.ts";
import { FormAlert, FormButtons, useApiForm } from "./form.tsx";
import { PersonSelect } from "./remote-select.tsx";

const SCOPE_LABELS: Record<ScopeType, string> = {
  organization: "Whole organization",
  region: "A region",
  property: "A property",
};

/** Properties a scope covers, as `canGrantRole` needs them. */
export function useScopeProperties(): (scopeType: ScopeType, scopeId: string | null) => string[] {
  const properties = useOptionsList<Property>("properties", {});
  return (scopeType, scopeId) => {
    if (scopeType === "property") {
      return scopeId ? [scopeId] : [];
    }
    if (scopeType === "region") {
      return (properties.data ?? []).filter((p) => p.regionId === scopeId).map((p) => p.id);
    }
    return [];
  };
}

export function GrantRoleForm({ personId, onDone }: { personId: string | null; onDone: () => void }) {
  const session = useSession();
  const invalidate = useInvalidate();
  const scopeProperties = useScopeProperties();
  const regions = useOptionsList<Region>("regions", { status: "active" }, session.can("read", "region", null));
  const form = useApiForm({
    initial: {
      personId,
      scopeType: (session.propertyId ? "property" : "organization") as ScopeType,
      scopeId: session.propertyId,
      role: null as Role | null,
    },
    submit: (v) =>
      api.post<RoleAssignment>("role-assignments", {
        personId: v.personId,
        role: v.role,
        scopeType: v.scopeType,
        scopeId: v.scopeType === "organization" ? null : v.scopeId,
      }),
    check: (v) => ({
      ...(v.personId ? {} : { personId: "Choose the person." }),
      ...(v.role ? {} : { role: "Choose a role." }),
      ...(v.scopeType !== "organization" && !v.scopeId ? { scopeId: "Choose where the role applies." } : {}),
    }),
    onSuccess: async () => {
      await invalidate("role-assignments");
      onDone();
    },
  });
  const v = form.values;
  const propertyIds = scopeProperties(v.scopeType, v.scopeId);
  const grantable = ROLES.filter((r) => canGrantRole(session.actor, r, { type: v.scopeType, propertyIds }));
  const scopeChoices =
    v.scopeType === "region"
      ? (regions.data ?? []).map((r) => ({ value: r.id, label: r.name }))
      : session.propertiesWhere("create", "roleAssignment").map((p) => ({ value: p.id, label: p.name }));
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        {personId === null && (
          <PersonSelect
            value={v.personId}
            onChange={(id) => form.set("personId", id)}
            error={form.errorFor("personId")}
          />
        )}
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <Select
            label="Applies to"
            data={(Object.keys(SCOPE_LABELS) as ScopeType[]).map((s) => ({ value: s, label: SCOPE_LABELS[s] }))}
            value={v.scopeType}
            onChange={(s) => s && form.replace({ ...v, scopeType: s as ScopeType, scopeId: null, role: null })}
            allowDeselect={false}
            error={form.errorFor("scopeType")}
          />
          {v.scopeType !== "organization" && (
            <Select
              label={v.scopeType === "region" ? "Region" : "Property"}
              required
              data={scopeChoices}
              value={v.scopeId}
              onChange={(id) => form.replace({ ...v, scopeId: id, role: null })}
              error={form.errorFor("scopeId")}
            />
          )}
        </SimpleGrid>
        <Select
          label="Role"
          required
          placeholder={grantable.length === 0 ? "You may grant no role here" : "Choose a role"}
          data={grantable.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          value={v.role}
          onChange={(r) => form.set("role", r as Role | null)}
          error={form.errorFor("role")}
        />
        <FormAlert form={form} />
        <FormButtons form={form} label="Grant role" onCancel={onDone} />
      </Stack>
    </form>
  );
}
