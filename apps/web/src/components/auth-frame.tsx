/** The centred card that sign-in, first-run set-up and enrolment share. */
import { Box, Center, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { type ReactNode, useEffect } from "react";
import { Logo } from "./logo.tsx";

export function AuthFrame({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Keyward`;
  }, [title]);
  return (
    <Box bg="gray.0" mih="100vh">
      <Center mih="100vh" p="md">
        <Stack w="100%" maw={440} gap="lg">
          <Group gap="xs" justify="center">
            <Logo size={30} />
            <Text fw={700} fz={22}>
              Keyward
            </Text>
          </Group>
          <Paper withBorder shadow="sm" p={{ base: "lg", sm: "xl" }} radius="md" component="main">
            <Title order={1} fz={22} mb={4}>
              {title}
            </Title>
            {subtitle && (
              <Text c="dimmed" size="sm" mb="md">
                {subtitle}
              </Text>
            )}
            {children}
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
