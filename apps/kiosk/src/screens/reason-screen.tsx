/**
 * Why the keys are needed: one large tile per reason. A reason without a work order decides at once (a usual visit
 * stays within four touches); one that needs a work order opens a keypad for its number, then Confirm.
 */
import { Button, SimpleGrid, Stack } from "@mantine/core";
import { useState } from "react";
import { Keypad } from "../components/keypad.tsx";
import { ScreenTitle } from "../components/screen-title.tsx";
import { Tile } from "../components/tile.tsx";
import type { ScreenOf, ScreenProps } from "../screen-props.ts";

type Reason = ScreenOf<"reason">["reasons"][number];

function WorkOrderEntry({
  reason,
  t,
  send,
  onBack,
}: Pick<ScreenProps<"reason">, "t" | "send"> & { reason: Reason; onBack: () => void }) {
  const [workOrder, setWorkOrder] = useState("");
  return (
    <Stack align="center" gap="lg">
      <ScreenTitle title={reason.label} subtitle={t.enterWorkOrder} />
      <Keypad
        label={t.workOrder}
        value={workOrder}
        onChange={setWorkOrder}
        t={t}
        letters
        maxLength={64}
        submitLabel={t.confirm}
        onSubmit={() => void send({ type: "reason", reasonCodeId: reason.id, workOrder })}
      />
      <Button h={72} fz={24} variant="default" onClick={onBack}>
        {t.back}
      </Button>
    </Stack>
  );
}

/** The reason screen. */
export function ReasonScreen({ screen, t, send }: ScreenProps<"reason">) {
  const [needingNumber, setNeedingNumber] = useState<Reason | null>(null);
  if (needingNumber) {
    return <WorkOrderEntry reason={needingNumber} t={t} send={send} onBack={() => setNeedingNumber(null)} />;
  }
  return (
    <Stack gap="xl">
      <ScreenTitle
        title={t.reasonTitle}
        subtitle={screen.labels && screen.labels.length > 0 ? t.forKeys(screen.labels) : null}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" role="group" aria-label={t.reasonTitle}>
        {screen.reasons.map((reason) => (
          <Tile
            key={reason.id}
            title={reason.label}
            details={reason.requiresWorkOrder ? t.needsWorkOrder : null}
            onClick={() =>
              reason.requiresWorkOrder
                ? setNeedingNumber(reason)
                : void send({ type: "reason", reasonCodeId: reason.id, workOrder: null })
            }
          />
        ))}
      </SimpleGrid>
    </Stack>
  );
}
