/** The simulated cabinet's door: drawn open or closed, its lock state in words, and buttons to move it by hand. */
import { Badge, Button, Group, Stack, Text } from "@mantine/core";
import type { SimProps } from "./sim-props.ts";

function DoorSvg({ open, locked }: { open: boolean; locked: boolean }) {
  return (
    <svg width={96} height={120} viewBox="0 0 96 120" aria-hidden="true" focusable="false">
      <rect x="4" y="4" width="88" height="112" rx="4" fill="#343a40" />
      {open ? (
        <polygon points="8,8 40,20 40,112 8,112" fill="#adb5bd" stroke="#212529" strokeWidth="2" />
      ) : (
        <rect x="8" y="8" width="80" height="104" rx="2" fill="#dee2e6" stroke="#212529" strokeWidth="2" />
      )}
      {!open && <circle cx="78" cy="60" r="5" fill={locked ? "#c92a2a" : "#2b8a3e"} />}
    </svg>
  );
}

/** The door part of the demo panel. */
export function DoorDrawing({ sim, t, simulate }: SimProps) {
  const { open, locked } = sim.door;
  return (
    <Group gap="md" wrap="nowrap" align="center">
      <DoorSvg open={open} locked={locked} />
      <Stack gap={6}>
        <Text fw={700}>{t.door}</Text>
        <Group gap={6}>
          <Badge
            size="lg"
            color={locked ? "red.9" : "green.9"}
            aria-label={`${t.door}: ${locked ? t.locked : t.unlocked}`}
          >
            {locked ? t.locked : t.unlocked}
          </Badge>
          <Badge size="lg" color={open ? "yellow.4" : "gray.7"} c={open ? "dark.9" : "white"}>
            {open ? t.open : t.closed}
          </Badge>
        </Group>
        {open ? (
          <Button h={48} color="dark" onClick={() => void simulate({ type: "door", open: false })}>
            {t.closeDoor}
          </Button>
        ) : (
          <Button
            h={48}
            color={locked ? "red.9" : "dark"}
            variant={locked ? "outline" : "filled"}
            onClick={() => void simulate({ type: "door", open: true })}
          >
            {locked ? t.forceDoor : t.openDoor}
          </Button>
        )}
      </Stack>
    </Group>
  );
}
