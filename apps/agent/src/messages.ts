/**
 * The agent's own sentences for the kiosk (the domain's `explainDenial` covers policy denials), in English and
 * Spanish. Each says what to do next.
 */
import type { KioskLanguage } from "@keyward/contracts/kiosk";

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
    en: () => "This cabinet has been taken out of service and cannot give out keys — contact your manager. You can still return keys.",
    es: () =>
      "Este gabinete ha sido retirado de servicio y no puede entregar llaves — contacte a su gerente. Aún puede devolver llaves.",
  },
  conditions_required: {
    en: () => "This key needs a witness or a manager's approval, which this cabinet cannot take — ask your manager.",
    es: () =>
      "Esta llave necesita un testigo o la aprobación de un gerente, que este gabinete no puede recoger — consulte a su gerente.",
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
  done: {
    en: () => "All done — thank you.",
    es: () => "Listo — gracias.",
  },
} satisfies Record<string, Record<KioskLanguage, Sentence>>;

/** The agent's sentence codes. */
export type MessageCode = keyof typeof SENTENCES;

/** A sentence in the kiosk's language. */
export function say(code: MessageCode, lang: KioskLanguage, params: Record<string, string | number> = {}): string {
  const sentence: Sentence = SENTENCES[code][lang];
  return sentence(params);
}
