/**
 * The visit state machine (DESIGN.md "How a key leaves the cabinet"): identification, choosing keys, the decision on
 * the snapshot with the shared policy engine, the door and the hooks, returns, and the alarms raised when nobody
 * is at the console. It turns kiosk touches and driver events into journal events, hardware orders and the
 * `KioskState` the kiosk renders. Every step runs through one queue, so one visit at a time, one step at a time.
 */
import { randomInt, randomUUID } from "node:crypto";
import type {
  AgentPinActivationRequest,
  CabinetCommand,
  CabinetEventType,
  PinActivationRefusal,
} from "@keyward/contracts/cabinet-sync";
import type { KioskAction, KioskKey, KioskLanguage, KioskScreen, KioskState } from "@keyward/contracts/kiosk";
import {
  type CheckoutDecision,
  type ConditionKind,
  decideCheckout,
  type PolicyKey,
  type PolicyReason,
} from "@keyward/domain/checkout-policy";
import { explainDenial } from "@keyward/domain/denials";
import {
  acceptedNext,
  type FactorKind,
  identify,
  PIN_LOCKOUT_CLEAR,
  type PinLockoutState,
  type PresentedFactor,
  pinGate,
  type RealFactor,
} from "@keyward/domain/identification";
import type { KeyStatus } from "@keyward/domain/vocabulary";
import { verify as verifyPin } from "@node-rs/argon2";
import type { CabinetDriver, DriverEventMap, HookLight } from "./driver.ts";
import type { Identity, Journal, JournalEvent, LocalChange } from "./journal.ts";
import { type MessageCode, pinProblemSentence, say, unsupportedConditions } from "./messages.ts";
import type { SimulatedDriver } from "./simulated-driver.ts";
import type { SnapshotView, ViewKey } from "./snapshot.ts";

/** The PIN credential an identification used, for its `cabinet.identified` event. */
function pinIdentified(factors: readonly FactorKind[], pin: CheckedPin | null): { pinCredentialId?: string } {
  return factors.includes("pin") && pin?.credentialId ? { pinCredentialId: pin.credentialId } : {};
}

/** A PIN credential as checked at the console, and its lockout before the try. */
interface CheckedPin {
  credentialId: string | null;
  pinHash: string | null;
  stored: PinLockoutState;
  /** Whether the PIN was verified against the hash (not refused by the lockout, and a PIN is set). */
  verified: boolean;
}

/**
 * The stricter of two lockouts of one PIN: more failures wins, and for equal counts the later last failure.
 * why: the journal counts this cabinet's tries, the snapshot the server's view of every cabinet's; neither may lift
 * a pause or a lock the other holds
 */
function stricterLockout(a: PinLockoutState, b: PinLockoutState): PinLockoutState {
  if (a.failures !== b.failures) {
    return a.failures > b.failures ? a : b;
  }
  const at = (s: PinLockoutState) => Date.parse(s.lastFailureAt ?? "") || 0;
  return at(b) > at(a) ? b : a;
}

/** How long a visit may sit without a touch before the cabinet ends it. */
export const IDLE_TIMEOUT_SECONDS = 30;
/** How long a "done" or a final refusal stays on screen. */
export const CLOSING_SCREEN_SECONDS = 5;
/** How long the door stays unlocked after a grant or a return if nobody opens it. */
export const DOOR_RELEASE_SECONDS = 15;
/** The longest a visit may last, touches or not: once the door is shut past it, the visit ends. */
export const MAX_VISIT_SECONDS = 300;

/** How long a PIN activation may take at the server before the kiosk gives up (the visit's steps wait for it). */
export const PIN_ACTIVATION_TIMEOUT_MS = 10_000;

/** What the server answered a PIN chosen at the kiosk: set, refused (and why), or no answer at all. */
export type PinActivationResult =
  | { outcome: "set" }
  | { outcome: "refused"; refusal: PinActivationRefusal }
  | { outcome: "unreachable" };

/** Where the agent writes what it cannot show on the screen. */
export interface AgentLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface EngineOptions {
  journal: Journal;
  identity: Identity;
  driver: CabinetDriver;
  /** The simulated driver, when the cabinet is simulated (the state then carries the panel). */
  simulator: SimulatedDriver | null;
  now: () => Date;
  logger: AgentLogger;
  /** Whether the agent is in contact with the server (shown on the kiosk). */
  online: () => boolean;
  /** Called after each event is committed (the sync uploads it). */
  onAppended: (event: JournalEvent) => void;
  idleTimeoutSeconds?: number;
  doorReleaseSeconds?: number;
  /** Checks a PIN against its argon2id hash (the benchmark times it apart); @node-rs/argon2's `verify` by default. */
  verifyPin?: (hash: string, pin: string) => Promise<boolean>;
  /** Sends a PIN chosen at the kiosk to the server; absent, PINs cannot be set here. */
  activatePin?: (input: AgentPinActivationRequest) => Promise<PinActivationResult>;
}

type Stage =
  | "identify"
  | "choose_keys"
  | "reason"
  | "take"
  | "return_scan"
  | "return_hang"
  | "my_keys"
  | "denied"
  | "done"
  | "set_pin"
  | "witness";

/** Choosing one's PIN: who (from the badge or finger), the code and the PIN typed so far; never journalled. */
interface PinSetup {
  step: "identify" | "activation_code" | "new_pin" | "repeat_pin";
  credentialId: string | null;
  activationCode: string | null;
  pin: string | null;
}

/** The witness a profile demands, identifying with the cabinet's factors; the decision waits on them. */
interface WitnessCheck {
  factors: PresentedFactor[];
  personId: string | null;
  waitSeconds: number | null;
  reasonCodeId: string;
  workOrder: string | null;
}

interface GrantedHook {
  keyId: string;
  tag: string;
  hook: number;
  label: string;
  dueAt: string | null;
  taken: boolean;
}

interface Visit {
  id: string;
  stage: Stage;
  /** The factors that still count (a failed PIN is accounted for in the stored lockout instead). */
  factors: PresentedFactor[];
  /** What was read for each badge, finger or user code (memory only), to check it again at the decision. */
  presented: { kind: "badge" | "fingerprint" | "user_code"; value: string | null }[];
  /** The PIN hash a correct PIN was verified against in this visit, if one was. */
  pinHash: string | null;
  openedAt: number;
  personId: string | null;
  identified: boolean;
  /** The visit is over (a "done" or a final refusal is on screen); the next factor starts a new one. */
  closed: boolean;
  lastActionAt: number;
  language: KioskLanguage | null;
  waitSeconds: number | null;
  denied: { code: string; message: string; next: "idle" | "menu" } | null;
  doneMessage: string | null;
  unitNumber: string | null;
  selected: string[];
  /** The key `find_unit` chose by itself (the unit's only one to take); Back from the reason un-chooses it. */
  autoPicked: string | null;
  grant: {
    hooks: GrantedHook[];
    dueAt: string | null;
    reasonCodeId: string;
    workOrder: string | null;
    witnessPersonId: string | null;
  } | null;
  pinSetup: PinSetup | null;
  witness: WitnessCheck | null;
  /** Keys lifted in this visit that were not granted: hook → tag. */
  wrongLifted: Map<number, string | null>;
  returning: { keyId: string; tag: string; label: string; hook: number } | null;
  returned: { keyId: string; label: string }[];
}

const REASON_CODES = new Set(["reason_required", "reason_inactive", "work_order_required"]);

/** The stages in which an identified person has the door to themselves: a key lifted then is theirs to answer for. */
const WRONG_LIFT_STAGES: ReadonlySet<Stage> = new Set<Stage>(["take", "return_hang", "return_scan"]);

/** The cabinet's visit engine. */
export class Engine {
  private view: SnapshotView | null = null;
  private confirmedAt: number | null = null;
  private readonly hooks = new Map<number, string | null>();
  private visit: Visit | null = null;
  private feedback: KioskState["feedback"] = null;
  private feedbackId = 0;
  private idleLanguage: KioskLanguage | null = null;
  private door: { openedAt: number | null; heldReported: boolean; visitId: string | null } = {
    openedAt: null,
    heldReported: false,
    visitId: null,
  };
  /** Keys lifted with no visit open: hook → tag (their hook shows the alarm until they come back). */
  private readonly unsessioned = new Map<number, string | null>();
  /** The hooks are to be compared with the journal once a snapshot is in force (at start). */
  private reconcilePending = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(state: KioskState) => void>();
  private lastNotified = "";
  private readonly idleTimeoutMs: number;
  private readonly doorReleaseSeconds: number;
  private readonly detach: () => void;

