/**
 * How the signed-in user is told about alerts: e-mail and text messages (with the phone number), the least severe
 * alert worth a message, a daily digest at a local time, and the time zone messages are written in.
 */
import type { NotificationPreferences } from "@keyward/contracts/alerts";
import { ALERT_SEVERITIES, type AlertSeverity } from "@keyward/domain/alerts";
import { Select, SimpleGrid, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ALERT_SEVERITY_LABELS } from "../alerts.ts";
import { api } from "../api.ts";
import { Section } from "../components/detail-layout.tsx";
import { blankToNull, FormAlert, FormButtons, useApiForm } from "../components/form.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { timeZones } from "../format.ts";

const PATH = "me/notification-preferences";

function PreferencesForm({ preferences }: { preferences: NotificationPreferences }) {
  const client = useQueryClient();
  const [saved, setSaved] = useState(false);
  const form = useApiForm({
    initial: { ...preferences, phone: preferences.phone ?? "" },
    submit: (v) => api.put<NotificationPreferences>(PATH, { ...v, phone: blankToNull(v.phone) }),
    onSuccess: (fresh) => {
      client.setQueryData([PATH], fresh);
      setSaved(true);
    },
  });
  const v = form.values;
  return (
    <form
      onSubmit={(e) => {
        setSaved(false);
        form.onSubmit(e);
      }}
      noValidate
    >
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Switch
            label="E-mail me alerts"
            description="To the address you sign in with"
            checked={v.email}
            onChange={(e) => form.set("email", e.currentTarget.checked)}
            error={form.errorFor("email")}
          />
          <Switch
            label="Text me alerts"
            description="Needs your mobile number"
            checked={v.sms}
            onChange={(e) => form.set("sms", e.currentTarget.checked)}
            error={form.errorFor("sms")}
          />
          <TextInput
            label="Mobile number"
            description="International format: + and the country code, e.g. +13125550123"
            type="tel"
            autoComplete="tel"
            inputMode="tel"
            placeholder="+13125550123"
            value={v.phone}
            onChange={(e) => form.set("phone", e.currentTarget.value)}
            error={form.errorFor("phone")}
            required={v.sms}
          />
          <Select
            label="Only alerts at least this severe"
            description="The dashboard still shows every alert"
            data={ALERT_SEVERITIES.map((s) => ({ value: s, label: ALERT_SEVERITY_LABELS[s] }))}
            value={v.minSeverity}
            onChange={(s) => s && form.set("minSeverity", s as AlertSeverity)}
            allowDeselect={false}
            error={form.errorFor("minSeverity")}
          />
          <Switch
            label="Daily digest"
            description="One e-mail a day: the last 24 hours' alerts and those still open"
            checked={v.digest}
            onChange={(e) => form.set("digest", e.currentTarget.checked)}
            error={form.errorFor("digest")}
          />
          <TextInput
            type="time"
            label="Digest time"
            value={v.digestTime}
            onChange={(e) => form.set("digestTime", e.currentTarget.value)}
            error={form.errorFor("digestTime")}
            disabled={!v.digest}
          />
          <Select
            label="Time zone"
            description="Of the digest's time and the times in your messages"
            searchable
            data={timeZones()}
            value={v.timeZone}
            onChange={(z) => z && form.set("timeZone", z)}
            allowDeselect={false}
            error={form.errorFor("timeZone")}
          />
        </SimpleGrid>
        <FormAlert form={form} />
        {saved && !form.error && (
          <Text c="green.9" size="sm" role="status">
            Saved.
          </Text>
        )}
        <FormButtons form={form} label="Save preferences" />
      </Stack>
    </form>
  );
}

export function NotificationPreferencesPage() {
  const preferences = useQuery({
    queryKey: [PATH],
    queryFn: () => api.get<NotificationPreferences>(PATH),
    staleTime: 0,
  });
  return (
    <Page
      title="My notifications"
      description="How Keyward tells you about alerts; each rule decides which alerts reach you at all."
    >
      <Section title="Alert messages">
        {preferences.data ? (
          <PreferencesForm preferences={preferences.data} />
        ) : (
          <QueryState error={preferences.error} pending={preferences.isPending} />
        )}
      </Section>
    </Page>
  );
}
