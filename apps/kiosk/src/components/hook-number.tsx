/** A hook's number drawn large, lit in the colour of its light while it waits, ticked once done. */
import { Box } from "@mantine/core";

/** A large hook number in a lit (or ticked) badge. */
export function HookNumber({ hook, lit, done, color }: { hook: number; lit: boolean; done: boolean; color: string }) {
  return (
    <Box
      aria-hidden="true"
      w={120}
      h={120}
      style={{
        flex: "none",
        borderRadius: 20,
        display: "flex",
        alignItems: "center",
        justifyContent: "center",
        fontSize: done ? 72 : 60,
        fontWeight: 800,
        color: done || lit ? "white" : "var(--mantine-color-dark-9)",
        background: done ? "var(--mantine-color-dark-6)" : lit ? `var(--mantine-color-${color}-9)` : "white",
        border: `4px solid var(--mantine-color-${done ? "dark-6" : `${color}-9`})`,
        ["--kiosk-pulse-color" as string]: `var(--mantine-color-${color}-3)`,
      }}
      className={lit && !done ? "kiosk-pulse" : undefined}
    >
      {done ? "✓" : hook}
    </Box>
  );
}
