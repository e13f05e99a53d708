/** Picks the component of the agent's current screen. */
import type { KioskAction, KioskLanguage, KioskScreen } from "@keyward/contracts/kiosk";
import type { Messages } from "./i18n.ts";
import { ChooseKeysScreen } from "./screens/choose-keys-screen.tsx";
import { DeniedScreen } from "./screens/denied-screen.tsx";
import { DoneScreen } from "./screens/done-screen.tsx";
import { IdentifyScreen } from "./screens/identify-screen.tsx";
import { IdleScreen } from "./screens/idle-screen.tsx";
import { MenuScreen } from "./screens/menu-screen.tsx";
import { MyKeysScreen } from "./screens/my-keys-screen.tsx";
import { ReasonScreen } from "./screens/reason-screen.tsx";
import { ReturnHangScreen } from "./screens/return-hang-screen.tsx";
import { ReturnScanScreen } from "./screens/return-scan-screen.tsx";
import { SetPinScreen } from "./screens/set-pin-screen.tsx";
import { StoppedScreen } from "./screens/stopped-screen.tsx";
import { TakeScreen } from "./screens/take-screen.tsx";
import { WitnessScreen } from "./screens/witness-screen.tsx";

/** The screen named by the state; a switch over the closed union, so a new screen is a compile error here. */
export function ScreenView({
  screen,
  t,
  language,
  timeZone,
  send,
}: {
  screen: KioskScreen;
  t: Messages;
  language: KioskLanguage;
  timeZone: string | null;
  send: (action: KioskAction) => Promise<void>;
}) {
  const common = { t, language, timeZone, send };
  switch (screen.name) {
    case "idle":
      return <IdleScreen screen={screen} {...common} />;
    case "identify":
      return <IdentifyScreen screen={screen} {...common} />;
    case "menu":
      return <MenuScreen screen={screen} {...common} />;
    case "choose_keys":
      return <ChooseKeysScreen screen={screen} {...common} />;
    case "reason":
      return <ReasonScreen screen={screen} {...common} />;
    case "take":
      return <TakeScreen screen={screen} {...common} />;
    case "return_scan":
      return <ReturnScanScreen screen={screen} {...common} />;
    case "return_hang":
      return <ReturnHangScreen screen={screen} {...common} />;
    case "my_keys":
      return <MyKeysScreen screen={screen} {...common} />;
    case "denied":
      return <DeniedScreen screen={screen} {...common} />;
    case "done":
      return <DoneScreen screen={screen} {...common} />;
    case "stopped":
      return <StoppedScreen screen={screen} {...common} />;
    case "set_pin":
      return <SetPinScreen screen={screen} {...common} />;
    case "witness":
      return <WitnessScreen screen={screen} {...common} />;
  }
}
