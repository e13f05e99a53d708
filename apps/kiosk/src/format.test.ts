import { describe, expect, it } from "vitest";
import { formatWhen } from "./format.ts";

describe("formatWhen", () => {
  it("shows an instant in the property's zone, whatever the machine's", () => {
    expect(formatWhen("2026-06-01T15:00:00.000Z", "en", "America/Chicago")).toBe("Mon 1 Jun, 10:00");
    expect(formatWhen("2026-06-01T15:00:00.000Z", "en", "America/Los_Angeles")).toBe("Mon 1 Jun, 08:00");
  });

  it("speaks Spanish", () => {
    expect(formatWhen("2026-12-24T23:30:00.000Z", "es", "America/Chicago")).toMatch(/^jue, 24 dic, 17:30$/);
  });
});
