/** Weekly access windows: for each, the days it applies and a start and end in the property's local time. */
import { ActionIcon, Button, Chip, Group, Paper, Stack, Text, TextInput } from "@mantine/core";
import { WEEKDAY_LABELS } from "../labels.ts";
import type { WeeklyWindow } from "../types.ts";

export function WindowsEditor({
  windows,
  onChange,
  errorFor,
  zone,
}: {
  windows: WeeklyWindow[];
  onChange: (windows: WeeklyWindow[]) => void;
  errorFor: (field: string) => string | undefined;
  zone: string;
}) {
  const update = (i: number, patch: Partial<WeeklyWindow>) =>
    onChange(windows.map((w, j) => (j === i ? { ...w, ...patch } : w)));
  const general = errorFor("windows");
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        Times are local to the property ({zone}). Use 24:00 for the end of the day. No window means no access.
      </Text>
      {windows.map((w, i) => {
        const daysError = errorFor(`windows.${i}.days`);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: windows have no identity but their position
          <Paper key={i} withBorder p="sm" radius="md">
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={6} style={{ flex: 1 }}>
                <Chip.Group
                  multiple
                  value={w.days.map(String)}
                  onChange={(days) => update(i, { days: days.map(Number).sort((a, b) => a - b) })}
                >
                  <Group gap={4} role="group" aria-label={`Days of window ${i + 1}`}>
                    {WEEKDAY_LABELS.map((label, d) => (
                      <Chip key={label} value={String(d + 1)} size="xs">
                        {label}
                      </Chip>
                    ))}
                  </Group>
                </Chip.Group>
                {daysError && (
                  <Text c="red" size="xs">
                    {daysError}
                  </Text>
                )}
                <Group gap="xs" align="flex-start">
                  <TextInput
                    label="From"
                    placeholder="HH:MM"
                    w={110}
                    value={w.start}
                    onChange={(e) => update(i, { start: e.currentTarget.value })}
                    error={errorFor(`windows.${i}.start`)}
                    aria-label={`Window ${i + 1} starts`}
                  />
                  <TextInput
                    label="Until"
                    placeholder="HH:MM"
                    w={110}
                    value={w.end}
                    onChange={(e) => update(i, { end: e.currentTarget.value })}
                    error={errorFor(`windows.${i}.end`)}
                    aria-label={`Window ${i + 1} ends`}
                  />
                </Group>
              </Stack>
              <ActionIcon
                variant="subtle"
                color="red"
                onClick={() => onChange(windows.filter((_, j) => j !== i))}
                aria-label={`Remove window ${i + 1}`}
              >
                ✕
              </ActionIcon>
            </Group>
          </Paper>
        );
      })}
      {general && (
        <Text c="red" size="sm">
          {general}
        </Text>
      )}
      <Group>
        <Button
          variant="light"
          size="xs"
          onClick={() => onChange([...windows, { days: [1, 2, 3, 4, 5], start: "08:00", end: "17:00" }])}
        >
          Add a window
        </Button>
      </Group>
    </Stack>
  );
}
