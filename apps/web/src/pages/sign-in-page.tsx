/** Sign-in: e-mail and password, then the authenticator code when the server asks for one. */
import { Anchor, Button, PasswordInput, PinInput, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { ApiError, api } from "../api.ts";
import { AuthFrame } from "../components/auth-frame.tsx";
import { FormAlert, TextField, useApiForm } from "../components/form.tsx";
import type { Me } from "../types.ts";

export function SignInPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [needsCode, setNeedsCode] = useState(false);
  const form = useApiForm({
    initial: { email: "", password: "", totp: "" },
    submit: async (v) => {
      try {
        return await api.post<Me>("auth/login", {
          email: v.email,
          password: v.password,
          ...(needsCode ? { totp: v.totp } : {}),
        });
      } catch (error) {
        // why: the first answer for a TOTP user is "code required", not a failure to show in red
        if (error instanceof ApiError && error.code === "totp_required" && !needsCode) {
          setNeedsCode(true);
          return null;
        }
        throw error;
      }
    },
    onSuccess: (me) => {
      if (me) {
        onSignedIn(me);
      }
    },
  });

  return (
    <AuthFrame
      title={needsCode ? "Enter your code" : "Sign in"}
      subtitle={needsCode ? "Open your authenticator app and enter the 6-digit code for Keyward." : undefined}
    >
      <form onSubmit={form.onSubmit} noValidate>
        <Stack>
          {!needsCode ? (
            <>
              <TextField
                form={form}
                field="email"
                label="E-mail"
                type="email"
                autoComplete="username"
                required
                data-autofocus
                autoFocus
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                required
                value={form.values.password}
                onChange={(e) => form.set("password", e.currentTarget.value)}
                error={form.errorFor("password")}
              />
            </>
          ) : (
            <Stack gap={4}>
              <Text component="label" htmlFor="totp-code" size="sm" fw={500}>
                Authenticator code
              </Text>
              <PinInput
                id="totp-code"
                length={6}
                type="number"
                oneTimeCode
                autoFocus
                value={form.values.totp}
                onChange={(v) => form.set("totp", v)}
                error={Boolean(form.errorFor("totp"))}
                aria-label="Authenticator code"
              />
              {form.errorFor("totp") && (
                <Text c="red" size="sm">
                  {form.errorFor("totp")}
                </Text>
              )}
            </Stack>
          )}
          <FormAlert form={form} />
          <Button type="submit" loading={form.submitting} fullWidth>
            {needsCode ? "Verify and sign in" : "Sign in"}
          </Button>
          {needsCode && (
            <Anchor
              component="button"
              type="button"
              size="sm"
              onClick={() => {
                setNeedsCode(false);
                form.set("totp", "");
              }}
            >
              Use another account
            </Anchor>
          )}
        </Stack>
      </form>
    </AuthFrame>
  );
}
