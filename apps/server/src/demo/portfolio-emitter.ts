/**
 * Writes the generated history exactly as the server stores it: administrative events as `recordEvent` writes them,
 * and cabinet events as `ingestEvents` does — each device's real chain (`chainEvent`), uploads of about a hundred
 * events closed by the device's Ed25519 signature over its head, the organization event (`after` = the data, the
 * notes, the cabinet, device, sequence, hash and receipt time), the cabinet record, and every event queued for the
 * audit log in the order it was written.
 */
import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import { CABINET_ALARMS } from "@keyward/contracts/cabinet-sync";
import {
  type ChainedEvent,
  canonicalJson,
  chainEvent,
  chainHeadMessage,
  GENESIS_HASH,
  publicKeyOf,
  toBase64Url,
} from "@keyward/domain/event-chain";
import type { ActorSnapshot } from "../events.ts";
import type { Random } from "./portfolio-random.ts";
import { type Cell, type RowSink, TABLES } from "./portfolio-rows.ts";

/** Events per upload: the device signs its head at the end of each. */
export const UPLOAD_EVENTS = 100;

const ALARMS: ReadonlySet<string> = new Set(CABINET_ALARMS);
const DOOR_STATE: Readonly<Record<string, "open" | "closed">> = {
  "door.opened": "open",
  "door.held_open": "open",
  "door.forced": "open",
  "door.closed": "closed",
};

/**
 * What an event does to the projections once the server has it, called with its upload's receipt time (ISO): the
 * server stamps the rows it changes with that time.
 */
export type ReceiptEffect = (receivedAt: string) => void;

interface PendingEvent {
  event: ChainedEvent;
  eventId: string;
  notes: Record<string, unknown>;
  effect: ReceiptEffect | null;
}

/** One enrolled cabinet: its device's identity, chain head, unsent events and the state the server keeps of it. */
export class Device {
  readonly publicKey: string;
  private readonly privateKey: KeyObject;
  head = { seq: 0, hash: GENESIS_HASH };
  pending: PendingEvent[] = [];
  /** As the server last stored it (cabinet_states). */
  door: "unknown" | "open" | "closed" = "unknown";
  openAlarms = 0;
  lastAlarm: string | null = null;
  lastAlarmAt: string | null = null;
  lastEventAt: string | null = null;
  lastContactAt: string;
  updatedAt: string;
  snapshotVersion: number | null = null;
  /** Uploads that moved keys: each bumps the property's snapshot version. */
  custodyUploads = 0;
  lastCustodyAt: string | null = null;

  constructor(
    readonly id: string,
    readonly cabinetId: string,
    readonly cabinetName: string,
    readonly propertyId: string,
    seed: Uint8Array,
    enrolledAt: string,
  ) {
    const secretKey = toBase64Url(seed);
    this.publicKey = publicKeyOf(secretKey);
    // why: Ed25519 signatures are deterministic (RFC 8032), so OpenSSL's signature is the portable code's, only faster
    this.privateKey = createPrivateKey({
      key: { kty: "OKP", crv: "Ed25519", d: secretKey, x: this.publicKey },
      format: "jwk",
    });
    this.lastContactAt = enrolledAt;
    this.updatedAt = enrolledAt;
  }

  /** The device's signature over its chain head. */
  signHead(): string {
    const message = chainHeadMessage(this.id, this.head.seq, this.head.hash);
    return toBase64Url(sign(null, Buffer.from(message, "utf8"), this.privateKey));
  }
}

/** Who appears in events: people by id, with their actor snapshot's canonical JSON kept once. */
export interface PeopleDirectory {
  actorOf(personId: string): { snapshot: ActorSnapshot; json: string } | undefined;
}

/** An administrative event, as `recordEvent` writes it. */
export interface AdminEvent {
  propertyId: string | null;
  at: number;
  action: string;
  entityType: string;
  entityId: string | null;
  actor: ActorSnapshot;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  source?: string;
}

/** Writes events rows, cabinet records and the audit queue, counting them. */
export class EventEmitter {
  events = 0;
  private readonly actorJson = new Map<ActorSnapshot, string>();

  constructor(
    private readonly sink: RowSink,
    private readonly organizationId: string,
    private readonly random: Random,
    private readonly people: PeopleDirectory,
  ) {}

  /** A fresh time-ordered event id. */
  eventId(at: number): string {
    return this.random.uuid7(at);
  }

