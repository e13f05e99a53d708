/**
 * The console's persistent header: the cabinet's name, whether it is online, the language switch, and Back/Cancel on
 * the screens where leaving makes sense.
 */
import type { KioskAction, KioskLanguage, KioskScreenName, KioskState } from "@keyward/contracts/kiosk";
import { Box, Button, Group, Text, Title } from "@mantine/core";
import type { Messages } from "../i18n.ts";
import type { Link } from "../use-kiosk-state.ts";
import { Logo } from "./logo.tsx";

// why: a value import from the contracts would pull zod into the kiosk's bundle for two strings
const LANGUAGES: readonly KioskLanguage[] = ["en", "es"];
const LANGUAGE_NAMES: Record<KioskLanguage, string> = { en: "English", es: "Español" };

// why: choose_keys is the visit's first screen, where Back would only do what Cancel does
const WITH_BACK: ReadonlySet<KioskScreenName> = new Set(["reason", "my_keys", "return_scan", "witness"]);
const WITH_CANCEL: ReadonlySet<KioskScreenName> = new Set([
  "identify",
  "menu",
  "choose_keys",
  "reason",
  "my_keys",
  "return_scan",
  "set_pin",
  "witness",
]);

function Connection({ state, link, t }: { state: KioskState; link: Link; t: Messages }) {
  const reachable = link !== "down";
  const online = reachable && state.online;
  const text = !reachable ? t.connecting : online ? t.online : t.offlineHelp(state.snapshot.ageMinutes);
  return (
    <Group gap={8} wrap="nowrap" role="status" aria-label={text}>
      <Box
        aria-hidden="true"
        w={16}
        h={16}
        style={{
          borderRadius: "50%",
          border: "2px solid white",
          background: online ? "var(--mantine-color-green-5)" : "var(--mantine-color-orange-5)",
        }}
      />
      <Text fz={20} fw={600} c="white">
        {text}
      </Text>
    </Group>
  );
}

function LanguageSwitch({ language, send }: { language: KioskLanguage; send: (a: KioskAction) => Promise<void> }) {
  return (
    <Group gap={4} role="group" aria-label="Language / Idioma" wrap="nowrap">
      {LANGUAGES.map((code) => (
        <Button
          key={code}
          h={64}
          miw={72}
          fz={22}
          variant={code === language ? "white" : "outline"}
          color={code === language ? "dark" : "gray.0"}
          aria-pressed={code === language}
          aria-label={LANGUAGE_NAMES[code]}
          lang={code}
          onClick={() => void send({ type: "language", language: code })}
        >
          {code.toUpperCase()}
        </Button>
      ))}
    </Group>
  );
}

/** The header above every screen. */
export function Header({
  state,
  link,
  t,
  send,
}: {
  state: KioskState;
  link: Link;
  t: Messages;
  send: (a: KioskAction) => Promise<void>;
}) {
  const name = state.screen.name;
  return (
    <Group component="header" justify="space-between" px="lg" py="sm" bg="dark.8" wrap="nowrap" gap="md">
      <Group gap="md" wrap="nowrap" miw={0}>
        <Logo size={40} />
        <Box miw={0}>
          <Title order={1} fz={26} c="white" lineClamp={1}>
            {state.cabinet.name}
          </Title>
          <Connection state={state} link={link} t={t} />
        </Box>
      </Group>
      <Group gap="sm" wrap="nowrap">
        {WITH_BACK.has(name) && (
          <Button h={64} fz={22} variant="white" color="dark" onClick={() => void send({ type: "back" })}>
            ← {t.back}
          </Button>
        )}
        {WITH_CANCEL.has(name) && (
          <Button h={64} fz={22} color="red.9" onClick={() => void send({ type: "cancel" })}>
            {t.cancel}
          </Button>
        )}
        <LanguageSwitch language={state.language} send={send} />
      </Group>
    </Group>
  );
}
