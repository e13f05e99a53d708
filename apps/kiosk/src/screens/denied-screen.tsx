/**
 * A refusal: the agent's sentence (it says what to do next) shown large, and one big OK that goes where the agent
 * says the next touch goes — back to choosing keys, or back to the start.
 */
import { Button, Center, Paper, Stack, Text } from "@mantine/core";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";

/** The denied screen. */
export function DeniedScreen({ screen, t, send }: ScreenProps<"denied">) {
  return (
    <Center h="100%">
      <Stack align="center" gap="xl" maw={820}>
        <ScreenTitle title={t.deniedTitle} />
        <Paper
          p="xl"
          radius="lg"
          bg="red.0"
          role="alert"
          style={{ border: "4px solid var(--mantine-color-red-9)" }}
          data-code={screen.code}
        >
          <Text fz={34} fw={700} c="dark.9" ta="center" lh={1.3}>
            {screen.message}
          </Text>
        </Paper>
        <Text fz={24} c="dark.7">
          {screen.next === "menu" ? t.deniedNextMenu : t.deniedNextIdle}
        </Text>
        <Button
          h={96}
          w={320}
          fz={36}
          onClick={() => void send(screen.next === "menu" ? { type: "back" } : { type: "cancel" })}
        >
          {t.ok}
        </Button>
      </Stack>
    </Center>
  );
}
