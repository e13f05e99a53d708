/**
 * The engine's options and the timings a visit runs by, kept apart so every part of the engine can read them
 * without importing the `Engine` class.
 */
import type { AgentPinActivationRequest, PinActivationRefusal } from "@keyward/contracts/cabinet-sync";
import type { CabinetDriver } from "../driver.ts";
import type { Identity, Journal, JournalEvent } from "../journal.ts";
import type { SimulatedDriver } from "../simulated-driver.ts";

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

/** What an `Engine` needs: its journal, its identity, its driver, its clock and its links to the server. */
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
