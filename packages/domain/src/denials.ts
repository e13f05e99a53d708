/**
 * Why the cabinet or the server refused a step. Every denial has a stable code (persisted in events, switched on by
 * clients) and a sentence for the screen, in English and Spanish, that tells the person what to do next.
 */

import type { FactorKind } from "./identification.ts";
import type { KeyStatus } from "./vocabulary.ts";

type NoParams = Record<string, never>;

/** The parameters each denial carries, by code. Codes are stable string keys: add, never rename. */
export interface DenialParams {
  unknown_badge: NoParams;
  unknown_user_code: NoParams;
  fingerprint_not_recognized: NoParams;
  fingerprint_alone: NoParams;
  factor_not_accepted: { accepts: readonly FactorKind[] };
  factor_mismatch: NoParams;
  pin_incorrect: { triesLeft: number };
  pin_wait: { seconds: number };
  pin_locked: NoParams;
  person_inactive: NoParams;
  before_start_date: { startDate: string };
  after_end_date: { endDate: string };
  no_valid_profile: NoParams;
  no_keys_requested: NoParams;
  not_permitted_key: { keyId: string };
  restricted_key: { keyId: string };
  outside_hours: { keyId: string };
  holiday: { keyId: string };
  key_not_available: { keyId: string; status: KeyStatus };
  keys_out_limit: { keyId: string; limit: number; keysOut: number; requested: number };
  reason_required: NoParams;
  reason_inactive: NoParams;
  work_order_required: NoParams;
  witness_is_holder: NoParams;
}

/** The closed set of denial codes. */
export type DenialCode = keyof DenialParams;

/** One denial of a given code with its parameters. */
export interface DenialOf<C extends DenialCode> {
  code: C;
  params: DenialParams[C];
}

/** Any denial: a union discriminated by `code`. */
export type Denial = { [C in DenialCode]: DenialOf<C> }[DenialCode];

/** Languages the kiosk speaks. */
export type Lang = "en" | "es";

/** Builds a denial, checking its parameters against its code. */
export function denial<C extends DenialCode>(code: C, params: DenialParams[C]): DenialOf<C> {
  return { code, params };
}

const FACTOR_NAMES: Record<Lang, Record<FactorKind, string>> = {
  en: { badge: "your badge", fingerprint: "your finger", user_code: "your user code", pin: "your PIN" },
  es: { badge: "su credencial", fingerprint: "su huella", user_code: "su código de usuario", pin: "su PIN" },
};

function orList(items: readonly string[], lang: Lang): string {
  return new Intl.ListFormat(lang, { type: "disjunction" }).format(items);
}

