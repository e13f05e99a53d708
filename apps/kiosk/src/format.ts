/**
 * Times as the cabinet's screen shows them: in the property's time zone, which the agent sends with the state (the
 * cabinet computer's own zone only when none is known yet).
 */
import type { KioskLanguage } from "@keyward/contracts/kiosk";

/** "Tue 2 Jun, 17:00" in English, "mar 2 jun, 17:00" in Spanish. */
export function formatWhen(iso: string, language: KioskLanguage, timeZone?: string | null): string {
  return new Intl.DateTimeFormat(language === "es" ? "es" : "en-GB", {
    ...(timeZone ? { timeZone } : {}),
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}
