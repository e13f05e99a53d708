import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localTime } from "./schedule.ts";
import { addDays, instantAtLocal } from "./zoned-time.ts";

const CHICAGO = "America/Chicago";

describe("addDays", () => {
  it("crosses months, years and leap days", () => {
    expect(addDays("2026-01-31", 1)).toBe("2026-02-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });
});

describe("instantAtLocal", () => {
  it("reads an ordinary wall time in the zone's offset", () => {
    expect(instantAtLocal("2026-01-15", 9 * 60, CHICAGO).toISOString()).toBe("2026-01-15T15:00:00.000Z");
    expect(instantAtLocal("2026-07-15", 9 * 60, CHICAGO).toISOString()).toBe("2026-07-15T14:00:00.000Z");
  });

  it("takes 24:00 as the next midnight", () => {
    expect(instantAtLocal("2026-07-15", 1440, CHICAGO).toISOString()).toBe("2026-07-16T05:00:00.000Z");
  });

  it("moves a time skipped by the spring-forward change later by the gap (2026-03-08)", () => {
    expect(instantAtLocal("2026-03-08", 2 * 60 + 30, CHICAGO).toISOString()).toBe("2026-03-08T08:30:00.000Z");
    expect(instantAtLocal("2026-03-08", 1 * 60 + 59, CHICAGO).toISOString()).toBe("2026-03-08T07:59:00.000Z");
    expect(instantAtLocal("2026-03-08", 3 * 60, CHICAGO).toISOString()).toBe("2026-03-08T08:00:00.000Z");
  });

  it("takes the first of a time repeated by the fall-back change (2026-11-01)", () => {
    expect(instantAtLocal("2026-11-01", 1 * 60 + 30, CHICAGO).toISOString()).toBe("2026-11-01T06:30:00.000Z");
    expect(instantAtLocal("2026-11-01", 2 * 60, CHICAGO).toISOString()).toBe("2026-11-01T08:00:00.000Z");
  });

  it("gives back the wall time it was asked for, whenever that time exists", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2025-01-01T00:00:00Z"), max: Date.parse("2028-12-31T00:00:00Z") }),
        fc.constantFrom(CHICAGO, "Europe/Berlin", "Australia/Lord_Howe", "UTC", "Asia/Kolkata"),
        (ms, zone) => {
          const local = localTime(new Date(ms), zone);
          const back = instantAtLocal(local.date, local.minutes, zone);
          expect(localTime(back, zone)).toEqual(local);
          // why: the first occurrence of the wall time is never after the instant it was read from
          expect(back.getTime()).toBeLessThanOrEqual(Math.floor(ms / 60_000) * 60_000);
        },
      ),
    );
  });
});
