/** A verification worker thread: scans one range of a log on its own connection and posts the result back. */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "@keyward/db/connect";
import { scanLeaves } from "./scan-leaves.ts";
import type { ScanJob } from "./verify-worker-client.ts";

const job = workerData as ScanJob;
const handle = openDatabase({ ...job.connection, poolSize: 1 });
try {
  const result = await scanLeaves(
    handle.db,
    job.dialect,
    job.organizationId,
    job.from,
    job.to,
    job.pageSize,
    handle.sqlite,
  );
  parentPort?.postMessage(result, [result.hashes.buffer as ArrayBuffer]);
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
} finally {
  await handle.close();
}
