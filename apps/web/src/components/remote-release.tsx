/**
 * Remote release: a manager opens a cabinet's door from afar, with a stated reason. The request becomes a command on
 * the cabinet's stream; this panel follows it (pending → executed, or expired if the cabinet did not act in time)
 * by asking for its status until it is final. Shown only to those the resolver allows; the server checks again.
 */
import { Alert, Badge, Button, Group, Modal, NumberInput, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, api } from "../api.ts";
import { formatInstant } from "../format.ts";
import { TONES } from "../labels.ts";
import type { Cabinet, RemoteRelease as Release, RemoteReleaseRequest } from "../types.ts";

/** How often a pending command's status is asked for; it ends as soon as the status is final. */
const STATUS_POLL_MS = 1000;

const STATUS_LABELS: Record<Release["status"], string> = {
  pending: "Pending — waiting for the cabinet",
  executed: "Executed — the door was released",
  expired: "Expired — the cabinet did not act in time",
};
const STATUS_COLORS: Record<Release["status"], string> = { pending: "blue.9", executed: TONES.ok, expired: "red.9" };

function ReleaseStatus({ cabinetId, first, zone }: { cabinetId: string; first: Release; zone: string }) {
  const status = useQuery({
    queryKey: ["remote-releases", cabinetId, first.commandId],
    queryFn: () => api.get<Release>(`cabinets/${cabinetId}/remote-releases/${first.commandId}`),
    initialData: first,
    // why: a command is final once executed or expired; asking further would change nothing
    refetchInterval: (q) => (q.state.data?.status === "pending" ? STATUS_POLL_MS : false),
  });
  const r = status.data;
  return (
    <Alert
      color={r.status === "executed" ? "green" : r.status === "expired" ? "red" : "blue"}
      title="Remote release"
      aria-live="polite"
    >
      <Group gap="xs" mb={4}>
        <Badge variant="filled" color={STATUS_COLORS[r.status]} radius="sm" data-testid="remote-release-status">
          {STATUS_LABELS[r.status]}
        </Badge>
      </Group>
      <Text size="sm">
        Requested {formatInstant(r.requestedAt, zone)}
        {r.executedAt
          ? ` · executed ${formatInstant(r.executedAt, zone)}`
          : ` · expires ${formatInstant(r.expiresAt, zone)}`}
      </Text>
    </Alert>
  );
}

export function RemoteReleasePanel({ cabinet, zone }: { cabinet: Cabinet; zone: string }) {
  const [reason, setReason] = useState("");
  const [seconds, setSeconds] = useState<number>(10);
  const [confirming, setConfirming] = useState(false);
  const [release, setRelease] = useState<Release | null>(null);
  const send = useMutation({
    mutationFn: (body: RemoteReleaseRequest) => api.post<Release>(`cabinets/${cabinet.id}/remote-release`, body),
    onSuccess: (r) => {
      setConfirming(false);
      setRelease(r);
      setReason("");
    },
  });
  const reasonError = reason.trim().length > 0 && reason.trim().length < 3 ? "Say why in a few words." : null;
  const ready = reason.trim().length >= 3 && seconds >= 1 && seconds <= 120;

  if (!cabinet.enrolled) {
    return (
      <Text size="sm" c="gray.7">
        Enrol the cabinet first: a remote release travels to its agent.
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) {
            send.reset();
            setConfirming(true);
          }
        }}
      >
        <Group align="flex-start" wrap="wrap" gap="sm">
          <Textarea
            label="Reason"
            description="Recorded in the cabinet's history"
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={reasonError}
            maxLength={500}
            autosize
            minRows={1}
            w={{ base: "100%", sm: 360 }}
          />
          <NumberInput
            label="Unlock for (seconds)"
            min={1}
            max={120}
            value={seconds}
            onChange={(v) => setSeconds(typeof v === "number" ? v : Number(v) || 0)}
            w={160}
          />
          <Button type="submit" mt={{ base: 0, sm: 44 }} disabled={!ready} color="red.9">
            Release the door…
          </Button>
        </Group>
      </form>
      {release && <ReleaseStatus key={release.commandId} cabinetId={cabinet.id} first={release} zone={zone} />}
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Release the door?" centered>
        <Stack>
          <Text size="sm">
            The door of <b>{cabinet.name}</b> unlocks for {seconds} seconds as soon as the cabinet receives the command.
            Anyone standing there can take keys; every key taken is recorded as taken without a session.
          </Text>
          <Text size="sm">
            Reason: <i>{reason.trim()}</i>
          </Text>
          {send.isError && (
            <Alert color="red" title="Not sent">
              {send.error instanceof ApiError ? send.error.message : "The request failed."}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button
              color="red.9"
              loading={send.isPending}
              onClick={() => send.mutate({ reason: reason.trim(), seconds })}
            >
              Release now
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
