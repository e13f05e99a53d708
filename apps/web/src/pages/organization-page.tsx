/** The organization's name and its security policy: PIN length, two-step sign-in, session lengths. */
import { PIN_MAX_LENGTH, PIN_MIN_LENGTH_FLOOR } from "@keyward/domain/pin-rules";
import { SimpleGrid, Stack, Switch } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api.ts";
import { DetailLayout, Section } from "../components/detail-layout.tsx";
import {
  Editable,
  FormAlert,
  FormButtons,
  NumberField,
  numberOrNull,
  TextField,
  useApiForm,
} from "../components/form.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { useInvalidate } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Organization } from "../types.ts";

function OrganizationForm({ organization }: { organization: Organization }) {
  const invalidate = useInvalidate();
  const s = organization.settings;
  const form = useApiForm({
    initial: {
      name: organization.name,
      pinMinLength: s.pinMinLength as number | string,
      requireTotpForManagers: s.requireTotpForManagers,
      sessionIdleMinutes: s.sessionIdleMinutes as number | string,
      sessionMaxHours: s.sessionMaxHours as number | string,
    },
    submit: (v) =>
      api.patch<Organization>("organization", {
        name: v.name,
        settings: {
          pinMinLength: numberOrNull(v.pinMinLength) ?? undefined,
          requireTotpForManagers: v.requireTotpForManagers,
          sessionIdleMinutes: numberOrNull(v.sessionIdleMinutes) ?? undefined,
          sessionMaxHours: numberOrNull(v.sessionMaxHours) ?? undefined,
        },
      }),
    onSuccess: async () => {
      notifications.show({ color: "green", message: "Organization settings saved." });
      await invalidate("organization", "me");
    },
  });
  const v = form.values;
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Stack>
        <TextField form={form} field="name" label="Name" required />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <NumberField
            form={form}
            field="pinMinLength"
            errorField="settings.pinMinLength"
            label="Shortest PIN (digits)"
            description={`${PIN_MIN_LENGTH_FLOOR}–${PIN_MAX_LENGTH}; applies when a PIN is next chosen`}
            min={PIN_MIN_LENGTH_FLOOR}
            max={PIN_MAX_LENGTH}
          />
          <NumberField
            form={form}
            field="sessionIdleMinutes"
            errorField="settings.sessionIdleMinutes"
            label="Sign out after idle (minutes)"
            min={5}
            max={1440}
          />
          <NumberField
            form={form}
            field="sessionMaxHours"
            errorField="settings.sessionMaxHours"
            label="Longest session (hours)"
            min={1}
            max={168}
          />
        </SimpleGrid>
        <Switch
          label="Require two-step sign-in (authenticator app) for everyone who manages people or permissions"
          checked={v.requireTotpForManagers}
          onChange={(e) => form.set("requireTotpForManagers", e.currentTarget.checked)}
        />
        <FormAlert form={form} />
        <FormButtons form={form} label="Save settings" />
      </Stack>
    </form>
  );
}

export function OrganizationPage() {
  const session = useSession();
  const organization = useQuery({ queryKey: ["organization"], queryFn: () => api.get<Organization>("organization") });
  if (!organization.data) {
    return <QueryState error={organization.error} pending={organization.isPending} />;
  }
  const o = organization.data;
  return (
    <Page title="Organization" description="Policies that apply to every property">
      <DetailLayout history={{ entityType: "organization", entityId: o.id }}>
        <Section title="Settings">
          <Editable allowed={session.can("update", "organization", null)}>
            <OrganizationForm key={o.updatedAt} organization={o} />
          </Editable>
        </Section>
      </DetailLayout>
    </Page>
  );
}
