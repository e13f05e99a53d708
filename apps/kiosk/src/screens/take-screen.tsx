/**
 * The door is released: each granted key's hook is named in large numbers (tags are anonymous, so the hook is how the
 * person finds the key), ticked once lifted, then "close the door".
 */
import { Group, Stack, Text } from "@mantine/core";
import { DoorStatus } from "../components/door-status.tsx";
import { HookNumber } from "../components/hook-number.tsx";
import { ScreenTitle } from "../components/screen-title.tsx";
import { formatWhen } from "../format.ts";
import type { ScreenProps } from "../screen-props.ts";

/** The take screen. */
export function TakeScreen({ screen, t, language, timeZone }: ScreenProps<"take">) {
  const allTaken = screen.hooks.every((h) => h.taken);
  return (
    <Stack gap="lg">
      <ScreenTitle
        title={t.takeTitle}
        subtitle={screen.dueAt ? t.dueBack(formatWhen(screen.dueAt, language, timeZone)) : null}
      />
      <Stack gap="md" role="list">
        {screen.hooks.map((h) => (
          <Group
            key={`${h.hook}-${h.keyId}`}
            role="listitem"
            aria-label={`${t.takeKey(h.label, h.hook)}: ${h.taken ? t.taken : t.waiting}`}
            gap="lg"
            wrap="nowrap"
            p="md"
            bg={h.taken ? "gray.1" : "white"}
            style={{ borderRadius: 16, border: "3px solid var(--mantine-color-dark-3)" }}
          >
            <HookNumber hook={h.hook} lit={!h.taken} done={h.taken} color="green" />
            <Stack gap={4}>
              <Text fz={34} fw={700} c="dark.9" lh={1.2}>
                {t.takeKey(h.label, h.hook)}
              </Text>
              <Text fz={24} fw={600} c={h.taken ? "dark.7" : "green.9"}>
                {h.taken ? t.taken : t.waiting}
              </Text>
            </Stack>
          </Group>
        ))}
      </Stack>
      <Group justify="space-between" wrap="wrap">
        <Text fz={allTaken ? 36 : 28} fw={700} c="dark.9">
          {t.closeDoor}
        </Text>
        <DoorStatus open={screen.doorOpen} t={t} />
      </Group>
    </Stack>
  );
}
