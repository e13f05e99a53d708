/**
 * The cabinet agent: enrolment, and the running agent that ties the journal, the driver, the visit engine, the
 * server connection and the kiosk server together. `keyward agent enroll|run` and the demo call these.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EnrollResponse, SignedSnapshot } from "@keyward/contracts/cabinet-sync";
import type { KioskAction, KioskState, SimulatorAction } from "@keyward/contracts/kiosk";
import { generateSigningKeyPair } from "@keyward/domain/event-chain";
import type { CabinetDriver } from "./driver.ts";
import { type AgentLogger, Engine } from "./engine.ts";
import { JOURNAL_FILE, Journal } from "./journal.ts";
import { buildKioskServer } from "./kiosk-server.ts";
import { SimulatedDriver, type SimulatedHook, type SimulatorPreset } from "./simulated-driver.ts";
import { type SnapshotView, verifySnapshot, viewOf } from "./snapshot.ts";
import { requestEnrollment, SyncClient } from "./sync.ts";

/** The agent's version, sent at enrolment and in `cabinet.agent_started`. */
export const AGENT_VERSION = "0.1.0";

/** The kiosk's build, beside this app in the repository. */
export const DEFAULT_KIOSK_DIST = fileURLToPath(new URL("../../kiosk/dist", import.meta.url));

/** A logger that writes to standard error. */
export const stderrLogger: AgentLogger = {
  info: (m) => process.stderr.write(`keyward agent: ${m}\n`),
  warn: (m) => process.stderr.write(`keyward agent: warning: ${m}\n`),
  error: (m) => process.stderr.write(`keyward agent: error: ${m}\n`),
};

/** An agent that has already been enrolled cannot be enrolled again in the same data directory. */
export class AlreadyEnrolled extends Error {}

/** The server's address is not one an agent may trust over the network (plain http to another computer). */
export class InsecureServerUrl extends Error {}

/** Whether a host name is this computer's loopback: 127.0.0.0/8, ::1 or localhost. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Refuses a server address other than https, unless it is this computer's loopback.
 * why: the enrolment answer carries the key the agent will trust snapshots and commands from; over plain http a man
 * in the middle could hand it his own, and then open the door
 */
export function checkServerUrl(serverUrl: string): void {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch (error) {
    throw new InsecureServerUrl(`"${serverUrl}" is not a web address such as https://keys.example.com`, {
      cause: error,
    });
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))) {
    return;
  }
  throw new InsecureServerUrl(
    `the server's address must start with https:// (plain http:// only to this computer, 127.0.0.1 or localhost): ${serverUrl}`,
  );
}

/**
 * Enrols this agent with the server: generates its Ed25519 key pair, registers the public half with the one-time
 * code, and stores the identity (secret key included) in the journal under `dataDir`. Refuses a server address that
 * is not https (or http to this computer's loopback) with {@link InsecureServerUrl}.
 */
export async function enrollAgent(options: {
  serverUrl: string;
  code: string;
  dataDir: string;
  /**
   * Allows plain http to another address: only for the demo, whose cabinets run in the server's own process and
   * reach it at the address it listens on.
   */
  allowPlainHttp?: boolean;
}): Promise<EnrollResponse> {
  if (!options.allowPlainHttp) {
    checkServerUrl(options.serverUrl);
  }
  const journal = Journal.open(options.dataDir);
  try {
    const existing = journal.identity();
    if (existing) {
      // why: a new device starts a new chain at seq 1; this journal's events belong to the old one
      throw new AlreadyEnrolled(
        `${options.dataDir} already holds the agent of cabinet "${existing.cabinetName}"; enrol into another --data directory`,
      );
    }
    const keys = generateSigningKeyPair();
    const enrolled = await requestEnrollment(options.serverUrl, {
      code: options.code,
      publicKey: keys.publicKey,
      agentVersion: AGENT_VERSION,
    });
    journal.saveIdentity({
      deviceId: enrolled.deviceId,
      cabinetId: enrolled.cabinetId,
      organizationId: enrolled.organizationId,
      propertyId: enrolled.propertyId,
      cabinetName: enrolled.cabinetName,
      serverUrl: options.serverUrl.replace(/\/+$/, ""),
      serverPublicKey: enrolled.serverPublicKey,
      publicKey: keys.publicKey,
      secretKey: keys.secretKey,
      enrolledAt: new Date().toISOString(),
    });
    return enrolled;
  } finally {
    journal.close();
  }
}

