/** Everyone who may use the cabinets or the dashboard: employees and vendors' workers. */
import { Button, Modal } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useNavigate } from "react-router";
import { apiUrl } from "../api.ts";
import { AppLink } from "../components/app-link.tsx";
import { Page } from "../components/page.tsx";
import { PersonForm } from "../components/person-form.tsx";
import { useCanCreate } from "../components/property-field.tsx";
import { type Column, ResourceTable, statusColumn, statusFilter } from "../components/resource-table.tsx";
import { formatLocalDate } from "../format.ts";
import { optionsOf, PERSON_KIND_LABELS } from "../labels.ts";
import { useSession } from "../session.tsx";
import type { Person } from "../types.ts";

export function PeoplePage() {
  const session = useSession();
  const navigate = useNavigate();
  const [creating, { open, close }] = useDisclosure(false);
  const canCreate = useCanCreate("person") || session.can("create", "person", null);
  const columns: Column<Person>[] = [
    {
      key: "name",
      header: "Name",
      sort: "lastName",
      value: (p) => `${p.lastName}, ${p.firstName}`,
      render: (p) => (
        <AppLink to={`/people/${p.id}`} fw={500}>
          {p.lastName}, {p.firstName}
        </AppLink>
      ),
    },
    { key: "kind", header: "Kind", value: (p) => PERSON_KIND_LABELS[p.kind] },
    { key: "employeeNumber", header: "Employee no.", value: (p) => p.employeeNumber },
    { key: "company", header: "Company", value: (p) => p.company },
    { key: "email", header: "E-mail", value: (p) => p.email },
    statusColumn(),
    { key: "start", header: "Start", value: (p) => formatLocalDate(p.startDate) },
    { key: "end", header: "End", value: (p) => (p.endDate ? formatLocalDate(p.endDate) : "") },
    ...(session.propertyId
      ? []
      : [{ key: "home", header: "Home property", value: (p: Person) => session.propertyName(p.homePropertyId) }]),
  ];
  return (
    <Page
      title="People"
      description={session.property ? `Home property: ${session.property.name}` : "All properties"}
      actions={canCreate && <Button onClick={open}>New person</Button>}
    >
      <ResourceTable<Person>
        key={session.propertyId ?? "all"}
        path="people"
        label="People"
        columns={columns}
        query={{ homePropertyId: session.propertyId }}
        filters={[{ param: "kind", label: "Kind", options: optionsOf(PERSON_KIND_LABELS) }, statusFilter("inactive")]}
        search="Name, employee no., e-mail or company"
        serverExports={
          session.propertyId
            ? [{ label: "Export all (CSV)", href: apiUrl(`properties/${session.propertyId}/export/people`) }]
            : []
        }
      />
      <Modal opened={creating} onClose={close} title="New person" size="lg">
        <PersonForm person={null} onSaved={(p) => navigate(`/people/${p.id}`)} onCancel={close} />
      </Modal>
    </Page>
  );
}
