import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  acceptedNext,
  identify,
  PIN_LOCKOUT_CLEAR,
  type PinLockoutState,
  type PresentedFactor,
  pinGate,
  recordPinAttempt,
} from "./identification.ts";
import type { FactorPolicy } from "./vocabulary.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const POLICIES: FactorPolicy[] = ["badge_pin", "fingerprint_pin", "badge_fingerprint"];

const badge = (personId: string | null = "ana"): PresentedFactor => ({ kind: "badge", personId });
const finger = (personId: string | null = "ana"): PresentedFactor => ({ kind: "fingerprint", personId });
const code = (personId: string | null = "ana"): PresentedFactor => ({ kind: "user_code", personId });
const pin = (ok: boolean, seconds = 0): PresentedFactor => ({ kind: "pin", ok, at: at(seconds) });

function run(policy: FactorPolicy, factors: PresentedFactor[], state: PinLockoutState = PIN_LOCKOUT_CLEAR) {
  return identify({ factorPolicy: policy, factors, pinLockoutOf: () => state }, NOW);
}

/** The state after `n` failures, one a second, ending at NOW. */
function failed(n: number): PinLockoutState {
  let s = PIN_LOCKOUT_CLEAR;
  for (let i = 0; i < n; i++) {
    const t = new Date(NOW.getTime() - (n - i) * 31_000);
    s = recordPinAttempt(s, false, t);
  }
  return { ...s, lastFailureAt: NOW.toISOString() };
}

describe("identify: the order of factors", () => {
  it.each([
    ["badge_pin", [], ["badge"]],
    ["fingerprint_pin", [], ["fingerprint", "user_code"]],
    ["badge_fingerprint", [], ["badge", "fingerprint", "user_code"]],
    ["badge_pin", [badge()], ["pin"]],
    ["fingerprint_pin", [finger()], ["pin"]],
    ["fingerprint_pin", [code()], ["fingerprint"]],
    ["badge_fingerprint", [badge()], ["fingerprint"]],
    ["badge_fingerprint", [finger()], ["badge"]],
    ["badge_fingerprint", [code()], ["badge", "fingerprint"]],
  ] as const)("under %s, after %j, asks for %j", (policy, factors, accepts) => {
    const decision = run(policy, [...factors]);
    expect(decision).toMatchObject({ outcome: "need_factor", accepts });
  });

  it.each([
    ["badge_pin", [badge(), pin(true)], ["badge", "pin"]],
    ["fingerprint_pin", [finger(), pin(true)], ["fingerprint", "pin"]],
    ["fingerprint_pin", [code(), finger(), pin(true)], ["user_code", "fingerprint", "pin"]],
    ["badge_fingerprint", [badge(), finger()], ["badge", "fingerprint"]],
    ["badge_fingerprint", [finger(), badge()], ["fingerprint", "badge"]],
  ] as const)("under %s, %j identifies the person", (policy, factors, kinds) => {
    expect(run(policy, [...factors])).toEqual({
      outcome: "identified",
      personId: "ana",
      factors: kinds,
      pinLockout: factors.some((f) => f.kind === "pin") ? PIN_LOCKOUT_CLEAR : null,
    });
  });

  it("never takes a PIN first, nor a user code on a badge-and-PIN cabinet", () => {
    expect(run("badge_pin", [pin(true)])).toMatchObject({
      outcome: "denied",
      denial: { code: "factor_not_accepted", params: { accepts: ["badge"] } },
    });
    expect(run("badge_pin", [code()])).toMatchObject({ denial: { code: "factor_not_accepted" } });
    expect(run("fingerprint_pin", [code(), pin(true)])).toMatchObject({
      denial: { code: "factor_not_accepted", params: { accepts: ["fingerprint"] } },
    });
  });

  it("refuses a second fingerprint in place of the second factor", () => {
    expect(run("fingerprint_pin", [finger(), finger()])).toMatchObject({
      outcome: "denied",
      denial: { code: "fingerprint_alone" },
    });
    expect(run("badge_fingerprint", [finger(), finger()])).toMatchObject({ denial: { code: "fingerprint_alone" } });
  });

  it("refuses factors that name different people", () => {
    expect(run("badge_fingerprint", [badge("ana"), finger("ben")])).toMatchObject({
      outcome: "denied",
      denial: { code: "factor_mismatch" },
    });
    expect(run("fingerprint_pin", [code("ana"), finger("ben")])).toMatchObject({ denial: { code: "factor_mismatch" } });
  });

  it("names an unknown badge, user code or finger", () => {
    expect(run("badge_pin", [badge(null)])).toMatchObject({ denial: { code: "unknown_badge" } });
    expect(run("fingerprint_pin", [code(null)])).toMatchObject({ denial: { code: "unknown_user_code" } });
    expect(run("fingerprint_pin", [finger(null)])).toMatchObject({ denial: { code: "fingerprint_not_recognized" } });
  });

  it("refuses anything after identification is complete", () => {
    expect(run("badge_pin", [badge(), pin(true), badge()])).toMatchObject({
      denial: { code: "factor_not_accepted", params: { accepts: [] } },
    });
  });
});

