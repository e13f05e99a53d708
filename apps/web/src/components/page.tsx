/** The frame every screen shares: a title, an optional description, actions on the right. */
import { Alert, Center, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { type ReactNode, useEffect } from "react";

export function Page({
  title,
  description,
  actions,
  children,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Keyward`;
  }, [title]);
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div>
          <Title order={1} fz={{ base: 22, sm: 26 }}>
            {title}
          </Title>
          {description && (
            <Text c="dimmed" size="sm" mt={4}>
              {description}
            </Text>
          )}
        </div>
        {actions && <Group gap="xs">{actions}</Group>}
      </Group>
      {children}
    </Stack>
  );
}

/** Loading and error states of a query, so screens render only with data. */
export function QueryState({ error, pending }: { error: Error | null; pending: boolean }) {
  if (error) {
    return (
      <Alert color="red" title="Could not load">
        {error.message}
      </Alert>
    );
  }
  if (pending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  return null;
}
