import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkPassword,
  describePasswordProblem,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type PasswordProblem,
} from "./password-rules.ts";

const blocklist = new Set(["password", "iloveyou", "qwertyuiop", "sunshine1"]);
const empty = new Set<string>();

describe("checkPassword", () => {
  it.each([
    ["seven77", "too_short"],
    ["eight888", null],
    ["password", "common"],
    ["PassWord", "common"],
    ["password2024", "common"],
    ["iloveyou7", "common"],
    ["sunshine1", "common"],
    ["correct horse battery staple", null],
  ] as const)("answers %j → %s", (password, expected) => {
    expect(checkPassword(password, blocklist)).toBe(expected);
  });

  it("accepts 256 characters and refuses 257", () => {
    expect(checkPassword("a".repeat(PASSWORD_MAX_LENGTH), empty)).toBeNull();
    expect(checkPassword("a".repeat(PASSWORD_MAX_LENGTH + 1), empty)).toBe("too_long");
  });

  it("counts characters as a person sees them, not UTF-16 units", () => {
    // seven key emoji are fourteen UTF-16 units but seven characters
    expect(checkPassword("🔑".repeat(7), empty)).toBe("too_short");
    expect(checkPassword("🔑".repeat(8), empty)).toBeNull();
    expect(checkPassword("🔑".repeat(PASSWORD_MAX_LENGTH), empty)).toBeNull();
  });

  it("refuses the account's e-mail local part or organization name, ignoring case and punctuation", () => {
    const identity = ["alice.smith", "Acme Homes"];
    expect(checkPassword("Alice.Smith", empty, identity)).toBe("contains_identity");
    expect(checkPassword("alicesmith99", empty, identity)).toBe("contains_identity");
    expect(checkPassword("ACME-HOMES", empty, identity)).toBe("contains_identity");
    expect(checkPassword("alice in wonderland", empty, identity)).toBeNull();
  });

  it("ignores identity words shorter than four characters", () => {
    expect(checkPassword("bob.....", empty, ["bob"])).toBeNull();
  });

  it("never calls a password the account's identity when the identity word has no letters and differs", () => {
    // e.g. an e-mail such as 20240101@example.com: its local part must not make every letterless password "yours"
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9._-]{4,12}$/),
        fc.stringMatching(/^[0-9!#%&*+=?^~ -]{8,20}$/),
        (word, password) => {
          fc.pre(password !== word);
          expect(checkPassword(password, empty, [word])).not.toBe("contains_identity");
        },
      ),
    );
  });

  it("refuses every password shorter than the minimum, and accepts every other uncommon one without identity", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii", maxLength: 40 }), (password) => {
        const problem = checkPassword(password, empty);
        const length = [...password].length;
        const expected: PasswordProblem | null = length < PASSWORD_MIN_LENGTH ? "too_short" : null;
        expect(problem).toBe(expected);
      }),
    );
  });
});

describe("describePasswordProblem", () => {
  it("says how long a password must be", () => {
    expect(describePasswordProblem("too_short")).toContain(`${PASSWORD_MIN_LENGTH} characters`);
    expect(describePasswordProblem("too_long")).toContain(`${PASSWORD_MAX_LENGTH} characters`);
  });

  it("has a sentence for every problem", () => {
    for (const p of ["too_short", "too_long", "common", "contains_identity"] as const) {
      expect(describePasswordProblem(p)).toMatch(/^[A-Z].+\.$/);
    }
  });
});
