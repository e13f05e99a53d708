/**
 * The generator's in-memory picture of one property while its history is written: cabinets with their devices and
 * free hooks, keys and where they hang, people with their profiles and the keys they hold, open checkouts.
 */
import type { Executor } from "@keyward/db/connect";
import type { WeeklyWindow } from "@keyward/domain/schedule";
import type { ActorSnapshot } from "../events.ts";
import type { Row } from "../resources/records.ts";
import type { AdminEvent, Device, EventEmitter } from "./portfolio-emitter.ts";
import type { Random } from "./portfolio-random.ts";
import type { RowSink } from "./portfolio-rows.ts";
import type { StaffRole } from "./portfolio-vocabulary.ts";

/** A reason code as the history uses it. */
export interface ReasonModel {
  id: string;
  code: string;
  requiresWorkOrder: boolean;
  defaultDueMinutes: number | null;
}

/** An access profile as the history checks it. */
export interface ProfileModel {
  id: string;
  windows: readonly WeeklyWindow[];
  /** Whether the property's holidays close it. */
  holidays: boolean;
  /** Key kinds it covers; null for every key. */
  kinds: ReadonlySet<string> | null;
  restricted: boolean;
  maxKeysOut: number;
}

/** Someone who takes keys. */
export interface PersonModel {
  id: string;
  name: string;
  role: StaffRole;
  actor: ActorSnapshot;
  pinCredentialId: string;
  badgeCredentialId: string;
  /** From when, and until when, they use the cabinets (ms). */
  activeFrom: number;
  activeUntil: number;
  profiles: ProfileModel[];
  /** Keys out now. */
  held: number;
  badActor: boolean;
  /** Relative share of the property's visits. */
  weight: number;
  /** Consecutive wrong PINs as the server last heard of them. */
  pinFailures: number;
  pinLastFailureAt: string | null;
  /** The person's credential rows, finished when the history ends (lockout, deactivation). */
  pinRow: Row;
  /** Administrative events that happen during the history (a hire, a departure), in time order. */
  laterEvents: AdminEvent[];
}

/** A cabinet of the property. */
export interface CabinetModel {
  id: string;
  name: string;
  device: Device;
  /** Hook numbers with no key on them. */
  freeHooks: number[];
  /** Keys hanging here now. */
  keysIn: KeyModel[];
  /** When its door is free again (ms): visits queue. */
  busyUntil: number;
  /** When it stopped reaching the server (ms), or null for a cabinet online at the end. */
  offlineSince: number | null;
  row: Row;
}

/** A checkout as the server will hold it. */
export interface CheckoutModel {
  row: Row;
}

/** A key of the property. */
export interface KeyModel {
  id: string;
  unitId: string | null;
  kind: string;
  restricted: boolean;
  status: string;
  cabinet: CabinetModel | null;
  hook: number | null;
  /** Position in `cabinet.keysIn`, or -1. */
  slot: number;
  open: CheckoutModel | null;
  row: Row;
}

/** Everything built for one property. */
export interface PropertyModel {
  index: number;
  id: string;
  code: string;
  zone: string;
  apartments: number;
  holidays: ReadonlySet<string>;
  cabinets: CabinetModel[];
  keys: KeyModel[];
  people: PersonModel[];
  manager: PersonModel;
  /** The manager's dashboard login, as events name them when they act. */
  managerActor: ActorSnapshot;
  checkouts: CheckoutModel[];
  /** Snapshot-changing transactions: each bumps the property's snapshot version. */
  snapshotBumps: number;
  lastBumpAt: string;
}

/** Counts the summary reports. */
export interface Counts {
  properties: number;
  buildings: number;
  units: number;
  keys: number;
  cabinets: number;
  people: number;
  checkouts: number;
}

/** What every part of one generation shares. */
export interface Generation {
  tx: Executor;
  sink: RowSink;
  emitter: EventEmitter;
  random: Random;
  organizationId: string;
  /** The set-up's actor, as `systemActor` snapshots it. */
  setupActor: ActorSnapshot;
  passwordHash: string;
  pinHash: string;
  reasons: ReadonlyMap<string, ReasonModel>;
  regionIds: ReadonlyMap<string, string>;
  now: number;
  historyStart: number;
  setupAt: number;
  counts: Counts;
  serials: { badge: number; tag: number; employee: number; technician: number };
  /** The person behind manager@…, who manages the first two properties. */
  demoManager: { personId: string } | null;
  /** Registers who appears in events. */
  registerPerson(id: string, actor: ActorSnapshot): void;
}
