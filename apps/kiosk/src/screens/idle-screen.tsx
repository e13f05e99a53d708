/**
 * Waiting for someone: a large invitation to present a badge or finger, a button for choosing one's PIN with an
 * activation code, and — when the cabinet accepts user codes — a button that opens a keypad for one.
 */
import { Button, Center, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { Keypad } from "../components/keypad.tsx";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";

function ReaderIcon() {
  return (
    <svg width={160} height={160} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect
        x="14"
        y="6"
        width="36"
        height="52"
        rx="6"
        fill="none"
        stroke="var(--mantine-color-blue-8)"
        strokeWidth="4"
      />
      <path
        d="M24 26a8 8 0 0 1 16 0M20 22a12 12 0 0 1 24 0M28 30a4 4 0 0 1 8 0"
        fill="none"
        stroke="var(--mantine-color-blue-8)"
        strokeWidth="4"
        strokeLinecap="round"
      />
      <rect x="24" y="40" width="16" height="8" rx="2" fill="var(--mantine-color-blue-8)" />
    </svg>
  );
}

/** The idle screen. */
export function IdleScreen({ screen, t, send }: ScreenProps<"idle">) {
  const [typing, setTyping] = useState(false);
  const [code, setCode] = useState("");
  const acceptsCode = screen.accepts.includes("user_code");

  if (typing && acceptsCode) {
    return (
      <Stack align="center" gap="lg">
        <ScreenTitle title={t.enterUserCode} />
        <Keypad
          label={t.userCode}
          value={code}
          onChange={setCode}
          t={t}
          masked
          maxLength={32}
          submitLabel={t.submitCode}
          onSubmit={() => {
            const entered = code;
            setCode("");
            setTyping(false);
            void send({ type: "user_code", code: entered });
          }}
        />
        <Button
          h={72}
          fz={24}
          variant="default"
          onClick={() => {
            setCode("");
            setTyping(false);
          }}
        >
          {t.cancel}
        </Button>
      </Stack>
    );
  }
  return (
    <Center h="100%">
      <Stack align="center" gap="xl">
        <ReaderIcon />
        <ScreenTitle title={t.presentFactor} />
        <Text fz={24} c="dark.6" ta="center" maw={640}>
          {t.presentFactorHint}
        </Text>
        {acceptsCode && (
          <Button h={88} px={48} fz={30} onClick={() => setTyping(true)}>
            {t.useCode}
          </Button>
        )}
        <Button h={88} px={48} fz={30} variant="default" onClick={() => void send({ type: "set_pin" })}>
          {t.setMyPin}
        </Button>
      </Stack>
    </Center>
  );
}
