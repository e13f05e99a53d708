/** Which access profiles a person holds (or who holds a profile), with assigning and revoking. */
import { Button, Group, Modal, Select, SimpleGrid, Stack } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { api } from "../api.ts";
import { formatLocalDate } from "../format.ts";
import { useInvalidate, useOptionsList } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { AccessProfile, Person, ProfileAssignment } from "../types.ts";
import { AppLink } from "./app-link.tsx";
import { blankToNull, FormAlert, FormButtons, TextField, useApiForm } from "./form.tsx";
import { PropertyField, useDefaultProperty } from "./property-field.tsx";
import { PersonSelect, RecordName } from "./remote-select.tsx";
import { ResourceTable, statusColumn } from "./resource-table.tsx";

function AssignForm({
  person,
  profile,
  onDone,
}: {
  /** Fixed when assigning from a person's page. */
  person: Person | null;
  /** Fixed when assigning from a profile's page. */
  profile: AccessProfile | null;
  onDone: () => void;
}) {
  const invalidate = useInvalidate();
  const defaultProperty = useDefaultProperty("profileAssignment");
  const form = useApiForm({
    initial: {
      propertyId: profile?.propertyId ?? person?.homePropertyId ?? defaultProperty,
      personId: person?.id ?? null,
      accessProfileId: profile?.id ?? null,
      validFrom: "",
      validUntil: "",
    },
    submit: (v) =>
      api.post<ProfileAssignment>("profile-assignments", {
        propertyId: v.propertyId,
        personId: v.personId,
        accessProfileId: v.accessProfileId,
        validFrom: blankToNull(v.validFrom),
        validUntil: blankToNull(v.validUntil),
      }),
    check: (v) => ({
      ...(v.personId ? {} : { personId: "Choose the person." }),
      ...(v.accessProfileId ? {} : { accessProfileId: "Choose a profile." }),
    }),
    onSuccess: async () => {
      await invalidate("profile-assignments");
      onDone();
    },
  });
  const v = form.values;
  const profiles = useOptionsList<AccessProfile>(
    "access-profiles",
    { propertyId: v.propertyId, status: "active" },
    Boolean(v.propertyId) && !profile,
  );
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        {!profile && (
          <PropertyField
            entity="profileAssignment"
            value={v.propertyId}
            onChange={(id) => form.replace({ ...v, propertyId: id, accessProfileId: null })}
            error={form.errorFor("propertyId")}
          />
        )}
        {!person && (
          <PersonSelect
            value={v.personId}
            onChange={(id) => form.set("personId", id)}
            error={form.errorFor("personId")}
          />
        )}
        {!profile && (
          <Select
            label="Access profile"
            required
            data={(profiles.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
            value={v.accessProfileId}
            onChange={(id) => form.set("accessProfileId", id)}
            error={form.errorFor("accessProfileId")}
          />
        )}
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextField form={form} field="validFrom" type="date" label="Valid from" />
          <TextField form={form} field="validUntil" type="date" label="Valid until" />
        </SimpleGrid>
        <FormAlert form={form} />
        <FormButtons form={form} label="Assign profile" onCancel={onDone} />
      </Stack>
    </form>
  );
}

export function ProfileAssignmentsPanel({
  person = null,
  profile = null,
}: {
  person?: Person | null;
  profile?: AccessProfile | null;
}) {
  const session = useSession();
  const invalidate = useInvalidate();
  const [assigning, { open, close }] = useDisclosure(false);
  const canAssign = profile
    ? session.can("create", "profileAssignment", profile.propertyId)
    : session.propertiesWhere("create", "profileAssignment").length > 0 && person?.status === "active";
  const revoke = useMutation({
    mutationFn: (a: ProfileAssignment) =>
      api.patch<ProfileAssignment>(`profile-assignments/${a.id}`, { status: "revoked" }),
    onSuccess: async () => {
      notifications.show({ color: "green", message: "Profile revoked." });
      await invalidate("profile-assignments");
    },
    onError: (error) => notifications.show({ color: "red", title: "Not changed", message: error.message }),
  });
  return (
    <Stack>
      {canAssign && (
        <Group>
          <Button onClick={open}>{profile ? "Assign to a person" : "Assign a profile"}</Button>
        </Group>
      )}
      <ResourceTable<ProfileAssignment>
        bare
        path="profile-assignments"
        label="Profile assignments"
        query={profile ? { accessProfileId: profile.id } : { personId: person?.id }}
        empty={profile ? "Nobody holds this profile yet." : "No profiles assigned."}
        columns={[
          profile
            ? {
                key: "person",
                header: "Person",
                render: (a) => <AppLink to={`/people/${a.personId}`}>{a.personName}</AppLink>,
              }
            : {
                key: "profile",
                header: "Profile",
                render: (a) => (
                  <AppLink to={`/access-profiles/${a.accessProfileId}`}>
                    <RecordName<AccessProfile> path="access-profiles" id={a.accessProfileId} labelOf={(p) => p.name} />
                  </AppLink>
                ),
              },
          { key: "property", header: "Property", value: (a) => session.propertyName(a.propertyId) },
          { key: "from", header: "From", value: (a) => formatLocalDate(a.validFrom) },
          { key: "until", header: "Until", value: (a) => formatLocalDate(a.validUntil) },
          statusColumn(),
          {
            key: "actions",
            header: "",
            render: (a) =>
              a.status === "active" && session.can("update", "profileAssignment", a.propertyId) ? (
                <Button size="compact-xs" color="red" variant="light" onClick={() => revoke.mutate(a)}>
                  Revoke
                </Button>
              ) : null,
          },
        ]}
      />
      <Modal opened={assigning} onClose={close} title="Assign an access profile" size="lg">
        <AssignForm person={person} profile={profile} onDone={close} />
      </Modal>
    </Stack>
  );
}
