/**
 * Dashboard password rules after NIST SP 800-63B: a length floor, a blocklist of common passwords, no composition
 * rules. The blocklist is passed in so the domain stays free of I/O and large data.
 */

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordProblem = "too_short" | "too_long" | "common" | "contains_identity";

/** A read-only set of lower-cased common passwords. */
export interface PasswordBlocklist {
  has(candidate: string): boolean;
}

/**
 * Names the first rule the password breaks, or `null`.
 * @param identity words tied to the account (e-mail local part, organization name) that the password must not be.
 */
export function checkPassword(
  password: string,
  blocklist: PasswordBlocklist,
  identity: readonly string[] = [],
): PasswordProblem | null {
  // why: count code points, not UTF-16 units, so an emoji is one character as the person sees it
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return "too_short";
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return "too_long";
  }
  const lower = password.toLowerCase();
  if (blocklist.has(lower) || blocklist.has(lower.replace(/\d+$/, ""))) {
    return "common";
  }
  const words = identity.map((w) => w.toLowerCase().trim()).filter((w) => w.length >= 4);
  const letters = (s: string) => s.replace(/[^a-z]/g, "");
  // why: compare letters only when the word has some — a digits-only e-mail local part would otherwise match every
  // letterless password
  if (words.some((w) => lower === w || (letters(w) !== "" && letters(lower) === letters(w)))) {
    return "contains_identity";
  }
  return null;
}

/** A sentence a person can act on, for each password problem. */
export function describePasswordProblem(problem: PasswordProblem): string {
  switch (problem) {
    case "too_short":
      return `Choose a password of at least ${PASSWORD_MIN_LENGTH} characters; a phrase of several words works well.`;
    case "too_long":
      return `Choose a password of at most ${PASSWORD_MAX_LENGTH} characters.`;
    case "common":
      return "That password is among the most commonly used ones; choose another.";
    case "contains_identity":
      return "That password is your e-mail or organization name; choose another.";
  }
}
