/**
 * Shows a PIN activation code exactly once. The server keeps only its hash, so once this closes nobody — not this
 * manager, not an administrator — can see it again; a lost code means a PIN reset.
 */
import { Alert, Button, Code, Modal, Stack, Text } from "@mantine/core";
import { formatInstant } from "../format.ts";

export interface ShownCode {
  personName: string;
  code: string;
  expiresAt: string | null;
  zone: string;
}

export function ActivationCodeModal({ shown, onClose }: { shown: ShownCode | null; onClose: () => void }) {
  return (
    <Modal
      opened={shown !== null}
      onClose={onClose}
      title="PIN activation code"
      closeOnClickOutside={false}
      closeOnEscape={false}
      centered
    >
      {shown && (
        <Stack>
          <Text size="sm">
            Give this code to <b>{shown.personName}</b>. At a cabinet they enter it once and then choose their own PIN,
            which nobody else ever sees.
          </Text>
          <Code
            block
            fz={28}
            ta="center"
            fw={700}
            style={{ letterSpacing: 4 }}
            data-testid="activation-code"
            aria-label="Activation code"
          >
            {shown.code.replace(/(\d{5})(?=\d)/g, "$1 ")}
          </Code>
          {shown.expiresAt && (
            <Text size="sm" c="dimmed">
              Valid until {formatInstant(shown.expiresAt, shown.zone)}.
            </Text>
          )}
          <Alert color="yellow" title="Shown only this once">
            Nobody will be able to see this code again after you close this window. If it is lost, reset the PIN to
            issue a new code.
          </Alert>
          <Button onClick={onClose}>I have noted the code — close</Button>
        </Stack>
      )}
    </Modal>
  );
}
