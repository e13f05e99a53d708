/**
 * A cabinet's hooks as a grid: which key hangs where, which hooks are free or disabled, and — given the open
 * checkouts — which empty hooks a key left and who holds it. Choosing a hook shows its key (or holder) and, for those
 * who may change the cabinet, enables or disables it.
 */
import { Alert, Box, Button, Group, Paper, SegmentedControl, Stack, Text, Title, UnstyledButton } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api.ts";
import { holderName, isOverdue, useNow } from "../custody.ts";
import { formatAgo, formatInstant } from "../format.ts";
import { TONES } from "../labels.ts";
import { useInvalidate } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { Cabinet, Checkout, Hook } from "../types.ts";
import { AppLink } from "./app-link.tsx";
import { HistoryList } from "./history-list.tsx";
import { QueryState } from "./page.tsx";

type Show = "all" | "occupied" | "free" | "disabled";

function describe(h: Hook, out: Checkout | undefined): string {
  if (h.status === "disabled") {
    return "disabled";
  }
  if (h.keyId) {
    return h.keyLabel ?? "key";
  }
  return out ? `${out.key.label} out · ${holderName(out)}` : "free";
}

function HookCell({
  hook,
  out,
  selected,
  onSelect,
}: {
  hook: Hook;
  out: Checkout | undefined;
  selected: boolean;
  onSelect: () => void;
}) {
  const disabled = hook.status === "disabled";
  const occupied = hook.keyId !== null;
  const left = !occupied && out !== undefined;
  return (
    <UnstyledButton
      onClick={onSelect}
      aria-pressed={selected}
      aria-label={`Hook ${hook.number}: ${describe(hook, out)}`}
      p={6}
      style={{
        borderRadius: 6,
        minHeight: 52,
        border: `1px ${disabled || left ? "dashed" : "solid"} var(--mantine-color-${selected ? "blue-7" : occupied ? "blue-3" : left ? "orange-7" : "gray-4"})`,
        outline: selected ? "2px solid var(--mantine-color-blue-7)" : undefined,
        background: disabled
          ? "var(--mantine-color-gray-1)"
          : occupied
            ? "var(--mantine-color-blue-0)"
            : left
              ? "var(--mantine-color-orange-0)"
              : "var(--mantine-color-white)",
      }}
    >
      <Text size="xs" fw={700} c={disabled ? "gray.7" : "dark"}>
        {hook.number}
      </Text>
      <Text
        size="xs"
        c={occupied ? "blue.9" : left ? TONES.warning : "gray.7"}
        truncate="end"
        td={disabled ? "line-through" : undefined}
      >
        {left && out ? `out · ${out.holder?.name ?? "unknown"}` : describe(hook, out)}
      </Text>
    </UnstyledButton>
  );
}

function OutDetail({ checkout, zone }: { checkout: Checkout; zone: string }) {
  const now = useNow();
  return (
    <Text size="sm">
      <AppLink to={`/keys/${checkout.key.id}`}>{checkout.key.label}</AppLink> left this hook{" "}
      {formatAgo(checkout.since, now)} ({formatInstant(checkout.since, zone)}) with <b>{holderName(checkout)}</b>
      {checkout.reason ? ` for ${checkout.reason.label.toLowerCase()}` : ""}
      {checkout.workOrder ? ` (work order ${checkout.workOrder})` : ""}.
      {checkout.dueAt
        ? ` Due ${formatInstant(checkout.dueAt, zone)}${isOverdue(checkout, now) ? " — overdue" : ""}.`
        : ""}
    </Text>
  );
}

