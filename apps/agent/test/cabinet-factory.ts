/**
 * Builds a cabinet for engine tests: a snapshot body (people with badges, PINs and fingers, keys on hooks, grants,
 * reasons), a real journal in a temporary directory, the simulated driver seeded from the snapshot, and the engine,
 * with a clock the test moves by hand.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SnapshotBody } from "@keyward/contracts/cabinet-sync";
import type { KioskAction, KioskState, SimulatorAction } from "@keyward/contracts/kiosk";
import type { PolicyProfile } from "@keyward/domain/checkout-policy";
import { generateSigningKeyPair, sha256Hex } from "@keyward/domain/event-chain";
import { hash } from "@node-rs/argon2";
import { type AgentLogger, Engine } from "../src/engine.ts";
import { type Identity, Journal, type JournalEvent } from "../src/journal.ts";
import { SimulatedDriver, type SimulatedHook } from "../src/simulated-driver.ts";
import { viewOf } from "../src/snapshot.ts";

/** Monday 1 June 2026, 10:00 in Chicago: inside the default weekday window. */
export const MONDAY_MORNING = Date.parse("2026-06-01T15:00:00.000Z");

export class Clock {
  constructor(public ms = MONDAY_MORNING) {}
  now = (): Date => new Date(this.ms);
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export const quietLogger: AgentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface PersonSpec {
  id: string;
  firstName?: string;
  badge?: string;
  pin?: string;
  finger?: string;
  status?: "active" | "inactive";
  keysOut?: string[];
  /** Overrides of the person's access profile; `null` gives them none. */
  profile?: Partial<PolicyProfile> | null;
  /** The PIN's lockout as the server holds it from other cabinets' reports (in the snapshot's PIN credential). */
  pinLockout?: { failures: number; lastFailureAt: string | null };
}

export interface KeySpec {
  id: string;
  unit: string;
  hook: number | null;
  tag?: string;
  status?: string;
  restricted?: boolean;
  kind?: string;
}

export interface CabinetSpec {
  people: PersonSpec[];
  keys: KeySpec[];
  factorPolicy?: SnapshotBody["cabinet"]["factorPolicy"];
  hooks?: number;
  maxOfflineMinutes?: number;
  doorHeldSeconds?: number;
  version?: number;
  /** The cabinet's status in the dashboard ("archived" takes it out of service). */
  cabinetStatus?: string;
}

export const PROPERTY_ID = "prop-1";
export const CABINET_ID = "cab-1";
export const REASON_ID = "reason-pm";
export const WORK_ORDER_REASON_ID = "reason-wo";

const PIN_COST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/** A profile covering every key, weekdays 08:00–17:00. */
export function profileOf(personId: string, overrides: Partial<PolicyProfile> = {}): PolicyProfile {
  return {
    id: `profile-${personId}`,
    propertyId: PROPERTY_ID,
    status: "active",
    keyScope: {
      allKeys: true,
      buildingIds: [],
      unitIds: [],
      keySetIds: [],
      keyKinds: [],
      includeRestricted: false,
    },
    windows: [{ days: [1, 2, 3, 4, 5], start: "08:00", end: "17:00" }],
    holidayCalendarId: null,
    validFrom: null,
    validUntil: null,
    maxKeysOut: null,
    maxDurationMinutes: null,
    curfewTime: null,
    conditions: { witness: false, managerApproval: false, keyPairing: false },
    ...overrides,
  };
}

/** The tag of a key spec. */
export function tagOf(key: KeySpec): string {
  return key.tag ?? `TAG-${key.id}`;
}

/** A snapshot body for the spec (PIN hashes are real argon2id). */
export async function snapshotBody(spec: CabinetSpec): Promise<SnapshotBody> {
  const badgeSalt = "salt-1";
  const credentials: SnapshotBody["credentials"] = [];
  for (const p of spec.people) {
    if (p.badge) {
      credentials.push({
        id: `badge-${p.id}`,
        personId: p.id,
        kind: "badge",
        badgeDigest: sha256Hex(`${badgeSalt}:${p.badge}`),
        pinHash: null,
        fingerprintRef: null,
      });
    }
    if (p.pin) {
      credentials.push({
        id: `pin-${p.id}`,
        personId: p.id,
        kind: "pin",
        badgeDigest: null,
        pinHash: await hash(p.pin, PIN_COST),
        fingerprintRef: null,
        ...(p.pinLockout ? { pinLockout: p.pinLockout } : {}),
      });
    }
    if (p.finger) {
      credentials.push({
        id: `finger-${p.id}`,
        personId: p.id,
        kind: "fingerprint",
        badgeDigest: null,
        pinHash: null,
        fingerprintRef: p.finger,
      });
    }
  }
  const hooks = spec.hooks ?? 12;
  return {
    format: 1,
    version: spec.version ?? 1,
    issuedAt: new Date(MONDAY_MORNING).toISOString(),
    organizationId: "org-1",
    cabinet: {
      id: CABINET_ID,
      name: "Office cabinet",
      factorPolicy: spec.factorPolicy ?? "badge_pin",
      modules: 1,
      hooksPerModule: hooks,
      disabledHooks: [],
      status: spec.cabinetStatus ?? "active",
    },
    property: {
      id: PROPERTY_ID,
      name: "Maple Court",
      timeZone: "America/Chicago",
      maxOfflineMinutes: spec.maxOfflineMinutes ?? 60,
    },
    settings: { doorHeldSeconds: spec.doorHeldSeconds ?? 60, language: "en" },
    badgeSalt,
    people: spec.people.map((p) => ({
      id: p.id,
      firstName: p.firstName ?? "Pat",
      lastName: "Tech",
      status: p.status ?? "active",
      startDate: null,
      endDate: null,
      keysOut: p.keysOut ?? [],
    })),
    credentials,
    grants: spec.people
      .filter((p) => p.profile !== null)
      .map((p) => {
        const profile = profileOf(p.id, p.profile ?? {});
        return {
          assignment: {
            id: `assignment-${p.id}`,
            propertyId: PROPERTY_ID,
            personId: p.id,
            accessProfileId: profile.id,
            status: "active",
            validFrom: null,
            validUntil: null,
          },
          profile: { ...profile },
        };
      }),
    holidayCalendars: {},
    reasons: [
      { id: REASON_ID, code: "pm", label: "Preventive maintenance", requiresWorkOrder: false, defaultDueMinutes: 240 },
      { id: WORK_ORDER_REASON_ID, code: "wo", label: "Work order", requiresWorkOrder: true, defaultDueMinutes: null },
    ],
    units: [...new Set(spec.keys.map((k) => k.unit))].map((u) => ({ id: `unit-${u}`, number: u, buildingId: null })),
    keys: spec.keys.map((k) => ({
      id: k.id,
      label: `Key ${k.id}`,
      tagCode: tagOf(k),
      kind: k.kind ?? "unit",
      status: k.status ?? (k.hook === null ? "out" : "in"),
      unitId: `unit-${k.unit}`,
      unitNumber: k.unit,
      buildingId: null,
      keySetId: null,
      restricted: k.restricted ?? false,
      hookNumber: k.hook,
    })),
  };
}

export interface TestCabinet {
  engine: Engine;
  driver: SimulatedDriver;
  journal: Journal;
  clock: Clock;
  body: SnapshotBody;
  dir: string;
  act(action: KioskAction): Promise<KioskState>;
  sim(action: SimulatorAction): Promise<KioskState>;
  /** Badge then PIN: the usual identification. */
  identify(person: PersonSpec): Promise<KioskState>;
  /** Identify, then take the keys of one unit (its only one, or those picked) with the preventive-maintenance reason. */
  take(person: PersonSpec, unit: string, keyIds: string[]): Promise<KioskState>;
  events(type?: string): JournalEvent[];
  close(): Promise<void>;
}

/** A running engine over a fresh journal and simulated cabinet (or over `dir`, to reopen one). */
export async function startCabinet(
  spec: CabinetSpec,
  options: {
    dir?: string;
    clock?: Clock;
    idleTimeoutSeconds?: number;
    /** Checks a PIN against its hash (to count the verifications); argon2's by default. */
    verifyPin?: (hash: string, pin: string) => Promise<boolean>;
  } = {},
): Promise<TestCabinet> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "keyward-agent-"));
  const clock = options.clock ?? new Clock();
  const body = await snapshotBody(spec);
  const journal = Journal.open(dir);
  const keys = generateSigningKeyPair();
  const identity: Identity = journal.identity() ?? {
    deviceId: "device-1",
    cabinetId: CABINET_ID,
    organizationId: "org-1",
    propertyId: PROPERTY_ID,
    cabinetName: "Office cabinet",
    serverUrl: "http://127.0.0.1:9",
    serverPublicKey: keys.publicKey,
    publicKey: keys.publicKey,
    secretKey: keys.secretKey,
    enrolledAt: clock.now().toISOString(),
  };
  journal.saveIdentity(identity);
  const seeded: SimulatedHook[] = [];
  for (let n = 1; n <= body.cabinet.hooksPerModule; n += 1) {
    const key = spec.keys.find((k) => k.hook === n);
    seeded.push({ number: n, module: 1, tag: key ? tagOf(key) : null, label: key ? `Key ${key.id}` : null });
  }
  const driver = new SimulatedDriver({
    hooks: journal.hooks() ?? seeded,
    onHooksChanged: (hooks) => journal.saveHooks(hooks),
  });
  const engine = new Engine({
    journal,
    identity,
    driver,
    simulator: driver,
    now: clock.now,
    logger: quietLogger,
    online: () => false,
    onAppended: () => undefined,
    idleTimeoutSeconds: options.idleTimeoutSeconds,
    verifyPin: options.verifyPin,
  });
  await engine.loadHooks();
  await engine.applySnapshot(viewOf(body), clock.now().toISOString(), true);
  // why: as the agent does at start, so a reopened journal is compared with the simulated hooks
  await engine.reconcileHooks();

  const cabinet: TestCabinet = {
    engine,
    driver,
    journal,
    clock,
    body,
    dir,
    act: (action) => engine.act(action),
    sim: async (action) => {
      driver.apply(action);
      await engine.settled();
      return engine.state();
    },
    identify: async (person) => {
      await cabinet.sim({ type: "badge", number: person.badge ?? "" });
      return cabinet.act({ type: "pin", pin: person.pin ?? "" });
    },
    take: async (person, unit, keyIds) => {
      await cabinet.identify(person);
      const found = await cabinet.act({ type: "find_unit", number: unit });
      // why: a unit with one key to take goes straight to the reason, that key chosen
      if (found.screen.name === "choose_keys") {
        for (const keyId of keyIds) {
          await cabinet.act({ type: "toggle_key", keyId });
        }
        await cabinet.act({ type: "confirm_keys" });
      }
      return cabinet.act({ type: "reason", reasonCodeId: REASON_ID, workOrder: null });
    },
    events: (type) => journal.eventsFrom(1, 100_000).filter((e) => type === undefined || e.type === type),
    close: async () => {
      await engine.settled();
      engine.close();
      await driver.close();
      journal.close();
      if (!options.dir) {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return cabinet;
}
