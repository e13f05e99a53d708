/** After identification: take keys, return keys, or see the keys one has out. */
import { SimpleGrid, Stack } from "@mantine/core";
import { ScreenTitle } from "../components/screen-title.tsx";
import { Tile } from "../components/tile.tsx";
import type { ScreenProps } from "../screen-props.ts";

/** The menu screen. */
export function MenuScreen({ screen, t, send }: ScreenProps<"menu">) {
  return (
    <Stack gap="xl">
      <ScreenTitle title={t.hello(screen.firstName)} subtitle={t.menuTitle} />
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="lg">
        <Tile tall title={t.take} onClick={() => void send({ type: "menu", choice: "take" })} />
        <Tile tall title={t.return} onClick={() => void send({ type: "menu", choice: "return" })} />
        <Tile
          tall
          title={t.myKeys}
          details={t.keysOut(screen.keysOut)}
          onClick={() => void send({ type: "menu", choice: "my_keys" })}
        />
      </SimpleGrid>
    </Stack>
  );
}
