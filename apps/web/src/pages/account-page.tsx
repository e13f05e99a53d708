/** The signed-in user: who they are, their roles where, and their two-step sign-in. */
import { PASSWORD_MIN_LENGTH } from "@keyward/domain/password-rules";
import { Badge, Group, PasswordInput, PinInput, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { api } from "../api.ts";
import { Section } from "../components/detail-layout.tsx";
import { FormAlert, FormButtons, useApiForm } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { TotpEnrolment } from "../components/totp-enrolment.tsx";
import { ROLE_LABELS } from "../labels.ts";
import { useSession } from "../session.tsx";
import type { Me } from "../types.ts";

/** Everyone may change their own password, proving the current one; their other sessions end. */
function ChangePassword() {
  const session = useSession();
  const form = useApiForm({
    initial: { currentPassword: "", password: "" },
    submit: (v) => api.patch<unknown>(`users/${session.me.user.id}`, v),
    onSuccess: () => {
      notifications.show({ color: "green", message: "Password changed. Your other sessions have been signed out." });
      form.set("currentPassword", "");
      form.set("password", "");
    },
  });
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <SimpleGrid cols={{ base: 1, xs: 2 }}>
        <PasswordInput
          label="Current password"
          autoComplete="current-password"
          required
          value={form.values.currentPassword}
          onChange={(e) => form.set("currentPassword", e.currentTarget.value)}
          error={form.errorFor("currentPassword")}
        />
        <PasswordInput
          label="New password"
          description={`At least ${PASSWORD_MIN_LENGTH} characters; a phrase of several words works well`}
          autoComplete="new-password"
          required
          value={form.values.password}
          onChange={(e) => form.set("password", e.currentTarget.value)}
          error={form.errorFor("password")}
        />
      </SimpleGrid>
      <FormAlert form={form} />
      <FormButtons form={form} label="Change password" />
    </form>
  );
}

function DisableTotp({ onDone }: { onDone: (me: Me) => void }) {
  const form = useApiForm({
    initial: { code: "" },
    submit: (v) => api.post<Me>("auth/totp/disable", v),
    onSuccess: onDone,
  });
  return (
    <form onSubmit={form.onSubmit}>
      <Stack gap={4}>
        <Text component="label" htmlFor="totp-disable" size="sm" fw={500}>
          To turn it off, enter a current code from your app
        </Text>
        <PinInput
          id="totp-disable"
          length={6}
          type="number"
          oneTimeCode
          value={form.values.code}
          onChange={(v) => form.set("code", v)}
          error={Boolean(form.errorFor("code"))}
          aria-label="Code from the authenticator app"
        />
        {form.errorFor("code") && (
          <Text c="red" size="sm">
            {form.errorFor("code")}
          </Text>
        )}
        <FormAlert form={form} />
        <FormButtons form={form} label="Turn off two-step sign-in" />
      </Stack>
    </form>
  );
}

export function AccountPage() {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const updated = (next: Me) => {
    queryClient.setQueryData(["me"], next);
    notifications.show({
      color: "green",
      message: next.user.totpEnabled ? "Two-step sign-in is on." : "Two-step sign-in is off.",
    });
  };
  return (
    <Page title="Your account" description={me.user.email}>
      <Section title="Where you work">
        <Stack gap="xs">
          {me.organizationRoles.length > 0 && (
            <Text size="sm">
              Across {me.organization.name}: {me.organizationRoles.map((r) => ROLE_LABELS[r]).join(", ")}
            </Text>
          )}
          <Table.ScrollContainer minWidth={360}>
            <Table aria-label="Your properties">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Property</Table.Th>
                  <Table.Th>Time zone</Table.Th>
                  <Table.Th>Roles</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {me.properties.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>{p.name}</Table.Td>
                    <Table.Td>{p.timeZone}</Table.Td>
                    <Table.Td>{[...new Set(p.roles)].map((r) => ROLE_LABELS[r]).join(", ")}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      </Section>
      <Section title="Password">
        <ChangePassword />
      </Section>
      <Section title="Two-step sign-in">
        <Group mb="sm">
          <Badge color={me.user.totpEnabled ? "green" : "gray"} variant="light">
            {me.user.totpEnabled ? "On" : "Off"}
          </Badge>
          <Text size="sm" c="dimmed">
            A code from an authenticator app is asked for at every sign-in.
          </Text>
        </Group>
        {me.user.totpEnabled ? <DisableTotp onDone={updated} /> : <TotpEnrolment onDone={updated} />}
      </Section>
    </Page>
  );
}
