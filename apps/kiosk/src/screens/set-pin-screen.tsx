/**
 * Choosing one's own PIN with the one-time activation code a manager handed out: present the badge or finger, type
 * the code, choose a PIN, type it again. The agent sends it to the server; no manager ever sees it.
 */
import { Stack, Text } from "@mantine/core";
import { useState } from "react";
import { Keypad } from "../components/keypad.tsx";
import { ScreenTitle } from "../components/screen-title.tsx";
import type { ScreenProps } from "../screen-props.ts";

/** The set-PIN screen. */
export function SetPinScreen({ screen, t, send }: ScreenProps<"set_pin">) {
  const [value, setValue] = useState("");
  const submit = (action: "activation_code" | "choose_pin") => () => {
    const entered = value;
    setValue("");
    void send(action === "activation_code" ? { type: action, code: entered } : { type: action, pin: entered });
  };

  switch (screen.step) {
    case "identify":
      return (
        <Stack align="center" gap="lg">
          <ScreenTitle title={t.setPinTitle} subtitle={t.presentFactor} />
          <Text fz={24} c="dark.6" ta="center" maw={640}>
            {t.setPinIntro}
          </Text>
        </Stack>
      );
    case "activation_code":
      return (
        <Stack align="center" gap="lg">
          <ScreenTitle title={t.hello(screen.firstName)} subtitle={t.typeActivationCode} />
          <Keypad
            label={t.activationCode}
            value={value}
            onChange={setValue}
            t={t}
            maxLength={10}
            submitLabel={t.next}
            onSubmit={submit("activation_code")}
          />
        </Stack>
      );
    case "new_pin":
    case "repeat_pin":
      return (
        <Stack align="center" gap="lg" key={screen.step}>
          <ScreenTitle
            title={screen.step === "new_pin" ? t.chooseNewPin : t.repeatNewPin}
            subtitle={screen.step === "new_pin" ? t.newPinHint : null}
          />
          <Keypad
            label={screen.step === "new_pin" ? t.newPin : t.newPinAgain}
            value={value}
            onChange={setValue}
            t={t}
            masked
            maxLength={12}
            submitLabel={screen.step === "new_pin" ? t.next : t.setMyPin}
            onSubmit={submit("choose_pin")}
          />
        </Stack>
      );
  }
}