  constructor(private readonly options: EngineOptions) {
    this.idleTimeoutMs = (options.idleTimeoutSeconds ?? IDLE_TIMEOUT_SECONDS) * 1000;
    this.doorReleaseSeconds = options.doorReleaseSeconds ?? DOOR_RELEASE_SECONDS;
    const { driver } = options;
    const on = <E extends keyof DriverEventMap>(event: E, handle: (...args: DriverEventMap[E]) => Promise<void>) => {
      const listener = (...args: DriverEventMap[E]) => {
        this.run(async () => {
          this.touch();
          await handle(...args);
        }).catch((error: unknown) => this.options.logger.error(`driver event ${event} failed: ${String(error)}`));
      };
      // why: the typed emitter's listener signature is generic per event; this one wrapper serves them all
      driver.on(event, listener as never);
      return () => driver.off(event, listener as never);
    };
    const detachers = [
      on("badge", ({ number }) => this.presentFactor("badge", number)),
      on("fingerprint", ({ ref }) => this.presentFactor("fingerprint", ref)),
      on("keypad", ({ digits }) => this.presentFactor("user_code", digits)),
      on("console_tag", ({ code }) => this.scanTag(code)),
      on("key_lifted", ({ hook, tag }) => this.keyLifted(hook, tag)),
      on("key_hung", ({ hook, tag }) => this.keyHung(hook, tag)),
      on("door_opened", ({ locked }) => this.doorOpened(locked)),
      on("door_closed", () => this.doorClosed()),
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
      this.hooks.clear();
      for (const { hook, tag } of await this.options.driver.readHooks()) {
        this.hooks.set(hook, tag);
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
      this.reconcilePending = true;
      await this.reconcileNow();
    });
  }

  private async reconcileNow(): Promise<void> {
    const view = this.view;
    if (!this.reconcilePending || view === null) {
      return;
    }
    this.reconcilePending = false;
    const found = new Map<string, number>();
    for (const [hook, tag] of this.hooks) {
      if (tag !== null) {
        found.set(tag, hook);
      }
    }
    for (const key of view.keys.values()) {
      const believed = this.serverHookOf(key);
      const hook = found.get(key.tagCode) ?? null;
      if (hook !== null && hook !== believed) {
        this.append("key.returned", { visitId: null, keyId: key.id, hook, personId: null }, [
          { kind: "return", keyId: key.id, hook },
        ]);
      } else if (hook === null && believed !== null && this.hooks.has(believed)) {
        this.append("key.removed_without_session", { hook: believed, keyId: key.id }, [
          { kind: "left_hook", keyId: key.id, hook: believed },
          { kind: "removed", keyId: key.id },
        ]);
        this.unsessioned.set(believed, key.tagCode);
        await this.light(believed, "alarm");
      }
    }
  }

  /**
   * Puts a verified snapshot in force; `confirmedAt` is when the server last said it is current. A snapshot just
   * received (not the one reloaded at start) is journalled as applied.
   */
  async applySnapshot(view: SnapshotView, confirmedAt: string, received: boolean): Promise<void> {
    await this.run(async () => {
      this.view = view;
      this.confirmedAt = Date.parse(confirmedAt);
      if (received) {
        this.options.journal.setFlag("expired_reported", null);
        this.append("cabinet.snapshot_applied", { version: view.body.version });
      }
      await this.reconcileNow();
    });
  }

  /** Journals an event that belongs to no visit (the agent's start). */
  async record(type: CabinetEventType, data: Record<string, unknown>): Promise<void> {
    await this.run(() => {
      this.append(type, data);
    });
  }

  /** The server confirmed the snapshot in force is current. */
  async snapshotConfirmed(at: string): Promise<void> {
    await this.run(() => {
      this.confirmedAt = Date.parse(at);
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
      await this.reportExpiry();
      const now = this.nowMs();
      const { doorHeldSeconds } = this.view?.body.settings ?? { doorHeldSeconds: 0 };
      if (this.door.openedAt !== null && !this.door.heldReported && this.view !== null) {
        const seconds = Math.floor((now - this.door.openedAt) / 1000);
        if (seconds > doorHeldSeconds) {
          this.door.heldReported = true;
          this.append("door.held_open", { visitId: this.door.visitId, seconds });
          await this.options.driver.beep("alarm");
        }
      }
      const visit = this.visit;
      if (visit && !this.options.driver.door().open) {
        const limit = visit.closed ? CLOSING_SCREEN_SECONDS * 1000 : this.idleTimeoutMs;
        // why: touches keep a visit alive, but not for ever: an identification is not a standing permission
        const tooLong = !visit.closed && now - visit.openedAt >= MAX_VISIT_SECONDS * 1000;
        if (now - visit.lastActionAt >= limit || tooLong) {
          await this.endVisit();
        }
      }
    });
  }

  /** Performs one kiosk action and answers the state after it. */
  act(action: KioskAction): Promise<KioskState> {
    return this.run(async () => {
      this.touch();
      await this.handle(action);
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
      this.append(
        "door.released",
        { visitId: null, personId: null, purpose: "remote_release", commandId: command.id },
        [{ kind: "command_executed", commandId: command.id }],
      );
      await this.options.driver.releaseDoor(seconds);
      this.append("cabinet.remote_release_executed", { commandId: command.id, seconds });
      this.options.logger.info(`remote release ${command.id} executed (${seconds} s)`);
    });
  }

  // ------------------------------------------------------------ state

  /** What the kiosk shows now. */
  state(): KioskState {
    const view = this.view;
    const state: KioskState = {
      cabinet: {
        id: this.options.identity.cabinetId,
        name: view?.body.cabinet.name ?? this.options.identity.cabinetName,
      },
      language: this.language(),
      timeZone: view?.body.property.timeZone ?? null,
      online: this.options.online(),
      snapshot: { version: view?.body.version ?? null, ageMinutes: this.ageMinutes() },
      screen: this.screen(),
      feedback: this.feedback,
    };
    if (this.options.simulator) {
      state.simulator = this.options.simulator.state();
    }
    return state;
  }

