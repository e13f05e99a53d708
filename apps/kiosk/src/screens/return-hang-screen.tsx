/** Returning: the agent picked a free hook and lit it blue; the person hangs the key there. */
import { Group, Stack, Text } from "@mantine/core";
import { DoorStatus } from "../components/door-status.tsx";
import { HookNumber } from "../components/hook-number.tsx";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";

/** The return-hang screen. */
export function ReturnHangScreen({ screen, t }: ScreenProps<"return_hang">) {
  return (
    <Stack gap="xl" align="center">
      <ScreenTitle title={t.returnHangTitle(screen.hook)} subtitle={t.returnHangKey(screen.label)} />
      <Group gap="xl" wrap="nowrap">
        <HookNumber hook={screen.hook} lit={!screen.hung} done={screen.hung} color="blue" />
        <Text fz={32} fw={700} c={screen.hung ? "dark.8" : "blue.9"} role="status">
          {screen.hung ? t.hung : t.hangWaiting}
        </Text>
      </Group>
      <Text fz={28} fw={700} c="dark.9">
        {t.closeDoor}
      </Text>
      <DoorStatus open={screen.doorOpen} t={t} />
    </Stack>
  );
}
