/**
 * The console's tag reader: one button per key in hand (named by its label — the tag itself is anonymous) and a box
 * for any other code, such as a tag the cabinet does not know.
 */
import { Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import type { SimProps } from "./sim-props.ts";

/** The tag-scan part of the demo panel. */
export function TagScanner({ sim, t, simulate }: SimProps) {
  const [code, setCode] = useState("");
  return (
    <Stack gap={6}>
      <Text fw={700}>{t.scan}</Text>
      <Group gap={6}>
        {sim.inHand.map((k) => (
          <Button
            key={k.tag}
            h={44}
            variant="default"
            aria-label={t.scanKey(k.label ?? k.tag)}
            onClick={() => void simulate({ type: "tag", code: k.tag })}
          >
            {k.label ?? k.tag}
          </Button>
        ))}
      </Group>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (code.trim()) {
            void simulate({ type: "tag", code: code.trim() });
            setCode("");
          }
        }}
      >
        <Group gap={6} wrap="nowrap" align="flex-end">
          <TextInput
            label={t.tagCode}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            size="md"
            style={{ flex: 1 }}
          />
          <Button type="submit" h={42} color="dark" disabled={!code.trim()}>
            {t.scanTyped}
          </Button>
        </Group>
      </form>
    </Stack>
  );
}