  private screen(): KioskScreen {
    const lang = this.language();
    const view = this.view;
    if (view === null) {
      return { name: "stopped", code: "no_snapshot", message: say("no_snapshot", lang) };
    }
    const visit = this.visit;
    if (visit === null) {
      const stopped = this.takingStopped();
      if (stopped) {
        return { name: "stopped", code: stopped, message: say(stopped, lang) };
      }
      return { name: "idle", accepts: acceptedNext(view.body.cabinet.factorPolicy, new Set(), false) };
    }
    const doorOpen = this.options.driver.door().open;
    switch (visit.stage) {
      case "identify": {
        return {
          name: "identify",
          firstName: this.person(visit.personId)?.firstName ?? null,
          needs: acceptedNext(
            view.body.cabinet.factorPolicy,
            this.satisfiedBy(visit.factors),
            visit.factors.length > 0,
          ),
          waitSeconds: visit.waitSeconds,
        };
      }
      case "choose_keys":
        return {
          name: "choose_keys",
          unitNumber: visit.unitNumber,
          keys: visit.unitNumber === null ? [] : this.unitKeys(visit, visit.unitNumber),
          selected: [...visit.selected],
          firstName: this.person(visit.personId)?.firstName ?? "",
          keysOut: this.keysOutOf(visit.personId ?? "").size,
        };
      case "reason":
        return {
          name: "reason",
          reasons: view.body.reasons.map((r) => ({ id: r.id, label: r.label, requiresWorkOrder: r.requiresWorkOrder })),
          selected: [...visit.selected],
          labels: visit.selected.map((id) => view.keys.get(id)?.label ?? id),
        };
      case "take":
        return {
          name: "take",
          hooks: (visit.grant?.hooks ?? []).map((h) => ({
            hook: h.hook,
            keyId: h.keyId,
            label: h.label,
            taken: h.taken,
          })),
          dueAt: visit.grant?.dueAt ?? null,
          doorOpen,
        };
      case "return_scan":
        return { name: "return_scan", returned: visit.returned.map((r) => ({ ...r })) };
      case "return_hang": {
        const r = visit.returning;
        if (r === null) {
          return { name: "return_scan", returned: visit.returned.map((x) => ({ ...x })) };
        }
        return { name: "return_hang", hook: r.hook, keyId: r.keyId, label: r.label, hung: false, doorOpen };
      }
      case "my_keys":
        return { name: "my_keys", keys: this.myKeys(visit.personId ?? "") };
      case "denied":
        return {
          name: "denied",
          code: visit.denied?.code ?? "",
          message: visit.denied?.message ?? "",
          next: visit.denied?.next ?? "idle",
        };
      case "done":
        return { name: "done", message: visit.doneMessage ?? say("done", this.language()) };
      case "set_pin":
        return {
          name: "set_pin",
          step: visit.pinSetup?.step ?? "identify",
          firstName: this.person(visit.personId)?.firstName ?? null,
        };
      case "witness": {
        const w = visit.witness;
        return {
          name: "witness",
          firstName: this.person(w?.personId ?? null)?.firstName ?? null,
          needs: acceptedNext(
            view.body.cabinet.factorPolicy,
            this.satisfiedBy(w?.factors ?? []),
            (w?.factors.length ?? 0) > 0,
          ),
          waitSeconds: w?.waitSeconds ?? null,
        };
      }
    }
  }

  /** The real factors among those presented that named someone (or, for a PIN, were right). */
  private satisfiedBy(factors: readonly PresentedFactor[]): Set<RealFactor> {
    const satisfied = new Set<RealFactor>();
    for (const f of factors) {
      if (f.kind === "pin" ? f.ok : f.kind !== "user_code" && f.personId !== null) {
        satisfied.add(f.kind === "pin" ? "pin" : (f.kind as RealFactor));
      }
    }
    return satisfied;
  }

  // ------------------------------------------------------------ kiosk actions

  private async handle(action: KioskAction): Promise<void> {
    await this.reportExpiry();
    if (action.type === "language") {
      if (this.visit && !this.visit.closed) {
        this.visit.language = action.language;
      } else {
        this.idleLanguage = action.language;
      }
      return;
    }
    if (action.type === "user_code") {
      await this.presentFactor("user_code", action.code);
      return;
    }
    if (action.type === "set_pin") {
      await this.startPinSetup();
      return;
    }
    const visit = this.visit;
    if (visit === null || (visit.closed && action.type !== "back" && action.type !== "cancel")) {
      await this.refuse("identify_first");
      return;
    }
    switch (action.type) {
      case "pin":
        if (visit.stage === "witness") {
          await this.witnessPin(visit, action.pin);
        } else {
          await this.presentPin(visit, action.pin);
        }
        return;
      case "activation_code":
        await this.enterActivationCode(visit, action.code);
        return;
      case "choose_pin":
        await this.choosePin(visit, action.pin);
        return;
      case "menu":
        await this.chooseMenu(visit, action.choice);
        return;
      case "find_unit":
        await this.findUnit(visit, action.number);
        return;
      case "toggle_key":
        await this.toggleKey(visit, action.keyId);
        return;
      case "confirm_keys":
        await this.confirmKeys(visit);
        return;
      case "reason":
        await this.decide(visit, action.reasonCodeId, action.workOrder);
        return;
      case "back":
        await this.back(visit);
        return;
      case "cancel":
        if ((visit.stage === "take" || visit.stage === "return_hang") && this.options.driver.door().open) {
          await this.refuse("close_door_first");
          return;
        }
        await this.endVisit();
        return;
    }
  }

  private async back(visit: Visit): Promise<void> {
    // why: choose_keys is the visit's first screen after identification, so Back there ends the visit
    const to: Partial<Record<Stage, Stage | "end">> = {
      identify: "end",
      choose_keys: "end",
      reason: "choose_keys",
      my_keys: "choose_keys",
      return_scan: "choose_keys",
      done: "end",
      set_pin: "end",
      witness: "reason",
    };
    let next = to[visit.stage];
    if (visit.stage === "denied") {
      next = visit.denied?.next === "menu" && visit.identified ? "choose_keys" : "end";
    }
    if (visit.stage === "return_scan" && visit.returned.length > 0) {
      next = "end";
    }
    if (next === undefined) {
      await this.refuse("close_door_first");
      return;
    }
    if (next === "end") {
      await this.endVisit();
      return;
    }
    if (visit.stage === "reason" && visit.autoPicked !== null) {
      // why: the agent chose that key, not the person; going back means "not that one", so it is un-chosen
      const picked = visit.autoPicked;
      visit.selected = visit.selected.filter((id) => id !== picked);
    }
    visit.autoPicked = null;
    visit.witness = null;
    visit.stage = next;
    visit.denied = null;
  }

  /** The choices choose_keys offers beside taking: return keys, my keys, or start the take over. */
  private async chooseMenu(visit: Visit, choice: "take" | "return" | "my_keys"): Promise<void> {
    if (!visit.identified || visit.stage !== "choose_keys") {
      await this.refuse("not_now");
      return;
    }
    if (choice === "take") {
      if (await this.refuseExpiredTake(visit)) {
        return;
      }
      visit.unitNumber = null;
      visit.selected = [];
    } else {
      visit.stage = choice === "return" ? "return_scan" : "my_keys";
    }
    await this.accept(null);
  }

  /**
   * Past the offline age, or once the cabinet is archived, taking is refused with a denial that sends the person back
   * to choose_keys.
   */
  private async refuseExpiredTake(visit: Visit): Promise<boolean> {
    const stopped = this.takingStopped();
    if (!stopped) {
      return false;
    }
    // why: only ordinary access stops; returns (from choose_keys) are still welcome
    this.deny(visit, stopped, say(stopped, this.language()), "menu");
    await this.beepRefuse(null);
    return true;
  }

  // ------------------------------------------------------------ identification

  private async presentFactor(kind: "badge" | "fingerprint" | "user_code", value: string | null): Promise<void> {
    const view = this.view;
    if (view === null) {
      await this.refuse("no_snapshot");
      return;
    }
    let visit = this.visit;
    if (visit && !visit.closed && visit.stage === "set_pin") {
      await this.pinSetupFactor(visit, kind, value);
      return;
    }
    if (visit && !visit.closed && visit.stage === "witness") {
      await this.witnessFactor(visit, kind, value);
      return;
    }
    if (visit && !visit.closed && visit.stage !== "identify") {
      await this.refuse("not_now");
      return;
    }
    if (visit === null || visit.closed) {
      visit = this.openVisit();
    }
    const personId =
      value === null
        ? null
        : kind === "fingerprint"
          ? view.personOfFingerprint(value)
          : // why: a user code is the badge number typed on the keypad; it only claims an identity (the finger proves it)
            view.personOfBadge(value);
    const factor: PresentedFactor = { kind, personId };
    visit.presented.push({ kind, value });
    await this.identifyWith(visit, [...visit.factors, factor], kind, null);
  }

  private async presentPin(visit: Visit, pin: string): Promise<void> {
    if (visit.stage !== "identify" || visit.personId === null) {
      await this.refuse("identify_first");
      return;
    }
    const { factor, pin: checked } = await this.checkPinOf(visit.personId, pin);
    if (factor.kind === "pin" && factor.ok) {
      visit.pinHash = checked.pinHash;
    }
    await this.identifyWith(visit, [...visit.factors, factor], "pin", checked);
  }

  /**
   * A person's PIN lockout as this cabinet must apply it: the stricter of its journal's count for the PIN hash and the
   * snapshot's, which holds the failures other cabinets reported for the same PIN.
   */
  private pinLockoutOf(personId: string): PinLockoutState {
    const credential = this.view?.pinCredentialOf(personId);
    if (!credential?.pinHash) {
      return PIN_LOCKOUT_CLEAR;
    }
    const local = this.options.journal.pinLockout(credential.id, credential.pinHash);
    return credential.pinLockout ? stricterLockout(local, credential.pinLockout) : local;
  }

