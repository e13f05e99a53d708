import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isValidTimeZone,
  isWithinWindows,
  localTime,
  minutesOf,
  validateWindows,
  type Weekday,
  type WeeklyWindow,
} from "./schedule.ts";

const ALL_DAYS: Weekday[] = [1, 2, 3, 4, 5, 6, 7];
const at = (iso: string) => new Date(iso);
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

/** Minutes of one UTC day range (inclusive start, exclusive end) that fall inside the windows. */
function minutesInside(fromIso: string, toIso: string, zone: string, windows: WeeklyWindow[]): number {
  let count = 0;
  for (let t = Date.parse(fromIso); t < Date.parse(toIso); t += 60_000) {
    if (isWithinWindows(new Date(t), zone, windows)) {
      count++;
    }
  }
  return count;
}

describe("minutesOf", () => {
  it("reads HH:MM as minutes since midnight, 24:00 as the end of the day", () => {
    expect(minutesOf("00:00")).toBe(0);
    expect(minutesOf("08:30")).toBe(510);
    expect(minutesOf("24:00")).toBe(1440);
  });
});

describe("validateWindows", () => {
  it("accepts ordinary windows, and 24:00 as an end", () => {
    expect(validateWindows([{ days: [1, 2, 3, 4, 5], start: "08:00", end: "17:00" }])).toEqual([]);
    expect(validateWindows([{ days: [6], start: "22:00", end: "24:00" }])).toEqual([]);
  });

  it("names the window and the field of each problem", () => {
    expect(
      validateWindows([
        { days: [1], start: "08:00", end: "17:00" },
        { days: [], start: "09:00", end: "10:00" },
        { days: [2], start: "24:00", end: "24:00" },
        { days: [3], start: "7:00", end: "25:00" },
        { days: [4], start: "17:00", end: "08:00" },
        { days: [5], start: "10:00", end: "10:00" },
      ]),
    ).toEqual([
      "windows[1].days: choose at least one day",
      "windows[2].start: use a time between 00:00 and 23:59",
      "windows[2].end: must be later than the start (24:00)",
      "windows[3].start: use a time between 00:00 and 23:59",
      "windows[3].end: use a time between 00:01 and 24:00",
      "windows[4].end: must be later than the start (17:00)",
      "windows[5].end: must be later than the start (10:00)",
    ]);
  });

  it("accepts every window whose end is later than its start, and no other", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 }), (start, end) => {
        const problems = validateWindows([{ days: [1], start: hhmm(start), end: hhmm(end) }]);
        expect(problems.length === 0).toBe(end > start);
      }),
    );
  });
});

describe("isValidTimeZone", () => {
  it.each([
    ["America/Chicago", true],
    ["Europe/Berlin", true],
    ["UTC", true],
    ["Mars/Olympus_Mons", false],
    ["", false],
    ["+05:00", false],
  ])("%j → %s", (zone, valid) => {
    expect(isValidTimeZone(zone)).toBe(valid);
  });
});

describe("localTime", () => {
  it("gives the weekday and date of the zone, not of UTC", () => {
    // Monday 03:00 UTC is still Sunday evening in Chicago and already Monday noon in Tokyo
    expect(localTime(at("2026-06-01T03:00:00Z"), "America/Chicago")).toEqual({
      weekday: 7,
      date: "2026-05-31",
      minutes: 22 * 60,
    });
    expect(localTime(at("2026-06-01T03:00:00Z"), "Asia/Tokyo")).toEqual({
      weekday: 1,
      date: "2026-06-01",
      minutes: 12 * 60,
    });
  });

  it("reads local midnight as minute 0 of the new day", () => {
    expect(localTime(at("2026-06-01T05:00:00Z"), "America/Chicago")).toEqual({
      weekday: 1,
      date: "2026-06-01",
      minutes: 0,
    });
  });

  it("agrees with plain offset arithmetic in a zone without daylight saving", () => {
    const names = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("2000-01-01"), max: Date.parse("2099-12-31") }), (ms) => {
        // Asia/Kolkata has been UTC+05:30 all year since 1945
        const shifted = new Date(ms + 330 * 60_000);
        const local = localTime(new Date(ms), "Asia/Kolkata");
        expect(local.date).toBe(shifted.toISOString().slice(0, 10));
        expect(local.minutes).toBe(shifted.getUTCHours() * 60 + shifted.getUTCMinutes());
        expect(names[local.weekday]).toBe(shifted.toUTCString().slice(0, 3));
      }),
    );
  });
});

