/**
 * The shape of one visit at the cabinet: its stage, the factors presented, the keys chosen and granted, the PIN being
 * chosen, the witness being identified, and the keys lifted or returned in it.
 */
import type { KioskLanguage } from "@keyward/contracts/kiosk";
import type { PresentedFactor } from "@keyward/domain/identification";

/** Where a visit stands: the screen the kiosk shows for it. */
export type Stage =
  | "identify"
  | "choose_keys"
  | "reason"
  | "take"
  | "return_scan"
  | "return_hang"
  | "my_keys"
  | "denied"
  | "done"
  | "set_pin"
  | "witness";

/** Choosing one's PIN: who (from the badge or finger), the code and the PIN typed so far; never journalled. */
export interface PinSetup {
  step: "identify" | "activation_code" | "new_pin" | "repeat_pin";
  credentialId: string | null;
  activationCode: string | null;
  pin: string | null;
}

/** The witness a profile demands, identifying with the cabinet's factors; the decision waits on them. */
export interface WitnessCheck {
  factors: PresentedFactor[];
  personId: string | null;
  waitSeconds: number | null;
  reasonCodeId: string;
  workOrder: string | null;
}

/** A hook lit for a granted key, and whether the key has been lifted from it. */
export interface GrantedHook {
  keyId: string;
  tag: string;
  hook: number;
  label: string;
  dueAt: string | null;
  taken: boolean;
}

/** One visit: from the first factor presented to the "done" or the refusal that closes it. */
export interface Visit {
  id: string;
  stage: Stage;
  /** The factors that still count (a failed PIN is accounted for in the stored lockout instead). */
  factors: PresentedFactor[];
  /** What was read for each badge, finger or user code (memory only), to check it again at the decision. */
  presented: { kind: "badge" | "fingerprint" | "user_code"; value: string | null }[];
  /** The PIN hash a correct PIN was verified against in this visit, if one was. */
  pinHash: string | null;
  openedAt: number;
  personId: string | null;
  identified: boolean;
  /** The visit is over (a "done" or a final refusal is on screen); the next factor starts a new one. */
  closed: boolean;
  lastActionAt: number;
  language: KioskLanguage | null;
  waitSeconds: number | null;
  denied: { code: string; message: string; next: "idle" | "menu" } | null;
  doneMessage: string | null;
  unitNumber: string | null;
  selected: string[];
  /** The key `find_unit` chose by itself (the unit's only one to take); Back from the reason un-chooses it. */
  autoPicked: string | null;
  grant: {
    hooks: GrantedHook[];
    dueAt: string | null;
    reasonCodeId: string;
    workOrder: string | null;
    witnessPersonId: string | null;
  } | null;
  pinSetup: PinSetup | null;
  witness: WitnessCheck | null;
  /** Keys lifted in this visit that were not granted: hook → tag. */
  wrongLifted: Map<number, string | null>;
  returning: { keyId: string; tag: string; label: string; hook: number } | null;
  returned: { keyId: string; label: string }[];
}
