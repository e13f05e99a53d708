/** Ordinary access has stopped (no permissions, or permissions too old): a full-screen message that says why. */
import { Center, Paper, Stack, Text } from "@mantine/core";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";

/** The stopped screen. */
export function StoppedScreen({ screen, t }: ScreenProps<"stopped">) {
  return (
    <Center h="100%">
      <Stack align="center" gap="xl" maw={860}>
        <ScreenTitle title={t.stoppedTitle} />
        <Paper
          p="xl"
          radius="lg"
          bg="orange.0"
          role="alert"
          style={{ border: "4px solid var(--mantine-color-orange-9)" }}
        >
          <Text fz={34} fw={700} c="dark.9" ta="center" data-code={screen.code}>
            {screen.message}
          </Text>
        </Paper>
        <Text fz={24} c="dark.7" ta="center">
          {t.stoppedHelp}
        </Text>
      </Stack>
    </Center>
  );
}
