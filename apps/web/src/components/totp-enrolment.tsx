/**
 * Enrolment in two-step sign-in: the server makes a secret, the user adds it to an authenticator app, and a code
 * from the app proves it before it takes effect.
 */
import { Alert, Button, Code, CopyButton, Group, PinInput, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { api } from "../api.ts";
import type { Me, TotpSetup } from "../types.ts";
import { FormAlert, useApiForm } from "./form.tsx";

export function TotpEnrolment({ onDone }: { onDone: (me: Me) => void }) {
  const setup = useMutation({ mutationFn: () => api.post<TotpSetup>("auth/totp/setup") });
  const form = useApiForm({
    initial: { code: "" },
    submit: (v) => api.post<Me>("auth/totp/confirm", { code: v.code }),
    onSuccess: onDone,
  });

  if (!setup.data) {
    return (
      <Stack>
        <Text size="sm">
          You will need an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator,
          1Password or Aegis).
        </Text>
        {setup.error && <Alert color="red">{setup.error.message}</Alert>}
        <Button onClick={() => setup.mutate()} loading={setup.isPending}>
          Start set-up
        </Button>
      </Stack>
    );
  }
  const grouped = setup.data.secret.match(/.{1,4}/g)?.join(" ") ?? setup.data.secret;
  return (
    <form onSubmit={form.onSubmit}>
      <Stack>
        <Text size="sm">
          1. In your authenticator app, add an account and type this key (time-based), or open the set-up link on the
          phone that holds the app.
        </Text>
        <Stack gap={6}>
          <Text size="xs" c="dimmed">
            Key
          </Text>
          <Group gap="xs" wrap="nowrap">
            <Code fz="md" style={{ letterSpacing: 1 }} data-testid="totp-secret">
              {grouped}
            </Code>
            <CopyButton value={setup.data.secret}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy}>
                  {copied ? "Copied" : "Copy"}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Text size="xs" c="dimmed">
            Set-up link
          </Text>
          <Code block style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>
            {setup.data.uri}
          </Code>
          <Group>
            <Button component="a" href={setup.data.uri} size="xs" variant="default">
              Open in authenticator app
            </Button>
          </Group>
        </Stack>
        <Stack gap={4}>
          <Text component="label" htmlFor="totp-confirm" size="sm" fw={500}>
            2. Enter the 6-digit code the app shows
          </Text>
          <PinInput
            id="totp-confirm"
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
        </Stack>
        <FormAlert form={form} />
        <Button type="submit" loading={form.submitting}>
          Confirm and turn on
        </Button>
      </Stack>
    </form>
  );
}