describe("identify: PIN attempts", () => {
  it("asks again after a wrong PIN, saying how many tries are left", () => {
    const decision = run("badge_pin", [badge(), pin(false)]);
    expect(decision).toMatchObject({
      outcome: "need_factor",
      accepts: ["pin"],
      notice: { code: "pin_incorrect", params: { triesLeft: 4 } },
      pinLockout: { failures: 1, lastFailureAt: NOW.toISOString() },
    });
  });

  it("identifies after wrong PINs followed by the right one, and clears the count", () => {
    expect(run("badge_pin", [badge(), pin(false), pin(false), pin(true)], failed(2))).toMatchObject({
      outcome: "identified",
      pinLockout: PIN_LOCKOUT_CLEAR,
    });
  });

  it("makes the fifth consecutive failure wait 30 s, across visits", () => {
    expect(run("badge_pin", [badge(), pin(false)], failed(4))).toMatchObject({
      outcome: "denied",
      denial: { code: "pin_wait", params: { seconds: 30 } },
      pinLockout: { failures: 5 },
    });
    expect(run("badge_pin", [badge()], failed(5))).toMatchObject({ denial: { code: "pin_wait" } });
  });

  it("refuses even a right PIN during the pause, without counting it", () => {
    expect(run("badge_pin", [badge(), pin(true, 10)], failed(5))).toMatchObject({
      outcome: "denied",
      denial: { code: "pin_wait", params: { seconds: 20 } },
      pinLockout: { failures: 5 },
    });
    expect(run("badge_pin", [badge(), pin(true, 30)], failed(5))).toMatchObject({ outcome: "identified" });
  });

  it("locks at the tenth failure and says to ask a manager", () => {
    expect(run("badge_pin", [badge(), pin(false, 30)], failed(9))).toMatchObject({
      outcome: "denied",
      denial: { code: "pin_locked" },
      pinLockout: { failures: 10 },
    });
    expect(run("fingerprint_pin", [finger()], failed(10))).toMatchObject({ denial: { code: "pin_locked" } });
    expect(run("fingerprint_pin", [finger(), pin(true, 3600)], failed(10))).toMatchObject({
      denial: { code: "pin_locked" },
    });
  });

  it("does not look at PIN lockout on a badge-and-fingerprint cabinet", () => {
    expect(run("badge_fingerprint", [badge(), finger()], failed(10))).toMatchObject({ outcome: "identified" });
  });
});