export interface StartAgentOptions {
  dataDir: string;
  /** The kiosk's port; 0 picks a free one (`kioskUrl` names it). */
  kioskPort: number;
  kioskHost?: string;
  /** The cabinet's hardware; the simulated cabinet when omitted. */
  driver?: CabinetDriver;
  now?: () => Date;
  /** The demo people the simulator panel offers. */
  simulatorPresets?: SimulatorPreset[];
  kioskDist?: string;
  logger?: AgentLogger;
  /** Seconds without a touch before a visit ends (30). */
  idleTimeoutSeconds?: number;
  /** Seconds the door stays unlocked after a grant if nobody opens it (15). */
  doorReleaseSeconds?: number;
  /** Checks a PIN against its hash; argon2id verification by default (the benchmark times it apart). */
  verifyPin?: (hash: string, pin: string) => Promise<boolean>;
}

/** A running agent. */
export interface RunningAgent {
  kioskUrl: string;
  cabinetId: string;
  driver: CabinetDriver;
  /** The simulated driver, when the cabinet is simulated. */
  simulator: SimulatedDriver | null;
  journal: Journal;
  state(): KioskState;
  act(action: KioskAction): Promise<KioskState>;
  /** Acts on the simulated cabinet (throws when the driver is real). */
  simulate(action: SimulatorAction): Promise<KioskState>;
  /** Uploads the outbox and fetches the snapshot if the server has a newer one; rejects if the server cannot. */
  syncNow(): Promise<void>;
  outboxSize(): number;
  /** Resolves once a snapshot of at least `version` (any, without one) is in force. */
  waitForSnapshot(version?: number): Promise<void>;
  /** Runs the time-driven duties now (idle timeout, door held open, snapshot expiry); runs every second anyway. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/** The simulator's hooks as the snapshot places the keys (its first start). */
function hooksFromSnapshot(view: SnapshotView): SimulatedHook[] {
  const { modules, hooksPerModule } = view.body.cabinet;
  const byHook = new Map(view.body.keys.filter((k) => k.hookNumber !== null).map((k) => [k.hookNumber, k]));
  const hooks: SimulatedHook[] = [];
  for (let n = 1; n <= modules * hooksPerModule; n += 1) {
    const key = byHook.get(n);
    hooks.push({
      number: n,
      module: Math.ceil(n / hooksPerModule),
      tag: key?.tagCode ?? null,
      label: key?.label ?? null,
    });
  }
  return hooks;
}

/** Starts an enrolled agent: journal, driver, engine, server connection, kiosk server. */
export async function startAgent(options: StartAgentOptions): Promise<RunningAgent> {
  if (!existsSync(join(options.dataDir, JOURNAL_FILE))) {
    throw new Error(`no enrolled agent in ${options.dataDir}: run "keyward agent enroll" first`);
  }
  const journal = Journal.open(options.dataDir);
  const identity = journal.identity();
  if (!identity) {
    journal.close();
    throw new Error(`no enrolled agent in ${options.dataDir}: run "keyward agent enroll" first`);
  }
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? stderrLogger;
  const ownDriver = options.driver === undefined;
  const simulator =
    options.driver === undefined
      ? new SimulatedDriver({
          hooks: journal.hooks() ?? [],
          presets: options.simulatorPresets ?? [],
          onHooksChanged: (hooks) => journal.saveHooks(hooks),
        })
      : options.driver instanceof SimulatedDriver
        ? options.driver
        : null;
  const driver: CabinetDriver = options.driver ?? (simulator as SimulatedDriver);

  // why: a holder, not a `let`, so the closures below read the snapshot in force when they run
  const current: { view: SnapshotView | null } = { view: null };
  let sync: SyncClient | null = null;
  const waiters = new Set<{ version: number; resolve: () => void }>();

  const engine = new Engine({
    journal,
    identity,
    driver,
    simulator,
    now,
    logger,
    online: () => sync?.isOnline() ?? false,
    onAppended: () => sync?.requestUpload(),
    idleTimeoutSeconds: options.idleTimeoutSeconds,
    doorReleaseSeconds: options.doorReleaseSeconds,
    verifyPin: options.verifyPin,
    activatePin: async (input) => {
      if (!sync) {
        return { outcome: "unreachable" };
      }
      const result = await sync.activatePin(input);
      if (result.outcome === "set") {
        // why: the server announces the new snapshot on the stream too; fetching at once lets the person use it sooner
        const client = sync;
        void client.fetchSnapshot().catch((error: unknown) => logger.warn(`snapshot fetch failed: ${String(error)}`));
      }
      return result;
    },
  });

  const useView = async (next: SnapshotView, confirmedAt: string, received: boolean) => {
    current.view = next;
    if (simulator) {
      simulator.setLabels(new Map(next.body.keys.map((k) => [k.tagCode, k.label])));
      if (!simulator.hasHooks()) {
        simulator.load(hooksFromSnapshot(next));
      }
    }
    await engine.loadHooks();
    await engine.applySnapshot(next, confirmedAt, received);
    for (const waiter of waiters) {
      if (next.body.version >= waiter.version) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  const stored = journal.snapshot();
  if (stored) {
    try {
      await useView(
        viewOf(verifySnapshot(stored, identity.serverPublicKey, identity.cabinetId)),
        stored.confirmedAt,
        false,
      );
    } catch (error) {
      logger.error(`the stored snapshot is unusable, waiting for a new one: ${String(error)}`);
    }
  } else {
    await engine.loadHooks();
  }

  const onSnapshot = async (signed: SignedSnapshot, acknowledgedBefore: number) => {
    let body: ReturnType<typeof verifySnapshot>;
    try {
      body = verifySnapshot(signed, identity.serverPublicKey, identity.cabinetId);
    } catch (error) {
      // why: a snapshot that does not verify is never applied; the cabinet keeps deciding on the one it trusts
      logger.error(
        `snapshot ${signed.version} refused, keeping version ${current.view?.body.version ?? "none"}: ${String(error)}`,
      );
      return;
    }
    const inForce = current.view?.body;
    const issued = Date.parse(body.issuedAt);
    const inForceIssued = inForce ? Date.parse(inForce.issuedAt) : Number.NEGATIVE_INFINITY;
    if (inForce && (issued < inForceIssued || (issued === inForceIssued && body.version <= inForce.version))) {
      // why: a signed snapshot stays signed for ever; one issued before the one in force (or the same again) is a
      // replay, and applying it would bring back permissions revoked since. Versions issued in the same instant
      // (a clock's resolution) are told apart by their number, which only a newer build can raise
      logger.error(
        `snapshot ${signed.version} issued ${body.issuedAt} refused: version ${inForce.version}, issued ${inForce.issuedAt}, is in force`,
      );
      return;
    }
    const at = now().toISOString();
    const keysOut = new Map(body.people.map((p) => [p.id, new Set(p.keysOut)]));
    const anyOut = new Set([
      ...body.people.flatMap((p) => p.keysOut),
      ...body.keys.filter((k) => k.status === "out").map((k) => k.id),
    ]);
    journal.saveSnapshot(
      { version: signed.version, body: signed.body, signature: signed.signature, receivedAt: at, confirmedAt: at },
      acknowledgedBefore,
      keysOut,
      anyOut,
    );
    await useView(viewOf(body), at, true);
    logger.info(`snapshot ${signed.version} applied`);
  };

  sync = new SyncClient({
    journal,
    identity,
    now,
    logger,
    knownVersion: () => current.view?.body.version ?? null,
    onSnapshot,
    onConfirmed: () => engine.snapshotConfirmed(now().toISOString()),
    onCommand: (command) => engine.remoteRelease(command),
    onOnlineChange: () => engine.changed(),
  });
  const client = sync;

  await engine.record("cabinet.agent_started", {
    agentVersion: AGENT_VERSION,
    snapshotVersion: current.view?.body.version ?? null,
  });
  // why: what happened to the hooks while the agent was down (or between an event and its journal entry) is told now
  await engine.reconcileHooks();
  client.start();

  const host = options.kioskHost ?? "127.0.0.1";
  const app = await buildKioskServer({
    listenHost: host,
    kioskDist: options.kioskDist ?? DEFAULT_KIOSK_DIST,
    backend: {
      state: () => engine.state(),
      act: (action) => engine.act(action),
      simulate: simulator ? (action) => simulate(action) : null,
      subscribe: (listener) => engine.subscribe(listener),
    },
  });
  await app.listen({ port: options.kioskPort, host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.kioskPort;
  const ticker = setInterval(() => {
    engine.tick().catch((error: unknown) => logger.error(`tick failed: ${String(error)}`));
  }, 1000);
  ticker.unref();

  async function simulate(action: SimulatorAction): Promise<KioskState> {
    if (!simulator) {
      throw new Error("this cabinet's driver is not simulated");
    }
    simulator.apply(action);
    await engine.settled();
    return engine.state();
  }

  return {
    kioskUrl: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    cabinetId: identity.cabinetId,
    driver,
    simulator,
    journal,
    state: () => engine.state(),
    act: (action) => engine.act(action),
    simulate,
    syncNow: async () => {
      await client.uploadOutbox();
      await client.fetchSnapshot();
      // why: applying a new snapshot journals `cabinet.snapshot_applied`; send it too
      await client.uploadOutbox();
    },
    outboxSize: () => journal.outboxSize(),
    waitForSnapshot: (version) =>
      new Promise<void>((resolve) => {
        const wanted = version ?? 1;
        if (current.view && current.view.body.version >= wanted) {
          resolve();
          return;
        }
        waiters.add({ version: wanted, resolve });
      }),
    tick: () => engine.tick(),
    close: async () => {
      clearInterval(ticker);
      await client.close();
      await app.close();
      await engine.settled();
      engine.close();
      if (ownDriver) {
        await driver.close();
      }
      journal.close();
    },
  };
}
