/** Printing tables and writing results. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchmarkResult } from "./benchmark.ts";

/** Where results go: bench/results, whatever the working directory. */
export const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../results");

/** Prints rows as an aligned table; the first row is the header. Numbers are right-aligned. */
export function printTable(rows: (string | number)[][]): void {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === "number" ? formatNumber(cell) : cell)));
  const widths: number[] = [];
  for (const row of cells) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const lines = cells.map((row, r) =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return typeof rows[r]?.[i] === "number" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd(),
  );
  const rule = "-".repeat(Math.max(...lines.map((l) => l.length)));
  process.stdout.write(`  ${[lines[0], rule, ...lines.slice(1)].join("\n  ")}\n`);
}

/** Thousands separated, at most three significant decimals below 10. */
export function formatNumber(value: number): string {
  if (Math.abs(value) < 10) {
    return value.toLocaleString("en-US", { maximumFractionDigits: 3 });
  }
  return value.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

/** Writes bench/results/NAME.json and returns its path. */
export function writeResult(result: BenchmarkResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = resolve(RESULTS_DIR, `${result.name}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
