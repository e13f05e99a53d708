/**
 * Checking factors at the console, for the person identifying and for a witness alike: the PIN's lockout (the stricter
 * of this cabinet's count and the server's), the check against its hash (and its duress form), the factor policy's
 * verdict on the factors presented, and asking for the next factor.
 */
import type { KioskLanguage } from "@keyward/contracts/kiosk";
import { explainDenial } from "@keyward/domain/denials";
import {
  type FactorKind,
  type IdentificationDecision,
  identify,
  PIN_LOCKOUT_CLEAR,
  type PinLockoutState,
  type PresentedFactor,
  pinGate,
} from "@keyward/domain/identification";
import { verify as verifyPin } from "@node-rs/argon2";
import type { EngineCore } from "./core.ts";

/**
 * The digit that, typed after one's PIN, signals duress ("PIN then 9", the convention of Key Systems cabinets): the
 * cabinet behaves exactly as for the PIN and journals `cabinet.duress_signalled`.
 */
export const DURESS_DIGIT = "9";

/** The PIN credential an identification used, for its `cabinet.identified` event. */
function pinIdentified(factors: readonly FactorKind[], pin: CheckedPin | null): { pinCredentialId?: string } {
  return factors.includes("pin") && pin?.credentialId ? { pinCredentialId: pin.credentialId } : {};
}

/** A PIN credential as checked at the console, and its lockout before the try. */
export interface CheckedPin {
  /** The person the PIN was typed for. */
  personId: string;
  credentialId: string | null;
  pinHash: string | null;
  stored: PinLockoutState;
  /** Whether the PIN was verified against the hash (not refused by the lockout, and a PIN is set). */
  verified: boolean;
  /** Whether it was typed in its duress form: the person's PIN followed by {@link DURESS_DIGIT}. */
  duress: boolean;
}

/**
 * The stricter of two lockouts of one PIN: more failures wins, and for equal counts the later last failure.
 * why: the journal counts this cabinet's tries, the snapshot the server's view of every cabinet's; neither may lift
 * a pause or a lock the other holds
 */
function stricterLockout(a: PinLockoutState, b: PinLockoutState): PinLockoutState {
  if (a.failures !== b.failures) {
    return a.failures > b.failures ? a : b;
  }
  const at = (s: PinLockoutState) => Date.parse(s.lastFailureAt ?? "") || 0;
  return at(b) > at(a) ? b : a;
}

/**
 * A person's PIN lockout as this cabinet must apply it: the stricter of its journal's count for the PIN hash and the
 * snapshot's, which holds the failures other cabinets reported for the same PIN.
 */
function pinLockoutOf(core: EngineCore, personId: string): PinLockoutState {
  const credential = core.view?.pinCredentialOf(personId);
  if (!credential?.pinHash) {
    return PIN_LOCKOUT_CLEAR;
  }
  const local = core.options.journal.pinLockout(credential.id, credential.pinHash);
  return credential.pinLockout ? stricterLockout(local, credential.pinLockout) : local;
}

/** Whether a PIN matches its argon2id hash (a hash that cannot be read matches nothing). */
function matches(core: EngineCore, pinHash: string, pin: string): Promise<boolean> {
  return (core.options.verifyPin ?? verifyPin)(pinHash, pin).catch(() => false);
}

/**
 * Checks a PIN typed for a person, unless their lockout forbids a try now. A PIN that does not match but is the
 * person's PIN followed by {@link DURESS_DIGIT} counts as their PIN, marked duress.
 */
export async function checkPinOf(
  core: EngineCore,
  personId: string,
  pin: string,
): Promise<{ factor: PresentedFactor; pin: CheckedPin }> {
  const now = core.options.now();
  const credential = core.view?.pinCredentialOf(personId) ?? null;
  const pinHash = credential?.pinHash ?? null;
  const stored = pinLockoutOf(core, personId);
  // why: a try the lockout refuses is never verified, so it neither counts nor costs a hash
  const verified = pinHash !== null && pinGate(stored, now).gate === "ok";
  const ok = verified ? await matches(core, pinHash, pin) : false;
  // why: only a PIN that failed and ends in the duress digit pays for a second hash; the right PIN still costs one
  const duress =
    verified &&
    !ok &&
    pin.length >= 2 &&
    pin.endsWith(DURESS_DIGIT) &&
    (await matches(core, pinHash, pin.slice(0, -1)));
  return {
    // why: the duress form is the right PIN to everything but the journal: no failure counted, the lockout cleared
    factor: { kind: "pin", ok: ok || duress, at: now },
    pin: { personId, credentialId: credential?.id ?? null, pinHash, stored, verified, duress },
  };
}

function identification(core: EngineCore, factors: readonly PresentedFactor[], stored?: PinLockoutState) {
  return identify(
    {
      factorPolicy: core.view?.body.cabinet.factorPolicy ?? "badge_pin",
      factors,
      pinLockoutOf: (personId) => stored ?? pinLockoutOf(core, personId),
    },
    core.options.now(),
  );
}

/**
 * The factor policy's verdict on the factors presented in a visit (by the person or their witness), with the PIN's
 * lockout saved as it now stands, the identification journalled when it succeeded (then the duress signal, when the
 * PIN was typed in its duress form), and how to journal the identification's failure.
 */
export function identifyPresented(
  core: EngineCore,
  visitId: string,
  factors: readonly PresentedFactor[],
  kind: FactorKind,
  pin: CheckedPin | null,
) {
  const decision = identification(core, factors, pin?.stored);
  if (pin?.credentialId && pin.pinHash && decision.pinLockout) {
    core.options.journal.savePinLockout(pin.credentialId, pin.pinHash, decision.pinLockout);
  }
  if (decision.outcome === "identified") {
    core.append("cabinet.identified", {
      visitId,
      personId: decision.personId,
      factors: decision.factors,
      ...pinIdentified(decision.factors, pin),
    });
  }
  if (pin?.duress && pin.credentialId) {
    // why: signalled whatever the verdict (a PIN that matches ends the identification, so it follows
    // `cabinet.identified`), and never by a word, beep or screen of its own: the cabinet must look as for the PIN
    core.append("cabinet.duress_signalled", { visitId, personId: pin.personId, credentialId: pin.credentialId });
  }
  const failed = (code: string) =>
    core.append("cabinet.identification_failed", {
      visitId,
      personId: decision.personId,
      credentialId: pin?.credentialId ?? null,
      factor: kind,
      code,
      // why: only a PIN checked against its hash is a failure; the server counts these across cabinets
      ...(kind === "pin" && pin?.verified && decision.pinLockout ? { pinFailures: decision.pinLockout.failures } : {}),
    });
  return { decision, failed };
}

/**
 * The factor policy wants another factor (from the person identifying or their witness): keep whom the factors name
 * and those that still count, and say why if the one just presented failed.
 */
export async function askNextFactor(
  core: EngineCore,
  who: { personId: string | null; factors: PresentedFactor[] },
  decision: Extract<IdentificationDecision, { outcome: "need_factor" }>,
  factors: PresentedFactor[],
  failed: (code: string) => void,
  lang: KioskLanguage,
): Promise<void> {
  who.personId = decision.personId;
  // why: a failed PIN is kept in the stored lockout, not in the visit, so it is never counted twice
  who.factors = factors.filter((f) => f.kind !== "pin" || f.ok);
  if (decision.notice) {
    failed(decision.notice.code);
    await core.beepRefuse(explainDenial(decision.notice, lang));
  } else {
    await core.accept(null);
  }
}
