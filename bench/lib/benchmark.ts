/** What every benchmark is and what it records. */
import { cpus, loadavg, totalmem } from "node:os";

/** Settings the `keyward bench` command passes to every benchmark. */
export interface BenchOptions {
  /** How many times each side is measured; the sides alternate so drift on a shared machine hits both alike. */
  rounds: number;
  /** Seconds per measurement. */
  durationSeconds: number;
  /** Concurrent connections of the load generator. */
  connections: number;
}

/** The machine a result was measured on: compare ratios across machines, not figures. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** One-minute load average when the benchmark started: a busy machine explains a low figure. */
  loadAverage: number;
}

/**
 * A benchmark's result, written to bench/results/NAME.json. Two kinds of goal:
 * - `ratio_at_least` (throughput): `limit` is the machine's own limit for the same kind of work, measured in the same
 *   run, so `ratio` (figure / limit.figure) says how much of the machine the code keeps and can be compared with
 *   `goal` on any machine;
 * - `at_most` (latency): the figure itself (milliseconds) must stay under `goal`; `limit` and `ratio` are null.
 */
export interface BenchmarkResult {
  name: string;
  description: string;
  figure: number;
  unit: string;
  limit: { name: string; figure: number } | null;
  ratio: number | null;
  goal: number;
  goalKind: "ratio_at_least" | "at_most";
  /** Whether the goal is met: ratio ≥ goal, or figure < goal. */
  met: boolean;
  measuredAt: string;
  machine: Machine;
  [extra: string]: unknown;
}

/** One benchmark: `run` measures, prints its table and returns the result to record. */
export interface Benchmark {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchmarkResult>;
}

/** The machine, as the result records it. */
export function describeMachine(): Machine {
  const all = cpus();
  return {
    cpus: all.length,
    cpuModel: all[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
