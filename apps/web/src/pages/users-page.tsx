/** Dashboard logins and the roles that say what each person may do, where. */
import { Button, Modal, Tabs, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { AppLink } from "../components/app-link.tsx";
import { GrantRoleForm } from "../components/grant-role-form.tsx";
import { Page } from "../components/page.tsx";
import { type Column, ResourceTable, statusColumn, statusFilter } from "../components/resource-table.tsx";
import { RoleAssignmentsTable } from "../components/role-assignments-table.tsx";
import { formatInstant } from "../format.ts";
import { useSession } from "../session.tsx";
import type { User } from "../types.ts";

export function UsersPage() {
  const session = useSession();
  const [granting, { open, close }] = useDisclosure(false);
  const zone = session.zoneOf(session.propertyId);
  const canGrant =
    session.propertiesWhere("create", "roleAssignment").length > 0 || session.can("create", "roleAssignment", null);
  const columns: Column<User>[] = [
    {
      key: "email",
      header: "E-mail",
      sort: "email",
      value: (u) => u.email,
      render: (u) => (
        <AppLink to={`/people/${u.personId}`} fw={500}>
          {u.email}
        </AppLink>
      ),
    },
    {
      key: "person",
      header: "Person",
      value: (u) => u.personName,
      render: (u) => <AppLink to={`/people/${u.personId}`}>{u.personName}</AppLink>,
    },
    statusColumn(),
    { key: "totp", header: "Two-step sign-in", value: (u) => (u.totpEnabled ? "On" : "Off") },
    { key: "last", header: "Last sign-in", value: (u) => formatInstant(u.lastLoginAt, zone) },
    { key: "created", header: "Created", sort: "createdAt", value: (u) => formatInstant(u.createdAt, zone) },
  ];
  return (
    <Page
      title="Logins and roles"
      description="Logins open the dashboard; roles decide what each person may see and change, and where."
      actions={canGrant && <Button onClick={open}>Grant a role</Button>}
    >
      <Tabs defaultValue="logins" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="logins">Logins</Tabs.Tab>
          {(session.can("read", "roleAssignment", null) ||
            session.propertiesWhere("read", "roleAssignment").length > 0) && <Tabs.Tab value="roles">Roles</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="logins">
          <Text size="sm" c="dimmed" mb="sm">
            To give someone a login, open their page under People.
          </Text>
          <ResourceTable<User>
            path="users"
            label="Logins"
            columns={columns}
            search="E-mail"
            filters={[statusFilter("inactive")]}
          />
        </Tabs.Panel>
        <Tabs.Panel value="roles">
          {session.property && (
            <Text size="sm" c="dimmed" mb="sm">
              Roles granted at {session.property.name}.
              {session.canChooseAll ? " Choose “All properties” to see organization and region roles." : ""}
            </Text>
          )}
          <RoleAssignmentsTable key={session.propertyId ?? "all"} query={{ scopeId: session.propertyId }} showPerson />
        </Tabs.Panel>
      </Tabs>
      <Modal opened={granting} onClose={close} title="Grant a role" size="lg">
        <GrantRoleForm personId={null} onDone={close} />
      </Modal>
    </Page>
  );
}
