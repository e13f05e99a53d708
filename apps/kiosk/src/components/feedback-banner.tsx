/**
 * The agent's word on the last step ("That tag is not one of this cabinet's keys"), shown large under the header for
 * a few seconds after it arrives; the beep has already sounded.
 */
import type { KioskState } from "@keyward/contracts/kiosk";
import { Paper, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";

const SHOW_MS = 8_000;

/** The feedback banner; renders nothing when there is no fresh message. */
export function FeedbackBanner({ feedback }: { feedback: KioskState["feedback"] }) {
  const [shown, setShown] = useState<number | null>(null);
  const first = useRef(true);
  const id = feedback?.id ?? null;
  useEffect(() => {
    // why: a message already there when the kiosk loads belongs to an earlier touch, perhaps someone else's
    if (first.current) {
      first.current = false;
      return;
    }
    if (id === null) {
      return;
    }
    setShown(id);
    const timer = setTimeout(() => setShown(null), SHOW_MS);
    return () => clearTimeout(timer);
  }, [id]);

  if (!feedback?.message || shown !== feedback.id) {
    return null;
  }
  const refused = feedback.tone === "refuse";
  return (
    <Paper
      role={refused ? "alert" : "status"}
      mx="lg"
      mt="md"
      p="md"
      radius="md"
      bg={refused ? "red.9" : "green.9"}
      data-tone={feedback.tone}
    >
      <Text fz={28} fw={700} c="white" ta="center">
        {feedback.message}
      </Text>
    </Paper>
  );
}
