/**
 * The cabinet's console: the header, the agent's current screen and its feedback, and — with the simulated driver —
 * the drawing of the cabinet beside it (stacked below on a narrow screen).
 */
import { Box, Center, Loader, Stack, Text } from "@mantine/core";
import { unlockAudio, useFeedbackBeep } from "./beep.ts";
import { FeedbackBanner } from "./components/feedback-banner.tsx";
import { Header } from "./components/header.tsx";
import { messagesFor } from "./i18n.ts";
import { ScreenView } from "./screen-view.tsx";
import { SimulatorPanel } from "./simulator/simulator-panel.tsx";
import { useKioskState } from "./use-kiosk-state.ts";

/** The kiosk application. */
export function App() {
  const { state, link, send, simulate, simulatorRefusal } = useKioskState();
  useFeedbackBeep(state?.feedback);

  if (!state) {
    return (
      <Center h="100%">
        <Stack align="center">
          <Loader size="xl" aria-label="Connecting" />
          <Text fz={28}>{messagesFor("en").connecting}</Text>
        </Stack>
      </Center>
    );
  }
  const t = messagesFor(state.language);
  return (
    <Box
      lang={state.language}
      onPointerDown={unlockAudio}
      p={state.simulator ? "md" : 0}
      style={{ display: "flex", flexWrap: "wrap", gap: 16, alignItems: "flex-start", minHeight: "100%" }}
    >
      <Box
        component="main"
        aria-label={t.appTitle}
        bg="gray.0"
        style={{
          flex: state.simulator ? "1 1 1024px" : "1 1 100%",
          maxWidth: state.simulator ? 1024 : undefined,
          minHeight: state.simulator ? 768 : "100vh",
          display: "flex",
          flexDirection: "column",
          border: state.simulator ? "2px solid var(--mantine-color-dark-8)" : undefined,
          borderRadius: state.simulator ? 12 : 0,
          overflow: "hidden",
        }}
      >
        <Header state={state} link={link} t={t} send={send} />
        {/* why: when the screen itself says the sentence (a denial, "done"), the banner would only say it twice */}
        {!("message" in state.screen && state.screen.message === state.feedback?.message) && (
          <FeedbackBanner feedback={state.feedback} />
        )}
        <Box p="xl" style={{ flex: 1, display: "flex", flexDirection: "column" }} data-screen={state.screen.name}>
          <ScreenView
            screen={state.screen}
            t={t}
            language={state.language}
            timeZone={state.timeZone ?? null}
            send={send}
          />
        </Box>
      </Box>
      {state.simulator && (
        <Box style={{ flex: "1 1 380px", maxWidth: 560 }}>
          <SimulatorPanel
            sim={state.simulator}
            t={t.sim}
            simulate={simulate}
            refusal={simulatorRefusal}
            returning={state.screen.name === "return_hang" ? state.screen.label : null}
          />
        </Box>
      )}
    </Box>
  );
}