  /** Checks a PIN typed for a person, unless their lockout forbids a try now. */
  private async checkPinOf(personId: string, pin: string): Promise<{ factor: PresentedFactor; pin: CheckedPin }> {
    const now = this.options.now();
    const credential = this.view?.pinCredentialOf(personId) ?? null;
    const pinHash = credential?.pinHash ?? null;
    const stored = this.pinLockoutOf(personId);
    // why: a try the lockout refuses is never verified, so it neither counts nor costs a hash
    const verified = pinHash !== null && pinGate(stored, now).gate === "ok";
    const ok = verified ? await (this.options.verifyPin ?? verifyPin)(pinHash, pin).catch(() => false) : false;
    return {
      factor: { kind: "pin", ok, at: now },
      pin: { credentialId: credential?.id ?? null, pinHash, stored, verified },
    };
  }

  private identification(factors: readonly PresentedFactor[], stored?: PinLockoutState) {
    return identify(
      {
        factorPolicy: this.view?.body.cabinet.factorPolicy ?? "badge_pin",
        factors,
        pinLockoutOf: (personId) => stored ?? this.pinLockoutOf(personId),
      },
      this.options.now(),
    );
  }

  private async identifyWith(
    visit: Visit,
    factors: PresentedFactor[],
    kind: FactorKind,
    pin: CheckedPin | null,
  ): Promise<void> {
    const decision = this.identification(factors, pin?.stored);
    const { journal } = this.options;
    if (pin?.credentialId && pin.pinHash && decision.pinLockout) {
      journal.savePinLockout(pin.credentialId, pin.pinHash, decision.pinLockout);
    }
    const lang = this.language();
    visit.waitSeconds = null;
    const failed = (code: string) =>
      this.append("cabinet.identification_failed", {
        visitId: visit.id,
        personId: decision.personId,
        credentialId: pin?.credentialId ?? null,
        factor: kind,
        code,
        // why: only a PIN checked against its hash is a failure; the server counts these across cabinets
        ...(kind === "pin" && pin?.verified && decision.pinLockout
          ? { pinFailures: decision.pinLockout.failures }
          : {}),
      });
    switch (decision.outcome) {
      case "need_factor":
        visit.personId = decision.personId;
        // why: a failed PIN is kept in the stored lockout, not in the visit, so it is never counted twice
        visit.factors = factors.filter((f) => f.kind !== "pin" || f.ok);
        if (decision.notice) {
          failed(decision.notice.code);
          await this.beepRefuse(explainDenial(decision.notice, lang));
        } else {
          await this.accept(null);
        }
        return;
      case "identified":
        visit.personId = decision.personId;
        visit.factors = factors;
        visit.identified = true;
        // why: straight to taking, the usual errand; returning and "my keys" are one touch away on that screen
        visit.stage = "choose_keys";
        this.append("cabinet.identified", {
          visitId: visit.id,
          personId: decision.personId,
          factors: decision.factors,
          ...pinIdentified(decision.factors, pin),
        });
        if (await this.refuseExpiredTake(visit)) {
          return;
        }
        await this.accept(null);
        return;
      case "denied": {
        failed(decision.denial.code);
        const message = explainDenial(decision.denial, lang);
        if (decision.denial.code === "pin_wait") {
          visit.waitSeconds = decision.denial.params.seconds;
          visit.personId = decision.personId;
        } else {
          this.deny(visit, decision.denial.code, message, "idle");
        }
        await this.beepRefuse(message);
        return;
      }
    }
  }

  // ------------------------------------------------------------ choosing one's PIN

  /** From idle: a person will choose their PIN with an activation code. Online only: the server sets it. */
  private async startPinSetup(): Promise<void> {
    if (this.view === null) {
      await this.refuse("no_snapshot");
      return;
    }
    if (this.visit && !this.visit.closed) {
      await this.refuse("not_now");
      return;
    }
    const visit = this.openVisit();
    if (!this.options.activatePin || !this.options.online()) {
      this.deny(visit, "pin_setup_offline", say("pin_setup_offline", this.language()), "idle");
      await this.beepRefuse(null);
      return;
    }
    visit.stage = "set_pin";
    visit.pinSetup = { step: "identify", credentialId: null, activationCode: null, pin: null };
    await this.accept(null);
  }

  /** The badge or finger of the person choosing a PIN names them, and so their PIN credential. */
  private async pinSetupFactor(
    visit: Visit,
    kind: "badge" | "fingerprint" | "user_code",
    value: string | null,
  ): Promise<void> {
    const setup = visit.pinSetup;
    const view = this.view;
    if (setup?.step !== "identify" || view === null) {
      await this.refuse("not_now");
      return;
    }
    const personId =
      value === null ? null : kind === "fingerprint" ? view.personOfFingerprint(value) : view.personOfBadge(value);
    if (personId === null || !this.allowedHere(personId)) {
      this.deny(visit, "pin_setup_unknown", say("pin_setup_unknown", this.language()), "idle");
      await this.beepRefuse(null);
      return;
    }
    // why: a credential still waiting for its PIN is the one the code was issued for; otherwise the PIN being replaced
    const pins = view.body.credentials.filter((c) => c.kind === "pin" && c.personId === personId);
    const credential = pins.find((c) => c.pinHash === null) ?? pins[0];
    if (!credential) {
      this.deny(visit, "pin_setup_no_credential", say("pin_setup_no_credential", this.language()), "idle");
      await this.beepRefuse(null);
      return;
    }
    visit.personId = personId;
    setup.credentialId = credential.id;
    setup.step = "activation_code";
    await this.accept(null);
  }

  private async enterActivationCode(visit: Visit, code: string): Promise<void> {
    const setup = visit.pinSetup;
    if (visit.stage !== "set_pin" || setup?.step !== "activation_code") {
      await this.refuse("not_now");
      return;
    }
    const digits = code.replace(/\s+/g, "");
    if (!/^\d{10}$/.test(digits)) {
      await this.refuse("activation_code_format");
      return;
    }
    setup.activationCode = digits;
    setup.step = "new_pin";
    await this.accept(null);
  }

  /** The new PIN, then the same again; a match goes to the server, which applies the organization's PIN rules. */
  private async choosePin(visit: Visit, pin: string): Promise<void> {
    const setup = visit.pinSetup;
    if (visit.stage !== "set_pin" || !setup || (setup.step !== "new_pin" && setup.step !== "repeat_pin")) {
      await this.refuse("not_now");
      return;
    }
    if (setup.step === "new_pin") {
      setup.pin = pin;
      setup.step = "repeat_pin";
      await this.accept(null);
      return;
    }
    const chosen = setup.pin;
    setup.pin = null;
    if (chosen !== pin) {
      setup.step = "new_pin";
      await this.refuse("pin_mismatch");
      return;
    }
    const { credentialId, activationCode } = setup;
    const activate = this.options.activatePin;
    if (!activate || !this.options.online() || credentialId === null || activationCode === null) {
      this.deny(visit, "pin_setup_offline", say("pin_setup_offline", this.language()), "idle");
      await this.beepRefuse(null);
      return;
    }
    // why: neither the code nor the PIN goes into an event or a log line; they live only in this visit until here
    const result = await activate({ credentialId, activationCode, pin }).catch(
      (): PinActivationResult => ({ outcome: "unreachable" }),
    );
    const lang = this.language();
    switch (result.outcome) {
      case "set":
        setup.activationCode = null;
        visit.stage = "done";
        visit.closed = true;
        visit.doneMessage = say("pin_set", lang);
        await this.accept(visit.doneMessage);
        return;
      case "unreachable":
        this.deny(visit, "pin_setup_offline", say("pin_setup_offline", lang), "idle");
        await this.beepRefuse(null);
        return;
      case "refused": {
        const { refusal } = result;
        if (refusal.code === "pin_rejected") {
          setup.step = "new_pin";
          await this.beepRefuse(
            refusal.problem
              ? pinProblemSentence(refusal.problem, refusal.minLength ?? 0, lang)
              : say("pin_rejected", lang),
          );
          return;
        }
        if (refusal.code === "activation_code_invalid") {
          setup.activationCode = null;
          setup.step = "activation_code";
          await this.refuse("activation_code_invalid");
          return;
        }
        const message = say("pin_setup_too_many", lang, {
          minutes: Math.max(1, Math.ceil((refusal.retryAfterSeconds ?? 60) / 60)),
        });
        this.deny(visit, refusal.code, message, "idle");
        await this.beepRefuse(message);
        return;
      }
    }
  }

