/** Creating or changing a person: an employee or a vendor's worker, with their home property and dates. */
import { Select, SimpleGrid, Stack, TextInput } from "@mantine/core";
import { api } from "../api.ts";
import { optionsOf, PERSON_KIND_LABELS } from "../labels.ts";
import { useInvalidate } from "../queries.ts";
import type { Person, PersonKind } from "../types.ts";
import { blankToNull, FormAlert, FormButtons, TextField, useApiForm } from "./form.tsx";
import { PropertyField, useDefaultProperty } from "./property-field.tsx";

export function PersonForm({
  person,
  onSaved,
  onCancel,
}: {
  person: Person | null;
  onSaved: (person: Person) => void;
  onCancel?: () => void;
}) {
  const invalidate = useInvalidate();
  const defaultProperty = useDefaultProperty("person");
  const form = useApiForm({
    initial: {
      homePropertyId: person ? person.homePropertyId : defaultProperty,
      kind: person?.kind ?? ("employee" as PersonKind),
      firstName: person?.firstName ?? "",
      lastName: person?.lastName ?? "",
      employeeNumber: person?.employeeNumber ?? "",
      company: person?.company ?? "",
      email: person?.email ?? "",
      phone: person?.phone ?? "",
      startDate: person?.startDate ?? "",
      endDate: person?.endDate ?? "",
    },
    submit: (v) => {
      const body = {
        homePropertyId: v.homePropertyId,
        kind: v.kind,
        firstName: v.firstName,
        lastName: v.lastName,
        employeeNumber: blankToNull(v.employeeNumber),
        company: blankToNull(v.company),
        email: blankToNull(v.email),
        phone: blankToNull(v.phone),
        startDate: blankToNull(v.startDate),
        endDate: blankToNull(v.endDate),
      };
      return person ? api.patch<Person>(`people/${person.id}`, body) : api.post<Person>("people", body);
    },
    onSuccess: async (saved) => {
      await invalidate("people");
      onSaved(saved);
    },
  });
  const v = form.values;
  const text = (
    field: "firstName" | "lastName" | "employeeNumber" | "company" | "email" | "phone",
    label: string,
    required = false,
  ) => (
    <TextInput
      label={label}
      required={required}
      type={field === "email" ? "email" : field === "phone" ? "tel" : "text"}
      value={v[field]}
      onChange={(e) => form.set(field, e.currentTarget.value)}
      error={form.errorFor(field)}
    />
  );
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          {text("firstName", "First name", true)}
          {text("lastName", "Last name", true)}
          <Select
            label="Kind"
            data={optionsOf(PERSON_KIND_LABELS)}
            value={v.kind}
            onChange={(k) => k && form.set("kind", k as PersonKind)}
            allowDeselect={false}
            error={form.errorFor("kind")}
          />
          <PropertyField
            entity="person"
            label="Home property"
            allowOrganization
            value={v.homePropertyId}
            onChange={(id) => form.set("homePropertyId", id)}
            error={form.errorFor("homePropertyId")}
          />
          {text("employeeNumber", "Employee number")}
          {text("company", "Company")}
          {text("email", "E-mail")}
          {text("phone", "Phone")}
          <TextField form={form} field="startDate" label="Start date" type="date" />
          <TextField
            form={form}
            field="endDate"
            label="End date"
            type="date"
            description="Their access should end then; the home page lists people past it"
          />
        </SimpleGrid>
        <FormAlert form={form} />
        <FormButtons form={form} label={person ? "Save person" : "Create person"} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
