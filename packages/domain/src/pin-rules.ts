/** PIN rules: a kiosk PIN is an activation secret (NIST SP 800-63B), so length and a trivial-PIN blocklist apply. */

/** The default and the floor for an organization's minimum PIN length. */
export const DEFAULT_PIN_MIN_LENGTH = 6;
export const PIN_MIN_LENGTH_FLOOR = 4;
export const PIN_MAX_LENGTH = 12;

export type PinProblem = "not_digits" | "too_short" | "too_long" | "repeated" | "sequential" | "common";

const COMMON_PINS = new Set([
  "1212",
  "1004",
  "2000",
  "6969",
  "1122",
  "1313",
  "4321",
  "2001",
  "1010",
  "112233",
  "121212",
  "123123",
  "159753",
  "131313",
  "101010",
  "696969",
  "520520",
  "123321",
  "654321",
  "789456",
  "147258",
  "258369",
  "159357",
  "102030",
  "11223344",
  "12341234",
]);

/** Clamps an organization's configured minimum into the allowed range. */
export function effectivePinMinLength(configured: number | null | undefined): number {
  if (configured === null || configured === undefined) {
    return DEFAULT_PIN_MIN_LENGTH;
  }
  return Math.max(PIN_MIN_LENGTH_FLOOR, Math.min(PIN_MAX_LENGTH, Math.trunc(configured)));
}

function isRun(pin: string, step: 1 | -1): boolean {
  for (let i = 1; i < pin.length; i++) {
    const prev = pin.charCodeAt(i - 1) - 48;
    const cur = pin.charCodeAt(i) - 48;
    // why: 8901 and 2109 count as sequential too — keypads wrap around in people's heads
    if ((prev + step + 10) % 10 !== cur) {
      return false;
    }
  }
  return true;
}

/**
 * Checks a candidate PIN and names the first rule it breaks, or `null` when it is acceptable.
 * @param minLength the organization's minimum (use {@link effectivePinMinLength}).
 */
export function checkPin(pin: string, minLength: number): PinProblem | null {
  if (!/^\d+$/.test(pin)) {
    return "not_digits";
  }
  if (pin.length < effectivePinMinLength(minLength)) {
    return "too_short";
  }
  if (pin.length > PIN_MAX_LENGTH) {
    return "too_long";
  }
  if (/^(\d)\1+$/.test(pin)) {
    return "repeated";
  }
  if (isRun(pin, 1) || isRun(pin, -1)) {
    return "sequential";
  }
  // why: two-digit patterns repeated (121212, 4545) are as guessable as a single repeated digit
  if (pin.length % 2 === 0 && pin.slice(0, 2).repeat(pin.length / 2) === pin) {
    return "repeated";
  }
  if (COMMON_PINS.has(pin)) {
    return "common";
  }
  return null;
}

/** A sentence a person can act on, for each PIN problem. */
export function describePinProblem(problem: PinProblem, minLength: number): string {
  switch (problem) {
    case "not_digits":
      return "A PIN may contain digits only.";
    case "too_short":
      return `Choose a PIN of at least ${effectivePinMinLength(minLength)} digits.`;
    case "too_long":
      return `Choose a PIN of at most ${PIN_MAX_LENGTH} digits.`;
    case "repeated":
      return "That PIN repeats the same digits; choose one that is harder to guess.";
    case "sequential":
      return "That PIN is a run of consecutive digits; choose one that is harder to guess.";
    case "common":
      return "That PIN is among the most common ones; choose another.";
  }
}
