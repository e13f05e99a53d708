/**
 * A test cabinet device that speaks the real protocol with the domain's own functions: it enrols with a code,
 * signs every request, keeps its event chain and outbox, uploads, fetches and verifies snapshots, and reads the
 * stream. A real client, not a mock — dashboard browser tests drive custody through it too.
 *
 *   const device = await TestDevice.enroll(admin, cabinetId, server.clock.now);
 *   device.record("key.taken", { ... });
 *   await device.upload();
 *   const stream = await device.stream();
 *   await stream.next((m) => m.type === "snapshot");
 */
import {
  type CabinetEventType,
  DEVICE_HEADERS,
  type EnrollResponse,
  type SignedSnapshot,
  type SnapshotBody,
  type StreamMessage,
  type UploadResponse,
} from "@keyward/contracts/cabinet-sync";
import {
  type ChainedEvent,
  chainEvent,
  chainHeadMessage,
  GENESIS_HASH,
  generateSigningKeyPair,
  requestMessage,
  type SigningKeyPair,
  signMessage,
  snapshotMessage,
  verifyMessage,
} from "@keyward/domain/event-chain";
import type { ApiClient, ApiResponse } from "./harness.ts";

/** Options of one signed request, to build refusals on purpose. */
export interface SignOptions {
  /** The time header (default: the device's clock). */
  time?: string;
  /** Sign with another secret key (a forgery). */
  secretKey?: string;
  /** Claim another device id. */
  deviceId?: string;
}

/** An open agent stream: messages in order, awaited one at a time. */
export class DeviceStream {
  private readonly received: StreamMessage[] = [];
  private readonly waiters: { match: (m: StreamMessage) => boolean; resolve: (m: StreamMessage) => void }[] = [];
  private cursor = 0;
  /** Settles once the stream has ended, whoever ended it (us, or the server). */
  readonly ended: Promise<void>;

  constructor(
    private readonly controller: AbortController,
    body: ReadableStream<Uint8Array>,
  ) {
    this.ended = this.read(body);
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split("\n")) {
            if (line.startsWith("data: ")) {
              this.deliver(JSON.parse(line.slice(6)) as StreamMessage);
            }
          }
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // the stream was closed: by us (abort) or by the server shutting down
    }
  }

  private deliver(message: StreamMessage): void {
    this.received.push(message);
    const i = this.waiters.findIndex((w) => w.match(message));
    if (i !== -1) {
      const [waiter] = this.waiters.splice(i, 1);
      this.cursor = this.received.length;
      waiter?.resolve(message);
    }
  }

  /** Every message received so far. */
  get messages(): readonly StreamMessage[] {
    return this.received;
  }

  /** The next message (after the last one awaited) that matches; resolves as soon as it arrives. */
  next(match: (m: StreamMessage) => boolean = () => true): Promise<StreamMessage> {
    const pending = this.received.slice(this.cursor);
    const found = pending.findIndex(match);
    if (found !== -1) {
      this.cursor += found + 1;
      return Promise.resolve(pending[found] as StreamMessage);
    }
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  close(): void {
    this.controller.abort();
  }
}

