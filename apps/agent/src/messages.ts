/**
 * The agent's own sentences for the kiosk (the domain's `explainDenial` covers policy denials), in English and
 * Spanish. Each says what to do next.
 */
import type { KioskLanguage } from "@keyward/contracts/kiosk";
import type { ConditionKind } from "@keyward/domain/checkout-policy";
import { describePinProblem, effectivePinMinLength, PIN_MAX_LENGTH, type PinProblem } from "@keyward/domain/pin-rules";

type Sentence = (params: Record<string, string | number>) => string;

const SENTENCES = {
  no_snapshot: {
    en: () => "This cabinet has not received its permissions from the server yet — contact your manager.",
    es: () => "Este gabinete aún no ha recibido sus permisos del servidor — contacte a su gerente.",
  },
  snapshot_expired: {
    en: () =>
      "This cabinet has been out of contact with the server for too long and cannot give out keys — contact your manager. You can still return keys.",
    es: () =>
      "Este gabinete lleva demasiado tiempo sin contacto con el servidor y no puede entregar llaves — contacte a su gerente. Aún puede devolver llaves.",
  },
  cabinet_archived: {
    en: () =>
      "This cabinet has been taken out of service and cannot give out keys — contact your manager. You can still return keys.",
    es: () =>
      "Este gabinete ha sido retirado de servicio y no puede entregar llaves — contacte a su gerente. Aún puede devolver llaves.",
  },
  identify_first: {
    en: () => "Present your badge or finger first.",
    es: () => "Presente primero su credencial o su huella.",
  },
  not_now: {
    en: () => "That is not possible on this screen.",
    es: () => "Eso no es posible en esta pantalla.",
  },
  close_door_first: {
    en: () => "Close the cabinet door first.",
    es: () => "Cierre primero la puerta del gabinete.",
  },
  no_unit_keys: {
    en: (p) => `No keys of unit ${p.unit} are kept in this cabinet — check the number.`,
    es: (p) => `En este gabinete no hay llaves de la unidad ${p.unit} — revise el número.`,
  },
  unknown_reason: {
    en: () => "Choose a reason from the list.",
    es: () => "Elija un motivo de la lista.",
  },
  take_from_hooks: {
    en: (p) => `Take your keys from the lit hooks: ${p.hooks}. Close the door when you are done.`,
    es: (p) => `Tome sus llaves de los ganchos iluminados: ${p.hooks}. Cierre la puerta al terminar.`,
  },
  wrong_key: {
    en: (p) => `That is the wrong key — hang it back on hook ${p.hook}.`,
    es: (p) => `Esa no es la llave correcta — vuelva a colgarla en el gancho ${p.hook}.`,
  },
  unknown_tag: {
    en: () => "This cabinet does not know this key — keep it and tell your manager.",
    es: () => "Este gabinete no conoce esta llave — consérvela y avise a su gerente.",
  },
  already_in: {
    en: () => "This key is already in the cabinet.",
    es: () => "Esta llave ya está en el gabinete.",
  },
  no_free_hook: {
    en: () => "There is no free hook for this key — ask your manager.",
    es: () => "No hay un gancho libre para esta llave — consulte a su gerente.",
  },
  hang_on: {
    en: (p) => `Hang the key on the lit hook ${p.hook}.`,
    es: (p) => `Cuelgue la llave en el gancho iluminado ${p.hook}.`,
  },
  returned: {
    en: () => "Key returned — thank you.",
    es: () => "Llave devuelta — gracias.",
  },
  returned_elsewhere: {
    en: (p) => `Key returned on hook ${p.hook}, not the lit hook ${p.expected} — your manager will be told.`,
    es: (p) =>
      `Llave devuelta en el gancho ${p.hook}, no en el gancho iluminado ${p.expected} — se avisará a su gerente.`,
  },
  identify_again: {
    en: () => "Your credentials changed since you identified — present them again.",
    es: () => "Sus credenciales cambiaron desde que se identificó — preséntelas de nuevo.",
  },
  done: {
    en: () => "All done — thank you.",
    es: () => "Listo — gracias.",
  },
  pin_setup_offline: {
    en: () =>
      "This cabinet is not in contact with the server right now. You can set your PIN once it is back in contact — try again later.",
    es: () =>
      "Este gabinete no tiene contacto con el servidor en este momento. Podrá elegir su PIN cuando vuelva a tenerlo — inténtelo más tarde.",
  },
  pin_setup_unknown: {
    en: () => "This cabinet does not know this badge or finger — ask your manager.",
    es: () => "Este gabinete no conoce esta credencial o huella — consulte a su gerente.",
  },
  pin_setup_no_credential: {
    en: () => "You have no PIN to choose here — ask your manager for an activation code.",
    es: () => "No tiene un PIN que elegir aquí — pida a su gerente un código de activación.",
  },
  activation_code_format: {
    en: () => "An activation code has 10 digits — check it and type it again.",
    es: () => "Un código de activación tiene 10 dígitos — revíselo y escríbalo de nuevo.",
  },
  activation_code_invalid: {
    en: () =>
      "This activation code is not right, or it has expired — type it again, or ask your manager for a new one.",
    es: () =>
      "Este código de activación no es correcto o ha caducado — escríbalo de nuevo o pida a su gerente uno nuevo.",
  },
  pin_mismatch: {
    en: () => "The two PINs are not the same — choose your PIN again.",
    es: () => "Los dos PIN no coinciden — elija su PIN de nuevo.",
  },
  pin_rejected: {
    en: () => "That PIN is not allowed — choose another.",
    es: () => "Ese PIN no está permitido — elija otro.",
  },
  pin_setup_too_many: {
    en: (p) => `Too many wrong activation codes. Wait ${p.minutes} min and try again, or ask your manager.`,
    es: (p) =>
      `Demasiados códigos de activación incorrectos. Espere ${p.minutes} min e inténtelo de nuevo, o consulte a su gerente.`,
  },
  pin_set: {
    en: () => "Your PIN is set — use it with your badge from now on.",
    es: () => "Su PIN está listo — úselo con su credencial a partir de ahora.",
  },
  witness_needed: {
    en: () => "A witness must confirm: present the witness's badge and PIN.",
    es: () => "Un testigo debe confirmar: presente la credencial y el PIN del testigo.",
  },
  witness_not_allowed: {
    en: () => "This person cannot be a witness at this cabinet — ask a colleague who works at this property.",
    es: () => "Esta persona no puede ser testigo en este gabinete — pida a un compañero que trabaje en esta propiedad.",
  },
} satisfies Record<string, Record<KioskLanguage, Sentence>>;

