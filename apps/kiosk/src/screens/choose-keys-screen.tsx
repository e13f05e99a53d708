/**
 * The first screen after identification, built for the usual errand — taking keys: a unit-number keypad finds a
 * unit's keys; each key is a large toggle tile with its label, kind and hook, or — when it cannot be taken now — the
 * reason, and disabled. Continue goes on to the reason (a unit with one key to take goes there by itself). Beside
 * the keypad, two large buttons lead to returning keys and to the keys the person has out.
 */
import { Button, Group, SimpleGrid, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { Keypad } from "../components/keypad.tsx";
import { ScreenTitle } from "../components/screen-title.tsx";
import { Tile } from "../components/tile.tsx";
import { kindName } from "../i18n.ts";
import type { ScreenProps } from "../screen-props.ts";

/** The choose-keys screen. */
export function ChooseKeysScreen({ screen, t, send }: ScreenProps<"choose_keys">) {
  const [unit, setUnit] = useState("");
  const selected = new Set(screen.selected);
  // why: the selection is the visit's, not the unit's — keys chosen under one unit stay chosen under the next
  const count = screen.selected.length;

  return (
    <Stack gap="lg">
      <ScreenTitle title={screen.firstName ? t.helloWhichKeys(screen.firstName) : t.chooseKeysTitle} />
      <Group align="flex-start" gap="xl" wrap="wrap" justify="center">
        <Keypad
          label={t.unitNumber}
          value={unit}
          onChange={setUnit}
          t={t}
          letters
          maxLength={16}
          submitLabel={t.findUnit}
          onSubmit={() => void send({ type: "find_unit", number: unit })}
          below={
            <SimpleGrid cols={2} spacing="md" mt="sm">
              <Tile title={t.return} onClick={() => void send({ type: "menu", choice: "return" })} />
              <Tile
                title={t.myKeysCount(screen.keysOut ?? null)}
                onClick={() => void send({ type: "menu", choice: "my_keys" })}
              />
            </SimpleGrid>
          }
        />
        <Stack gap="md" style={{ flex: "1 1 420px" }} miw={0}>
          <Text fz={26} fw={700} c="dark.8" role="heading" aria-level={3}>
            {screen.unitNumber ? t.keysForUnit(screen.unitNumber) : t.enterUnit}
          </Text>
          {screen.unitNumber !== null && screen.keys.length === 0 && (
            <Text fz={22} c="dark.6">
              {t.noKeys}
            </Text>
          )}
          <Stack gap="sm" role="group" aria-label={t.chooseAKey}>
            {screen.keys.map((key) => (
              <Tile
                key={key.id}
                title={key.label}
                details={`${kindName(t, key.kind)} · ${key.hook === null ? t.notOnHook : t.hook(key.hook)}`}
                pressed={selected.has(key.id)}
                disabled={key.unavailable !== null}
                reason={key.unavailable?.message ?? null}
                onClick={() => void send({ type: "toggle_key", keyId: key.id })}
              />
            ))}
          </Stack>
          <Button h={88} fz={28} disabled={count === 0} onClick={() => void send({ type: "confirm_keys" })}>
            {count === 0 ? t.chooseAKey : t.continueWith(count)}
          </Button>
        </Stack>
      </Group>
    </Stack>
  );
}