  private write(values: readonly Cell[]): void {
    this.sink.add(TABLES.events, values);
    this.sink.add(TABLES.audit_pending, [this.organizationId, values[0] ?? null]);
    this.events++;
  }

  private jsonOf(actor: ActorSnapshot): string {
    let json = this.actorJson.get(actor);
    if (json === undefined) {
      json = canonicalJson(actor);
      this.actorJson.set(actor, json);
    }
    return json;
  }

  /** Writes an administrative event. */
  admin(e: AdminEvent): string {
    const id = this.eventId(e.at);
    this.write([
      id,
      this.organizationId,
      e.propertyId,
      new Date(e.at).toISOString(),
      e.action,
      e.entityType,
      e.entityId,
      e.actor.type,
      e.actor.id,
      this.jsonOf(e.actor),
      e.before ? canonicalJson(e.before) : null,
      e.after ? canonicalJson(e.after) : null,
      e.source ?? (e.actor.type === "user" ? "api" : e.actor.type),
    ]);
    return id;
  }

  /**
   * Records a cabinet event on its device's chain; it reaches the server with the device's next upload.
   * @returns the organization event's id (known now, as the server's checkout rows need it).
   */
  cabinet(
    device: Device,
    at: number,
    type: string,
    data: Record<string, unknown>,
    notes: Record<string, unknown> = {},
    effect: ReceiptEffect | null = null,
  ): string {
    const event = chainEvent(device.id, device.head, { occurredAt: new Date(at).toISOString(), type, data });
    device.head = { seq: event.seq, hash: event.hash };
    const eventId = this.eventId(at);
    device.pending.push({ event, eventId, notes, effect });
    return eventId;
  }

  /** Sends a device's unsent events as one upload received at `receivedMs`, as `ingestEvents` stores them. */
  upload(device: Device, receivedMs: number): void {
    const batch = device.pending;
    if (batch.length === 0) {
      return;
    }
    device.pending = [];
    const receivedAt = new Date(receivedMs).toISOString();
    const headSignature = device.signHead();
    const cabinetActor: ActorSnapshot = { type: "cabinet", id: device.cabinetId, name: device.cabinetName };
    let custody = false;
    batch.forEach(({ event, eventId, notes, effect }, i) => {
      const data = event.data as { personId?: string | null; keyId?: string | null };
      const person = data.personId ? this.people.actorOf(data.personId) : undefined;
      const isKey = event.type.startsWith("key.") && typeof data.keyId === "string";
      this.write([
        eventId,
        this.organizationId,
        device.propertyId,
        event.occurredAt,
        event.type,
        isKey ? "key" : "cabinet",
        isKey ? (data.keyId as string) : device.cabinetId,
        person ? "person" : "cabinet",
        person ? (data.personId as string) : device.cabinetId,
        person ? person.json : this.jsonOf(cabinetActor),
        null,
        canonicalJson({
          ...event.data,
          ...notes,
          cabinetId: device.cabinetId,
          deviceId: device.id,
          seq: event.seq,
          hash: event.hash,
          receivedAt,
        }),
        "cabinet",
      ]);
      this.sink.add(TABLES.cabinet_events, [
        device.id,
        event.seq,
        this.organizationId,
        device.propertyId,
        device.cabinetId,
        event.type,
        event.occurredAt,
        receivedAt,
        event.prevHash,
        event.hash,
        canonicalJson(event.data),
        eventId,
        // why: the signature vouches for the chain up to the upload's last event, and so for every event before it
        i === batch.length - 1 ? headSignature : null,
      ]);
      const door = DOOR_STATE[event.type];
      if (door) {
        device.door = door;
      }
      if (ALARMS.has(event.type)) {
        device.openAlarms++;
        device.lastAlarm = event.type;
        device.lastAlarmAt = event.occurredAt;
      }
      if (event.type === "cabinet.snapshot_applied") {
        device.snapshotVersion = Number((event.data as { version: number }).version);
      }
      if (device.lastEventAt === null || event.occurredAt > device.lastEventAt) {
        device.lastEventAt = event.occurredAt;
      }
      if (effect) {
        custody = true;
        effect(receivedAt);
      }
    });
    device.lastContactAt = receivedAt;
    device.updatedAt = receivedAt;
    if (custody) {
      device.custodyUploads++;
      device.lastCustodyAt = receivedAt;
    }
  }

  /** Uploads a device's events once a full upload has gathered. */
  uploadIfFull(device: Device, receivedMs: number): void {
    if (device.pending.length >= UPLOAD_EVENTS) {
      this.upload(device, receivedMs);
    }
  }
}
