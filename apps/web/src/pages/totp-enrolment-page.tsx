/** The only screen a user sees while their organization requires two-step sign-in and they have not enrolled. */
import { Button, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { api } from "../api.ts";
import { AuthFrame } from "../components/auth-frame.tsx";
import { TotpEnrolment } from "../components/totp-enrolment.tsx";
import type { Me } from "../types.ts";

export function TotpEnrolmentPage({ me, onDone }: { me: Me; onDone: (me: Me) => void }) {
  const queryClient = useQueryClient();
  return (
    <AuthFrame
      title="Set up two-step sign-in"
      subtitle={`${me.organization.name} requires an authenticator app for your role before you can continue.`}
    >
      <TotpEnrolment onDone={onDone} />
      <Text size="sm" mt="lg" c="dimmed">
        Signed in as {me.user.email}.{" "}
        <Button
          variant="subtle"
          size="compact-sm"
          onClick={async () => {
            await api.post("auth/logout");
            queryClient.setQueryData(["me"], null);
          }}
        >
          Sign out
        </Button>
      </Text>
    </AuthFrame>
  );
}
