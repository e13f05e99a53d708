/**
 * "Enrol this cabinet": asks the server for a one-time enrolment code and shows it once, with its expiry and the exact
 * command to run on the cabinet's computer. The server keeps only the code's hash, so closing the window loses it;
 * a new code can always be issued (enrolling again retires the previous device).
 */
import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api.ts";
import { formatInstant } from "../format.ts";
import { TONES } from "../labels.ts";
import { useInvalidate } from "../queries.ts";
import type { Cabinet, EnrollmentCode } from "../types.ts";

/** The command an installer types on the cabinet's computer. */
export function enrolCommand(origin: string, code: string): string {
  return `npx keyward agent enroll --server ${origin} --code ${code}`;
}

export function EnrolCabinet({ cabinet, zone }: { cabinet: Cabinet; zone: string }) {
  const invalidate = useInvalidate();
  const [shown, setShown] = useState<EnrollmentCode | null>(null);
  const issue = useMutation({
    mutationFn: () => api.post<EnrollmentCode>(`cabinets/${cabinet.id}/enrollment-codes`),
    onSuccess: async (code) => {
      setShown(code);
      await invalidate("cabinets");
    },
    onError: (error) => notifications.show({ color: "red", title: "No code issued", message: error.message }),
  });
  const command = shown ? enrolCommand(window.location.origin, shown.code) : "";

  return (
    <>
      <Button
        variant={cabinet.enrolled ? "default" : "filled"}
        onClick={() => issue.mutate()}
        loading={issue.isPending}
      >
        {cabinet.enrolled ? "Enrol again" : "Enrol this cabinet"}
      </Button>
      <Modal
        opened={shown !== null}
        onClose={() => setShown(null)}
        title={`Enrol ${cabinet.name}`}
        closeOnClickOutside={false}
        size="lg"
        centered
      >
        {shown && (
          <Stack>
            <Text size="sm">
              On the cabinet's computer, in the Keyward folder, run this command. It registers the cabinet's own key
              with this server; the code works once.
            </Text>
            <Code block fz="sm" data-testid="enrol-command" aria-label="Enrolment command">
              {command}
            </Code>
            <Group justify="space-between" wrap="wrap">
              <Text size="sm">
                Code{" "}
                <Code fz="md" fw={700} data-testid="enrollment-code">
                  {shown.code}
                </Code>
              </Text>
              <CopyButton value={command}>
                {({ copied, copy }) => (
                  <Button onClick={copy} color={copied ? TONES.ok : undefined} variant={copied ? "filled" : "light"}>
                    {copied ? "Copied" : "Copy command"}
                  </Button>
                )}
              </CopyButton>
            </Group>
            <Text size="sm">Valid until {formatInstant(shown.expiresAt, zone)}.</Text>
            {cabinet.enrolled && (
              <Alert color="yellow" title="Replaces the enrolled device">
                When this code is used, the device enrolled now stops being accepted.
              </Alert>
            )}
            <Alert color="blue" title="Shown only this once">
              Keyward keeps only a fingerprint of the code. If you lose it, issue a new one.
            </Alert>
            <Button onClick={() => setShown(null)}>Done</Button>
          </Stack>
        )}
      </Modal>
    </>
  );
}
