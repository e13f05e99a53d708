/**
 * Typing a PIN: a masked keypad, and after repeated wrong PINs the agent's countdown, during which the keypad waits.
 * Used by whoever identifies — the person at the console and a witness alike.
 */
import { Paper, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import type { ScreenProps } from "../screen-props.ts";
import { Keypad } from "./keypad.tsx";

/**
 * The longest PIN the keypad takes: the longest PIN one may choose (`PIN_MAX_LENGTH` in `@keyward/domain/pin-rules`,
 * 12) and one digit more. why: a person under duress types their PIN then 9, which a 12-digit PIN must still allow
 */
const PIN_ENTRY_MAX_LENGTH = 13;

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

/** The countdown (when there is one) and, when `withKeypad`, the PIN keypad that sends `{type: "pin"}`. */
export function PinEntry({
  waitSeconds,
  withKeypad,
  label,
  submitLabel,
  t,
  send,
}: {
  waitSeconds: number | null;
  withKeypad: boolean;
  label: string;
  submitLabel: string;
  t: ScreenProps<"identify">["t"];
  send: ScreenProps<"identify">["send"];
}) {
  const [pin, setPin] = useState("");
  const wait = useCountdown(waitSeconds);
  return (
    <>
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
      {withKeypad && (
        <Keypad
          label={label}
          value={pin}
          onChange={setPin}
          t={t}
          masked
          maxLength={PIN_ENTRY_MAX_LENGTH}
          disabled={wait > 0}
          submitLabel={submitLabel}
          onSubmit={() => {
            const entered = pin;
            setPin("");
            void send({ type: "pin", pin: entered });
          }}
        />
      )}
    </>
  );
}
