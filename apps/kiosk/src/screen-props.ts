/** What every screen component receives: its slice of the state, the language's strings and the way to act. */
import type { KioskAction, KioskLanguage, KioskScreen, KioskScreenName } from "@keyward/contracts/kiosk";
import type { Messages } from "./i18n.ts";

/** The screen variant of a given name. */
export type ScreenOf<N extends KioskScreenName> = Extract<KioskScreen, { name: N }>;

/** Props of the component that draws screen N. */
export interface ScreenProps<N extends KioskScreenName> {
  screen: ScreenOf<N>;
  t: Messages;
  language: KioskLanguage;
  /** The property's time zone, for the times a screen shows. */
  timeZone: string | null;
  send: (action: KioskAction) => Promise<void>;
}
