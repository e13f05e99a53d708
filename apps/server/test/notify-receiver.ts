/**
 * A real HTTP server on 127.0.0.1 for the notification tests: records every request (method, path, headers, raw body)
 * and answers with whatever the test's handler says; a handler that never answers stands for a hung receiver.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void;

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** How the next requests are answered (default: 200, empty body). */
  handler: Handler;
  close(): Promise<void>;
}

/** Starts a receiver on a free port. */
export async function startReceiver(): Promise<Receiver> {
  const answerOk: Handler = (_request, response) => response.end();
  const receiver: { requests: RecordedRequest[]; handler: Handler } = { requests: [], handler: answerOk };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      receiver.requests.push(recorded);
      receiver.handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // why: a handler that never answered leaves its connection open; close() alone would wait for it forever
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A URL on 127.0.0.1 where nothing listens (a port just freed). */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Answers with a status and a JSON body. */
export function json(status: number, value: unknown): Handler {
  return (_request, response) => {
    response.writeHead(status, { "Content-Type": "application/json" });
    response.end(JSON.stringify(value));
  };
}
