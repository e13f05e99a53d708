/**
 * Identification at a cabinet: which factors a visit still needs under the cabinet's factor policy, and PIN lockout.
 * Pure: the caller verifies badges, fingerprints and PIN hashes and passes the outcomes in, with the time of each.
 */

import { type Denial, denial } from "./denials.ts";
import type { FactorPolicy } from "./vocabulary.ts";

/** What a person can present at the console. A user code names who is trying; it is never a factor by itself. */
export type FactorKind = "badge" | "fingerprint" | "user_code" | "pin";

/**
 * One step of a visit, with the outcome the caller computed: the person a badge, fingerprint or user code belongs to
 * (`null` when unknown or not matched), or whether a PIN matched the identified person's verifier, and when.
 */
export type PresentedFactor =
  | { kind: "badge"; personId: string | null }
  | { kind: "fingerprint"; personId: string | null }
  | { kind: "user_code"; personId: string | null }
  | { kind: "pin"; ok: boolean; at: Date };

/** Consecutive failures of one PIN credential, and when the last happened (ISO instant). */
export interface PinLockoutState {
  failures: number;
  lastFailureAt: string | null;
}

/** Whether a PIN may be tried now. */
export type PinGate = { gate: "ok" } | { gate: "wait"; seconds: number } | { gate: "locked" };

/** Consecutive failures after which each further try waits {@link PIN_DELAY_SECONDS}. */
export const PIN_DELAY_AFTER_FAILURES = 5;
/** The pause before the next try, once {@link PIN_DELAY_AFTER_FAILURES} is reached. */
export const PIN_DELAY_SECONDS = 30;
/** Consecutive failures after which the PIN is locked until a manager resets it. */
export const PIN_LOCK_AFTER_FAILURES = 10;

/** The state of a credential with no failures: a new PIN, or one a manager has just reset. */
export const PIN_LOCKOUT_CLEAR: PinLockoutState = Object.freeze({ failures: 0, lastFailureAt: null });

/** Whether a PIN may be tried at `now`, and if not, why. */
export function pinGate(state: PinLockoutState, now: Date): PinGate {
  if (state.failures >= PIN_LOCK_AFTER_FAILURES) {
    return { gate: "locked" };
  }
  if (state.failures >= PIN_DELAY_AFTER_FAILURES) {
    const elapsedMs = now.getTime() - Date.parse(state.lastFailureAt ?? "");
    // why: a missing time or a device clock set backwards must not shorten the pause, nor stretch it past its length
    const remainingMs = PIN_DELAY_SECONDS * 1000 - (Number.isNaN(elapsedMs) ? 0 : Math.max(0, elapsedMs));
    if (remainingMs > 0) {
      return { gate: "wait", seconds: Math.ceil(remainingMs / 1000) };
    }
  }
  return { gate: "ok" };
}

/**
 * The credential's state after one verified PIN attempt at `now`. A success clears the count; a failure adds one.
 * An attempt the gate refuses (during a pause, or while locked) changes nothing: it should not have been verified.
 */
export function recordPinAttempt(state: PinLockoutState, ok: boolean, now: Date): PinLockoutState {
  // why: only a manager's reset (PIN_LOCKOUT_CLEAR) unlocks; a guess during the pause must not count nor clear
  if (pinGate(state, now).gate !== "ok") {
    return state;
  }
  if (ok) {
    return PIN_LOCKOUT_CLEAR;
  }
  return { failures: state.failures + 1, lastFailureAt: now.toISOString() };
}

/** Tries left before the next pause or the lock. */
function triesLeft(state: PinLockoutState): number {
  const next = state.failures < PIN_DELAY_AFTER_FAILURES ? PIN_DELAY_AFTER_FAILURES : PIN_LOCK_AFTER_FAILURES;
  return Math.max(0, next - state.failures);
}

/** The outcome of a visit's identification so far. `pinLockout`, when not null, is the state to store for `personId`. */
export type IdentificationDecision =
  | {
      outcome: "need_factor";
      personId: string | null;
      accepts: FactorKind[];
      notice: Denial | null;
      pinLockout: PinLockoutState | null;
    }
  | { outcome: "identified"; personId: string; factors: FactorKind[]; pinLockout: PinLockoutState | null }
  | { outcome: "denied"; personId: string | null; denial: Denial; pinLockout: PinLockoutState | null };

/** What identifies a visit. */
export interface IdentificationInput {
  factorPolicy: FactorPolicy;
  /** Everything presented in this visit, in order. */
  factors: readonly PresentedFactor[];
  /** A person's PIN lockout state as stored before this visit (the decision replays the visit's attempts on it). */
  pinLockoutOf: (personId: string) => PinLockoutState;
}

