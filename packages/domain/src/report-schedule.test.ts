import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  latestRunBy,
  nextRunAfter,
  periodBefore,
  type Recurrence,
  runInstant,
  validateRecurrence,
} from "./report-schedule.ts";
import { localTime, type Weekday } from "./schedule.ts";

const CHICAGO = "America/Chicago";
const daily = (localTime: string, timeZone = CHICAGO): Recurrence => ({
  frequency: "daily",
  weekday: null,
  monthDay: null,
  localTime,
  timeZone,
});
const at = (iso: string) => new Date(iso);
const next = (r: Recurrence, iso: string) => nextRunAfter(r, at(iso)).toISOString();

describe("validateRecurrence", () => {
  it("names each field at fault", () => {
    expect(validateRecurrence(daily("07:00"))).toEqual([]);
    expect(validateRecurrence(daily("24:00"))).toEqual(["localTime: use a time between 00:00 and 23:59"]);
    expect(validateRecurrence({ ...daily("07:00"), frequency: "weekly" })[0]).toMatch(/^weekday:/);
    expect(validateRecurrence({ ...daily("07:00"), frequency: "monthly", monthDay: 32 })[0]).toMatch(/^monthDay:/);
    expect(validateRecurrence({ ...daily("07:00"), weekday: 3 })[0]).toMatch(/^weekday: only/);
  });
});