/** The agent's sentence codes. */
export type MessageCode = keyof typeof SENTENCES;

/** A sentence in the kiosk's language. */
export function say(code: MessageCode, lang: KioskLanguage, params: Record<string, string | number> = {}): string {
  const sentence: Sentence = SENTENCES[code][lang];
  return sentence(params);
}

const CONDITION_NAMES: Record<KioskLanguage, Record<ConditionKind, string>> = {
  en: { witness: "a witness", manager_approval: "a manager's approval", key_pairing: "its paired key" },
  es: { witness: "un testigo", manager_approval: "la aprobación de un gerente", key_pairing: "su llave emparejada" },
};

/** The refusal of conditions this cabinet cannot take, naming them ("needs a manager's approval"). */
export function unsupportedConditions(conditions: readonly ConditionKind[], lang: KioskLanguage): string {
  const joiner = lang === "en" ? " and " : " y ";
  const names = [...new Set(conditions)].map((c) => CONDITION_NAMES[lang][c]).join(joiner);
  return lang === "en"
    ? `This key needs ${names}, which this cabinet cannot take — ask your manager.`
    : `Esta llave necesita ${names}, que este gabinete no puede recoger — consulte a su gerente.`;
}

/** The sentence for a PIN the organization's rules refuse (the domain's English one, or its Spanish). */
export function pinProblemSentence(problem: PinProblem, minLength: number, lang: KioskLanguage): string {
  if (lang === "en") {
    return describePinProblem(problem, minLength);
  }
  switch (problem) {
    case "not_digits":
      return "Un PIN solo puede tener dígitos.";
    case "too_short":
      return `Elija un PIN de al menos ${effectivePinMinLength(minLength)} dígitos.`;
    case "too_long":
      return `Elija un PIN de como máximo ${PIN_MAX_LENGTH} dígitos.`;
    case "repeated":
      return "Ese PIN repite los mismos dígitos; elija uno más difícil de adivinar.";
    case "sequential":
      return "Ese PIN es una serie de dígitos consecutivos; elija uno más difícil de adivinar.";
    case "common":
      return "Ese PIN es de los más comunes; elija otro.";
  }
}
