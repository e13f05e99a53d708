/** Returning: scan a key's tag at the console's reader; the keys returned so far this visit are listed. */
import { Button, List, Paper, Stack, Text } from "@mantine/core";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";

/** The return-scan screen. */
export function ReturnScanScreen({ screen, t, send }: ScreenProps<"return_scan">) {
  return (
    <Stack gap="xl" align="center">
      <ScreenTitle title={t.returnScanTitle} subtitle={t.returnScanHint} />
      <Paper withBorder p="lg" radius="lg" w="100%" maw={720} style={{ borderWidth: 3 }}>
        <Text fz={26} fw={700} c="dark.9" mb="sm">
          {t.returnedThisVisit}
        </Text>
        {screen.returned.length === 0 ? (
          <Text fz={22} c="dark.6">
            {t.noneReturned}
          </Text>
        ) : (
          <List fz={26} c="dark.9" spacing="xs" aria-label={t.returnedThisVisit}>
            {screen.returned.map((r) => (
              <List.Item key={r.keyId} icon={<span aria-hidden="true">✓</span>}>
                {r.label}
              </List.Item>
            ))}
          </List>
        )}
      </Paper>
      {screen.returned.length > 0 && (
        <Button h={88} px={64} fz={30} onClick={() => void send({ type: "cancel" })}>
          {t.finish}
        </Button>
      )}
    </Stack>
  );
}