describe("isWithinWindows", () => {
  const weekdays: WeeklyWindow[] = [{ days: [1, 2, 3, 4, 5], start: "08:00", end: "17:00" }];

  it("compares against the property's wall clock", () => {
    // 13:30 UTC on Monday 1 June 2026 is 08:30 in Chicago (CDT, UTC-5)
    expect(isWithinWindows(at("2026-06-01T13:30:00Z"), "America/Chicago", weekdays)).toBe(true);
    // 12:30 UTC is 07:30 in Chicago: before the window though well inside it in UTC
    expect(isWithinWindows(at("2026-06-01T12:30:00Z"), "America/Chicago", weekdays)).toBe(false);
    expect(isWithinWindows(at("2026-06-01T12:30:00Z"), "UTC", weekdays)).toBe(true);
  });

  it("includes the start minute and excludes the end minute", () => {
    expect(isWithinWindows(at("2026-06-01T13:00:00Z"), "America/Chicago", weekdays)).toBe(true);
    expect(isWithinWindows(at("2026-06-01T21:59:00Z"), "America/Chicago", weekdays)).toBe(true);
    expect(isWithinWindows(at("2026-06-01T22:00:00Z"), "America/Chicago", weekdays)).toBe(false);
  });

  it("runs a window ending at 24:00 to the last minute of the local day", () => {
    const late: WeeklyWindow[] = [{ days: [1], start: "22:00", end: "24:00" }];
    expect(isWithinWindows(at("2026-06-02T04:59:00Z"), "America/Chicago", late)).toBe(true);
    expect(isWithinWindows(at("2026-06-02T05:00:00Z"), "America/Chicago", late)).toBe(false);
  });

  it("uses the local weekday: a Saturday-only window is closed on Friday evening in UTC terms", () => {
    const saturday: WeeklyWindow[] = [{ days: [6], start: "00:00", end: "24:00" }];
    // Saturday 6 June 2026, 02:00 UTC is Friday 21:00 in Chicago
    expect(isWithinWindows(at("2026-06-06T02:00:00Z"), "America/Chicago", saturday)).toBe(false);
    expect(isWithinWindows(at("2026-06-06T06:00:00Z"), "America/Chicago", saturday)).toBe(true);
  });

  describe("on the day clocks spring forward (Chicago, Sunday 8 March 2026, 02:00 → 03:00)", () => {
    const night: WeeklyWindow[] = [{ days: [7], start: "01:00", end: "04:00" }];

    it("opens at 01:00 CST and closes at 04:00 CDT, two real hours later", () => {
      expect(isWithinWindows(at("2026-03-08T06:59:00Z"), "America/Chicago", night)).toBe(false);
      expect(isWithinWindows(at("2026-03-08T07:00:00Z"), "America/Chicago", night)).toBe(true);
      // 07:59 UTC is 01:59 CST; one minute later it is 03:00 CDT
      expect(isWithinWindows(at("2026-03-08T07:59:00Z"), "America/Chicago", night)).toBe(true);
      expect(isWithinWindows(at("2026-03-08T08:00:00Z"), "America/Chicago", night)).toBe(true);
      expect(isWithinWindows(at("2026-03-08T08:59:00Z"), "America/Chicago", night)).toBe(true);
      expect(isWithinWindows(at("2026-03-08T09:00:00Z"), "America/Chicago", night)).toBe(false);
      expect(minutesInside("2026-03-08T05:00:00Z", "2026-03-08T12:00:00Z", "America/Chicago", night)).toBe(120);
    });

    it("never opens a window that lies in the skipped hour", () => {
      const skipped: WeeklyWindow[] = [{ days: [7], start: "02:00", end: "03:00" }];
      expect(minutesInside("2026-03-08T05:00:00Z", "2026-03-08T12:00:00Z", "America/Chicago", skipped)).toBe(0);
    });
  });

  describe("on the day clocks fall back (Chicago, Sunday 1 November 2026, 02:00 → 01:00)", () => {
    it("keeps a window over the repeated hour open through both passes of it", () => {
      const repeated: WeeklyWindow[] = [{ days: [7], start: "01:00", end: "02:00" }];
      // 06:00–07:00 UTC is 01:00–02:00 CDT, 07:00–08:00 UTC is 01:00–02:00 CST
      expect(isWithinWindows(at("2026-11-01T06:30:00Z"), "America/Chicago", repeated)).toBe(true);
      expect(isWithinWindows(at("2026-11-01T07:30:00Z"), "America/Chicago", repeated)).toBe(true);
      expect(isWithinWindows(at("2026-11-01T08:00:00Z"), "America/Chicago", repeated)).toBe(false);
      expect(minutesInside("2026-11-01T04:00:00Z", "2026-11-01T12:00:00Z", "America/Chicago", repeated)).toBe(120);
    });
  });

  describe("holidays", () => {
    const allDay: WeeklyWindow[] = [{ days: ALL_DAYS, start: "00:00", end: "24:00" }];

    it("close every window on a local holiday date", () => {
      // Friday 25 December 2026, 10:00 in Chicago
      expect(isWithinWindows(at("2026-12-25T16:00:00Z"), "America/Chicago", weekdays, ["2026-12-25"])).toBe(false);
      expect(isWithinWindows(at("2026-12-25T16:00:00Z"), "America/Chicago", weekdays, [])).toBe(true);
    });

    it("are read in the property's zone: Christmas has not begun in Chicago at 03:00 UTC", () => {
      // 03:00 UTC on 25 December is 21:00 on Christmas Eve in Chicago
      expect(isWithinWindows(at("2026-12-25T03:00:00Z"), "America/Chicago", allDay, ["2026-12-25"])).toBe(true);
      expect(isWithinWindows(at("2026-12-25T03:00:00Z"), "Europe/Berlin", allDay, ["2026-12-25"])).toBe(false);
    });

    it("close an all-day window on the holiday's local date and on no other, in any zone", () => {
      const zones = ["America/Chicago", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "UTC"];
      fc.assert(
        fc.property(
          fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2040-01-01") }),
          fc.constantFrom(...zones),
          (ms, zone) => {
            const instant = new Date(ms);
            const { date } = localTime(instant, zone);
            expect(isWithinWindows(instant, zone, allDay)).toBe(true);
            expect(isWithinWindows(instant, zone, allDay, [date])).toBe(false);
            expect(isWithinWindows(instant, zone, allDay, ["1999-01-01"])).toBe(true);
          },
        ),
      );
    });
  });

  it("in UTC, holds exactly when the minute of the day lies in [start, end)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2000-01-01"), max: Date.parse("2099-12-31") }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 1, max: 1440 }),
        (ms, start, end) => {
          fc.pre(end > start);
          const instant = new Date(ms);
          const minute = instant.getUTCHours() * 60 + instant.getUTCMinutes();
          const windows = [{ days: ALL_DAYS, start: hhmm(start), end: hhmm(end) }];
          expect(isWithinWindows(instant, "UTC", windows)).toBe(minute >= start && minute < end);
        },
      ),
    );
  });

  it("never holds for no windows", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        expect(isWithinWindows(new Date(ms), "America/Chicago", [])).toBe(false);
      }),
    );
  });
});
