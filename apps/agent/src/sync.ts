/**
 * The agent's side of the cabinet ↔ server protocol (`@keyward/contracts/cabinet-sync`): device-signed requests,
 * the long-lived stream (snapshot announcements and commands), snapshot fetches, and event uploads from the outbox.
 */
import {
  type AgentPinActivationRequest,
  type CabinetCommand,
  DEVICE_HEADERS,
  EnrollResponse,
  PinActivationRefusal,
  SignedSnapshot,
  StreamMessage,
  SyncErrorBody,
  UploadResponse,
} from "@keyward/contracts/cabinet-sync";
import {
  chainHeadMessage,
  commandMessage,
  requestMessage,
  signMessage,
  verifyMessage,
} from "@keyward/domain/event-chain";
import { createParser } from "eventsource-parser";
import { type AgentLogger, PIN_ACTIVATION_TIMEOUT_MS, type PinActivationResult } from "./engine.ts";
import type { Identity, Journal } from "./journal.ts";

/** Events per upload, the protocol's maximum. */
export const UPLOAD_BATCH = 500;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15_000;

/** The server refused a request with a protocol error (or answered something the agent cannot read). */
export class SyncRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** For `sequence_gap`: the next seq the server expects. */
    readonly expectedSeq: number | null = null,
  ) {
    super(message);
  }
}

