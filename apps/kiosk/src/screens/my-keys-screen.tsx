/** The keys the person has out: label, unit, since when and when due, in the cabinet's local time. */
import { Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { ScreenTitle } from "../components/screen-title.tsx";
import { formatWhen } from "../format.ts";
import type { ScreenProps } from "../screen-props.ts";

function Field({ label, value, strong = false }: { label: string; value: string; strong?: boolean }) {
  return (
    <div>
      <Text fz={18} fw={600} c="dark.6">
        {label}
      </Text>
      <Text fz={24} fw={strong ? 800 : 600} c={strong ? "red.9" : "dark.9"}>
        {value}
      </Text>
    </div>
  );
}

/** The my-keys screen. */
export function MyKeysScreen({ screen, t, language, timeZone }: ScreenProps<"my_keys">) {
  // why: "overdue" is judged against the kiosk's clock only to emphasise the line; the agent decides what is overdue
  const now = Date.now();
  return (
    <Stack gap="xl">
      <ScreenTitle title={t.myKeysTitle} />
      {screen.keys.length === 0 ? (
        <Text fz={28} ta="center" c="dark.7">
          {t.noKeysOut}
        </Text>
      ) : (
        <Stack gap="md" role="list" aria-label={t.myKeysTitle}>
          {screen.keys.map((k) => {
            const overdue = k.dueAt !== null && Date.parse(k.dueAt) < now;
            return (
              <Paper key={k.keyId} role="listitem" withBorder p="md" radius="lg" style={{ borderWidth: 3 }}>
                <Text fz={30} fw={800} c="dark.9" mb="xs">
                  {k.label}
                </Text>
                <SimpleGrid cols={3}>
                  <Field label={t.unit} value={k.unitNumber ?? "—"} />
                  <Field label={t.since} value={formatWhen(k.outAt, language, timeZone)} />
                  <Field
                    label={overdue ? t.overdue : t.due}
                    value={k.dueAt ? formatWhen(k.dueAt, language, timeZone) : t.noDue}
                    strong={overdue}
                  />
                </SimpleGrid>
              </Paper>
            );
          })}
        </Stack>
      )}
    </Stack>
  );
}
