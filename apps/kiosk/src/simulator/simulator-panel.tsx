/** The demo's drawing of the simulated cabinet beside the console: door, credentials, tag reader and hooks. */
import { Alert, Divider, Paper, Stack, Text, Title } from "@mantine/core";
import { CredentialPresets } from "./credential-presets.tsx";
import { DoorDrawing } from "./door-drawing.tsx";
import { HookBoard } from "./hook-board.tsx";
import type { SimProps } from "./sim-props.ts";
import { TagScanner } from "./tag-scanner.tsx";

/** The simulator panel. */
export function SimulatorPanel({
  refusal,
  returning,
  ...props
}: SimProps & { refusal: string | null; returning: string | null }) {
  return (
    <Paper component="aside" aria-label={props.t.title} p="md" radius="md" withBorder bg="gray.0">
      <Stack gap="md">
        <div>
          <Title order={2} fz={22}>
            {props.t.title}
          </Title>
          <Text fz="sm" c="dark.6">
            {props.t.subtitle}
          </Text>
        </div>
        {refusal && (
          <Alert color="red.9" variant="outline" role="alert">
            <Text fw={600} c="dark.9">
              {refusal}
            </Text>
          </Alert>
        )}
        <DoorDrawing {...props} />
        <Divider />
        <CredentialPresets {...props} />
        <Divider />
        <TagScanner {...props} />
        <Divider />
        <HookBoard {...props} returning={returning} />
      </Stack>
    </Paper>
  );
}