export function HookGrid({
  cabinet,
  canUpdate,
  openCheckouts = [],
}: {
  cabinet: Cabinet;
  canUpdate: boolean;
  /** The property's open checkouts: an empty hook a key left shows who holds that key. */
  openCheckouts?: readonly Checkout[] | undefined;
}) {
  const session = useSession();
  const invalidate = useInvalidate();
  const [selected, setSelected] = useState<number | null>(null);
  const [show, setShow] = useState<Show>("all");
  const hooks = useQuery({
    queryKey: ["cabinets", "hooks", cabinet.id],
    queryFn: async () => (await api.get<{ items: Hook[] }>(`cabinets/${cabinet.id}/hooks`)).items,
  });
  const toggle = useMutation({
    mutationFn: (h: Hook) =>
      api.patch<Hook>(`cabinets/${cabinet.id}/hooks/${h.number}`, {
        status: h.status === "active" ? "disabled" : "active",
      }),
    onSuccess: async (h) => {
      notifications.show({
        color: "green",
        message: `Hook ${h.number} ${h.status === "active" ? "enabled" : "disabled"}.`,
      });
      await invalidate("cabinets");
    },
    onError: (error) => notifications.show({ color: "red", title: "Not changed", message: error.message }),
  });

  if (!hooks.data) {
    return <QueryState error={hooks.error} pending={hooks.isPending} />;
  }
  const all = hooks.data;
  const counts = {
    occupied: all.filter((h) => h.keyId).length,
    free: all.filter((h) => !h.keyId && h.status === "active").length,
    disabled: all.filter((h) => h.status === "disabled").length,
  };
  const visible = all.filter((h) =>
    show === "all"
      ? true
      : show === "occupied"
        ? h.keyId !== null
        : show === "free"
          ? h.keyId === null && h.status === "active"
          : h.status === "disabled",
  );
  const modules = [...new Set(visible.map((h) => h.module))];
  const current = all.find((h) => h.number === selected) ?? null;
  // why: a key leaves its hook empty; the open checkout that names this cabinet and hook says who has it
  const outByHook = new Map(
    openCheckouts.filter((c) => c.cabinet?.id === cabinet.id && c.hookOut !== null).map((c) => [c.hookOut, c] as const),
  );
  const outOf = (h: Hook) => (h.keyId === null ? outByHook.get(h.number) : undefined);
  const currentOut = current ? outOf(current) : undefined;

  return (
    <Stack>
      <SegmentedControl
        value={show}
        onChange={(v) => setShow(v as Show)}
        aria-label="Which hooks to show"
        data={[
          { value: "all", label: `All ${all.length}` },
          { value: "occupied", label: `With a key ${counts.occupied}` },
          { value: "free", label: `Free ${counts.free}` },
          { value: "disabled", label: `Disabled ${counts.disabled}` },
        ]}
        fullWidth
      />
      {current && (
        <Paper withBorder p="sm" radius="md" bg="gray.0" aria-live="polite">
          <Group justify="space-between" align="flex-start">
            <div>
              <Title order={3} fz="md">
                Hook {current.number}
                {cabinet.modules > 1 ? ` · module ${current.module}` : ""}
              </Title>
              <Text size="sm">
                {current.status === "disabled" ? "Disabled. " : ""}
                {current.keyId ? (
                  <>
                    Holds <AppLink to={`/keys/${current.keyId}`}>{current.keyLabel ?? "a key"}</AppLink>
                  </>
                ) : (
                  "No key hangs here."
                )}
              </Text>
              {currentOut && <OutDetail checkout={currentOut} zone={session.zoneOf(cabinet.propertyId)} />}
            </div>
            {canUpdate && (
              <Button
                size="xs"
                variant={current.status === "active" ? "default" : "filled"}
                loading={toggle.isPending}
                disabled={current.status === "active" && current.keyId !== null}
                title={current.keyId ? "Move the key before disabling the hook" : undefined}
                onClick={() => toggle.mutate(current)}
              >
                {current.status === "active" ? "Disable hook" : "Enable hook"}
              </Button>
            )}
          </Group>
          {canUpdate && current.status === "active" && current.keyId && (
            <Text size="xs" c="dimmed" mt={4}>
              Move the key to another hook before disabling this one.
            </Text>
          )}
          <Box mt="sm">
            <Text size="xs" fw={600} c="dimmed" mb={4}>
              Hook history
            </Text>
            <HistoryList entityType="hook" entityId={current.id} />
          </Box>
        </Paper>
      )}
      {visible.length === 0 && <Alert color="gray">No hooks match.</Alert>}
      {modules.map((m) => (
        <Box key={m}>
          {cabinet.modules > 1 && (
            <Text size="sm" fw={600} mb={6}>
              Module {m}
            </Text>
          )}
          <Box
            role="group"
            aria-label={`Hooks of module ${m}`}
            style={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(88px, 1fr))", gap: 6 }}
          >
            {visible
              .filter((h) => h.module === m)
              .map((h) => (
                <HookCell
                  key={h.id}
                  hook={h}
                  out={outOf(h)}
                  selected={h.number === selected}
                  onSelect={() => setSelected(h.number === selected ? null : h.number)}
                />
              ))}
          </Box>
        </Box>
      ))}
    </Stack>
  );
}
