/**
 * A large on-screen keypad for PINs, user codes, unit numbers and work orders: digits, and letters on demand for
 * values such as unit "A101". Keys are at least 64 px square so a gloved finger hits one key. A hardware keyboard
 * (the cabinet's keypad is one) types into it too.
 */
import { Box, Button, Group, SimpleGrid, Stack, Text } from "@mantine/core";
import { type ReactNode, useEffect, useState } from "react";
import type { Messages } from "../i18n.ts";

const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-".split("");

/** What a keypad edits and how it shows and submits its value. */
export interface KeypadProps {
  /** Names the value for assistive technology ("PIN", "Unit number"). */
  label: string;
  value: string;
  onChange: (value: string) => void;
  onSubmit: () => void;
  submitLabel: string;
  t: Messages;
  maxLength?: number;
  /** Shows dots instead of the characters (PINs). */
  masked?: boolean;
  /** Offers letters as well as digits. */
  letters?: boolean;
  disabled?: boolean;
  /** Drawn under the submit button, as wide as the keypad (the choose-keys screen's other choices). */
  below?: ReactNode;
}

function Display({ label, value, masked, t }: { label: string; value: string; masked: boolean; t: Messages }) {
  return (
    <Box
      role="status"
      aria-label={masked ? `${label}: ${t.pinDigits(value.length)}` : `${label}: ${value}`}
      bg="white"
      px="lg"
      style={{
        border: "3px solid var(--mantine-color-dark-6)",
        borderRadius: 12,
        minHeight: 80,
        display: "flex",
        alignItems: "center",
        justifyContent: "center",
        letterSpacing: masked ? "0.35em" : "0.08em",
      }}
    >
      <Text fz={44} fw={700} c="dark.9" ff="monospace" aria-hidden="true">
        {masked ? "●".repeat(value.length) : value}
        {value.length === 0 && (
          <Text span fz={28} fw={500} c="gray.7" ff="inherit">
            {label}
          </Text>
        )}
      </Text>
    </Box>
  );
}

/** A keypad with its display, edit keys and a submit button. */
export function Keypad({
  label,
  value,
  onChange,
  onSubmit,
  submitLabel,
  t,
  maxLength = 12,
  masked = false,
  letters = false,
  disabled = false,
  below,
}: KeypadProps) {
  const [showLetters, setShowLetters] = useState(false);
  const type = (ch: string) => {
    if (!disabled && value.length < maxLength) {
      onChange(value + ch);
    }
  };
  const erase = () => onChange(value.slice(0, -1));

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (disabled || event.target instanceof HTMLInputElement) {
        return;
      }
      const ch = event.key.toUpperCase();
      if (/^[0-9]$/.test(ch) || (letters && /^[A-Z-]$/.test(ch))) {
        event.preventDefault();
        if (value.length < maxLength) {
          onChange(value + ch);
        }
      } else if (event.key === "Backspace") {
        onChange(value.slice(0, -1));
      } else if (event.key === "Enter" && value.length > 0) {
        onSubmit();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [disabled, letters, maxLength, onChange, onSubmit, value]);

  const key = (ch: string) => (
    <Button key={ch} variant="default" fz={32} h={72} onClick={() => type(ch)} disabled={disabled} aria-label={ch}>
      {ch}
    </Button>
  );

  return (
    <Stack gap="sm" w="100%" maw={showLetters ? 640 : 420}>
      <Display label={label} value={value} masked={masked} t={t} />
      <Box role="group" aria-label={label}>
        {showLetters ? (
          <SimpleGrid cols={7} spacing={8}>
            {LETTERS.map(key)}
          </SimpleGrid>
        ) : (
          <SimpleGrid cols={3} spacing={8}>
            {DIGITS.map(key)}
            {letters ? (
              <Button variant="default" h={72} fz={22} onClick={() => setShowLetters(true)} disabled={disabled}>
                {t.letters}
              </Button>
            ) : (
              <Button variant="default" h={72} fz={20} onClick={() => onChange("")} disabled={disabled}>
                {t.clear}
              </Button>
            )}
            {key("0")}
            <Button variant="default" h={72} fz={32} onClick={erase} disabled={disabled} aria-label={t.delete}>
              ⌫
            </Button>
          </SimpleGrid>
        )}
        {showLetters && (
          <Group grow mt={8}>
            <Button variant="default" h={72} fz={22} onClick={() => setShowLetters(false)}>
              {t.digits}
            </Button>
            <Button variant="default" h={72} fz={32} onClick={erase} disabled={disabled} aria-label={t.delete}>
              ⌫
            </Button>
          </Group>
        )}
      </Box>
      <Button h={80} fz={28} onClick={onSubmit} disabled={disabled || value.length === 0}>
        {submitLabel}
      </Button>
      {below}
    </Stack>
  );
}