describe("nextRunAfter", () => {
  it("runs a daily 07:00 in Chicago at 13:00Z in winter and 12:00Z in summer", () => {
    expect(next(daily("07:00"), "2026-01-10T00:00:00Z")).toBe("2026-01-10T13:00:00.000Z");
    expect(next(daily("07:00"), "2026-07-10T00:00:00Z")).toBe("2026-07-10T12:00:00.000Z");
  });

  it("is strictly after the instant: a run at that very instant is the next day's", () => {
    expect(next(daily("07:00"), "2026-01-10T13:00:00Z")).toBe("2026-01-11T13:00:00.000Z");
    expect(next(daily("07:00"), "2026-01-10T12:59:59.999Z")).toBe("2026-01-10T13:00:00.000Z");
  });

  it("crosses the spring-forward and fall-back days of 2026 at the right instant", () => {
    expect(next(daily("07:00"), "2026-03-07T13:00:00Z")).toBe("2026-03-08T12:00:00.000Z");
    expect(next(daily("07:00"), "2026-10-31T12:00:00Z")).toBe("2026-11-01T13:00:00.000Z");
  });

  it("runs a time the clocks skip at the first minute after the gap", () => {
    expect(next(daily("02:30"), "2026-03-07T12:00:00Z")).toBe("2026-03-08T08:00:00.000Z");
    expect(next(daily("02:00"), "2026-03-07T12:00:00Z")).toBe("2026-03-08T08:00:00.000Z");
    expect(next(daily("02:30"), "2026-03-08T08:00:00Z")).toBe("2026-03-09T07:30:00.000Z");
  });

  it("runs a time the clocks repeat once, at its first occurrence", () => {
    const r = daily("01:30");
    expect(next(r, "2026-10-31T12:00:00Z")).toBe("2026-11-01T06:30:00.000Z");
    // why: the second 01:30 (07:30Z) is not a run
    expect(next(r, "2026-11-01T06:30:00Z")).toBe("2026-11-02T07:30:00.000Z");
  });

  it("runs weekly on its weekday", () => {
    // 2026-06-01 is a Monday
    const r: Recurrence = { ...daily("09:15"), frequency: "weekly", weekday: 3 };
    expect(next(r, "2026-06-01T00:00:00Z")).toBe("2026-06-03T14:15:00.000Z");
    expect(next(r, "2026-06-03T14:15:00Z")).toBe("2026-06-10T14:15:00.000Z");
  });

  it("runs monthly on its day, or the month's last day when the month is shorter", () => {
    const r: Recurrence = { ...daily("06:00", "UTC"), frequency: "monthly", monthDay: 31 };
    expect(next(r, "2026-01-31T06:00:00Z")).toBe("2026-02-28T06:00:00.000Z");
    expect(next(r, "2026-02-28T06:00:00Z")).toBe("2026-03-31T06:00:00.000Z");
    expect(next(r, "2026-04-01T00:00:00Z")).toBe("2026-04-30T06:00:00.000Z");
    expect(next({ ...r, monthDay: 29 }, "2028-02-01T00:00:00Z")).toBe("2028-02-29T06:00:00.000Z");
  });

  const zones = fc.constantFrom(CHICAGO, "Europe/Madrid", "Australia/Lord_Howe", "Asia/Kolkata", "UTC");
  const times = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
  const instants = fc
    .integer({ min: Date.parse("2024-01-01"), max: Date.parse("2030-01-01") })
    .map((ms) => new Date(ms));
  const recurrences = fc.oneof(
    fc.record({ localTime: times, timeZone: zones }).map((x) => daily(x.localTime, x.timeZone)),
    fc
      .record({ localTime: times, timeZone: zones, weekday: fc.integer({ min: 1, max: 7 }) })
      .map(
        (x): Recurrence => ({ ...daily(x.localTime, x.timeZone), frequency: "weekly", weekday: x.weekday as Weekday }),
      ),
    fc
      .record({ localTime: times, timeZone: zones, monthDay: fc.integer({ min: 1, max: 31 }) })
      .map((x): Recurrence => ({ ...daily(x.localTime, x.timeZone), frequency: "monthly", monthDay: x.monthDay })),
  );

  it("runs at the asked local time, or just after a gap, never sooner than after the instant", () => {
    fc.assert(
      fc.property(recurrences, instants, (r, after) => {
        const run = nextRunAfter(r, after);
        expect(run.getTime()).toBeGreaterThan(after.getTime());
        const local = localTime(run, r.timeZone);
        const [h, m] = r.localTime.split(":").map(Number);
        const asked = (h ?? 0) * 60 + (m ?? 0);
        if (local.minutes !== asked) {
          // the asked time did not exist: the run is the first minute after the gap, and a minute earlier is before it
          expect(local.minutes).toBeGreaterThan(asked);
          expect(localTime(new Date(run.getTime() - 60_000), r.timeZone).minutes).toBeLessThan(asked);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("skips no run: from any instant before the next run, the next run is the same", () => {
    fc.assert(
      fc.property(recurrences, instants, fc.double({ min: 0, max: 1, noNaN: true }), (r, after, f) => {
        const run = nextRunAfter(r, after);
        const between = new Date(after.getTime() + Math.floor((run.getTime() - after.getTime()) * f));
        if (between.getTime() < run.getTime()) {
          expect(nextRunAfter(r, between).toISOString()).toBe(run.toISOString());
        }
      }),
      { numRuns: 300 },
    );
  });

  it("runs a daily schedule exactly once on every local day, daylight-saving days included", () => {
    fc.assert(
      fc.property(times, zones, instants, (time, zone, from) => {
        const r = daily(time, zone);
        let run = nextRunAfter(r, from);
        const days: string[] = [];
        for (let i = 0; i < 40; i++) {
          days.push(localTime(run, zone).date);
          run = nextRunAfter(r, run);
        }
        expect(new Set(days).size).toBe(days.length);
        // consecutive days, none missing
        for (let i = 1; i < days.length; i++) {
          expect(Date.parse(days[i] ?? "") - Date.parse(days[i - 1] ?? "")).toBe(86_400_000);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("runInstant", () => {
  it("gives the first minute after a gap of half an hour (Lord Howe Island, 2026-10-04)", () => {
    // clocks go from 02:00 to 02:30 local (15:00Z the day before)
    expect(runInstant("2026-10-04", "02:10", "Australia/Lord_Howe").toISOString()).toBe("2026-10-03T15:30:00.000Z");
  });
});

describe("latestRunBy", () => {
  it("gives the latest missed run once, however long the server was down", () => {
    const r = daily("07:00");
    const due = at("2026-01-05T13:00:00Z");
    expect(latestRunBy(r, due, at("2026-01-09T15:00:00Z")).toISOString()).toBe("2026-01-09T13:00:00.000Z");
    expect(latestRunBy(r, due, at("2026-01-09T12:00:00Z")).toISOString()).toBe("2026-01-08T13:00:00.000Z");
    expect(latestRunBy(r, due, at("2026-01-05T13:00:00Z")).toISOString()).toBe(due.toISOString());
    expect(latestRunBy(r, due, at("2029-01-09T15:00:00Z")).toISOString()).toBe("2029-01-09T13:00:00.000Z");
  });
});

describe("periodBefore", () => {
  it("covers the full days before the run", () => {
    expect(periodBefore("daily", "2026-03-01")).toEqual({ from: "2026-02-28", to: "2026-02-28" });
    expect(periodBefore("weekly", "2026-06-08")).toEqual({ from: "2026-06-01", to: "2026-06-07" });
    expect(periodBefore("monthly", "2026-06-01")).toEqual({ from: "2026-05-01", to: "2026-05-31" });
    expect(periodBefore("monthly", "2026-03-31")).toEqual({ from: "2026-02-28", to: "2026-03-30" });
    expect(periodBefore("monthly", "2026-01-15")).toEqual({ from: "2025-12-15", to: "2026-01-14" });
  });
});
