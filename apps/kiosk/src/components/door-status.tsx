/** Whether the cabinet's door is open, in words and a shape (never colour alone). */
import { Group, Text } from "@mantine/core";
import type { Messages } from "../i18n.ts";

/** A large door-open / door-closed indicator. */
export function DoorStatus({ open, t }: { open: boolean; t: Messages }) {
  return (
    <Group
      gap="sm"
      px="lg"
      py="sm"
      role="status"
      aria-label={open ? t.doorOpen : t.doorClosed}
      bg={open ? "yellow.2" : "gray.2"}
      style={{ borderRadius: 12, border: "3px solid var(--mantine-color-dark-6)" }}
    >
      <Text fz={26} fw={700} c="dark.9">
        {open ? t.doorOpen : t.doorClosed}
      </Text>
    </Group>
  );
}