  // ------------------------------------------------------------ taking keys

  private async findUnit(visit: Visit, number: string): Promise<void> {
    if (visit.stage !== "choose_keys") {
      await this.refuse("not_now");
      return;
    }
    if (await this.refuseExpiredTake(visit)) {
      return;
    }
    const unit = number.trim();
    if (this.keysOfUnit(unit).length === 0) {
      await this.beepRefuse(say("no_unit_keys", this.language(), { unit }));
      return;
    }
    visit.unitNumber = unit;
    const takeable = this.unitKeys(visit, unit).filter((k) => k.unavailable === null);
    const only = takeable.length === 1 ? takeable[0] : undefined;
    // why: a unit with one key to take leaves nothing to choose, so the usual visit is Find then a reason; once the
    // person is putting several keys together (something chosen already) every unit is listed for them to pick
    if (only && visit.selected.length === 0) {
      visit.selected = [only.id];
      visit.autoPicked = only.id;
      visit.stage = "reason";
    }
    await this.accept(null);
  }

  private async toggleKey(visit: Visit, keyId: string): Promise<void> {
    if (visit.stage !== "choose_keys" || visit.unitNumber === null) {
      await this.refuse("not_now");
      return;
    }
    if (visit.selected.includes(keyId)) {
      visit.selected = visit.selected.filter((id) => id !== keyId);
      await this.accept(null);
      return;
    }
    const listed = this.unitKeys(visit, visit.unitNumber).find((k) => k.id === keyId);
    if (!listed) {
      await this.refuse("not_now");
      return;
    }
    if (listed.unavailable) {
      await this.beepRefuse(listed.unavailable.message);
      return;
    }
    visit.selected = [...visit.selected, keyId];
    await this.accept(null);
  }

  private async confirmKeys(visit: Visit): Promise<void> {
    if (visit.stage !== "choose_keys") {
      await this.refuse("not_now");
      return;
    }
    if (visit.selected.length === 0) {
      await this.beepRefuse(explainDenial({ code: "no_keys_requested", params: {} }, this.language()));
      return;
    }
    visit.stage = "reason";
    await this.accept(null);
  }

  private async decide(visit: Visit, reasonCodeId: string, workOrder: string | null): Promise<void> {
    const view = this.view;
    if (visit.stage !== "reason" || view === null || visit.personId === null) {
      await this.refuse("not_now");
      return;
    }
    if (!view.body.reasons.some((r) => r.id === reasonCodeId)) {
      await this.refuse("unknown_reason");
      return;
    }
    if ((await this.refuseExpiredTake(visit)) || (await this.refuseLapsed(visit))) {
      return;
    }
    const cleanWorkOrder = workOrder?.trim() ? workOrder.trim() : null;
    const decision = this.decideFor(
      visit.personId,
      this.selectedKeys(visit),
      this.policyReason(reasonCodeId),
      cleanWorkOrder,
    );
    if (decision.outcome === "conditions_required") {
      const conditions = decision.requirements.map((r) => r.condition);
      if (conditions.every((c) => c === "witness")) {
        // why: a witness can be given here, at the console; the decision is taken again once they have identified
        visit.witness = { factors: [], personId: null, waitSeconds: null, reasonCodeId, workOrder: cleanWorkOrder };
        visit.stage = "witness";
        await this.accept(say("witness_needed", this.language()));
        return;
      }
    }
    await this.conclude(visit, decision, reasonCodeId, cleanWorkOrder, null);
  }

  /** The selected keys, as the snapshot knows them. */
  private selectedKeys(visit: Visit): ViewKey[] {
    return visit.selected.flatMap((id) => {
      const key = this.view?.keys.get(id);
      return key ? [key] : [];
    });
  }

  private policyReason(reasonCodeId: string): PolicyReason | null {
    const reason = this.view?.body.reasons.find((r) => r.id === reasonCodeId);
    return reason
      ? {
          id: reason.id,
          status: "active",
          requiresWorkOrder: reason.requiresWorkOrder,
          defaultDueMinutes: reason.defaultDueMinutes,
        }
      : null;
  }

  /** Acts on a checkout decision: a refusal is journalled and shown; a grant releases the door and lights the hooks. */
  private async conclude(
    visit: Visit,
    decision: CheckoutDecision,
    reasonCodeId: string,
    workOrder: string | null,
    witnessPersonId: string | null,
  ): Promise<void> {
    const view = this.view;
    if (view === null) {
      await this.refuse("no_snapshot");
      return;
    }
    const lang = this.language();
    const keys = this.selectedKeys(visit);
    if (decision.outcome !== "granted") {
      const refusal =
        decision.outcome === "conditions_required"
          ? this.conditionsRefusal(decision.requirements.map((r) => r.condition))
          : {
              code: decision.denial.code,
              params: decision.denial.params,
              message: explainDenial(decision.denial, lang),
            };
      this.append("cabinet.access_denied", {
        visitId: visit.id,
        personId: visit.personId,
        keyIds: keys.map((k) => k.id),
        code: refusal.code,
        params: refusal.params,
      });
      visit.witness = null;
      this.deny(visit, refusal.code, refusal.message, "menu");
      await this.beepRefuse(refusal.message);
      return;
    }
    // why: the snapshot in force may have changed since the visit began (or the witness stepped up); the grant is
    // given on the one in force now
    if ((await this.refuseExpiredTake(visit)) || (await this.refuseLapsed(visit))) {
      return;
    }
    const hooks: GrantedHook[] = [];
    for (const granted of decision.keys) {
      const key = view.keys.get(granted.keyId);
      const hook = key ? this.hookOf(key.tagCode) : null;
      if (key && hook !== null) {
        hooks.push({ keyId: key.id, tag: key.tagCode, hook, label: key.label, dueAt: granted.dueAt, taken: false });
      }
    }
    visit.grant = { hooks, dueAt: decision.dueAt, reasonCodeId, workOrder, witnessPersonId };
    visit.witness = null;
    visit.stage = "take";
    // why: the release is journalled and committed before the door opens (append returns after the commit)
    this.append("door.released", { visitId: visit.id, personId: visit.personId, purpose: "take", commandId: null });
    await this.options.driver.releaseDoor(this.doorReleaseSeconds);
    for (const h of hooks) {
      await this.light(h.hook, "take");
    }
    await this.accept(say("take_from_hooks", lang, { hooks: hooks.map((h) => h.hook).join(", ") }));
  }

  /**
   * Refuses the visit if its identification no longer holds on the snapshot in force: a badge, finger or user code
   * revoked or given to someone else since it was read, or the PIN changed since it was checked; a person deactivated
   * since is `person_inactive`.
   */
  private async refuseLapsed(visit: Visit): Promise<boolean> {
    const view = this.view;
    if (view === null || visit.personId === null) {
      return false;
    }
    let refusal: { code: string; params: Record<string, unknown>; message: string } | null = null;
    const lang = this.language();
    if (this.person(visit.personId)?.status !== "active") {
      // why: a person deactivated (or gone from the snapshot) is told so, not that their credentials changed
      refusal = {
        code: "person_inactive",
        params: {},
        message: explainDenial({ code: "person_inactive", params: {} }, lang),
      };
    }
    for (const f of refusal === null ? visit.presented : []) {
      const personId =
        f.value === null
          ? null
          : f.kind === "fingerprint"
            ? view.personOfFingerprint(f.value)
            : view.personOfBadge(f.value);
      if (personId === null) {
        const code =
          f.kind === "badge"
            ? "unknown_badge"
            : f.kind === "fingerprint"
              ? "fingerprint_not_recognized"
              : "unknown_user_code";
        refusal = { code, params: {}, message: explainDenial({ code, params: {} }, lang) };
        break;
      }
      if (personId !== visit.personId) {
        refusal = {
          code: "factor_mismatch",
          params: {},
          message: explainDenial({ code: "factor_mismatch", params: {} }, lang),
        };
        break;
      }
    }
    if (refusal === null && visit.pinHash !== null && view.pinCredentialOf(visit.personId)?.pinHash !== visit.pinHash) {
      refusal = { code: "identify_again", params: {}, message: say("identify_again", lang) };
    }
    if (refusal === null) {
      return false;
    }
    this.append("cabinet.access_denied", {
      visitId: visit.id,
      personId: visit.personId,
      keyIds: [...visit.selected],
      code: refusal.code,
      params: refusal.params,
    });
    visit.witness = null;
    this.deny(visit, refusal.code, refusal.message, "idle");
    await this.beepRefuse(refusal.message);
    return true;
  }

