/**
 * The visit state machine (DESIGN.md "How a key leaves the cabinet"): identification, choosing keys, the decision on
 * the snapshot with the shared policy engine, the door and the hooks, returns, and the alarms raised when nobody
 * is at the console. It turns kiosk touches and driver events into journal events, hardware orders and the
 * `KioskState` the kiosk renders. Every step runs through one queue, so one visit at a time, one step at a time.
 * The steps live under `engine/`, one file per concern; this class holds the queue and the state they share.
 */
import type { CabinetCommand, CabinetEventType } from "@keyward/contracts/cabinet-sync";
import type { KioskAction, KioskState } from "@keyward/contracts/kiosk";
import type { DriverEventMap } from "./driver.ts";
import { EngineCore } from "./engine/core.ts";
import { doorClosed, doorOpened, keyHung, keyLifted, reconcileNow, reportDoorHeld } from "./engine/hooks-and-door.ts";
import { presentFactor } from "./engine/identification.ts";
import { handle } from "./engine/kiosk-actions.ts";
import {
  CLOSING_SCREEN_SECONDS,
  type EngineOptions,
  IDLE_TIMEOUT_SECONDS,
  MAX_VISIT_SECONDS,
} from "./engine/options.ts";
import { scanTag } from "./engine/return.ts";
import { kioskState } from "./engine/screen.ts";
import type { SnapshotView } from "./snapshot.ts";

export {
  type AgentLogger,
  CLOSING_SCREEN_SECONDS,
  DOOR_RELEASE_SECONDS,
  type EngineOptions,
  IDLE_TIMEOUT_SECONDS,
  MAX_VISIT_SECONDS,
  PIN_ACTIVATION_TIMEOUT_MS,
  type PinActivationResult,
} from "./engine/options.ts";

/** The cabinet's visit engine. */
export class Engine {
  private readonly core: EngineCore;
  private queue: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(state: KioskState) => void>();
  private lastNotified = "";
  private readonly idleTimeoutMs: number;
  private readonly detach: () => void;

  constructor(private readonly options: EngineOptions) {
    this.core = new EngineCore(options);
    this.idleTimeoutMs = (options.idleTimeoutSeconds ?? IDLE_TIMEOUT_SECONDS) * 1000;
    const core = this.core;
    const { driver } = options;
    const on = <E extends keyof DriverEventMap>(event: E, handle: (...args: DriverEventMap[E]) => Promise<void>) => {
      const listener = (...args: DriverEventMap[E]) => {
        this.run(async () => {
          core.touch();
          await handle(...args);
        }).catch((error: unknown) => this.options.logger.error(`driver event ${event} failed: ${String(error)}`));
      };
      // why: the typed emitter's listener signature is generic per event; this one wrapper serves them all
      driver.on(event, listener as never);
      return () => driver.off(event, listener as never);
    };
    const detachers = [
      on("badge", ({ number }) => presentFactor(core, "badge", number)),
      on("fingerprint", ({ ref }) => presentFactor(core, "fingerprint", ref)),
      on("keypad", ({ digits }) => presentFactor(core, "user_code", digits)),
      on("console_tag", ({ code }) => scanTag(core, code)),
      on("key_lifted", ({ hook, tag }) => keyLifted(core, hook, tag)),
      on("key_hung", ({ hook, tag }) => keyHung(core, hook, tag)),
      on("door_opened", ({ locked }) => doorOpened(core, locked)),
      on("door_closed", () => doorClosed(core)),
    ];
    this.detach = () => {
      for (const d of detachers) {
        d();
      }
    };
  }

  // ------------------------------------------------------------ lifecycle

  /** Reads the hooks from the driver (at start, and after the simulator is seeded). */
  async loadHooks(): Promise<void> {
    await this.run(async () => {
      this.core.hooks.clear();
      for (const { hook, tag } of await this.options.driver.readHooks()) {
        this.core.hooks.set(hook, tag);
      }
    });
  }

  /**
   * Compares the driver's hooks with where the journal and the snapshot say the server believes each key hangs (at
   * start: a crash between the door's release and the take, or during the door's close, left a key gone with no
   * event). A known key that vanished is journalled removed without a session; one that appeared, returned on its
   * hook. Waits for a snapshot if none is in force yet.
   */
  async reconcileHooks(): Promise<void> {
    await this.run(async () => {
      this.core.reconcilePending = true;
      await reconcileNow(this.core);
    });
  }