function longDate(date: string, lang: Lang): string {
  // why: a local date has no zone; formatting it at UTC midnight in UTC keeps the day from shifting
  return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${date}T00:00:00Z`));
}

const STATUS_SENTENCES: Record<Lang, Record<KeyStatus, string>> = {
  en: {
    in: "This key cannot be taken right now — choose another key or ask your manager.",
    out: "This key is already out — choose another copy, or check the keys-out board to see who has it.",
    lost: "This key is reported lost — choose another copy and tell your manager if you find it.",
    retired: "This key is no longer in service — choose another copy or ask your manager.",
    with_resident: "This key is with the resident — choose another copy or ask your manager.",
  },
  es: {
    in: "Esta llave no se puede sacar ahora — elija otra llave o consulte a su gerente.",
    out: "Esta llave ya está fuera — elija otra copia o vea en el tablero quién la tiene.",
    lost: "Esta llave está reportada como perdida — elija otra copia y avise a su gerente si la encuentra.",
    retired: "Esta llave ya no está en servicio — elija otra copia o consulte a su gerente.",
    with_resident: "Esta llave la tiene el residente — elija otra copia o consulte a su gerente.",
  },
};

type Sentences = { [C in DenialCode]: Record<Lang, (params: DenialParams[C]) => string> };

const SENTENCES: Sentences = {
  unknown_badge: {
    en: () => "This badge is not recognised — try again, or ask your manager to register it.",
    es: () => "No se reconoce esta credencial — inténtelo de nuevo o pida a su gerente que la registre.",
  },
  unknown_user_code: {
    en: () => "This user code is not recognised — check it and try again.",
    es: () => "No se reconoce este código de usuario — revíselo e inténtelo de nuevo.",
  },
  fingerprint_not_recognized: {
    en: () => "Your finger was not recognised — place it flat on the reader and try again.",
    es: () => "No se reconoció su huella — apoye el dedo bien plano en el lector e inténtelo de nuevo.",
  },
  fingerprint_alone: {
    en: () => "A fingerprint alone is not enough — present your second factor.",
    es: () => "La huella sola no basta — presente su segundo factor.",
  },
  factor_not_accepted: {
    en: (p) =>
      p.accepts.length === 0
        ? "This cabinet cannot identify you this way — ask your manager."
        : `This cabinet does not accept that here — use ${orList(
            p.accepts.map((k) => FACTOR_NAMES.en[k]),
            "en",
          )}.`,
    es: (p) =>
      p.accepts.length === 0
        ? "Este gabinete no puede identificarle así — consulte a su gerente."
        : `Este gabinete no acepta eso aquí — use ${orList(
            p.accepts.map((k) => FACTOR_NAMES.es[k]),
            "es",
          )}.`,
  },
  factor_mismatch: {
    en: () => "Your two factors belong to different people — start again with your own badge, finger and PIN.",
    es: () =>
      "Sus dos factores pertenecen a personas distintas — empiece de nuevo con su propia credencial, huella y PIN.",
  },
  pin_incorrect: {
    en: (p) =>
      p.triesLeft === 1
        ? "That PIN is not right — try again (1 try left before a pause)."
        : `That PIN is not right — try again (${p.triesLeft} tries left before a pause).`,
    es: (p) =>
      p.triesLeft === 1
        ? "Ese PIN no es correcto — inténtelo de nuevo (queda 1 intento antes de una pausa)."
        : `Ese PIN no es correcto — inténtelo de nuevo (quedan ${p.triesLeft} intentos antes de una pausa).`,
  },
  pin_wait: {
    en: (p) => `Too many wrong PINs — wait ${p.seconds} seconds, then try again.`,
    es: (p) => `Demasiados PIN incorrectos — espere ${p.seconds} segundos y vuelva a intentarlo.`,
  },
  pin_locked: {
    en: () => "Your PIN is locked — ask your manager to reset it.",
    es: () => "Su PIN está bloqueado — pida a su gerente que lo restablezca.",
  },
  person_inactive: {
    en: () => "Your access is not active — ask your manager.",
    es: () => "Su acceso no está activo — consulte a su gerente.",
  },
  before_start_date: {
    en: (p) => `Your access starts on ${longDate(p.startDate, "en")} — come back then, or ask your manager.`,
    es: (p) => `Su acceso empieza el ${longDate(p.startDate, "es")} — vuelva ese día o consulte a su gerente.`,
  },
  after_end_date: {
    en: (p) => `Your access ended on ${longDate(p.endDate, "en")} — ask your manager to extend it.`,
    es: (p) => `Su acceso terminó el ${longDate(p.endDate, "es")} — pida a su gerente que lo amplíe.`,
  },
  no_valid_profile: {
    en: () => "You have no key access here today — ask your manager to assign you an access profile.",
    es: () => "Hoy no tiene acceso a llaves aquí — pida a su gerente que le asigne un perfil de acceso.",
  },
  no_keys_requested: {
    en: () => "No key chosen — choose at least one key.",
    es: () => "No eligió ninguna llave — elija al menos una.",
  },
  not_permitted_key: {
    en: () => "You may not take this key — choose another, or ask your manager to add it to your access.",
    es: () => "No puede sacar esta llave — elija otra o pida a su gerente que la añada a su acceso.",
  },
  restricted_key: {
    en: () => "This key is restricted — ask your manager for access to restricted keys.",
    es: () => "Esta llave está restringida — pida a su gerente acceso a llaves restringidas.",
  },
  outside_hours: {
    en: () => "You may take this key only during your scheduled hours — come back then, or ask your manager.",
    es: () => "Solo puede sacar esta llave en su horario — vuelva en ese horario o consulte a su gerente.",
  },
  holiday: {
    en: () => "Today is a holiday and your schedule does not allow this key — ask your manager.",
    es: () => "Hoy es festivo y su horario no permite esta llave — consulte a su gerente.",
  },
  key_not_available: {
    en: (p) => STATUS_SENTENCES.en[p.status],
    es: (p) => STATUS_SENTENCES.es[p.status],
  },
  keys_out_limit: {
    en: (p) => `You may hold at most ${p.limit} keys at once and you have ${p.keysOut} — return a key or take fewer.`,
    es: (p) =>
      `Puede tener como máximo ${p.limit} llaves a la vez y tiene ${p.keysOut} — devuelva una llave o saque menos.`,
  },
  reason_required: {
    en: () => "Choose a reason for taking the key.",
    es: () => "Elija el motivo por el que saca la llave.",
  },
  reason_inactive: {
    en: () => "That reason is no longer in use — choose another.",
    es: () => "Ese motivo ya no se usa — elija otro.",
  },
  work_order_required: {
    en: () => "This reason needs a work-order number — enter it to continue.",
    es: () => "Este motivo necesita un número de orden de trabajo — introdúzcalo para continuar.",
  },
  witness_is_holder: {
    en: () => "Your witness must be someone else — ask a colleague to identify at the cabinet.",
    es: () => "Su testigo debe ser otra persona — pida a un compañero que se identifique en el gabinete.",
  },
};

/** The sentence for the screen: what went wrong and what to do next, never only the code. */
export function describeDenial<C extends DenialCode>(code: C, lang: Lang, params: DenialParams[C]): string {
  return SENTENCES[code][lang](params);
}

/** {@link describeDenial} for a denial value, as decisions return them. */
export function explainDenial<C extends DenialCode>(d: DenialOf<C>, lang: Lang): string {
  return describeDenial(d.code, lang, d.params);
}
