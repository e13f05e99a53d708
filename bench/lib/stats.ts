/** The few statistics the benchmarks report. */

/** The median: robust to the one slow run a shared machine produces now and then. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  const lower = sorted[middle - 1] ?? upper;
  return sorted.length % 2 === 1 ? upper : (lower + upper) / 2;
}

/** Lowest and highest value, and how far apart they are relative to the median. */
export function spread(values: number[]): { min: number; max: number; relative: number } {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { min, max, relative: round((max - min) / median(values), 3) };
}

/** Rounds to a number of decimals, for results people read. */
export function round(value: number, decimals = 0): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