async function refusalOf(res: Response, what: string): Promise<SyncRefused> {
  const text = await res.text().catch(() => "");
  try {
    const body = SyncErrorBody.safeParse(JSON.parse(text));
    if (body.success) {
      return new SyncRefused(
        res.status,
        body.data.code,
        `${what}: ${body.data.message}`,
        body.data.expectedSeq ?? null,
      );
    }
    const generic = JSON.parse(text) as { code?: unknown; message?: unknown };
    return new SyncRefused(
      res.status,
      String(generic.code ?? "unknown"),
      `${what}: ${String(generic.message ?? text)}`,
    );
  } catch {
    return new SyncRefused(res.status, "unknown", `${what}: the server answered ${res.status}`);
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Registers a public key with a one-time enrolment code. */
export async function requestEnrollment(
  serverUrl: string,
  body: { code: string; publicKey: string; agentVersion: string },
): Promise<EnrollResponse> {
  const url = `${trimSlash(serverUrl)}/api/v1/agent/enroll`;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).catch((error: unknown) => {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new Error(`cannot reach the server at ${trimSlash(serverUrl)}: ${cause}`, { cause: error });
  });
  if (!res.ok) {
    throw await refusalOf(res, "enrolment refused");
  }
  return EnrollResponse.parse(await res.json());
}

export interface SyncOptions {
  journal: Journal;
  identity: Identity;
  now: () => Date;
  logger: AgentLogger;
  /** The snapshot version in force, if any. */
  knownVersion: () => number | null;
  /** A new signed snapshot arrived; `acknowledgedBefore` is the outbox position when it was asked for. */
  onSnapshot: (signed: SignedSnapshot, acknowledgedBefore: number) => Promise<void>;
  /** The server confirmed the snapshot in force is current. */
  onConfirmed: () => Promise<void>;
  onCommand: (command: CabinetCommand) => Promise<void>;
  onOnlineChange: (online: boolean) => void;
}

/** The connection to the server: stream, snapshot fetches and uploads. */
export class SyncClient {
  private offsetMs = 0;
  private online = false;
  private closed = false;
  private readonly abort = new AbortController();
  private streamLoop: Promise<void> | null = null;
  private uploading: Promise<void> | null = null;
  private uploadAgain = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = BACKOFF_MIN_MS;
  private fetching: Promise<void> | null = null;
  /** The snapshot version the server last said is current (stream announcement or snapshot answer). */
  private announced: number | null = null;
  private snapshotRetry: NodeJS.Timeout | null = null;
  private snapshotDelay = BACKOFF_MIN_MS;
  private messages: Promise<void> = Promise.resolve();
  private readonly baseUrl: string;

  constructor(private readonly options: SyncOptions) {
    this.baseUrl = trimSlash(options.identity.serverUrl);
  }

  /** Whether the stream is connected. */
  isOnline(): boolean {
    return this.online;
  }

  /** The server's clock as this device best knows it (its own, corrected by the offset learned from `Date`). */
  serverNow(): Date {
    return new Date(this.options.now().getTime() + this.offsetMs);
  }

  /** Opens the stream (reconnecting with backoff until closed) and uploads what waits. */
  start(): void {
    this.streamLoop = this.runStream();
    this.requestUpload();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
    }
    if (this.snapshotRetry) {
      clearTimeout(this.snapshotRetry);
    }
    await Promise.allSettled([this.streamLoop, this.uploading, this.fetching, this.messages]);
  }

  /** Uploads the outbox soon (at once when idle); failures retry with backoff. */
  requestUpload(): void {
    if (this.closed) {
      return;
    }
    if (this.uploading) {
      this.uploadAgain = true;
      return;
    }
    this.startUpload().catch((error: unknown) => {
      this.options.logger.warn(`upload failed, will retry: ${String(error)}`);
      this.setOnline(false);
      this.scheduleRetry();
    });
  }

  /** Uploads every waiting event; rejects if the server cannot be reached or refuses. */
  async uploadOutbox(): Promise<void> {
    // why: an upload already under way may be failing against a server that was down when it began; try afresh
    while (this.uploading) {
      await this.uploading.catch(() => undefined);
    }
    await this.startUpload();
  }

  private startUpload(): Promise<void> {
    const run = (async () => {
      try {
        do {
          this.uploadAgain = false;
          await this.uploadAll();
        } while (this.uploadAgain && !this.closed);
        this.retryDelay = BACKOFF_MIN_MS;
      } finally {
        this.uploading = null;
      }
    })();
    this.uploading = run;
    return run;
  }

  /**
   * Fetches the server's current snapshot if it differs from the one in force (or confirms the one in force); rejects
   * on failure. A snapshot older than the one in force is asked for whole, without `known`, when the server announced a
   * lower version (a server restored from a backup): it is applied only if issued later (`onSnapshot` decides).
   */
  async fetchSnapshot(): Promise<void> {
    // why: a fetch under way may have begun before the version changed (or while the server was down); ask afresh
    while (this.fetching) {
      await this.fetching.catch(() => undefined);
    }
    const run = (async () => {
      try {
        const known = this.options.knownVersion();
        const acknowledgedBefore = this.options.journal.acknowledgedThrough();
        const ask = known !== null && (this.announced === null || this.announced >= known);
        const res = await this.request("GET", `/api/v1/agent/snapshot${ask ? `?known=${known}` : ""}`);
        if (res.status === 204) {
          this.announced = known;
          await this.options.onConfirmed();
          return;
        }
        if (!res.ok) {
          throw await refusalOf(res, "snapshot refused");
        }
        const signed = SignedSnapshot.parse(await res.json());
        this.announced = signed.version;
        if (signed.version === known) {
          await this.options.onConfirmed();
          return;
        }
        await this.options.onSnapshot(signed, acknowledgedBefore);
      } finally {
        this.fetching = null;
      }
    })();
    this.fetching = run;
    await run;
  }

  /**
   * Sends a PIN a person chose at the kiosk (`POST /api/v1/agent/pin-activations`). Never logs the code or the PIN;
   * a server that cannot be reached, or does not answer in time, is `unreachable`.
   */
  async activatePin(input: AgentPinActivationRequest): Promise<PinActivationResult> {
    let res: Response;
    try {
      res = await this.request(
        "POST",
        "/api/v1/agent/pin-activations",
        JSON.stringify(input),
        AbortSignal.any([this.abort.signal, AbortSignal.timeout(PIN_ACTIVATION_TIMEOUT_MS)]),
      );
    } catch (error) {
      this.options.logger.warn(`PIN activation: the server could not be reached: ${String(error)}`);
      return { outcome: "unreachable" };
    }
    if (res.ok) {
      await res.body?.cancel();
      return { outcome: "set" };
    }
    const text = await res.text().catch(() => "");
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    const refusal = PinActivationRefusal.safeParse(parsed);
    if (refusal.success) {
      return { outcome: "refused", refusal: refusal.data };
    }
    this.options.logger.warn(`PIN activation refused with ${res.status}: ${text.slice(0, 200)}`);
    return { outcome: "unreachable" };
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) {
      return;
    }
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, BACKOFF_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.requestUpload();
    }, delay);
    this.retryTimer.unref();
  }

  private async uploadAll(): Promise<void> {
    const { journal, identity } = this.options;
    let from = journal.outboxStart();
    while (from !== null && !this.closed) {
      const events = journal.eventsFrom(from, UPLOAD_BATCH);
      const last = events.at(-1);
      if (!last) {
        return;
      }
      const body = JSON.stringify({
        events: events.map(({ acknowledged: _, ...event }) => event),
        headSignature: signMessage(identity.secretKey, chainHeadMessage(identity.deviceId, last.seq, last.hash)),
      });
      const res = await this.request("POST", "/api/v1/agent/events", body);
      if (res.ok) {
        const ack = UploadResponse.parse(await res.json());
        journal.acknowledge(ack.acknowledgedSeq);
        // why: a failed upload marks the agent offline; an acknowledged one proves contact again
        this.setOnline(true);
        if (ack.acknowledgedSeq < from) {
          throw new SyncRefused(res.status, "no_progress", "the server acknowledged nothing of the upload");
        }
        from = journal.outboxStart();
        continue;
      }
      const refusal = await refusalOf(res, "upload refused");
      if (refusal.code === "sequence_gap") {
        const expected = refusal.expectedSeq;
        if (expected !== null && expected < from) {
          // why: the server has less than we thought (a restored database); resend from where it stands
          from = expected;
          continue;
        }
        if (expected !== null && expected > from) {
          journal.acknowledge(expected - 1);
          from = journal.outboxStart();
          continue;
        }
      }
      throw refusal;
    }
  }

  private async request(method: string, path: string, body?: string, signal?: AbortSignal): Promise<Response> {
    const { identity } = this.options;
    const time = this.serverNow().toISOString();
    const raw = body ?? "";
    const headers: Record<string, string> = {
      [DEVICE_HEADERS.device]: identity.deviceId,
      [DEVICE_HEADERS.time]: time,
      [DEVICE_HEADERS.signature]: signMessage(identity.secretKey, requestMessage(method, path, time, raw)),
    };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body, signal: signal ?? this.abort.signal });
    this.learnClock(res);
    return res;
  }

  /** Learns the offset between this device's clock and the server's from the `Date` header. */
  private learnClock(res: Response): void {
    const date = res.headers.get("date");
    const serverMs = date ? Date.parse(date) : Number.NaN;
    if (Number.isNaN(serverMs)) {
      return;
    }
    const offset = serverMs - this.options.now().getTime();
    // why: `Date` has whole seconds; follow it only when the clocks truly differ, not on every rounding
    if (Math.abs(offset - this.offsetMs) > 1500) {
      this.offsetMs = offset;
    }
  }

  private setOnline(online: boolean): void {
    if (this.online !== online) {
      this.online = online;
      this.options.logger.info(online ? "connected to the server" : "lost contact with the server");
      this.options.onOnlineChange(online);
    }
  }

  private async runStream(): Promise<void> {
    let delay = BACKOFF_MIN_MS;
    while (!this.closed) {
      try {
        const res = await this.request("GET", "/api/v1/agent/stream");
        if (!res.ok || !res.body) {
          throw await refusalOf(res, "stream refused");
        }
        delay = BACKOFF_MIN_MS;
        const parser = createParser({
          onEvent: (event) => {
            this.messages = this.messages
              .then(() => this.onMessage(event.data))
              .catch((error: unknown) => this.options.logger.warn(`stream message failed: ${String(error)}`));
          },
        });
        const decoder = new TextDecoder();
        for await (const chunk of res.body) {
          parser.feed(decoder.decode(chunk, { stream: true }));
        }
      } catch (error) {
        if (!this.closed) {
          this.options.logger.warn(`stream: ${String(error)}`);
        }
      }
      this.setOnline(false);
      if (this.closed) {
        return;
      }
      await new Promise<void>((resolve) => {
        const onAbort = () => {
          clearTimeout(timer);
          resolve();
        };
        // why: one listener per wait, removed when the wait ends, or a long outage piles them up on the signal
        const timer = setTimeout(() => {
          this.abort.signal.removeEventListener("abort", onAbort);
          resolve();
        }, delay);
        this.abort.signal.addEventListener("abort", onAbort, { once: true });
      });
      delay = Math.min(delay * 2, BACKOFF_MAX_MS);
    }
  }

  private async onMessage(data: string): Promise<void> {
    const raw: unknown = JSON.parse(data);
    const message = StreamMessage.parse(raw);
    switch (message.type) {
      case "hello":
        this.setOnline(true);
        this.requestUpload();
        await this.followVersion(message.snapshotVersion);
        return;
      case "snapshot":
        await this.followVersion(message.version);
        return;
      case "ping": {
        // why: a failed upload marks the agent offline; the live stream proves contact again
        this.setOnline(true);
        const known = this.options.knownVersion();
        // why: the stream is alive and announces every change, so the snapshot in force is still current — if it is
        // the one announced; after an announcement whose fetch failed it is known stale, and only a fetch may confirm
        if (known !== null && known === this.announced) {
          await this.options.onConfirmed();
        } else if (this.announced !== null) {
          this.scheduleSnapshotRetry();
        }
        return;
      }
      case "command": {
        const { command, signature } = message;
        const signed = (raw as { command?: unknown }).command;
        if (
          signature === undefined ||
          !verifyMessage(this.options.identity.serverPublicKey, commandMessage(signed), signature)
        ) {
          // why: only the server key from enrolment may open the door; the stream's transport proves nothing
          this.options.logger.error(
            `command ${command.id} refused: ${signature === undefined ? "it is not signed" : "its signature does not verify with the server key from enrolment"}`,
          );
          return;
        }
        // why: a command past its expiry (a release requested while the cabinet was offline) must not fire late
        if (Date.parse(command.expiresAt) <= this.serverNow().getTime()) {
          this.options.logger.warn(`command ${command.id} expired before it arrived; ignored`);
          return;
        }
        await this.options.onCommand(command);
        return;
      }
    }
  }

  private async followVersion(version: number): Promise<void> {
    this.announced = version;
    await this.catchUp();
  }

  /** Confirms the snapshot in force if it is the announced one, else fetches; retries with backoff until they agree. */
  private async catchUp(): Promise<void> {
    if (this.closed) {
      return;
    }
    if (this.announced !== null && this.options.knownVersion() === this.announced) {
      this.snapshotDelay = BACKOFF_MIN_MS;
      await this.options.onConfirmed();
      return;
    }
    try {
      await this.fetchSnapshot();
    } catch (error) {
      this.options.logger.warn(`snapshot fetch failed, will retry: ${String(error)}`);
    }
    if (this.options.knownVersion() === this.announced) {
      this.snapshotDelay = BACKOFF_MIN_MS;
      return;
    }
    this.scheduleSnapshotRetry();
  }

  private scheduleSnapshotRetry(): void {
    if (this.closed || this.snapshotRetry) {
      return;
    }
    const delay = this.snapshotDelay;
    this.snapshotDelay = Math.min(this.snapshotDelay * 2, BACKOFF_MAX_MS);
    this.snapshotRetry = setTimeout(() => {
      this.snapshotRetry = null;
      this.messages = this.messages
        .then(() => this.catchUp())
        .catch((error: unknown) => this.options.logger.warn(`snapshot retry failed: ${String(error)}`));
    }, delay);
    this.snapshotRetry.unref();
  }
}