  /** The refusal of conditions this cabinet cannot take (manager approval, key pairing), naming them. */
  private conditionsRefusal(conditions: ConditionKind[]): {
    code: string;
    params: Record<string, unknown>;
    message: string;
  } {
    const missing = conditions.filter((c) => c !== "witness");
    return {
      code: "conditions_required",
      params: { conditions },
      message: unsupportedConditions(missing.length > 0 ? missing : conditions, this.language()),
    };
  }

  // ------------------------------------------------------------ a witness for dual custody

  private async witnessFactor(
    visit: Visit,
    kind: "badge" | "fingerprint" | "user_code",
    value: string | null,
  ): Promise<void> {
    const w = visit.witness;
    const view = this.view;
    if (!w || view === null) {
      await this.refuse("not_now");
      return;
    }
    const personId =
      value === null ? null : kind === "fingerprint" ? view.personOfFingerprint(value) : view.personOfBadge(value);
    await this.witnessIdentify(visit, w, [...w.factors, { kind, personId }], kind, null);
  }

  private async witnessPin(visit: Visit, pin: string): Promise<void> {
    const w = visit.witness;
    if (!w || w.personId === null) {
      await this.refuse("identify_first");
      return;
    }
    const { factor, pin: checked } = await this.checkPinOf(w.personId, pin);
    await this.witnessIdentify(visit, w, [...w.factors, factor], "pin", checked);
  }

  /**
   * The witness identifies as anyone does at this cabinet (factor policy, PIN lockout); once identified, they must
   * be someone else than the person taking, and allowed here: active, with an active profile assignment at this
   * property (the people the snapshot lists hold one). Then the checkout is decided again with the witness.
   */
  private async witnessIdentify(
    visit: Visit,
    w: WitnessCheck,
    factors: PresentedFactor[],
    kind: FactorKind,
    pin: CheckedPin | null,
  ): Promise<void> {
    const decision = this.identification(factors, pin?.stored);
    if (pin?.credentialId && pin.pinHash && decision.pinLockout) {
      this.options.journal.savePinLockout(pin.credentialId, pin.pinHash, decision.pinLockout);
    }
    const lang = this.language();
    w.waitSeconds = null;
    const failed = (code: string) =>
      this.append("cabinet.identification_failed", {
        visitId: visit.id,
        personId: decision.personId,
        credentialId: pin?.credentialId ?? null,
        factor: kind,
        code,
        // why: only a PIN checked against its hash is a failure; the server counts these across cabinets
        ...(kind === "pin" && pin?.verified && decision.pinLockout
          ? { pinFailures: decision.pinLockout.failures }
          : {}),
      });
    switch (decision.outcome) {
      case "need_factor":
        w.personId = decision.personId;
        w.factors = factors.filter((f) => f.kind !== "pin" || f.ok);
        if (decision.notice) {
          failed(decision.notice.code);
          await this.beepRefuse(explainDenial(decision.notice, lang));
        } else {
          await this.accept(null);
        }
        return;
      case "denied":
        failed(decision.denial.code);
        if (decision.denial.code === "pin_wait") {
          w.waitSeconds = decision.denial.params.seconds;
          w.personId = decision.personId;
        } else {
          // why: the witness screen stays, so that another colleague can step in
          w.factors = [];
          w.personId = null;
        }
        await this.beepRefuse(explainDenial(decision.denial, lang));
        return;
      case "identified":
        // why: the witness's matching PIN clears their count here; the server clears it for the other cabinets
        this.append("cabinet.identified", {
          visitId: visit.id,
          personId: decision.personId,
          factors: decision.factors,
          ...pinIdentified(decision.factors, pin),
        });
        break;
    }
    const witnessId = decision.personId;
    w.factors = [];
    w.personId = null;
    if (witnessId === visit.personId) {
      await this.beepRefuse(explainDenial({ code: "witness_is_holder", params: {} }, lang));
      return;
    }
    if (!this.allowedHere(witnessId)) {
      await this.refuse("witness_not_allowed");
      return;
    }
    if (visit.personId === null) {
      await this.refuse("not_now");
      return;
    }
    const withWitness = this.decideFor(
      visit.personId,
      this.selectedKeys(visit),
      this.policyReason(w.reasonCodeId),
      w.workOrder,
      witnessId,
    );
    await this.conclude(visit, withWitness, w.reasonCodeId, w.workOrder, witnessId);
  }

  /** Whether a person may act at this cabinet: active, with an active profile assignment at this property. */
  private allowedHere(personId: string): boolean {
    const person = this.person(personId);
    const view = this.view;
    return (
      person?.status === "active" &&
      view !== null &&
      view.grants.some((g) => g.assignment.personId === personId && g.assignment.status === "active")
    );
  }

  /** The checkout decision for a person and keys, with each key's status as this cabinet sees it now. */
  private decideFor(
    personId: string,
    keys: readonly ViewKey[],
    reason: PolicyReason | null,
    workOrder: string | null,
    witnessPersonId: string | null = null,
  ): CheckoutDecision {
    const view = this.view;
    const person = this.person(personId);
    if (view === null || person === undefined) {
      return {
        outcome: "denied",
        denial: { code: "person_inactive", params: {} },
        denials: [{ code: "person_inactive", params: {} }],
      };
    }
    return decideCheckout(
      {
        propertyId: view.body.property.id,
        timeZone: view.body.property.timeZone,
        holidayCalendars: view.body.holidayCalendars,
        person: { id: person.id, status: person.status, startDate: person.startDate, endDate: person.endDate },
        grants: view.grants,
        keys: keys.map((k): PolicyKey => ({ ...k, status: this.statusNow(k) })),
        keysOut: [...this.keysOutOf(personId)],
        reason,
        workOrder,
        satisfied: { witnessPersonId },
      },
      this.options.now(),
    );
  }

  /** A key's status as this cabinet sees it: on one of its hooks it is in, whatever the snapshot still says. */
  private statusNow(key: ViewKey): KeyStatus {
    const onHook = this.hookOf(key.tagCode) !== null;
    if (onHook) {
      return key.status === "out" ? "in" : key.status;
    }
    return key.status === "in" ? "out" : key.status;
  }

  /** The keys of a unit kept in this cabinet: on its hooks, last known on them, or taken from them. */
  private keysOfUnit(number: string): ViewKey[] {
    const view = this.view;
    if (view === null) {
      return [];
    }
    const takenHere = new Set(this.options.journal.localCheckouts().map((c) => c.keyId));
    return [...view.keys.values()]
      .filter((k) => k.unitNumber === number)
      .filter((k) => this.hookOf(k.tagCode) !== null || k.snapshotHook !== null || takenHere.has(k.id))
      .sort((a, b) => a.label.localeCompare(b.label));
  }

  private unitKeys(visit: Visit, number: string): KioskKey[] {
    const lang = this.language();
    return this.keysOfUnit(number).map((key) => {
      let unavailable: KioskKey["unavailable"] = null;
      if (visit.personId !== null) {
        const decision = this.decideFor(visit.personId, [key], null, null);
        const first = decision.outcome === "denied" ? decision.denials.find((d) => !REASON_CODES.has(d.code)) : null;
        if (first) {
          unavailable = { code: first.code, message: explainDenial(first, lang) };
        }
      }
      return {
        id: key.id,
        label: key.label,
        kind: key.kind,
        unitNumber: key.unitNumber,
        hook: this.hookOf(key.tagCode),
        unavailable,
      };
    });
  }

