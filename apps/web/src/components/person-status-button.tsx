/**
 * Deactivating or reactivating a person, always with a reason for the history. Deactivation disables every
 * credential and ends their sessions at once; reactivation restores nothing until re-enabled one by one.
 */
import { Button, Modal, Stack, Text, Textarea } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { api } from "../api.ts";
import { useInvalidate } from "../queries.ts";
import type { Person } from "../types.ts";
import { FormAlert, FormButtons, useApiForm } from "./form.tsx";

export function PersonStatusButton({ person }: { person: Person }) {
  const [opened, { open, close }] = useDisclosure(false);
  const invalidate = useInvalidate();
  const deactivating = person.status === "active";
  const form = useApiForm({
    initial: { reason: "" },
    submit: (v) => api.post<Person>(`people/${person.id}/${deactivating ? "deactivate" : "reactivate"}`, v),
    onSuccess: async () => {
      close();
      form.replace({ reason: "" });
      await invalidate("people", "credentials", "users");
    },
  });
  return (
    <>
      <Button color={deactivating ? "red" : "blue"} variant={deactivating ? "light" : "filled"} onClick={open}>
        {deactivating ? "Deactivate" : "Reactivate"}
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title={`${deactivating ? "Deactivate" : "Reactivate"} ${person.firstName} ${person.lastName}`}
      >
        <form onSubmit={form.onSubmit} noValidate>
          <Stack>
            <Text size="sm">
              {deactivating
                ? "Their badges, PIN and fingerprints stop working and their dashboard sessions end immediately."
                : "They become active again; their credentials and login stay disabled until you enable each one."}
            </Text>
            <Textarea
              label="Reason"
              description="Kept in the history"
              required
              autosize
              minRows={2}
              value={form.values.reason}
              onChange={(e) => form.set("reason", e.currentTarget.value)}
              error={form.errorFor("reason")}
            />
            <FormAlert form={form} />
            <FormButtons form={form} label={deactivating ? "Deactivate" : "Reactivate"} onCancel={close} />
          </Stack>
        </form>
      </Modal>
    </>
  );
}
