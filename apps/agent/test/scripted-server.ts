/**
 * A real HTTP server that speaks the cabinet protocol with answers the test scripts: the stream's messages, each
 * snapshot answer, and a signing key of its own. It stands where a real server cannot be made to misbehave on cue —
 * a snapshot fetch that fails, a server restored from a backup, a man in the middle replaying an old snapshot or
 * sending commands of his own.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CabinetCommand, EnrollResponse, SignedSnapshot, StreamMessage } from "@keyward/contracts/cabinet-sync";
import {
  canonicalJson,
  commandMessage,
  generateSigningKeyPair,
  type SigningKeyPair,
  signMessage,
  snapshotMessage,
} from "@keyward/domain/event-chain";
import { CABINET_ID, PROPERTY_ID, snapshotBody } from "./cabinet-factory.ts";

/** What the scripted server answers `GET /api/v1/agent/snapshot`: a status, and a signed snapshot for a 200. */
export type SnapshotAnswer = { status: 200; snapshot: SignedSnapshot } | { status: 204 | 500 };

export class ScriptedServer {
  readonly key: SigningKeyPair = generateSigningKeyPair();
  /** The `known` query of each snapshot request, in order (null when absent). */
  readonly snapshotRequests: (string | null)[] = [];
  /** Answers the next snapshot request. */
  answer: (known: string | null) => SnapshotAnswer = () => ({ status: 500 });
  private readonly streams = new Set<ServerResponse>();
  private readonly server: Server;
  url = "";

  private constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
  }

  static async start(): Promise<ScriptedServer> {
    const scripted = new ScriptedServer();
    await new Promise<void>((resolve) => scripted.server.listen(0, "127.0.0.1", resolve));
    const { port } = scripted.server.address() as AddressInfo;
    scripted.url = `http://127.0.0.1:${port}`;
    return scripted;
  }

  /** A snapshot of this cabinet signed with `key` (the server's own by default). */
  async signedSnapshot(version: number, issuedAt: string, key: SigningKeyPair = this.key): Promise<SignedSnapshot> {
    const body = canonicalJson({ ...(await snapshotBody({ people: [], keys: [], version })), issuedAt });
    return { version, body, signature: signMessage(key.secretKey, snapshotMessage(body)) };
  }

  /** A remote release that expires in two minutes. */
  command(): CabinetCommand {
    const now = Date.now();
    return {
      id: randomUUID(),
      kind: "remote_release",
      reason: "Locksmith",
      requestedBy: null,
      requestedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 120_000).toISOString(),
      params: { seconds: 5 },
    };
  }

  /** The stream message carrying `command`, signed with `key` (the server's own by default). */
  signedCommand(command: CabinetCommand, key: SigningKeyPair = this.key): StreamMessage {
    return { type: "command", command, signature: signMessage(key.secretKey, commandMessage(command)) };
  }

  /** Sends one message down every open stream. */
  send(message: StreamMessage): void {
    for (const res of this.streams) {
      res.write(`data: ${JSON.stringify(message)}\n\n`);
    }
  }

  /** Whether an agent holds the stream open. */
  streaming(): boolean {
    return this.streams.size > 0;
  }

  async close(): Promise<void> {
    for (const res of this.streams) {
      res.end();
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString("utf8");
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    switch (`${req.method} ${url.pathname}`) {
      case "POST /api/v1/agent/enroll": {
        const enrolled: EnrollResponse = {
          deviceId: "device-1",
          cabinetId: CABINET_ID,
          organizationId: "org-1",
          propertyId: PROPERTY_ID,
          cabinetName: "Office cabinet",
          serverPublicKey: this.key.publicKey,
        };
        json(201, enrolled);
        return;
      }
      case "GET /api/v1/agent/stream":
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        res.flushHeaders();
        this.streams.add(res);
        res.on("close", () => this.streams.delete(res));
        return;
      case "GET /api/v1/agent/snapshot": {
        const known = url.searchParams.get("known");
        this.snapshotRequests.push(known);
        const answer = this.answer(known);
        if (answer.status === 200) {
          json(200, answer.snapshot);
        } else {
          res.statusCode = answer.status;
          res.end();
        }
        return;
      }
      case "POST /api/v1/agent/events": {
        const events = (JSON.parse(body) as { events: { seq: number }[] }).events;
        json(200, { acknowledgedSeq: events.at(-1)?.seq ?? 0, stored: events.length, duplicates: 0 });
        return;
      }
      default:
        json(404, { code: "not_found", message: "no such route" });
    }
  }
}