  // ------------------------------------------------------------ returning keys

  private async scanTag(code: string): Promise<void> {
    const visit = this.visit;
    if (visit === null || visit.closed || !visit.identified || visit.stage !== "return_scan") {
      await this.refuse(visit?.stage === "return_hang" ? "not_now" : "identify_first");
      return;
    }
    const view = this.view;
    const key = view?.keysByTag.get(code);
    if (view === null || !key) {
      this.append("key.unknown_tag", { visitId: visit.id, tag: code.slice(0, 200) });
      await this.refuse("unknown_tag");
      return;
    }
    if (this.hookOf(key.tagCode) !== null) {
      await this.refuse("already_in");
      return;
    }
    const left = this.options.journal.leftHook(key.id) ?? key.snapshotHook;
    const disabled = new Set(view.body.cabinet.disabledHooks);
    // why: a key never goes back to the hook it left, so a hook's position reveals nothing about the key on it
    const free = [...this.hooks.entries()]
      .filter(([hook, tag]) => tag === null && !disabled.has(hook) && hook !== left && !this.unsessioned.has(hook))
      .map(([hook]) => hook);
    if (free.length === 0) {
      await this.refuse("no_free_hook");
      return;
    }
    const hook = free[randomInt(free.length)] ?? free[0] ?? 0;
    visit.returning = { keyId: key.id, tag: key.tagCode, label: key.label, hook };
    visit.stage = "return_hang";
    this.append("door.released", { visitId: visit.id, personId: visit.personId, purpose: "return", commandId: null });
    await this.options.driver.releaseDoor(this.doorReleaseSeconds);
    await this.light(hook, "return");
    await this.accept(say("hang_on", this.language(), { hook }));
  }

  // ------------------------------------------------------------ hooks and door

  private async keyLifted(hook: number, reportedTag: string | null): Promise<void> {
    const tag = reportedTag ?? this.hooks.get(hook) ?? null;
    const key = this.keyOfTag(tag);
    const leftHook: LocalChange[] = key ? [{ kind: "left_hook", keyId: key.id, hook }] : [];
    const visit = this.visit;
    const granted = visit?.stage === "take" ? visit.grant?.hooks.find((h) => h.hook === hook && !h.taken) : undefined;
    // why: memory changes only after the journal commits each event below, so a failed write leaves both as they were
    if (visit && granted && (tag === null || tag === granted.tag)) {
      const checkoutId = randomUUID();
      const outAt = this.options.now().toISOString();
      this.append(
        "key.taken",
        {
          visitId: visit.id,
          checkoutId,
          keyId: granted.keyId,
          hook,
          personId: visit.personId,
          authorized: true,
          reasonCodeId: visit.grant?.reasonCodeId ?? null,
          workOrder: visit.grant?.workOrder ?? null,
          dueAt: granted.dueAt,
          // why: only when there was one, so the events of an ordinary take keep their shape
          ...(visit.grant?.witnessPersonId ? { witnessPersonId: visit.grant.witnessPersonId } : {}),
        },
        [
          ...leftHook,
          {
            kind: "checkout",
            checkout: { checkoutId, keyId: granted.keyId, personId: visit.personId, hook, outAt, dueAt: granted.dueAt },
          },
        ],
      );
      this.hooks.set(hook, null);
      granted.taken = true;
      await this.light(hook, "off");
      await this.accept(null);
      return;
    }
    if (visit && !visit.closed && visit.identified && WRONG_LIFT_STAGES.has(visit.stage)) {
      const expectedHooks =
        visit.stage === "take"
          ? (visit.grant?.hooks ?? []).filter((h) => !h.taken).map((h) => h.hook)
          : visit.returning
            ? [visit.returning.hook]
            : [];
      this.append(
        "key.wrong_hook",
        { visitId: visit.id, personId: visit.personId, hook, keyId: key?.id ?? null, expectedHooks },
        leftHook,
      );
      this.hooks.set(hook, null);
      visit.wrongLifted.set(hook, tag);
      await this.light(hook, "alarm");
      await this.options.driver.beep("alarm");
      this.setFeedback("refuse", say("wrong_key", this.language(), { hook }));
      return;
    }
    this.append(
      "key.removed_without_session",
      { hook, keyId: key?.id ?? null },
      key ? [...leftHook, { kind: "removed", keyId: key.id }] : [],
    );
    this.hooks.set(hook, null);
    this.unsessioned.set(hook, tag);
    await this.light(hook, "alarm");
    await this.options.driver.beep("alarm");
  }

  private async keyHung(hook: number, tag: string | null): Promise<void> {
    const visit = this.visit;
    const lang = this.language();
    const returning = visit?.stage === "return_hang" ? visit.returning : null;
    if (visit && returning && tag === returning.tag) {
      const elsewhere = hook !== returning.hook;
      if (elsewhere) {
        this.append("key.wrong_hook", {
          visitId: visit.id,
          personId: visit.personId,
          hook,
          keyId: returning.keyId,
          expectedHooks: [returning.hook],
        });
      }
      // why: the key is back in the cabinet wherever it hangs; the server's custody follows the hook it is on
      this.append("key.returned", { visitId: visit.id, keyId: returning.keyId, hook, personId: visit.personId }, [
        { kind: "return", keyId: returning.keyId, hook },
      ]);
      this.hooks.set(hook, tag);
      await this.light(returning.hook, "off");
      visit.returned.push({ keyId: returning.keyId, label: returning.label });
      visit.returning = null;
      visit.stage = "return_scan";
      if (elsewhere) {
        await this.options.driver.beep("alarm");
        this.setFeedback("refuse", say("returned_elsewhere", lang, { hook, expected: returning.hook }));
      } else {
        await this.accept(say("returned", lang));
      }
      return;
    }
    const key = this.keyOfTag(tag);
    if (tag !== null && !key) {
      this.append("key.unknown_tag", { visitId: visit?.id ?? null, tag: tag.slice(0, 200) });
    } else if (key && this.serverHookOf(key) !== hook) {
      // why: one rule for every known key that appears on a hook: unless the server already has it right there (a
      // wrong key hung back where it was lifted), it is recorded returned on this hook — after a lift with nobody at
      // the console, a take, or a move to another hook — so the server's custody matches the cabinet
      this.append(
        "key.returned",
        { visitId: visit?.id ?? null, keyId: key.id, hook, personId: visit?.personId ?? null },
        [{ kind: "return", keyId: key.id, hook }],
      );
    }
    this.hooks.set(hook, tag);
    // A key put back where it was lifted, or hung anywhere, clears the alarms its lift raised.
    const cleared = [...(visit?.wrongLifted ?? []), ...this.unsessioned].filter(
      ([from, lifted]) => (lifted !== null && lifted === tag) || (from === hook && lifted === null),
    );
    for (const [from] of cleared) {
      visit?.wrongLifted.delete(from);
      this.unsessioned.delete(from);
      await this.light(from, "off");
    }
    await this.light(hook, "off");
    if (tag !== null && !key) {
      await this.options.driver.beep("alarm");
    }
  }

  private async doorOpened(locked: boolean): Promise<void> {
    const visitId = this.visit && !this.visit.closed ? this.visit.id : null;
    this.door = { openedAt: this.nowMs(), heldReported: false, visitId };
    if (locked) {
      this.append("door.forced", {});
      await this.options.driver.beep("alarm");
      return;
    }
    this.append("door.opened", { visitId });
  }

