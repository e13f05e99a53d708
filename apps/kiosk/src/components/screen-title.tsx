/** A screen's heading: large enough to read at arm's length, with an optional line under it. */
import { Stack, Text, Title } from "@mantine/core";

/** The heading of a screen. */
export function ScreenTitle({ title, subtitle }: { title: string; subtitle?: string | null }) {
  return (
    <Stack gap={6} align="center" ta="center">
      <Title order={2} fz={44} lh={1.15} c="dark.9">
        {title}
      </Title>
      {subtitle && (
        <Text fz={24} c="dark.6">
          {subtitle}
        </Text>
      )}
    </Stack>
  );
}
