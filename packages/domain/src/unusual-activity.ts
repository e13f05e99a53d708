/**
 * Unusual activity of one person in a report's period, each kind with its reason in words: attempts outside their
 * permitted hours, far more units than their own usual, a key held far longer than their own usual, keys taken
 * without a work order where the reason requires one. Pure: the server counts, this decides.
 */

/** The thresholds, named so the server can skip baselines no figure could cross. */
export const UNUSUAL_THRESHOLDS = {
  /** How far back a person's own usual is read, in days before the period. */
  baselineDays: 90,
  /** Units this period at least this many times their usual… */
  unitsFactor: 3,
  /** …and at least this many more than their usual. */
  unitsMargin: 10,
  /** Their longest hold at least this many times their usual (median) hold… */
  holdFactor: 4,
  /** …and at least this long, in minutes (8 h). */
  holdMinimumMinutes: 480,
} as const;

/** The kinds of unusual activity; stable keys. */
export const UNUSUAL_KINDS = ["outside_hours", "many_units", "long_hold", "no_work_order"] as const;
export type UnusualKind = (typeof UNUSUAL_KINDS)[number];

/** What a person did in the period. */
export interface ActivityFigures {
  /** The period's length in days (the usual is read per period of this length). */
  periodDays: number;
  /** Attempts the cabinet refused because they fell outside the person's permitted hours or on a holiday. */
  outsideHoursAttempts: number;
  /** Distinct units whose keys they took. */
  units: number;
  /** Their longest hold of a key taken in the period, in whole minutes; null when they took none. */
  longestHoldMinutes: number | null;
  /** Keys taken for a reason that requires a work order, without one. */
  missingWorkOrders: number;
}

/** The person's own usual over the days before the period; null where they have no history to compare with. */
export interface ActivityBaseline {
  /** Their average distinct units per period of the same length. */
  unitsPerPeriod: number | null;
  /** The median of their holds, in minutes. */
  medianHoldMinutes: number | null;
}

export interface UnusualFlag {
  kind: UnusualKind;
  /** The reason, as the report prints it. */
  sentence: string;
}

/** Whether a count of units could be unusual whatever the usual (so its baseline is worth reading). */
export function mayBeManyUnits(units: number): boolean {
  return units >= UNUSUAL_THRESHOLDS.unitsMargin;
}

/** Whether a hold could be unusual whatever the usual (so the median is worth reading). */
export function mayBeLongHold(minutes: number | null): boolean {
  return minutes !== null && minutes >= UNUSUAL_THRESHOLDS.holdMinimumMinutes;
}

/** The median of some numbers; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** A duration as people read it: "35 min", "8 h", "2 h 30 min". */
export function durationWords(minutes: number): string {
  const whole = Math.round(minutes);
  if (whole < 60) {
    return `${whole} min`;
  }
  const hours = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A usual figure as printed: whole when it is, otherwise one decimal. */
const usual = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * The person's unusual activity, in a fixed order, each with its reason. Comparisons with their usual need a usual:
 * someone with no history before the period is never "far above their usual".
 */
export function unusualActivity(figures: ActivityFigures, baseline: ActivityBaseline): UnusualFlag[] {
  const t = UNUSUAL_THRESHOLDS;
  const flags: UnusualFlag[] = [];
  if (figures.outsideHoursAttempts > 0) {
    flags.push({
      kind: "outside_hours",
      sentence: `${plural(figures.outsideHoursAttempts, "attempt", "attempts")} outside their permitted hours`,
    });
  }
  const usualUnits = baseline.unitsPerPeriod;
  if (
    usualUnits !== null &&
    figures.units >= t.unitsFactor * usualUnits &&
    figures.units >= usualUnits + t.unitsMargin
  ) {
    flags.push({
      kind: "many_units",
      sentence:
        `keys of ${plural(figures.units, "unit", "units")}, against their usual ${usual(usualUnits)} in ` +
        `${plural(figures.periodDays, "day", "days")}`,
    });
  }
  const usualHold = baseline.medianHoldMinutes;
  const longest = figures.longestHoldMinutes;
  if (
    usualHold !== null &&
    longest !== null &&
    longest >= t.holdFactor * usualHold &&
    longest >= t.holdMinimumMinutes
  ) {
    flags.push({
      kind: "long_hold",
      sentence: `held a key ${durationWords(longest)}, against their usual ${durationWords(usualHold)}`,
    });
  }
  if (figures.missingWorkOrders > 0) {
    flags.push({
      kind: "no_work_order",
      sentence: `${plural(figures.missingWorkOrders, "key", "keys")} taken without the work order the reason requires`,
    });
  }
  return flags;
}