/** A cabinet's agent, reduced to its protocol. */
export class TestDevice {
  /** Events recorded and not yet acknowledged, oldest first. */
  outbox: ChainedEvent[] = [];
  head: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };

  private constructor(
    readonly baseUrl: string,
    readonly keys: SigningKeyPair,
    readonly enrollment: EnrollResponse,
    readonly now: () => Date,
  ) {}

  get deviceId(): string {
    return this.enrollment.deviceId;
  }
  get cabinetId(): string {
    return this.enrollment.cabinetId;
  }

  /** Issues a code as `admin` (a signed-in manager) and enrols a fresh key pair with it. */
  static async enroll(admin: ApiClient, cabinetId: string, now: () => Date): Promise<TestDevice> {
    const issued = await admin.post<{ code: string }>(`/api/v1/cabinets/${cabinetId}/enrollment-codes`);
    if (issued.status !== 201) {
      throw new Error(`enrolment code: ${issued.status} ${issued.text}`);
    }
    return TestDevice.enrollWithCode(admin.baseUrl, issued.body.code, now);
  }

  /** Enrols a fresh key pair with a code; throws unless the server accepts it. */
  static async enrollWithCode(baseUrl: string, code: string, now: () => Date): Promise<TestDevice> {
    const keys = generateSigningKeyPair();
    const res = await TestDevice.tryEnroll(baseUrl, code, keys.publicKey);
    if (res.status !== 200) {
      throw new Error(`enrol: ${res.status} ${res.text}`);
    }
    return new TestDevice(baseUrl, keys, res.body as EnrollResponse, now);
  }

  /** One enrolment attempt, whatever the answer. */
  static async tryEnroll(baseUrl: string, code: string, publicKey: string): Promise<ApiResponse> {
    const res = await fetch(`${baseUrl}/api/v1/agent/enroll`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code, publicKey, agentVersion: "test-device" }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers, text };
  }

  /** The headers of a signed request. */
  sign(method: string, path: string, body: string, options: SignOptions = {}): Record<string, string> {
    const time = options.time ?? this.now().toISOString();
    return {
      [DEVICE_HEADERS.device]: options.deviceId ?? this.deviceId,
      [DEVICE_HEADERS.time]: time,
      [DEVICE_HEADERS.signature]: signMessage(
        options.secretKey ?? this.keys.secretKey,
        requestMessage(method, path, time, body),
      ),
    };
  }

  /** A signed request; `body` is sent as JSON text exactly as signed. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: SignOptions = {},
  ): Promise<ApiResponse<T>> {
    const text = body === undefined ? "" : JSON.stringify(body);
    const headers = this.sign(method, path, text, options);
    if (body !== undefined) {
      headers["content-type"] = "application/json";
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : text });
    const raw = await res.text();
    const parsed = raw && (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(raw) : raw;
    return { status: res.status, body: parsed as T, headers: res.headers, text: raw };
  }

  /** Records an event in the chain and the outbox (as the agent journals it). */
  record(type: CabinetEventType, data: Record<string, unknown>, at: Date = this.now()): ChainedEvent {
    const event = chainEvent(this.deviceId, this.head, { occurredAt: at.toISOString(), type, data });
    this.head = { seq: event.seq, hash: event.hash };
    this.outbox.push(event);
    return event;
  }

  /** The upload body for some events (default: the outbox), with the head signed by this device. */
  uploadBody(events: readonly ChainedEvent[] = this.outbox, secretKey = this.keys.secretKey) {
    const last = events[events.length - 1];
    return {
      events,
      headSignature: last ? signMessage(secretKey, chainHeadMessage(this.deviceId, last.seq, last.hash)) : "",
    };
  }

  /** Uploads the outbox; on success drops what the server acknowledged. */
  async upload(events: readonly ChainedEvent[] = this.outbox): Promise<ApiResponse<UploadResponse>> {
    const res = await this.request<UploadResponse>("POST", "/api/v1/agent/events", this.uploadBody(events));
    if (res.status === 200) {
      this.outbox = this.outbox.filter((e) => e.seq > res.body.acknowledgedSeq);
    }
    return res;
  }

  /** Fetches the snapshot (204 when `known` is current). */
  snapshot(known?: number): Promise<ApiResponse<SignedSnapshot>> {
    return this.request<SignedSnapshot>("GET", `/api/v1/agent/snapshot${known === undefined ? "" : `?known=${known}`}`);
  }

  /** Fetches the snapshot, checks the server's signature with the key learned at enrolment, and parses it. */
  async verifiedSnapshot(): Promise<SnapshotBody> {
    const res = await this.snapshot();
    if (res.status !== 200) {
      throw new Error(`snapshot: ${res.status} ${res.text}`);
    }
    if (!verifyMessage(this.enrollment.serverPublicKey, snapshotMessage(res.body.body), res.body.signature)) {
      throw new Error("the snapshot's signature does not verify with the server's key");
    }
    return JSON.parse(res.body.body) as SnapshotBody;
  }

  /** Opens the stream; resolves once the server answered with its headers. */
  async stream(): Promise<DeviceStream> {
    const path = "/api/v1/agent/stream";
    const controller = new AbortController();
    const res = await fetch(`${this.baseUrl}${path}`, {
      headers: this.sign("GET", path, ""),
      signal: controller.signal,
    });
    if (res.status !== 200 || !res.body) {
      throw new Error(`stream: ${res.status} ${await res.text()}`);
    }
    return new DeviceStream(controller, res.body);
  }
}
