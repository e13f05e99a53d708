/**
 * The report renderer's thread: lays out each report's PDF it is sent, one at a time, and answers with its bytes.
 * pdfmake's layout is synchronous and takes seconds for thousands of rows; here it never holds up the server's
 * requests or the cabinets' sync.
 */
import { parentPort } from "node:worker_threads";
import { pdfmake } from "../pdf/pdfmake.ts";
import { reportDocument } from "./render-report.ts";
import type { RenderReply, RenderRequest } from "./render-worker-client.ts";

const port = parentPort;
if (!port) {
  throw new Error("render-worker.ts runs as a worker thread only");
}

let chain: Promise<void> = Promise.resolve();
port.on("message", (request: RenderRequest) => {
  // why: one render at a time; a second request waits for the first rather than splitting the thread between them
  chain = chain.then(async () => {
    let reply: RenderReply;
    try {
      const pdf = await pdfmake.createPdf(reportDocument(request.report)).getBuffer();
      reply = { id: request.id, pdf: new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength) };
    } catch (error) {
      reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
    }
    // why: copied, not transferred: a small Buffer shares Node's allocation pool, which must stay in this thread
    port.postMessage(reply);
  });
});
