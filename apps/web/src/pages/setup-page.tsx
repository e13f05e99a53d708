/** First run: an empty Keyward creates its organization and first administrator here. */
import { PASSWORD_MIN_LENGTH } from "@keyward/domain/password-rules";
import { PasswordInput, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { api } from "../api.ts";
import { AuthFrame } from "../components/auth-frame.tsx";
import { FormAlert, FormButtons, useApiForm } from "../components/form.tsx";
import type { Me } from "../types.ts";

export function SetupPage({ onDone }: { onDone: (me: Me) => void }) {
  const form = useApiForm({
    initial: { organizationName: "", firstName: "", lastName: "", email: "", password: "" },
    submit: (v) => api.post<Me>("setup", v),
    onSuccess: onDone,
  });
  const text = (field: keyof typeof form.values, label: string, extra: Record<string, string> = {}) => (
    <TextInput
      label={label}
      required
      value={form.values[field]}
      onChange={(e) => form.set(field, e.currentTarget.value)}
      error={form.errorFor(field)}
      {...extra}
    />
  );
  return (
    <AuthFrame
      title="Set up Keyward"
      subtitle="This Keyward has no organization yet. Create it and its first administrator; you will be signed in."
    >
      <form onSubmit={form.onSubmit} noValidate>
        <Stack>
          {text("organizationName", "Organization name", { placeholder: "e.g. Riverside Property Management" })}
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            {text("firstName", "First name", { autoComplete: "given-name" })}
            {text("lastName", "Last name", { autoComplete: "family-name" })}
          </SimpleGrid>
          {text("email", "E-mail (your sign-in)", { type: "email", autoComplete: "username" })}
          <PasswordInput
            label="Password"
            required
            autoComplete="new-password"
            description={`At least ${PASSWORD_MIN_LENGTH} characters; a passphrase of a few words is easiest to remember.`}
            value={form.values.password}
            onChange={(e) => form.set("password", e.currentTarget.value)}
            error={form.errorFor("password")}
          />
          <FormAlert form={form} />
          <Text size="xs" c="dimmed">
            Everything you do in Keyward is recorded in its tamper-evident history, starting with this.
          </Text>
          <FormButtons form={form} label="Create organization" />
        </Stack>
      </form>
    </AuthFrame>
  );
}
