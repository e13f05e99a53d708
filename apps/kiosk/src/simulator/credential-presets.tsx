/** The demo people: present one's badge or finger to the cabinet's readers; their PIN is shown as a hint to type. */
import { Button, Group, Stack, Text } from "@mantine/core";
import type { SimProps } from "./sim-props.ts";

/** The credentials part of the demo panel. */
export function CredentialPresets({ sim, t, simulate }: SimProps) {
  return (
    <Stack gap={6}>
      <Text fw={700}>{t.people}</Text>
      {sim.presets.map((p) => (
        <Group key={p.label} gap={6} wrap="wrap" justify="space-between">
          <Text fw={600} miw={120}>
            {p.label}
          </Text>
          <Group gap={6}>
            {p.badge && (
              <Button
                h={44}
                variant="default"
                aria-label={t.presentBadge(p.label)}
                onClick={() => p.badge && void simulate({ type: "badge", number: p.badge })}
              >
                {t.badge}
              </Button>
            )}
            {p.fingerprint && (
              <Button
                h={44}
                variant="default"
                aria-label={t.presentFinger(p.label)}
                onClick={() => p.fingerprint && void simulate({ type: "finger", ref: p.fingerprint })}
              >
                {t.finger}
              </Button>
            )}
            {p.pin && (
              <Text ff="monospace" fw={700} px={8} py={4} bg="gray.2" style={{ borderRadius: 6 }}>
                {t.pinHint(p.pin)}
              </Text>
            )}
          </Group>
        </Group>
      ))}
    </Stack>
  );
}
