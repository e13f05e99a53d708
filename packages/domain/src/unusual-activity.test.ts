import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ActivityBaseline,
  type ActivityFigures,
  durationWords,
  mayBeLongHold,
  mayBeManyUnits,
  median,
  UNUSUAL_THRESHOLDS,
  unusualActivity,
} from "./unusual-activity.ts";

const ORDINARY: ActivityFigures = {
  periodDays: 30,
  outsideHoursAttempts: 0,
  units: 6,
  longestHoldMinutes: 90,
  missingWorkOrders: 0,
};
const USUAL: ActivityBaseline = { unitsPerPeriod: 5, medianHoldMinutes: 60 };

const kinds = (figures: ActivityFigures, baseline: ActivityBaseline = USUAL) =>
  unusualActivity(figures, baseline).map((f) => f.kind);

const figuresArb = fc.record({
  periodDays: fc.integer({ min: 1, max: 731 }),
  outsideHoursAttempts: fc.nat(50),
  units: fc.nat(500),
  longestHoldMinutes: fc.option(fc.nat(100_000)),
  missingWorkOrders: fc.nat(50),
});
const baselineArb = fc.record({
  unitsPerPeriod: fc.option(fc.double({ min: 0, max: 200, noNaN: true })),
  medianHoldMinutes: fc.option(fc.double({ min: 0, max: 10_000, noNaN: true })),
});

describe("unusualActivity", () => {
  it("flags nothing in an ordinary period", () => {
    expect(unusualActivity(ORDINARY, USUAL)).toEqual([]);
  });

  it("flags attempts outside permitted hours with their count", () => {
    expect(unusualActivity({ ...ORDINARY, outsideHoursAttempts: 3 }, USUAL)).toEqual([
      { kind: "outside_hours", sentence: "3 attempts outside their permitted hours" },
    ]);
    expect(unusualActivity({ ...ORDINARY, outsideHoursAttempts: 1 }, USUAL)[0]?.sentence).toBe(
      "1 attempt outside their permitted hours",
    );
  });

  it("flags far more units only at three times and ten more than their usual", () => {
    expect(kinds({ ...ORDINARY, units: 15 })).toEqual(["many_units"]);
    expect(kinds({ ...ORDINARY, units: 14 })).toEqual([]);
    // why: 3× of a small usual is not enough; ten more is required as well
    expect(kinds({ ...ORDINARY, units: 9 }, { ...USUAL, unitsPerPeriod: 1 })).toEqual([]);
    expect(kinds({ ...ORDINARY, units: 11 }, { ...USUAL, unitsPerPeriod: 1 })).toEqual(["many_units"]);
    // why: and ten more than a large usual is not enough either
    expect(kinds({ ...ORDINARY, units: 50 }, { ...USUAL, unitsPerPeriod: 20 })).toEqual([]);
    expect(unusualActivity({ ...ORDINARY, units: 25 }, { ...USUAL, unitsPerPeriod: 2.5 })[0]?.sentence).toBe(
      "keys of 25 units, against their usual 2.5 in 30 days",
    );
  });

  it("flags a key held far longer only at four times their median and eight hours", () => {
    expect(kinds({ ...ORDINARY, longestHoldMinutes: 480 }, { ...USUAL, medianHoldMinutes: 120 })).toEqual([
      "long_hold",
    ]);
    expect(kinds({ ...ORDINARY, longestHoldMinutes: 479 }, { ...USUAL, medianHoldMinutes: 30 })).toEqual([]);
    expect(kinds({ ...ORDINARY, longestHoldMinutes: 900 }, { ...USUAL, medianHoldMinutes: 300 })).toEqual([]);
    expect(
      unusualActivity({ ...ORDINARY, longestHoldMinutes: 3150 }, { ...USUAL, medianHoldMinutes: 45 })[0]?.sentence,
    ).toBe("held a key 52 h 30 min, against their usual 45 min");
  });

  it("flags keys taken without a required work order", () => {
    expect(unusualActivity({ ...ORDINARY, missingWorkOrders: 2 }, USUAL)).toEqual([
      { kind: "no_work_order", sentence: "2 keys taken without the work order the reason requires" },
    ]);
  });

  it("never compares with a usual that does not exist", () => {
    fc.assert(
      fc.property(figuresArb, (figures) => {
        const flags = kinds(figures, { unitsPerPeriod: null, medianHoldMinutes: null });
        expect(flags).not.toContain("many_units");
        expect(flags).not.toContain("long_hold");
      }),
    );
  });

  it("flags outside hours and missing work orders exactly when there are some, whatever the usual", () => {
    fc.assert(
      fc.property(figuresArb, baselineArb, (figures, baseline) => {
        const flags = kinds(figures, baseline);
        expect(flags.includes("outside_hours")).toBe(figures.outsideHoursAttempts > 0);
        expect(flags.includes("no_work_order")).toBe(figures.missingWorkOrders > 0);
      }),
    );
  });

  it("keeps a flag when the figure grows, and never flags below the absolute floors", () => {
    fc.assert(
      fc.property(figuresArb, baselineArb, fc.nat(1000), (figures, baseline, more) => {
        const before = kinds(figures, baseline);
        const longer = figures.longestHoldMinutes === null ? null : figures.longestHoldMinutes + more;
        const after = kinds({ ...figures, units: figures.units + more, longestHoldMinutes: longer }, baseline);
        for (const kind of before) {
          expect(after).toContain(kind);
        }
        if (before.includes("many_units")) {
          expect(mayBeManyUnits(figures.units)).toBe(true);
        }
        if (before.includes("long_hold")) {
          expect(mayBeLongHold(figures.longestHoldMinutes)).toBe(true);
        }
      }),
    );
  });

  it("names each flag once, in a fixed order", () => {
    fc.assert(
      fc.property(figuresArb, baselineArb, (figures, baseline) => {
        const flags = kinds(figures, baseline);
        const order = ["outside_hours", "many_units", "long_hold", "no_work_order"];
        expect([...flags].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(flags);
        expect(new Set(flags).size).toBe(flags.length);
      }),
    );
  });
});

describe("median and durations", () => {
  it("takes the middle value, or the mean of the middle two", () => {
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("lies between the smallest and the largest value", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1 }), (values) => {
        const m = median(values) as number;
        expect(m).toBeGreaterThanOrEqual(Math.min(...values));
        expect(m).toBeLessThanOrEqual(Math.max(...values));
      }),
    );
  });

  it("reads durations in hours and minutes", () => {
    expect(durationWords(35)).toBe("35 min");
    expect(durationWords(UNUSUAL_THRESHOLDS.holdMinimumMinutes)).toBe("8 h");
    expect(durationWords(150)).toBe("2 h 30 min");
  });
});
