/**
 * What to show before the dashboard itself: first-run set-up on an empty deployment, sign-in, or the enrolment in
 * two-step sign-in that the organization requires; then the shell with every screen.
 */
import { Center, Loader } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "./api.ts";
import { AppShellLayout } from "./components/app-shell.tsx";
import { QueryState } from "./components/page.tsx";
import { LiveUpdates } from "./live.ts";
import { SetupPage } from "./pages/setup-page.tsx";
import { SignInPage } from "./pages/sign-in-page.tsx";
import { TotpEnrolmentPage } from "./pages/totp-enrolment-page.tsx";
import { AppRoutes } from "./routes.tsx";
import { SessionProvider } from "./session.tsx";
import type { Me, SetupStatus } from "./types.ts";

async function fetchMe(): Promise<Me | null> {
  try {
    return await api.get<Me>("auth/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return null;
    }
    throw error;
  }
}

export function App() {
  const queryClient = useQueryClient();
  const setup = useQuery({ queryKey: ["setup"], queryFn: () => api.get<SetupStatus>("setup"), staleTime: Infinity });
  const me = useQuery({
    queryKey: ["me"],
    queryFn: fetchMe,
    staleTime: Infinity,
    enabled: setup.data?.needed === false,
  });
  const signedIn = (value: Me) => queryClient.setQueryData(["me"], value);

  if (setup.isError || me.isError) {
    return (
      <Center p="xl">
        <QueryState error={setup.error ?? me.error} pending={false} />
      </Center>
    );
  }
  if (setup.data?.needed) {
    return (
      <SetupPage
        onDone={(value) => {
          queryClient.setQueryData(["setup"], { needed: false });
          signedIn(value);
        }}
      />
    );
  }
  if (me.data === undefined) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (me.data === null) {
    return <SignInPage onSignedIn={signedIn} />;
  }
  if (me.data.totpEnrollmentRequired) {
    return <TotpEnrolmentPage me={me.data} onDone={signedIn} />;
  }
  return (
    <SessionProvider me={me.data}>
      <LiveUpdates />
      <AppShellLayout>
        <AppRoutes />
      </AppShellLayout>
    </SessionProvider>
  );
}
