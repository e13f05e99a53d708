/**
 * Times as the cabinet's screen shows them. The kiosk runs on the cabinet's own computer, whose clock is set to the
 * property's time zone, so the browser's local zone is the cabinet's local display.
 */
import type { KioskLanguage } from "@keyward/contracts/kiosk";

/** "Tue 2 Jun, 17:00" in English, "mar 2 jun, 17:00" in Spanish. */
export function formatWhen(iso: string, language: KioskLanguage): string {
  return new Intl.DateTimeFormat(language === "es" ? "es" : "en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}
