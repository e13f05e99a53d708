/**
 * A large choice tile: a whole card is the touch target (at least 96 px high), a thick border and a tick show that it
 * is chosen, and an unavailable tile is greyed and says why instead of only looking disabled.
 */
import { Box, Group, Stack, Text, UnstyledButton } from "@mantine/core";
import type { ReactNode } from "react";

/** One tile's content and state. */
export interface TileProps {
  title: string;
  details?: ReactNode;
  /** Marks a toggle tile as chosen (aria-pressed); leave undefined for a plain action tile. */
  pressed?: boolean;
  disabled?: boolean;
  /** Says why the tile cannot be chosen, in place of its details. */
  reason?: string | null;
  onClick: () => void;
  ariaLabel?: string;
  /** A taller tile for the few big choices of a menu. */
  tall?: boolean;
}

/** A tile-shaped button. */
export function Tile({
  title,
  details,
  pressed,
  disabled = false,
  reason,
  onClick,
  ariaLabel,
  tall = false,
}: TileProps) {
  const chosen = pressed === true;
  return (
    <UnstyledButton
      onClick={onClick}
      disabled={disabled}
      aria-pressed={pressed}
      aria-label={ariaLabel}
      p="md"
      style={{
        minHeight: tall ? 180 : 96,
        borderRadius: 14,
        border: `4px solid var(--mantine-color-${chosen ? "blue-8" : disabled ? "gray-4" : "dark-3"})`,
        background: chosen
          ? "var(--mantine-color-blue-0)"
          : disabled
            ? "var(--mantine-color-gray-1)"
            : "var(--mantine-color-white)",
        cursor: disabled ? "not-allowed" : "pointer",
      }}
    >
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={4} miw={0}>
          <Text fz={28} fw={700} c={disabled ? "gray.8" : "dark.9"} lh={1.2}>
            {title}
          </Text>
          {reason ? (
            <Text fz={20} fw={500} c="red.9">
              {reason}
            </Text>
          ) : (
            details && (
              <Text fz={20} c="dark.6" component="div">
                {details}
              </Text>
            )
          )}
        </Stack>
        {pressed !== undefined && !disabled && (
          <Box
            aria-hidden="true"
            w={48}
            h={48}
            style={{
              flex: "none",
              borderRadius: 10,
              border: `4px solid var(--mantine-color-${chosen ? "blue-8" : "dark-3"})`,
              background: chosen ? "var(--mantine-color-blue-8)" : "white",
              color: "white",
              fontSize: 32,
              fontWeight: 800,
              display: "flex",
              alignItems: "center",
              justifyContent: "center",
            }}
          >
            {chosen ? "✓" : ""}
          </Box>
        )}
      </Group>
    </UnstyledButton>
  );
}
