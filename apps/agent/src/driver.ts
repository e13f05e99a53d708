/**
 * The cabinet's hardware as the agent sees it (docs/hardware-driver.md). A driver turns the cabinet's readers and
 * sensors into typed events and carries out the agent's orders to the lock, the hook lights and the buzzer. The agent
 * decides; a driver never does: it reports what happened and does what it is told.
 */
import type { EventEmitter } from "node:events";
import type { HOOK_LIGHTS } from "@keyward/contracts/kiosk";

/** What a hook's light shows: off, "take this key", "hang the key here", or an alarm. */
export type HookLight = (typeof HOOK_LIGHTS)[number];

/** What the buzzer says: a step accepted, a step refused, or an alarm. */
export type BuzzerTone = "accept" | "refuse" | "alarm";

/** One hook's contents as its presence sensor and tag reader report them. */
export interface HookReading {
  hook: number;
  /** The tag of the key hanging there, or null when the hook is empty. */
  tag: string | null;
}

/**
 * The events a driver emits. Each listener receives one payload object.
 * - `door_opened`: the door sensor saw the door open; `locked` is the lock's state at that moment (a door that
 *   opens while locked was forced).
 * - `door_closed`: the door sensor saw it close.
 * - `key_lifted`: a key left hook `hook`; `tag` is the tag the hook's reader last read there (null if unknown).
 * - `key_hung`: a key was hung on `hook`; `tag` is what the hook's reader reads (null if it cannot read one).
 * - `badge`: a badge was read (its number as printed/encoded).
 * - `fingerprint`: the reader matched a finger to an enrolment reference (`ref`), or to none (`ref` null).
 * - `keypad`: digits entered on a physical keypad, ended by its enter key.
 * - `console_tag`: a key's tag was held to the console's reader (returns).
 */
export interface DriverEventMap {
  door_opened: [{ locked: boolean }];
  door_closed: [Record<string, never>];
  key_lifted: [{ hook: number; tag: string | null }];
  key_hung: [{ hook: number; tag: string | null }];
  badge: [{ number: string }];
  fingerprint: [{ ref: string | null }];
  keypad: [{ digits: string }];
  console_tag: [{ code: string }];
}

/** A driver event's name. */
export type DriverEventName = keyof DriverEventMap;

/**
 * The interface every cabinet driver implements. Calls resolve once the hardware has acted (or accepted the order);
 * they reject only when the hardware cannot be reached. Events may come at any time, from any reader, in the order
 * the hardware saw them.
 */
export interface CabinetDriver extends EventEmitter<DriverEventMap> {
  /** A name for logs ("simulated", "acme-kc200 on /dev/ttyUSB0"). */
  readonly name: string;
  /** Whether this is the simulated cabinet (the kiosk then shows the simulator panel). */
  readonly simulated: boolean;
  /**
   * Unlocks the door for `seconds`. The lock re-locks by itself after that time if the door was not opened, and as
   * soon as the door closes again after it was opened.
   */
  releaseDoor(seconds: number): Promise<void>;
  /** Locks the door now (it stays latched until closed if it is open). */
  lockDoor(): Promise<void>;
  /** The door as the sensors see it now. */
  door(): { open: boolean; locked: boolean };
  /** Every hook's contents now, in hook order. */
  readHooks(): Promise<HookReading[]>;
  /** Sets one hook's light. */
  setHookLight(hook: number, light: HookLight): Promise<void>;
  /** Sounds the buzzer. */
  beep(tone: BuzzerTone): Promise<void>;
  /** Releases the hardware (ports, timers). */
  close(): Promise<void>;
}
