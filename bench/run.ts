/**
 * The benchmark runner behind `keyward bench [name]` (and `npm run bench`): runs every benchmark, or the one named,
 * prints each one's table and writes bench/results/NAME.json.
 */
import { alertLatency, overdueScan } from "./alerts.ts";
import { apiList } from "./api-list.ts";
import { auditProof, auditVerify } from "./audit.ts";
import { cabinetDecision, revocation } from "./cabinet.ts";
import { ingestPostgres, ingestSqlite } from "./ingest.ts";
import type { Benchmark, BenchOptions } from "./lib/benchmark.ts";
import { formatNumber, writeResult } from "./lib/report.ts";
import { reportByEmployee, reportByUnit, reportKeysOut, reportPdf } from "./reports.ts";

/** Every benchmark, in the order `keyward bench` runs them. */
export const BENCHMARKS: readonly Benchmark[] = [
  apiList,
  cabinetDecision,
  ingestSqlite,
  ingestPostgres,
  revocation,
  auditVerify,
  auditProof,
  reportKeysOut,
  reportByUnit,
  reportByEmployee,
  reportPdf,
  alertLatency,
  overdueScan,
];

/**
 * Runs the named benchmark, or all of them.
 * @returns whether every benchmark run met its goal.
 * @throws when no benchmark has that name.
 */
export async function runBenchmarks(name: string | undefined, options: BenchOptions): Promise<boolean> {
  const selected = name ? BENCHMARKS.filter((b) => b.name === name) : BENCHMARKS;
  if (selected.length === 0) {
    const known = BENCHMARKS.map((b) => `  ${b.name.padEnd(12)} ${b.description}`).join("\n");
    throw new Error(`no benchmark named "${name}". Benchmarks:\n${known}`);
  }
  let allMet = true;
  for (const benchmark of selected) {
    const result = await benchmark.run(options);
    const path = writeResult(result);
    const verdict = result.met ? "met" : "NOT MET";
    process.stdout.write(
      result.limit && result.ratio !== null
        ? `  ${result.name}: ${formatNumber(result.figure)} ${result.unit}; limit ${formatNumber(result.limit.figure)} ` +
            `(${result.limit.name}); ratio ${result.ratio} vs goal ${result.goal} → ${verdict}\n`
        : `  ${result.name}: ${formatNumber(result.figure)} ${result.unit} vs goal < ${result.goal} → ${verdict}\n`,
    );
    process.stdout.write(`  written to ${path}\n`);
    allMet &&= result.met;
  }
  return allMet;
}
