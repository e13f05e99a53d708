/**
 * The simulated cabinet: a driver with no hardware behind it, driven by the demo's simulator panel and by the tests
 * through {@link SimulatedDriver.apply}. It behaves like the real thing where the agent can tell: the door re-locks
 * after a release that nobody used, opening it while locked is forcing it, a hook reports the tag hung on it.
 */
import { EventEmitter } from "node:events";
import type { SimulatorAction, SimulatorState } from "@keyward/contracts/kiosk";
import type { BuzzerTone, CabinetDriver, DriverEventMap, HookLight, HookReading } from "./driver.ts";

/** How many recent beeps the simulator remembers. */
export const BEEPS_KEPT = 50;

/** One simulated hook and the key on it. */
export interface SimulatedHook {
  number: number;
  module: number;
  tag: string | null;
  /** The key's label, for the panel only. */
  label: string | null;
}

/** A demo person's credentials, so the panel can present them. */
export type SimulatorPreset = SimulatorState["presets"][number];

/** Why the simulator cannot do what the panel asked (lift an empty hook, hang on a full one…). */
export class SimulatorRefusal extends Error {}

export interface SimulatedDriverOptions {
  hooks?: SimulatedHook[];
  presets?: SimulatorPreset[];
  /** Called with every hook after each change, so the agent can keep the contents across restarts. */
  onHooksChanged?: (hooks: SimulatedHook[]) => void;
}

/** The simulated cabinet driver. */
export class SimulatedDriver extends EventEmitter<DriverEventMap> implements CabinetDriver {
  readonly name = "simulated";
  readonly simulated = true;
  private hooks: SimulatedHook[];
  private readonly lights = new Map<number, HookLight>();
  private readonly inHand: { tag: string; label: string | null }[] = [];
  private readonly presets: SimulatorPreset[];
  private readonly onHooksChanged: (hooks: SimulatedHook[]) => void;
  private readonly labels = new Map<string, string>();
  private open = false;
  private locked = true;
  private relock: NodeJS.Timeout | null = null;
  /** The last tones the buzzer sounded, oldest first (at most {@link BEEPS_KEPT}). */
  readonly beeps: BuzzerTone[] = [];

  constructor(options: SimulatedDriverOptions = {}) {
    super();
    this.hooks = (options.hooks ?? []).map((h) => ({ ...h }));
    this.presets = options.presets ?? [];
    this.onHooksChanged = options.onHooksChanged ?? (() => undefined);
  }

  /** Replaces the cabinet's hooks and their contents (the first snapshot seeds them). */
  load(hooks: SimulatedHook[]): void {
    this.hooks = hooks.map((h) => ({ ...h }));
    this.onHooksChanged(this.copyHooks());
  }

  /** Tells the panel each tag's key label (the demo shows labels; real tags are anonymous). */
  setLabels(labels: ReadonlyMap<string, string>): void {
    this.labels.clear();
    for (const [tag, label] of labels) {
      this.labels.set(tag, label);
    }
  }

  /** Whether the cabinet has hooks yet. */
  hasHooks(): boolean {
    return this.hooks.length > 0;
  }

  /** Does what the panel asked; throws {@link SimulatorRefusal} when the cabinet cannot. */
  apply(action: SimulatorAction): void {
    switch (action.type) {
      case "badge":
        this.emit("badge", { number: action.number });
        return;
      case "finger":
        this.emit("fingerprint", { ref: action.ref });
        return;
      case "tag":
        this.emit("console_tag", { code: action.code });
        return;
      case "lift": {
        const hook = this.hook(action.hook);
        if (hook.tag === null) {
          throw new SimulatorRefusal(`Hook ${action.hook} is empty.`);
        }
        const tag = hook.tag;
        this.inHand.push({ tag, label: hook.label });
        hook.tag = null;
        hook.label = null;
        this.onHooksChanged(this.copyHooks());
        this.emit("key_lifted", { hook: action.hook, tag });
        return;
      }
      case "hang": {
        const hook = this.hook(action.hook);
        if (hook.tag !== null) {
          throw new SimulatorRefusal(`Hook ${action.hook} already holds a key.`);
        }
        const held = this.inHand.findIndex((k) => k.tag === action.tag);
        const [fromHand] = held >= 0 ? this.inHand.splice(held, 1) : [];
        hook.tag = action.tag;
        hook.label = fromHand?.label ?? this.labels.get(action.tag) ?? null;
        this.onHooksChanged(this.copyHooks());
        this.emit("key_hung", { hook: action.hook, tag: action.tag });
        return;
      }
      case "door":
        if (action.open === this.open) {
          return;
        }
        this.open = action.open;
        if (action.open) {
          this.clearRelock();
          this.emit("door_opened", { locked: this.locked });
        } else {
          // why: a released strike latches again as the door shuts
          this.locked = true;
          this.emit("door_closed", {});
        }
        return;
    }
  }

  /** The cabinet as the panel draws it. */
  state(): SimulatorState {
    return {
      door: { locked: this.locked, open: this.open },
      hooks: this.hooks.map((h) => ({
        number: h.number,
        module: h.module,
        tag: h.tag,
        label: h.label,
        light: this.lights.get(h.number) ?? "off",
      })),
      inHand: this.inHand.map((k) => ({ ...k })),
      presets: this.presets.map((p) => ({ ...p })),
    };
  }

  async releaseDoor(seconds: number): Promise<void> {
    this.locked = false;
    this.clearRelock();
    if (!this.open) {
      this.relock = setTimeout(() => {
        if (!this.open) {
          this.locked = true;
        }
      }, seconds * 1000);
      this.relock.unref();
    }
  }

  async lockDoor(): Promise<void> {
    this.clearRelock();
    this.locked = true;
  }

  door(): { open: boolean; locked: boolean } {
    return { open: this.open, locked: this.locked };
  }

  async readHooks(): Promise<HookReading[]> {
    return this.hooks.map((h) => ({ hook: h.number, tag: h.tag }));
  }

  async setHookLight(hook: number, light: HookLight): Promise<void> {
    this.lights.set(hook, light);
  }

  async beep(tone: BuzzerTone): Promise<void> {
    this.beeps.push(tone);
    if (this.beeps.length > BEEPS_KEPT) {
      this.beeps.shift();
    }
  }

  async close(): Promise<void> {
    this.clearRelock();
    this.removeAllListeners();
  }

  private hook(number: number): SimulatedHook {
    const hook = this.hooks.find((h) => h.number === number);
    if (!hook) {
      throw new SimulatorRefusal(`This cabinet has no hook ${number}.`);
    }
    return hook;
  }

  private copyHooks(): SimulatedHook[] {
    return this.hooks.map((h) => ({ ...h }));
  }

  private clearRelock(): void {
    if (this.relock) {
      clearTimeout(this.relock);
      this.relock = null;
    }
  }
}
