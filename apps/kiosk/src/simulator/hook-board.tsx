/**
 * The simulated cabinet's hooks, by module: each shows its number, the key hanging there (the demo knows its label;
 * a real tag is anonymous) and its light — green to take, blue to return, red for an alarm, pulsing while lit.
 * A hook with a key can be lifted; a free hook can take the key in hand chosen above the board.
 */
import type { SimulatorState } from "@keyward/contracts/kiosk";
import { Box, Button, Chip, Group, Stack, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import type { SimProps } from "./sim-props.ts";

type Hook = SimulatorState["hooks"][number];

const LIGHT_COLOR: Record<Hook["light"], string | null> = {
  off: null,
  take: "green",
  return: "blue",
  alarm: "red",
};

function HookCell({
  hook,
  hangTag,
  hangLabel,
  t,
  simulate,
}: Omit<SimProps, "sim"> & {
  hook: Hook;
  hangTag: string | null;
  hangLabel: string | null;
}) {
  const color = LIGHT_COLOR[hook.light];
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // why: a big cabinet's board scrolls; a hook that lights up must come into view, as on the real cabinet
    if (hook.light !== "off") {
      ref.current?.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }, [hook.light]);
  return (
    <Box
      ref={ref}
      role="group"
      aria-label={t.hookLabel(hook.number, hook.tag ? (hook.label ?? hook.tag) : null, t.lights[hook.light])}
      data-light={hook.light}
      className={color ? "kiosk-pulse" : undefined}
      p={6}
      style={{
        borderRadius: 8,
        minHeight: 104,
        display: "flex",
        flexDirection: "column",
        justifyContent: "space-between",
        gap: 4,
        border: `3px solid var(--mantine-color-${color ? `${color}-7` : "gray-5"})`,
        background: color ? `var(--mantine-color-${color}-1)` : "white",
        ["--kiosk-pulse-color" as string]: color ? `var(--mantine-color-${color}-4)` : undefined,
      }}
    >
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text fw={800} fz="lg" c="dark.9">
          {hook.number}
        </Text>
        {color && <Box aria-hidden="true" w={14} h={14} bg={`${color}.7`} style={{ borderRadius: "50%" }} />}
      </Group>
      <Text fz="sm" fw={600} c={hook.tag ? "dark.9" : "gray.7"} lineClamp={2}>
        {hook.tag ? (hook.label ?? "•") : "—"}
      </Text>
      {hook.tag ? (
        <Button
          size="compact-md"
          h={36}
          color="dark"
          aria-label={t.liftKey(hook.number)}
          onClick={() => void simulate({ type: "lift", hook: hook.number })}
        >
          {t.lift}
        </Button>
      ) : (
        hangTag && (
          <Button
            size="compact-md"
            h={36}
            variant="outline"
            color="dark"
            aria-label={t.hangKey(hangLabel ?? hangTag, hook.number)}
            onClick={() => void simulate({ type: "hang", hook: hook.number, tag: hangTag })}
          >
            {t.hang}
          </Button>
        )
      )}
    </Box>
  );
}

/**
 * The hooks part of the demo panel, with the choice of which key in hand to hang.
 * @param returning the label of the key the console asks to hang, chosen unless another key was picked by hand
 */
export function HookBoard({ sim, t, simulate, returning }: SimProps & { returning: string | null }) {
  const [chosen, setChosen] = useState<string | null>(null);
  // why: a key hung elsewhere leaves the hand; fall back to the key being returned, then to any key still held
  const hanging =
    sim.inHand.find((k) => k.tag === chosen) ??
    sim.inHand.find((k) => returning !== null && k.label === returning) ??
    sim.inHand[0] ??
    null;
  const modules = [...new Set(sim.hooks.map((h) => h.module))];
  return (
    <Stack gap="sm">
      <Text fw={700}>{t.inHand}</Text>
      {sim.inHand.length === 0 ? (
        <Text c="dark.6">{t.noneInHand}</Text>
      ) : (
        <Chip.Group multiple={false} value={hanging?.tag ?? null} onChange={setChosen}>
          <Group gap={6}>
            {sim.inHand.map((k) => (
              <Chip key={k.tag} value={k.tag} size="md" color="dark">
                {k.label ?? k.tag}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
      )}
      <Text fw={700}>{t.hooks}</Text>
      <Box style={{ maxHeight: 640, overflowY: "auto" }} tabIndex={0} aria-label={t.hooks} role="region">
        {modules.map((m) => (
          <Box key={m}>
            {modules.length > 1 && (
              <Text fz="sm" fw={600} mb={4}>
                {t.module(m)}
              </Text>
            )}
            <Box
              style={{
                display: "grid",
                gridTemplateColumns: "repeat(auto-fill, minmax(96px, 1fr))",
                gap: 8,
                padding: 8,
              }}
            >
              {sim.hooks
                .filter((h) => h.module === m)
                .map((h) => (
                  <HookCell
                    key={h.number}
                    hook={h}
                    hangTag={hanging?.tag ?? null}
                    hangLabel={hanging?.label ?? null}
                    t={t}
                    simulate={simulate}
                  />
                ))}
            </Box>
          </Box>
        ))}
      </Box>
    </Stack>
  );
}
