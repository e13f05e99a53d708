/**
 * Server-Sent Events: a hijacked response that stays open, one `data:` line of JSON per message. Every open stream is
 * registered so that shutting down ends them first (an open stream would otherwise keep the server from closing).
 */
import type { FastifyReply, FastifyRequest } from "fastify";

/** The open streams of one server, ended together when it closes. */
export class OpenStreams {
  private readonly open = new Set<() => void>();

  /** Registers a stream's closer; returns the function that forgets it. */
  add(close: () => void): () => void {
    this.open.add(close);
    return () => this.open.delete(close);
  }

  /** Ends every open stream. */
  closeAll(): void {
    for (const close of [...this.open]) {
      close();
    }
  }
}

export interface EventStream {
  send(message: unknown): void;
  /** A comment line: keeps the connection alive, ignored by EventSource. */
  comment(text: string): void;
  close(): void;
}

/** How often a stream says it is alive, so proxies keep it open and the other end notices a dead one. */
export const PING_SECONDS = 15;

/**
 * Opens a stream on `reply`. `onClose` runs once, however the stream ends (the client leaves, the server closes).
 */
export function openEventStream(
  req: FastifyRequest,
  reply: FastifyReply,
  streams: OpenStreams,
  onClose: () => void,
): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    // why: a buffering reverse proxy would hold messages back and defeat "within seconds"
    "x-accel-buffering": "no",
  });
  let closed = false;
  const close = () => {
    if (closed) {
      return;
    }
    closed = true;
    forget();
    onClose();
    raw.end();
  };
  const forget = streams.add(close);
  req.raw.on("close", close);
  return {
    send: (message) => {
      if (!closed) {
        raw.write(`data: ${JSON.stringify(message)}\n\n`);
      }
    },
    comment: (text) => {
      if (!closed) {
        raw.write(`: ${text}\n\n`);
      }
    },
    close,
  };
}
