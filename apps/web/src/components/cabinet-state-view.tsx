/**
 * A cabinet's live state as its agent last reported it: connection and last contact, snapshot version against the
 * current one, door, alarms, and keys on its hooks. Colour always comes with words.
 */

import { Alert, Badge, Group, SimpleGrid, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { cabinetTrouble, useNow } from "../custody.ts";
import { formatAgo, formatInstant } from "../format.ts";
import { humanize, TONES } from "../labels.ts";
import type { CabinetState } from "../types.ts";
import { AcknowledgeAlarms } from "./acknowledge-alarms.tsx";

/** The door as a person reads it. */
export const DOOR_LABELS: Record<CabinetState["door"], string> = { closed: "Closed", open: "Open", unknown: "Unknown" };

/** "Online" / "Offline" / "Not enrolled", for a table cell or a title. */
export function ConnectionBadge({ state }: { state: CabinetState | undefined }) {
  if (!state) {
    return (
      <Badge variant="outline" color="gray.7" radius="sm">
        No state yet
      </Badge>
    );
  }
  if (!state.enrolled) {
    return (
      <Badge variant="outline" color="gray.7" radius="sm">
        Not enrolled
      </Badge>
    );
  }
  return state.online ? (
    <Badge variant="filled" color={TONES.ok} radius="sm">
      Online
    </Badge>
  ) : (
    <Badge variant="filled" color="red.9" radius="sm">
      Offline
    </Badge>
  );
}

/** The alarm count as a badge (nothing when none is open). */
export function AlarmBadge({ state }: { state: CabinetState | undefined }) {
  if (!state || state.openAlarms === 0) {
    return null;
  }
  return (
    <Badge variant="filled" color="red.9" radius="sm">
      {state.openAlarms} {state.openAlarms === 1 ? "alarm" : "alarms"}
    </Badge>
  );
}

/** "Door.forced" → "Door forced": an alarm's action as a person reads it. */
export function alarmLabel(action: string): string {
  return humanize(action);
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" fw={700} c="gray.7" tt="uppercase">
        {label}
      </Text>
      <div>{children}</div>
    </div>
  );
}

/** The whole state, for a cabinet's page. */
export function CabinetStateView({
  state,
  zone,
  canAcknowledge = false,
}: {
  state: CabinetState;
  zone: string;
  /** Whether the user may acknowledge the open alarms (a manager of the cabinet's property). */
  canAcknowledge?: boolean;
}) {
  const now = useNow();
  const trouble = cabinetTrouble(state);
  return (
    <div>
      {trouble.behind && state.online && (
        <Alert color="yellow" mb="sm" title="Snapshot behind">
          {state.snapshotVersion === null
            ? "The cabinet has not applied a snapshot yet"
            : `The cabinet decides from snapshot ${state.snapshotVersion}`}
          ; the current one is {state.currentSnapshotVersion}. An online cabinet catches up within seconds; if this
          stays, check its agent.
        </Alert>
      )}
      {trouble.offline && (
        <Alert color="red" mb="sm" title="Offline">
          Keyward has not heard from this cabinet since{" "}
          {state.lastContactAt ? formatInstant(state.lastContactAt, zone) : "it was enrolled"}. It keeps working from
          its last snapshot; check its power and network.
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md" aria-label="Cabinet state">
        <Fact label="Connection">
          <ConnectionBadge state={state} />
          <Text size="xs" c="gray.7" mt={2}>
            {state.lastContactAt
              ? `Last contact ${formatAgo(state.lastContactAt, now)}, ${formatInstant(state.lastContactAt, zone)}`
              : "Never in contact"}
          </Text>
        </Fact>
        <Fact label="Door">
          <Text fw={600} c={state.door === "open" ? "red.9" : undefined}>
            {DOOR_LABELS[state.door]}
          </Text>
        </Fact>
        <Fact label="Alarms">
          <Group gap={6}>
            <Text fw={600} c={state.openAlarms > 0 ? "red.9" : undefined}>
              {state.openAlarms === 0 ? "None open" : `${state.openAlarms} open`}
            </Text>
          </Group>
          {state.lastAlarm && (
            <Text size="xs" c="gray.7" mt={2}>
              Last: {alarmLabel(state.lastAlarm.action)}, {formatInstant(state.lastAlarm.at, zone)}
            </Text>
          )}
          {canAcknowledge && state.openAlarms > 0 && (
            <AcknowledgeAlarms cabinetId={state.cabinetId} openAlarms={state.openAlarms} />
          )}
        </Fact>
        <Fact label="Keys in">
          <Text fw={600}>
            {state.keysIn} / {state.hookCount} hooks
          </Text>
        </Fact>
        <Fact label="Snapshot">
          <Text fw={600} c={trouble.behind ? TONES.warning : undefined}>
            {state.snapshotVersion === null ? "None yet" : `v${state.snapshotVersion}`}
            {trouble.behind ? ` (current v${state.currentSnapshotVersion})` : ""}
          </Text>
          {!trouble.behind && state.snapshotVersion !== null && (
            <Text size="xs" c="gray.7">
              Up to date
            </Text>
          )}
        </Fact>
        <Fact label="Last event">
          <Text size="sm">{state.lastEventAt ? formatInstant(state.lastEventAt, zone) : "—"}</Text>
        </Fact>
      </SimpleGrid>
    </div>
  );
}
