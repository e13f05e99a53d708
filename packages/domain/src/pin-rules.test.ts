import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkPin,
  DEFAULT_PIN_MIN_LENGTH,
  describePinProblem,
  effectivePinMinLength,
  PIN_MAX_LENGTH,
  PIN_MIN_LENGTH_FLOOR,
} from "./pin-rules.ts";

const digit = fc.integer({ min: 0, max: 9 });
const pinOfLength = (min: number, max: number) =>
  fc.array(digit, { minLength: min, maxLength: max }).map((ds) => ds.join(""));

/** An independent oracle: every digit the same. */
const allSame = (pin: string) => new Set(pin).size === 1;
/** An independent oracle: each digit one more (or one less) than the last, wrapping 9→0 and 0→9. */
function isSequential(pin: string): boolean {
  const ds = [...pin].map(Number);
  const steps = new Set(ds.slice(1).map((d, i) => (d - (ds[i] ?? 0) + 10) % 10));
  return steps.size === 1 && (steps.has(1) || steps.has(9));
}

describe("effectivePinMinLength", () => {
  it("defaults to 6 when the organization has not configured one", () => {
    expect(effectivePinMinLength(null)).toBe(DEFAULT_PIN_MIN_LENGTH);
    expect(effectivePinMinLength(undefined)).toBe(6);
  });

  it("clamps a configured minimum into 4–12 and drops fractions", () => {
    expect(effectivePinMinLength(2)).toBe(PIN_MIN_LENGTH_FLOOR);
    expect(effectivePinMinLength(40)).toBe(PIN_MAX_LENGTH);
    expect(effectivePinMinLength(7.9)).toBe(7);
    expect(effectivePinMinLength(8)).toBe(8);
  });

  it("always lies within the floor and the maximum", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
        const m = effectivePinMinLength(n);
        return m >= PIN_MIN_LENGTH_FLOOR && m <= PIN_MAX_LENGTH;
      }),
    );
  });
});

describe("checkPin", () => {
  it.each([
    ["12a456", 6, "not_digits"],
    ["", 6, "not_digits"],
    ["١٢٣٤٥٦", 6, "not_digits"],
    ["48015", 6, "too_short"],
    ["4801", 2, null],
    ["4801597263541", 6, "too_long"],
    ["000000", 6, "repeated"],
    ["7777", 4, "repeated"],
    ["123456", 6, "sequential"],
    ["987654", 6, "sequential"],
    ["890123", 6, "sequential"],
    ["210987", 6, "sequential"],
    ["121212", 6, "repeated"],
    ["4545", 4, "repeated"],
    ["112233", 6, "common"],
    ["1004", 4, "common"],
    ["480151", 6, null],
    ["93827461", 8, null],
  ] as const)("answers %j with minimum %i → %s", (pin, min, expected) => {
    expect(checkPin(pin, min)).toBe(expected);
  });

  it("applies the floor of 4 even when asked for less", () => {
    expect(checkPin("481", 1)).toBe("too_short");
    expect(checkPin("4815", 1)).toBeNull();
  });

  it("refuses every PIN made of one repeated digit, whatever its length", () => {
    fc.assert(
      fc.property(digit, fc.integer({ min: 4, max: 12 }), (d, n) => {
        expect(checkPin(String(d).repeat(n), 4)).toBe("repeated");
      }),
    );
  });

  it("refuses every run of consecutive digits, up or down, wrapping around", () => {
    fc.assert(
      fc.property(digit, fc.constantFrom(1, -1), fc.integer({ min: 4, max: 12 }), (start, step, n) => {
        const pin = Array.from({ length: n }, (_, i) => (((start + step * i) % 10) + 10) % 10).join("");
        expect(checkPin(pin, 4)).toBe("sequential");
      }),
    );
  });

  it("accepts no 4–12-digit PIN that is all one digit or sequential", () => {
    fc.assert(
      fc.property(pinOfLength(4, 12), (pin) => {
        if (checkPin(pin, 4) === null) {
          expect(allSame(pin)).toBe(false);
          expect(isSequential(pin)).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts only digit strings whose length lies between the minimum and 12", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 16 }), fc.integer({ min: 4, max: 12 }), (pin, min) => {
        if (checkPin(pin, min) === null) {
          expect(pin).toMatch(/^[0-9]+$/);
          expect(pin.length).toBeGreaterThanOrEqual(min);
          expect(pin.length).toBeLessThanOrEqual(PIN_MAX_LENGTH);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("names not_digits for any string holding a non-digit", () => {
    fc.assert(
      fc.property(
        pinOfLength(0, 6),
        fc.string({ minLength: 1, maxLength: 3 }).filter((s) => /\D/.test(s)),
        pinOfLength(0, 6),
        (a, junk, b) => {
          expect(checkPin(`${a}${junk}${b}`, 4)).toBe("not_digits");
        },
      ),
    );
  });
});

describe("describePinProblem", () => {
  it("tells the person the organization's minimum", () => {
    expect(describePinProblem("too_short", 8)).toBe("Choose a PIN of at least 8 digits.");
    expect(describePinProblem("too_short", 1)).toBe("Choose a PIN of at least 4 digits.");
  });

  it("has a sentence for every problem", () => {
    for (const p of ["not_digits", "too_short", "too_long", "repeated", "sequential", "common"] as const) {
      expect(describePinProblem(p, 6)).toMatch(/^[A-Z].+\.$/);
    }
  });
});