  /**
   * Puts a verified snapshot in force; `confirmedAt` is when the server last said it is current. A snapshot just
   * received (not the one reloaded at start) is journalled as applied.
   */
  async applySnapshot(view: SnapshotView, confirmedAt: string, received: boolean): Promise<void> {
    await this.run(async () => {
      this.core.view = view;
      this.core.confirmedAt = Date.parse(confirmedAt);
      if (received) {
        this.options.journal.setFlag("expired_reported", null);
        this.core.append("cabinet.snapshot_applied", { version: view.body.version });
      }
      await reconcileNow(this.core);
    });
  }

  /** Journals an event that belongs to no visit (the agent's start). */
  async record(type: CabinetEventType, data: Record<string, unknown>): Promise<void> {
    await this.run(() => {
      this.core.append(type, data);
    });
  }

  /** The server confirmed the snapshot in force is current. */
  async snapshotConfirmed(at: string): Promise<void> {
    await this.run(() => {
      this.core.confirmedAt = Date.parse(at);
      this.options.journal.confirmSnapshot(at);
      this.options.journal.setFlag("expired_reported", null);
    });
  }

  /** Stops listening to the driver. */
  close(): void {
    this.detach();
    this.listeners.clear();
  }

  /** Calls `listener` with the full state after every change; returns the unsubscribe function. */
  subscribe(listener: (state: KioskState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the subscribers the state changed outside a step (the agent went on- or offline). */
  changed(): void {
    this.notify();
  }

  /** Resolves once every queued step has run. */
  async settled(): Promise<void> {
    await this.run(() => undefined);
  }

  /**
   * Time-driven duties: the idle timeout, the closing screens, the door held open, the snapshot's expiry.
   * The agent calls it every second; tests call it after moving their clock.
   */
  async tick(): Promise<void> {
    await this.run(async () => {
      const core = this.core;
      await core.reportExpiry();
      const now = core.nowMs();
      await reportDoorHeld(core, now);
      const visit = core.visit;
      if (visit && !this.options.driver.door().open) {
        const limit = visit.closed ? CLOSING_SCREEN_SECONDS * 1000 : this.idleTimeoutMs;
        // why: touches keep a visit alive, but not for ever: an identification is not a standing permission
        const tooLong = !visit.closed && now - visit.openedAt >= MAX_VISIT_SECONDS * 1000;
        if (now - visit.lastActionAt >= limit || tooLong) {
          await core.endVisit();
        }
      }
    });
  }

  /** Performs one kiosk action and answers the state after it. */
  act(action: KioskAction): Promise<KioskState> {
    return this.run(async () => {
      this.core.touch();
      await handle(this.core, action);
      return this.state();
    });
  }

  /** Executes a remote release from the server, once. */
  async remoteRelease(command: CabinetCommand): Promise<void> {
    await this.run(async () => {
      const { journal } = this.options;
      if (journal.commandExecuted(command.id)) {
        return;
      }
      const seconds = command.params.seconds ?? 10;
      this.core.append(
        "door.released",
        { visitId: null, personId: null, purpose: "remote_release", commandId: command.id },
        [{ kind: "command_executed", commandId: command.id }],
      );
      await this.options.driver.releaseDoor(seconds);
      this.core.append("cabinet.remote_release_executed", { commandId: command.id, seconds });
      this.options.logger.info(`remote release ${command.id} executed (${seconds} s)`);
    });
  }

  /** What the kiosk shows now. */
  state(): KioskState {
    return kioskState(this.core);
  }

  // ------------------------------------------------------------ the queue

  private run<T>(step: () => Promise<T> | T): Promise<T> {
    const result = this.queue.then(step);
    // why: one step at a time — a double tap queues behind the first and finds the visit already moved on
    this.queue = result.then(
      () => this.notify(),
      () => this.notify(),
    );
    return result;
  }

  private notify(): void {
    if (this.listeners.size === 0) {
      return;
    }
    const state = this.state();
    const text = JSON.stringify(state);
    // why: the clock ticks every second; the kiosk hears only real changes
    if (text === this.lastNotified) {
      return;
    }
    this.lastNotified = text;
    for (const listener of this.listeners) {
      listener(state);
    }
  }
}
