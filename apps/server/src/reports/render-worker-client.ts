/**
 * Report PDFs rendered off the main thread: one long-lived worker per process, started by the first PDF, unref'd while
 * idle so it never keeps the process alive, stopped by `stopReportRenderer` when the server closes. Requests are answered in
 * the order they were sent; the worker renders one at a time.
 */
import { Worker } from "node:worker_threads";
import type { Report } from "@keyward/contracts/reports";

/** What the worker is sent. */
export interface RenderRequest {
  id: number;
  report: Report;
}

/** What the worker answers: the PDF's bytes, or why it could not render it. */
export type RenderReply = { id: number; pdf: Uint8Array } | { id: number; error: string };

interface Pending {
  resolve(pdf: Buffer): void;
  reject(error: Error): void;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function failAll(error: Error): void {
  for (const p of pending.values()) {
    p.reject(error);
  }
  pending.clear();
}

function started(): Worker {
  if (worker) {
    return worker;
  }
  const w = new Worker(new URL("./render-worker-entry.js", import.meta.url));
  w.on("message", (reply: RenderReply) => {
    const p = pending.get(reply.id);
    if (!p) {
      return;
    }
    pending.delete(reply.id);
    if (pending.size === 0) {
      w.unref();
    }
    if ("error" in reply) {
      p.reject(new Error(`The report's PDF could not be rendered: ${reply.error}`));
    } else {
      p.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
    }
  });
  w.on("error", (error) => {
    if (worker === w) {
      worker = null;
    }
    failAll(new Error(`The report renderer failed: ${error.message}`));
  });
  w.on("exit", (code) => {
    // why: the next PDF starts a fresh worker; requests this one held are answered with an error, never left waiting
    if (worker === w) {
      worker = null;
    }
    failAll(new Error(`The report renderer stopped (exit ${code}) before answering.`));
  });
  // why: an idle renderer must not keep a CLI command or a test run from exiting; it is ref'd only while a render
  // is awaited, so a process waiting for a PDF does not exit before it comes
  w.unref();
  worker = w;
  return w;
}

/** Renders a report's PDF in the renderer thread. */
export function renderInWorker(report: Report): Promise<Buffer> {
  const w = started();
  const id = nextId++;
  return new Promise<Buffer>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.ref();
    w.postMessage({ id, report } satisfies RenderRequest);
  });
}

/** Stops the renderer thread, if one was started; a later PDF starts another. */
export async function stopReportRenderer(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) {
    await w.terminate();
  }
}
