/** Role assignments with their scope in words, and revoke / restore where the user may grant that role there. */
import { canGrantRole } from "@keyward/domain/permissions";
import { Button } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { api, type Query } from "../api.ts";
import { formatInstant } from "../format.ts";
import { optionsOf, ROLE_LABELS } from "../labels.ts";
import { useInvalidate, useOptionsList } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Region, RoleAssignment } from "../types.ts";
import { AppLink } from "./app-link.tsx";
import { useScopeProperties } from "./grant-role-form.tsx";
import { type Column, ResourceTable, statusColumn } from "./resource-table.tsx";

export function RoleAssignmentsTable({
  query,
  showPerson,
  bare = false,
}: {
  query: Query;
  showPerson: boolean;
  bare?: boolean;
}) {
  const session = useSession();
  const invalidate = useInvalidate();
  const scopeProperties = useScopeProperties();
  const regions = useOptionsList<Region>("regions", {}, session.can("read", "region", null));
  const regionName = new Map((regions.data ?? []).map((r) => [r.id, r.name]));
  const change = useMutation({
    mutationFn: ({ a, status }: { a: RoleAssignment; status: RoleAssignment["status"] }) =>
      api.patch<RoleAssignment>(`role-assignments/${a.id}`, { status }),
    onSuccess: async (a) => {
      notifications.show({
        color: "green",
        message: `${ROLE_LABELS[a.role]} ${a.status === "revoked" ? "revoked" : "restored"}.`,
      });
      await invalidate("role-assignments", "me");
    },
    onError: (error) => notifications.show({ color: "red", title: "Not changed", message: error.message }),
  });
  const scopeText = (a: RoleAssignment) =>
    a.scopeType === "organization"
      ? "Whole organization"
      : a.scopeType === "region"
        ? `Region ${regionName.get(a.scopeId ?? "") ?? ""}`
        : session.propertyName(a.scopeId);
  const mayChange = (a: RoleAssignment) =>
    canGrantRole(session.actor, a.role, { type: a.scopeType, propertyIds: scopeProperties(a.scopeType, a.scopeId) });

  const columns: Column<RoleAssignment>[] = [
    ...(showPerson
      ? [
          {
            key: "person",
            header: "Person",
            render: (a: RoleAssignment) => <AppLink to={`/people/${a.personId}`}>{a.personName}</AppLink>,
          },
        ]
      : []),
    { key: "role", header: "Role", sort: "role", value: (a) => ROLE_LABELS[a.role] },
    { key: "scope", header: "Where", value: scopeText },
    statusColumn(),
    {
      key: "granted",
      header: "Granted",
      sort: "createdAt",
      value: (a) => formatInstant(a.createdAt, session.zoneOf(a.scopeId)),
    },
    {
      key: "actions",
      header: "",
      render: (a) =>
        mayChange(a) ? (
          a.status === "active" ? (
            <Button
              size="compact-xs"
              color="red"
              variant="light"
              onClick={() => change.mutate({ a, status: "revoked" })}
              aria-label={`Revoke ${ROLE_LABELS[a.role]}, ${scopeText(a)}`}
            >
              Revoke
            </Button>
          ) : (
            <Button size="compact-xs" variant="default" onClick={() => change.mutate({ a, status: "active" })}>
              Restore
            </Button>
          )
        ) : null,
    },
  ];
  return (
    <ResourceTable<RoleAssignment>
      bare={bare}
      path="role-assignments"
      label="Role assignments"
      columns={columns}
      query={query}
      filters={[
        { param: "role", label: "Role", options: optionsOf(ROLE_LABELS) },
        {
          param: "status",
          label: "Status",
          options: [
            { value: "active", label: "Active" },
            { value: "revoked", label: "Revoked" },
          ],
        },
      ]}
      empty="No roles."
    />
  );
}