  private async doorClosed(): Promise<void> {
    const openedAt = this.door.openedAt ?? this.nowMs();
    const visitId = this.door.visitId;
    this.door = { openedAt: null, heldReported: false, visitId: null };
    this.append("door.closed", { visitId, openSeconds: Math.max(0, Math.floor((this.nowMs() - openedAt) / 1000)) });
    await this.options.driver.lockDoor();
    const visit = this.visit;
    if (!visit || visit.closed) {
      return;
    }
    this.takeWrongLifted(visit);
    if (visit.stage === "take") {
      for (const h of visit.grant?.hooks ?? []) {
        if (!h.taken) {
          await this.light(h.hook, "off");
        }
      }
      this.finish(visit);
      await this.accept(visit.doneMessage);
      return;
    }
    if (visit.stage === "return_hang" && visit.returning) {
      await this.light(visit.returning.hook, "off");
      visit.returning = null;
      visit.stage = "return_scan";
      return;
    }
    if (visit.stage === "return_scan" && visit.returned.length > 0) {
      this.finish(visit);
      await this.accept(visit.doneMessage);
    }
  }

  /**
   * Keys lifted in this visit without being granted and still off their hooks leave with the person, whatever the
   * visit was for (a take, a return): each becomes an unauthorised take in their name.
   */
  private takeWrongLifted(visit: Visit): void {
    for (const [hook, tag] of visit.wrongLifted) {
      const key = this.keyOfTag(tag);
      if (key) {
        const checkoutId = randomUUID();
        this.append(
          "key.taken",
          {
            visitId: visit.id,
            checkoutId,
            keyId: key.id,
            hook,
            personId: visit.personId,
            authorized: false,
            reasonCodeId: visit.grant?.reasonCodeId ?? null,
            workOrder: visit.grant?.workOrder ?? null,
            dueAt: null,
          },
          [
            {
              kind: "checkout",
              checkout: {
                checkoutId,
                keyId: key.id,
                personId: visit.personId,
                hook,
                outAt: this.options.now().toISOString(),
                dueAt: null,
              },
            },
          ],
        );
      }
      visit.wrongLifted.delete(hook);
    }
  }

  /** The snapshot's key with this tag, if the tag is one. */
  private keyOfTag(tag: string | null): ViewKey | undefined {
    return tag === null ? undefined : this.view?.keysByTag.get(tag);
  }

  /**
   * Where the server will believe a key hangs once it has every event journalled here: the hook the journal last
   * put it on, or out (null); with no event since the snapshot, where the snapshot has it.
   */
  private serverHookOf(key: ViewKey): number | null {
    const place = this.options.journal.keyPlace(key.id);
    if (place !== undefined) {
      return place;
    }
    return key.status === "in" ? key.snapshotHook : null;
  }

  // ------------------------------------------------------------ helpers

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

  private append(type: CabinetEventType, data: Record<string, unknown>, changes: LocalChange[] = []): JournalEvent {
    const event = this.options.journal.append(
      this.options.identity.deviceId,
      this.options.now().toISOString(),
      type,
      data,
      changes,
    );
    this.options.onAppended(event);
    return event;
  }

  private openVisit(): Visit {
    const visit: Visit = {
      id: randomUUID(),
      stage: "identify",
      factors: [],
      presented: [],
      pinHash: null,
      openedAt: this.nowMs(),
      personId: null,
      identified: false,
      closed: false,
      lastActionAt: this.nowMs(),
      language: this.idleLanguage,
      waitSeconds: null,
      denied: null,
      doneMessage: null,
      unitNumber: null,
      selected: [],
      autoPicked: null,
      grant: null,
      pinSetup: null,
      witness: null,
      wrongLifted: new Map(),
      returning: null,
      returned: [],
    };
    this.visit = visit;
    return visit;
  }

  private finish(visit: Visit): void {
    visit.stage = "done";
    visit.closed = true;
    visit.doneMessage = say("done", this.language());
  }

  private deny(visit: Visit, code: string, message: string, next: "idle" | "menu"): void {
    visit.stage = "denied";
    visit.denied = { code, message, next };
    if (next === "idle") {
      visit.closed = true;
    }
  }

  private async endVisit(): Promise<void> {
    const visit = this.visit;
    if (visit) {
      if (!visit.closed) {
        this.takeWrongLifted(visit);
      }
      for (const h of visit.grant?.hooks ?? []) {
        if (!h.taken) {
          await this.light(h.hook, "off");
        }
      }
      if (visit.returning) {
        await this.light(visit.returning.hook, "off");
      }
      if (!this.options.driver.door().open) {
        await this.options.driver.lockDoor();
      }
    }
    this.visit = null;
    this.idleLanguage = null;
  }

  private touch(): void {
    if (this.visit) {
      this.visit.lastActionAt = this.nowMs();
    }
  }

  private async light(hook: number, light: HookLight): Promise<void> {
    await this.options.driver.setHookLight(hook, light);
  }

  private setFeedback(tone: "accept" | "refuse", message: string | null): void {
    this.feedbackId += 1;
    this.feedback = { id: this.feedbackId, tone, message };
  }

  private async accept(message: string | null): Promise<void> {
    this.setFeedback("accept", message);
    await this.options.driver.beep("accept");
  }

  private async beepRefuse(message: string | null): Promise<void> {
    this.setFeedback("refuse", message);
    await this.options.driver.beep("refuse");
  }

  private async refuse(code: MessageCode): Promise<void> {
    await this.beepRefuse(say(code, this.language()));
  }

  private language(): KioskLanguage {
    return this.visit?.language ?? this.idleLanguage ?? this.view?.body.settings.language ?? "en";
  }

  private nowMs(): number {
    return this.options.now().getTime();
  }

  private person(personId: string | null) {
    return personId === null ? undefined : this.view?.body.people.find((p) => p.id === personId);
  }

  private hookOf(tag: string): number | null {
    for (const [hook, t] of this.hooks) {
      if (t === tag) {
        return hook;
      }
    }
    return null;
  }

  /** The keys a person holds now: the snapshot's, less those returned here since, plus those taken here since. */
  private keysOutOf(personId: string): Set<string> {
    const { journal } = this.options;
    const returned = journal.localReturns();
    const out = new Set((this.person(personId)?.keysOut ?? []).filter((id) => !returned.has(id)));
    for (const c of journal.localCheckouts()) {
      if (c.personId === personId) {
        out.add(c.keyId);
      }
    }
    return out;
  }

  private myKeys(personId: string): Extract<KioskScreen, { name: "my_keys" }>["keys"] {
    const view = this.view;
    const local = new Map(this.options.journal.localCheckouts().map((c) => [c.keyId, c]));
    return [...this.keysOutOf(personId)].map((keyId) => {
      const key = view?.keys.get(keyId);
      const checkout = local.get(keyId);
      return {
        keyId,
        label: key?.label ?? keyId,
        unitNumber: key?.unitNumber ?? null,
        // why: a key taken at another cabinet is known out only from the snapshot; its issue time bounds "since"
        outAt: checkout?.outAt ?? view?.body.issuedAt ?? this.options.now().toISOString(),
        dueAt: checkout?.dueAt ?? null,
      };
    });
  }

  private ageMinutes(): number | null {
    return this.confirmedAt === null ? null : Math.max(0, Math.floor((this.nowMs() - this.confirmedAt) / 60_000));
  }

  /** Why keys may not be given out now, if they may not: the snapshot is too old, or the cabinet is archived. */
  private takingStopped(): "snapshot_expired" | "cabinet_archived" | null {
    if (this.expired()) {
      return "snapshot_expired";
    }
    return this.view?.body.cabinet.status === "archived" ? "cabinet_archived" : null;
  }

  private expired(): boolean {
    const view = this.view;
    if (view === null || this.confirmedAt === null) {
      return view === null;
    }
    return this.nowMs() - this.confirmedAt > view.body.property.maxOfflineMinutes * 60_000;
  }

  /** Journals `cabinet.snapshot_expired` once per expiry. */
  private async reportExpiry(): Promise<void> {
    if (this.view === null || !this.expired() || this.confirmedAt === null) {
      return;
    }
    const { journal } = this.options;
    const marker = new Date(this.confirmedAt).toISOString();
    if (journal.flag("expired_reported") === marker) {
      return;
    }
    journal.setFlag("expired_reported", marker);
    this.append("cabinet.snapshot_expired", { version: this.view.body.version, ageMinutes: this.ageMinutes() ?? 0 });
    this.options.logger.warn("the snapshot is past the property's maximum offline age: ordinary access stopped");
  }
}
