/**
 * Acknowledging a cabinet's open alarms: the manager says what they found or did, the open count returns to zero and
 * the note stays in the cabinet's history. Shown only to those the resolver allows; the server checks again.
 */
import { Alert, Button, Group, Modal, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, api } from "../api.ts";
import type { AlarmsAcknowledged } from "../types.ts";

export function AcknowledgeAlarms({ cabinetId, openAlarms }: { cabinetId: string; openAlarms: number }) {
  const queries = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [note, setNote] = useState("");
  const send = useMutation({
    mutationFn: () => api.post<AlarmsAcknowledged>(`cabinets/${cabinetId}/alarms/acknowledge`, { note: note.trim() }),
    onSuccess: async () => {
      setOpened(false);
      setNote("");
      await queries.invalidateQueries({ queryKey: ["cabinet-states"] });
    },
  });
  const ready = note.trim().length >= 3;
  return (
    <>
      <Button size="xs" variant="light" color="red.9" mt={6} onClick={() => setOpened(true)}>
        Acknowledge…
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Acknowledge the alarms" centered>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (ready) {
              send.mutate();
            }
          }}
        >
          <Stack>
            <Text size="sm">
              {openAlarms === 1 ? "One alarm is" : `${openAlarms} alarms are`} open. Say what you found or did; the note
              is kept in the cabinet's history and the alarms themselves stay there too.
            </Text>
            <Textarea
              label="Note"
              required
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              maxLength={500}
              autosize
              minRows={2}
              data-autofocus
            />
            {send.isError && (
              <Alert color="red" title="Not acknowledged">
                {send.error instanceof ApiError ? send.error.message : "The request failed."}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={!ready} loading={send.isPending}>
                Acknowledge
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