/** The factors that authenticate (a user code only names who is trying). */
export type RealFactor = "badge" | "fingerprint" | "pin";

// why: every policy names two different real factors, one of which is not a fingerprint, so a finger never suffices
const REQUIRED: Record<FactorPolicy, readonly RealFactor[]> = {
  badge_pin: ["badge", "pin"],
  fingerprint_pin: ["fingerprint", "pin"],
  badge_fingerprint: ["badge", "fingerprint"],
};

/** The factor kinds a policy accepts next, given what is satisfied and whether anything was presented. */
export function acceptedNext(policy: FactorPolicy, satisfied: ReadonlySet<RealFactor>, started: boolean): FactorKind[] {
  const required = REQUIRED[policy];
  const missing = required.filter((f) => !satisfied.has(f));
  const missingPresentable = missing.filter((f) => f !== "pin");
  // why: a PIN identifies nobody, so it only ever comes after the policy's other factors
  const next: FactorKind[] =
    missingPresentable.length > 0 ? [...missingPresentable] : missing.includes("pin") ? ["pin"] : [];
  // why: a user code only claims an identity, letting a fingerprint reader match one to one; it opens a visit
  if (!started && required.includes("fingerprint")) {
    next.push("user_code");
  }
  return next;
}

/**
 * Decides a visit's identification from the factors presented so far: the next factors to ask for, the person, or
 * the denial. Each factor must be one the policy accepts at that step, and all must name the same person.
 */
export function identify(input: IdentificationInput, now: Date): IdentificationDecision {
  const { factorPolicy, factors } = input;
  const satisfied = new Set<RealFactor>();
  const presented: FactorKind[] = [];
  let personId: string | null = null;
  let pin: PinLockoutState | null = null;
  let lastPinFailed = false;

  const denied = (d: Denial): IdentificationDecision => ({ outcome: "denied", personId, denial: d, pinLockout: pin });

  for (const factor of factors) {
    const accepts = acceptedNext(factorPolicy, satisfied, presented.length > 0);
    if (!accepts.includes(factor.kind)) {
      if (factor.kind === "fingerprint" && satisfied.has("fingerprint")) {
        return denied(denial("fingerprint_alone", {}));
      }
      return denied(denial("factor_not_accepted", { accepts }));
    }
    presented.push(factor.kind);
    if (factor.kind === "pin") {
      // why: acceptedNext offers a PIN only after a factor that named the person
      if (personId === null) {
        return denied(denial("factor_not_accepted", { accepts }));
      }
      pin ??= input.pinLockoutOf(personId);
      const gate = pinGate(pin, factor.at);
      if (gate.gate === "locked") {
        return denied(denial("pin_locked", {}));
      }
      if (gate.gate === "wait") {
        return denied(denial("pin_wait", { seconds: gate.seconds }));
      }
      pin = recordPinAttempt(pin, factor.ok, factor.at);
      lastPinFailed = !factor.ok;
      if (factor.ok) {
        satisfied.add("pin");
      }
      continue;
    }
    if (factor.personId === null) {
      const code =
        factor.kind === "badge"
          ? "unknown_badge"
          : factor.kind === "fingerprint"
            ? "fingerprint_not_recognized"
            : "unknown_user_code";
      return denied(denial(code, {}));
    }
    if (personId !== null && factor.personId !== personId) {
      return denied(denial("factor_mismatch", {}));
    }
    personId = factor.personId;
    if (factor.kind !== "user_code") {
      satisfied.add(factor.kind);
    }
  }

  const required = REQUIRED[factorPolicy];
  if (personId !== null && required.every((f) => satisfied.has(f))) {
    return { outcome: "identified", personId, factors: presented, pinLockout: pin };
  }
  const accepts = acceptedNext(factorPolicy, satisfied, presented.length > 0);
  let notice: Denial | null = null;
  if (accepts.includes("pin") && personId !== null) {
    const state = pin ?? input.pinLockoutOf(personId);
    const gate = pinGate(state, now);
    if (gate.gate === "locked") {
      return denied(denial("pin_locked", {}));
    }
    if (gate.gate === "wait") {
      return denied(denial("pin_wait", { seconds: gate.seconds }));
    }
    if (lastPinFailed) {
      notice = denial("pin_incorrect", { triesLeft: triesLeft(state) });
    }
  }
  return { outcome: "need_factor", personId, accepts, notice, pinLockout: pin };
}
