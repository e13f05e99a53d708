/**
 * Runs `scanLeaves` over a range in a worker thread with its own database connection, so a long log is verified on
 * every core. The worker runs TypeScript through tsx, as the server does.
 */
import { Worker } from "node:worker_threads";
import type { Dialect } from "@keyward/db/migrations";
import type { ScanResult } from "./scan-leaves.ts";

/** What a worker is given. */
export interface ScanJob {
  connection: { databaseUrl?: string; sqliteFile: string };
  dialect: Dialect;
  organizationId: string;
  from: number;
  to: number;
  pageSize?: number;
}

/** Scans a range in a worker thread. */
export function scanInWorker(job: ScanJob): Promise<ScanResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./verify-worker-entry.js", import.meta.url), { workerData: job });
    let result: ScanResult | null = null;
    worker.once("message", (message: ScanResult | { error: string }) => {
      if ("error" in message) {
        reject(new Error(`A verification worker failed: ${message.error}`));
      } else {
        result = message;
      }
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (result) {
        resolve(result);
      } else {
        reject(new Error(`A verification worker stopped (exit ${code}) before answering.`));
      }
    });
  });
}
