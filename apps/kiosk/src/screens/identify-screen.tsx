/**
 * The second factor: a PIN keypad with masked dots when the policy asks for a PIN, and prompts for a badge or a
 * finger when it asks for those. After repeated wrong PINs the keypad waits out the agent's countdown.
 */
import { Stack, Text } from "@mantine/core";
import { PinEntry } from "../components/pin-entry.tsx";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";

/** The identify screen. */
export function IdentifyScreen({ screen, t, send }: ScreenProps<"identify">) {
  const wantsPin = screen.needs.includes("pin");
  const prompts = screen.needs.filter((n) => n !== "pin").map((n) => t.needs[n]);

  return (
    <Stack align="center" gap="lg">
      <ScreenTitle title={t.hello(screen.firstName)} subtitle={wantsPin ? t.enterPin : prompts.join(` ${t.orJoin} `)} />
      {wantsPin && prompts.length > 0 && (
        <Text fz={24} fw={600} c="blue.9">
          {t.orJoin} {prompts.join(` ${t.orJoin} `).toLowerCase()}
        </Text>
      )}
      <PinEntry
        waitSeconds={screen.waitSeconds}
        withKeypad={wantsPin}
        label={t.pin}
        submitLabel={t.submitPin}
        t={t}
        send={send}
      />
    </Stack>
  );
}
