/** One person: details, credentials, dashboard login, roles, access profiles and history. */
import { Button, Group, Modal, Tabs, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useParams } from "react-router";
import { CredentialsPanel } from "../components/credentials-panel.tsx";
import { Section } from "../components/detail-layout.tsx";
import { Editable } from "../components/form.tsx";
import { GrantRoleForm } from "../components/grant-role-form.tsx";
import { HistoryList } from "../components/history-list.tsx";
import { LoginPanel } from "../components/login-panel.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { PersonForm } from "../components/person-form.tsx";
import { PersonStatusButton } from "../components/person-status-button.tsx";
import { ProfileAssignmentsPanel } from "../components/profile-assignments-panel.tsx";
import { RoleAssignmentsTable } from "../components/role-assignments-table.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { PERSON_KIND_LABELS } from "../labels.ts";
import { useRecord } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Person } from "../types.ts";

export function PersonPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const [granting, { open, close }] = useDisclosure(false);
  const person = useRecord<Person>("people", id);
  if (!person.data) {
    return <QueryState error={person.error} pending={person.isPending} />;
  }
  const p = person.data;
  const canUpdate = session.can("update", "person", p.homePropertyId);
  const show = (entity: "credential" | "user" | "roleAssignment" | "profileAssignment") =>
    session.can("read", entity, p.homePropertyId) || session.propertiesWhere("read", entity).length > 0;
  const canGrant = p.status === "active" && session.propertiesWhere("create", "roleAssignment").length > 0;
  return (
    <Page
      title={`${p.firstName} ${p.lastName}`}
      description={
        <Group gap="xs" component="span">
          <StatusBadge status={p.status} />
          <Text span size="sm">
            {PERSON_KIND_LABELS[p.kind]}
            {p.company ? ` · ${p.company}` : ""} · {session.propertyName(p.homePropertyId)}
          </Text>
        </Group>
      }
      actions={canUpdate && p.id !== session.me.person.id && <PersonStatusButton person={p} />}
    >
      <Tabs defaultValue="details" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="details">Details</Tabs.Tab>
          {show("credential") && <Tabs.Tab value="credentials">Credentials</Tabs.Tab>}
          {show("user") && <Tabs.Tab value="login">Dashboard login</Tabs.Tab>}
          {show("roleAssignment") && <Tabs.Tab value="roles">Roles</Tabs.Tab>}
          {show("profileAssignment") && <Tabs.Tab value="access">Access profiles</Tabs.Tab>}
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="details">
          <Section title="Details">
            <Editable allowed={canUpdate}>
              <PersonForm
                key={p.updatedAt}
                person={p}
                onSaved={() => notifications.show({ color: "green", message: "Person saved." })}
              />
            </Editable>
          </Section>
        </Tabs.Panel>
        <Tabs.Panel value="credentials">
          <Section title="Credentials">
            <CredentialsPanel person={p} />
          </Section>
        </Tabs.Panel>
        <Tabs.Panel value="login">
          <Section title="Dashboard login">
            <LoginPanel person={p} />
          </Section>
        </Tabs.Panel>
        <Tabs.Panel value="roles">
          <Section
            title="Roles"
            actions={
              canGrant && (
                <Button size="xs" onClick={open}>
                  Grant a role
                </Button>
              )
            }
          >
            <RoleAssignmentsTable query={{ personId: p.id }} showPerson={false} bare />
          </Section>
        </Tabs.Panel>
        <Tabs.Panel value="access">
          <Section title="Access profiles">
            <ProfileAssignmentsPanel person={p} />
          </Section>
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <Section title="History">
            <HistoryList entityType="person" entityId={p.id} />
          </Section>
        </Tabs.Panel>
      </Tabs>
      <Modal opened={granting} onClose={close} title={`Grant a role to ${p.firstName} ${p.lastName}`} size="lg">
        <GrantRoleForm personId={p.id} onDone={close} />
      </Modal>
    </Page>
  );
}
