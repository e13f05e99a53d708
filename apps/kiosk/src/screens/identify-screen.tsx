/**
 * The second factor: a PIN keypad with masked dots when the policy asks for a PIN, and prompts for a badge or a
 * finger when it asks for those. After repeated wrong PINs the keypad waits out the agent's countdown.
 */
import { Paper, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { Keypad } from "../components/keypad.tsx";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";

/** Counts down from the agent's `waitSeconds` each time a new value arrives. */
export function useCountdown(seconds: number | null): number {
  const [left, setLeft] = useState(seconds ?? 0);
  useEffect(() => {
    setLeft(seconds ?? 0);
    if (!seconds) {
      return;
    }
    const started = Date.now();
    const timer = setInterval(() => {
      const remaining = Math.max(0, seconds - Math.floor((Date.now() - started) / 1000));
      setLeft(remaining);
      if (remaining === 0) {
        clearInterval(timer);
      }
    }, 250);
    return () => clearInterval(timer);
  }, [seconds]);
  return left;
}

/** The identify screen. */
export function IdentifyScreen({ screen, t, send }: ScreenProps<"identify">) {
  const [pin, setPin] = useState("");
  const wait = useCountdown(screen.waitSeconds);
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
          label={t.pin}
          value={pin}
          onChange={setPin}
          t={t}
          masked
          maxLength={12}
          disabled={wait > 0}
          submitLabel={t.submitPin}
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
