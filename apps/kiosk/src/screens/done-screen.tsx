/** The visit is over: the agent's closing sentence, and a button that ends it at once. */
import { Button, Center, Stack, Text, ThemeIcon } from "@mantine/core";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";

/** The done screen. */
export function DoneScreen({ screen, t, send }: ScreenProps<"done">) {
  return (
    <Center h="100%">
      <Stack align="center" gap="xl">
        <ThemeIcon size={140} radius={70} color="green.9" aria-hidden="true">
          <Text fz={96} fw={800} c="white" lh={1}>
            ✓
          </Text>
        </ThemeIcon>
        <ScreenTitle title={t.doneTitle} />
        <Text fz={32} fw={600} c="dark.9" ta="center" maw={760} role="status">
          {screen.message}
        </Text>
        <Button h={88} w={280} fz={30} onClick={() => void send({ type: "cancel" })}>
          {t.ok}
        </Button>
      </Stack>
    </Center>
  );
}
