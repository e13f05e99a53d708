/**
 * Dual custody: the keys chosen need a witness. A second person identifies as anyone does at this cabinet (badge or
 * finger, then PIN); the agent then decides again and releases the door.
 */
import { Paper, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { Keypad } from "../components/keypad.tsx";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";
import { useCountdown } from "./identify-screen.tsx";

/** The witness screen. */
export function WitnessScreen({ screen, t, send }: ScreenProps<"witness">) {
  const [pin, setPin] = useState("");
  const wait = useCountdown(screen.waitSeconds);
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
      {wait > 0 && (
        <Paper
          role="timer"
          aria-live="polite"
          w="100%"
          maw={640}
          p="md"
          bg="yellow.1"
          style={{ border: "4px solid var(--mantine-color-orange-9)" }}
        >
          <Text fz={28} fw={700} c="dark.9" ta="center">
            {t.waitPin(wait)}
          </Text>
        </Paper>
      )}
      {wantsPin && (
        <Keypad
          label={t.witnessPinLabel}
          value={pin}
          onChange={setPin}
          t={t}
          masked
          maxLength={12}
          disabled={wait > 0}
          submitLabel={t.confirm}
          onSubmit={() => {
            const entered = pin;
            setPin("");
            void send({ type: "pin", pin: entered });
          }}
        />
      )}
    </Stack>
  );
}
