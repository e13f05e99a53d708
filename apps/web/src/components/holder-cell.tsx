/** Who holds a key, with the flags a manager must see: nobody identified, or taken without being granted. */
import { Badge, Group } from "@mantine/core";
import { UNKNOWN_HOLDER } from "../custody.ts";
import { TONES } from "../labels.ts";
import type { Checkout } from "../types.ts";
import { AppLink } from "./app-link.tsx";

export function HolderCell({ checkout }: { checkout: Checkout }) {
  if (!checkout.holder) {
    return (
      <Badge color="red.9" variant="filled" radius="sm" style={{ whiteSpace: "normal" }}>
        {UNKNOWN_HOLDER}
      </Badge>
    );
  }
  return (
    <Group gap={6} wrap="wrap">
      <AppLink to={`/people/${checkout.holder.id}`}>{checkout.holder.name}</AppLink>
      {!checkout.authorized && (
        <Badge color={TONES.warning} variant="filled" radius="sm">
          Not granted
        </Badge>
      )}
    </Group>
  );
}