describe("pinGate and recordPinAttempt", () => {
  it("lets a fresh PIN be tried", () => {
    expect(pinGate(PIN_LOCKOUT_CLEAR, NOW)).toEqual({ gate: "ok" });
    expect(pinGate(failed(4), NOW)).toEqual({ gate: "ok" });
  });

  it("waits 30 s after the fifth and every further failure, rounding up", () => {
    expect(pinGate(failed(5), NOW)).toEqual({ gate: "wait", seconds: 30 });
    expect(pinGate(failed(5), new Date(NOW.getTime() + 29_001))).toEqual({ gate: "wait", seconds: 1 });
    expect(pinGate(failed(5), at(30))).toEqual({ gate: "ok" });
    expect(pinGate(failed(7), at(5))).toEqual({ gate: "wait", seconds: 25 });
  });

  it("keeps the full pause when the clock goes backwards or the time is missing", () => {
    expect(pinGate(failed(5), at(-600))).toEqual({ gate: "wait", seconds: 30 });
    expect(pinGate({ failures: 6, lastFailureAt: null }, NOW)).toEqual({ gate: "wait", seconds: 30 });
  });

  it("stays locked at ten failures however long it waits", () => {
    expect(pinGate(failed(10), at(365 * 86_400))).toEqual({ gate: "locked" });
  });

  it("always locks after ten consecutive failures, whatever their timing", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 10, maxLength: 10 }), (gaps) => {
        let s = PIN_LOCKOUT_CLEAR;
        let t = NOW.getTime();
        for (const gap of gaps) {
          t += gap * 1000;
          // why: the person waits out any pause, as the kiosk makes them
          const gate = pinGate(s, new Date(t));
          if (gate.gate === "wait") {
            t += gate.seconds * 1000;
          }
          s = recordPinAttempt(s, false, new Date(t));
        }
        expect(s.failures).toBe(10);
        expect(pinGate(s, new Date(t + 10 * 365 * 86_400_000))).toEqual({ gate: "locked" });
      }),
    );
  });

  it("always resets the count on an admitted success, and never counts a refused attempt", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ok: fc.boolean(), gap: fc.integer({ min: 0, max: 60 }) }), { maxLength: 30 }),
        (attempts) => {
          let s = PIN_LOCKOUT_CLEAR;
          let t = NOW.getTime();
          for (const { ok, gap } of attempts) {
            t += gap * 1000;
            const now = new Date(t);
            const gate = pinGate(s, now);
            const next = recordPinAttempt(s, ok, now);
            if (gate.gate !== "ok") {
              expect(next).toBe(s);
            } else if (ok) {
              expect(next).toEqual(PIN_LOCKOUT_CLEAR);
            } else {
              expect(next.failures).toBe(s.failures + 1);
            }
            s = next;
          }
          expect(s.failures).toBeLessThanOrEqual(10);
        },
      ),
    );
  });
});

const anyFactor: fc.Arbitrary<PresentedFactor> = fc.oneof(
  fc.record({ kind: fc.constant("badge" as const), personId: fc.constantFrom("ana", "ben", null) }),
  fc.record({ kind: fc.constant("fingerprint" as const), personId: fc.constantFrom("ana", "ben", null) }),
  fc.record({ kind: fc.constant("user_code" as const), personId: fc.constantFrom("ana", "ben", null) }),
  fc.record({ kind: fc.constant("pin" as const), ok: fc.boolean(), at: fc.constant(NOW) }),
);
const anyState: fc.Arbitrary<PinLockoutState> = fc.record({
  failures: fc.integer({ min: 0, max: 12 }),
  lastFailureAt: fc.constantFrom(null, NOW.toISOString(), "2026-06-01T11:00:00.000Z"),
});

describe("identify: properties", () => {
  it("never identifies on fingerprints alone", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...POLICIES),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("fingerprint" as const), personId: fc.constantFrom("ana", "ben", null) }),
            fc.record({ kind: fc.constant("user_code" as const), personId: fc.constantFrom("ana", "ben", null) }),
          ),
          { maxLength: 6 },
        ),
        (policy, factors) => {
          expect(run(policy, factors).outcome).not.toBe("identified");
        },
      ),
    );
  });

  it("identifies only with both of the policy's factors, for one person, with a PIN only when the gate let it in", () => {
    fc.assert(
      fc.property(fc.constantFrom(...POLICIES), fc.array(anyFactor, { maxLength: 6 }), anyState, (p, factors, s) => {
        const decision = run(p, factors, s);
        if (decision.outcome !== "identified") {
          return;
        }
        const needed = { badge_pin: ["badge", "pin"], fingerprint_pin: ["fingerprint", "pin"] }[p as string] ?? [
          "badge",
          "fingerprint",
        ];
        for (const kind of needed) {
          expect(decision.factors).toContain(kind);
        }
        const named = factors.flatMap((f) => (f.kind === "pin" ? [] : [f.personId]));
        expect(new Set(named)).toEqual(new Set([decision.personId]));
        if (needed.includes("pin")) {
          expect(factors.some((f) => f.kind === "pin" && f.ok)).toBe(true);
          expect(s.failures).toBeLessThan(10);
          expect(decision.pinLockout).toEqual(PIN_LOCKOUT_CLEAR);
        }
      }),
    );
  });

  it("offers a PIN only once the other factor is in, and never offers a user code after the first step", () => {
    fc.assert(
      fc.property(fc.constantFrom(...POLICIES), fc.subarray(["badge", "fingerprint", "pin"] as const), (p, sat) => {
        const accepts = acceptedNext(p, new Set(sat), sat.length > 0);
        if (accepts.includes("pin")) {
          expect(sat.some((f) => f !== "pin")).toBe(true);
        }
        if (sat.length > 0) {
          expect(accepts).not.toContain("user_code");
        }
      }),
    );
  });
});
