/** A person's dashboard login: create it, change its e-mail or password, deactivate or reactivate it. */
import { PASSWORD_MIN_LENGTH } from "@keyward/domain/password-rules";
import { Button, Group, PasswordInput, SimpleGrid, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { api } from "../api.ts";
import { formatInstant } from "../format.ts";
import { useInvalidate, useOptionsList } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Person, User } from "../types.ts";
import { FormAlert, FormButtons, TextField, useApiForm } from "./form.tsx";
import { HistoryList } from "./history-list.tsx";
import { QueryState } from "./page.tsx";
import { StatusBadge } from "./status-badge.tsx";

function LoginForm({ person, user }: { person: Person; user: User | null }) {
  const invalidate = useInvalidate();
  const session = useSession();
  // why: the server asks for the current password when you change your own, so a borrowed session cannot keep it
  const own = user !== null && user.id === session.me.user.id;
  const form = useApiForm({
    initial: { email: user?.email ?? person.email ?? "", password: "", currentPassword: "" },
    submit: (v) =>
      user
        ? api.patch<User>(`users/${user.id}`, {
            ...(v.email !== user.email ? { email: v.email } : {}),
            ...(v.password ? { password: v.password } : {}),
            ...(own && v.password ? { currentPassword: v.currentPassword } : {}),
          })
        : api.post<User>("users", { personId: person.id, email: v.email, password: v.password }),
    onSuccess: async () => {
      notifications.show({ color: "green", message: user ? "Login saved." : "Login created." });
      await invalidate("users");
    },
  });
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <SimpleGrid cols={{ base: 1, xs: 2 }}>
        <TextField form={form} field="email" label="E-mail (sign-in)" type="email" required autoComplete="off" />
        <PasswordInput
          label={user ? "New password" : "Password"}
          description={
            user
              ? "Leave empty to keep the current one; changing it ends the login's other sessions"
              : `At least ${PASSWORD_MIN_LENGTH} characters`
          }
          required={!user}
          autoComplete="new-password"
          value={form.values.password}
          onChange={(e) => form.set("password", e.currentTarget.value)}
          error={form.errorFor("password")}
        />
        {own && (
          <PasswordInput
            label="Current password"
            description="Needed to choose a new password for your own login"
            autoComplete="current-password"
            value={form.values.currentPassword}
            onChange={(e) => form.set("currentPassword", e.currentTarget.value)}
            error={form.errorFor("currentPassword")}
          />
        )}
      </SimpleGrid>
      <FormAlert form={form} />
      <FormButtons form={form} label={user ? "Save login" : "Create login"} />
    </form>
  );
}

export function LoginPanel({ person }: { person: Person }) {
  const session = useSession();
  const invalidate = useInvalidate();
  const users = useOptionsList<User>("users", { personId: person.id });
  const user = users.data?.[0] ?? null;
  const canCreate = session.can("create", "user", person.homePropertyId);
  const canUpdate = session.can("update", "user", person.homePropertyId);
  const setActive = useMutation({
    mutationFn: (verb: "deactivate" | "reactivate") => api.post<User>(`users/${user?.id}/${verb}`),
    onSuccess: async (u) => {
      notifications.show({
        color: "green",
        message: u.status === "active" ? "Login reactivated." : "Login deactivated.",
      });
      await invalidate("users");
    },
    onError: (error) => notifications.show({ color: "red", title: "Not changed", message: error.message }),
  });
  if (!users.data) {
    return <QueryState error={users.error} pending={users.isPending} />;
  }
  if (!user) {
    return (
      <Stack>
        <Text size="sm" c="dimmed">
          {person.firstName} has no dashboard login. Cabinets need none: badges and PINs are enough there.
        </Text>
        {canCreate && person.status === "active" && <LoginForm person={person} user={null} />}
      </Stack>
    );
  }
  const zone = session.zoneOf(person.homePropertyId);
  return (
    <Stack>
      <Group gap="lg">
        <StatusBadge status={user.status} />
        <Text size="sm">{user.email}</Text>
        <Text size="sm" c="dimmed">
          Two-step sign-in: {user.totpEnabled ? "on" : "off"}
        </Text>
        <Text size="sm" c="dimmed">
          Last sign-in: {formatInstant(user.lastLoginAt, zone)}
        </Text>
      </Group>
      {canUpdate && (
        <>
          <LoginForm key={user.updatedAt} person={person} user={user} />
          <Group>
            {user.status === "active" ? (
              <Button
                color="red"
                variant="light"
                onClick={() => setActive.mutate("deactivate")}
                loading={setActive.isPending}
              >
                Deactivate login
              </Button>
            ) : (
              <Button variant="light" onClick={() => setActive.mutate("reactivate")} loading={setActive.isPending}>
                Reactivate login
              </Button>
            )}
          </Group>
        </>
      )}
      <Text size="sm" fw={600} mt="sm">
        Login history
      </Text>
      <HistoryList entityType="user" entityId={user.id} />
    </Stack>
  );
}
