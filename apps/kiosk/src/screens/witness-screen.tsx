/**
 * Dual custody: the keys chosen need a witness. A second person identifies as anyone does at this cabinet (badge or
 * finger, then PIN); the agent then decides again and releases the door.
 */
import { Stack, Text } from "@mantine/core";
import { PinEntry } from "../components/pin-entry.tsx";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";

/** The witness screen. */
export function WitnessScreen({ screen, t, send }: ScreenProps<"witness">) {
  const wantsPin = screen.needs.includes("pin") && screen.firstName !== null;
  const prompts = screen.needs.filter((n) => n !== "pin").map((n) => t.needs[n]);

  return (
    <Stack align="center" gap="lg">
      <ScreenTitle
        title={screen.firstName ? t.witnessHello(screen.firstName) : t.witnessTitle}
        subtitle={wantsPin ? t.witnessPin : t.witnessPresent}
      />
      {!wantsPin && prompts.length > 0 && (
        <Text fz={24} fw={600} c="blue.9">
          {prompts.join(` ${t.orJoin} `)}
        </Text>
      )}
      <PinEntry
        waitSeconds={screen.waitSeconds}
        withKeypad={wantsPin}
        label={t.witnessPinLabel}
        submitLabel={t.confirm}
        t={t}
        send={send}
      />
    </Stack>
  );
}
