/**
 * Checking factors at the console, for the person identifying and for a witness alike: the PIN's lockout (the stricter
 * of this cabinet's count and the server's), the check against its hash, the factor policy's verdict on the factors
 * presented, and asking for the next factor.
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

/** The PIN credential an identification used, for its `cabinet.identified` event. */
export function pinIdentified(factors: readonly FactorKind[], pin: CheckedPin | null): { pinCredentialId?: string } {
  return factors.includes("pin") && pin?.credentialId ? { pinCredentialId: pin.credentialId } : {};
}

/** A PIN credential as checked at the console, and its lockout before the try. */
export interface CheckedPin {
  credentialId: string | null;
  pinHash: string | null;
  stored: PinLockoutState;
  /** Whether the PIN was verified against the hash (not refused by the lockout, and a PIN is set). */
  verified: boolean;
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

/** Checks a PIN typed for a person, unless their lockout forbids a try now. */
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
  const ok = verified ? await (core.options.verifyPin ?? verifyPin)(pinHash, pin).catch(() => false) : false;
  return {
    factor: { kind: "pin", ok, at: now },
    pin: { credentialId: credential?.id ?? null, pinHash, stored, verified },
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
 * lockout saved as it now stands, and how to journal the identification's failure.
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
