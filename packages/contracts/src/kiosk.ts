/**
 * The agent ↔ kiosk protocol. The agent owns the visit (readers, door and hooks are on its side); the kiosk renders
 * the state it is sent and posts the person's touches back. Served by the agent on its kiosk port:
 * - `GET  /api/kiosk/state`    → KioskState
 * - `GET  /api/kiosk/stream`   → Server-Sent Events, each `data:` a full KioskState, sent on every change
 * - `POST /api/kiosk/actions`  KioskAction → KioskState (a refused step answers 200 with a `denied` screen or a
 *   `feedback` of tone "refuse"; 400 only for a malformed action)
 * - with the simulated driver only: `POST /api/simulator` SimulatorAction → KioskState (its `simulator` field set)
 */
import { z } from "zod";
import { Id, Timestamp } from "./common.ts";

export const KIOSK_LANGUAGES = ["en", "es"] as const;
export type KioskLanguage = (typeof KIOSK_LANGUAGES)[number];

const FactorKind = z.enum(["badge", "fingerprint", "user_code", "pin"]);

export const KioskKey = z.object({
  id: Id,
  label: z.string(),
  kind: z.string(),
  unitNumber: z.string().nullable(),
  hook: z.number().int().nullable(),
  /** Null when the person may take it now; otherwise the denial code and its sentence in the kiosk's language. */
  unavailable: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type KioskKey = z.infer<typeof KioskKey>;

export const KioskReason = z.object({
  id: Id,
  label: z.string(),
  requiresWorkOrder: z.boolean(),
});

/**
 * What the screen shows. One visit moves idle → identify → choose_keys → reason → take → done → idle; returning and
 * "my keys" branch off choose_keys (its `menu` actions) and come back to it. The agent no longer shows `menu` after
 * identification (a usual take then costs two to four touches); the screen stays in the protocol.
 */
export const KioskScreen = z.discriminatedUnion("name", [
  /** Waiting for a badge, a finger or a user code. */
  z.object({ name: z.literal("idle"), accepts: z.array(FactorKind) }),
  /** A first factor was presented; `needs` is what the cabinet's policy asks for next. */
  z.object({
    name: z.literal("identify"),
    firstName: z.string().nullable(),
    needs: z.array(FactorKind),
    /** Seconds before the next PIN try is allowed, after repeated failures. */
    waitSeconds: z.number().int().nullable(),
  }),
  z.object({ name: z.literal("menu"), firstName: z.string(), keysOut: z.number().int() }),
  /**
   * Find a unit by number, pick its keys; the first screen after identification, which also offers returning keys
   * and the person's keys out (`menu` actions).
   */
  z.object({
    name: z.literal("choose_keys"),
    unitNumber: z.string().nullable(),
    keys: z.array(KioskKey),
    selected: z.array(Id),
    /** The identified person's first name, for the greeting. */
    firstName: z.string().optional(),
    /** How many keys the person has out now. */
    keysOut: z.number().int().optional(),
  }),
  z.object({
    name: z.literal("reason"),
    reasons: z.array(KioskReason),
    selected: z.array(Id),
    /** The selected keys' labels, in the same order (the agent may have chosen a unit's only key itself). */
    labels: z.array(z.string()).optional(),
  }),
  /** Door released; each granted key's hook is lit until it is lifted. */
  z.object({
    name: z.literal("take"),
    hooks: z.array(z.object({ hook: z.number().int(), keyId: Id, label: z.string(), taken: z.boolean() })),
    dueAt: Timestamp.nullable(),
    doorOpen: z.boolean(),
  }),
  /** Scan a key's tag to return it. */
  z.object({ name: z.literal("return_scan"), returned: z.array(z.object({ keyId: Id, label: z.string() })) }),
  /** Hang the scanned key on the lit hook. */
  z.object({
    name: z.literal("return_hang"),
    hook: z.number().int(),
    keyId: Id,
    label: z.string(),
    hung: z.boolean(),
    doorOpen: z.boolean(),
  }),
  z.object({
    name: z.literal("my_keys"),
    keys: z.array(
      z.object({
        keyId: Id,
        label: z.string(),
        unitNumber: z.string().nullable(),
        outAt: Timestamp,
        dueAt: Timestamp.nullable(),
      }),
    ),
  }),
  /**
   * A refusal that says what to do; `next` is where the next touch goes: "idle" ends the visit, "menu" goes `back` to
   * the visit's first screen after identification (choose_keys).
   */
  z.object({ name: z.literal("denied"), code: z.string(), message: z.string(), next: z.enum(["idle", "menu"]) }),
  z.object({ name: z.literal("done"), message: z.string() }),
  /**
   * A person chooses their own PIN with the one-time activation code their manager gave them (online only): they
   * present their badge or finger, type the code, choose a PIN and type it again; the agent sends it to the server.
   */
  z.object({
    name: z.literal("set_pin"),
    step: z.enum(["identify", "activation_code", "new_pin", "repeat_pin"]),
    firstName: z.string().nullable(),
  }),
  /**
   * A profile demands a witness for the keys chosen (dual custody): a second person, allowed at this property,
   * identifies with the cabinet's factors; `needs` is what the policy asks of the witness next.
   */
  z.object({
    name: z.literal("witness"),
    firstName: z.string().nullable(),
    needs: z.array(FactorKind),
    waitSeconds: z.number().int().nullable(),
  }),
  /** Ordinary access has stopped (no snapshot, or one older than the property allows). */
  z.object({ name: z.literal("stopped"), code: z.string(), message: z.string() }),
]);
export type KioskScreen = z.infer<typeof KioskScreen>;
export type KioskScreenName = KioskScreen["name"];

export const HOOK_LIGHTS = ["off", "take", "return", "alarm"] as const;

/** The simulated cabinet as the demo panel draws it. */
export const SimulatorState = z.object({
  door: z.object({ locked: z.boolean(), open: z.boolean() }),
  hooks: z.array(
    z.object({
      number: z.number().int(),
      module: z.number().int(),
      /** The tag on the hook, if a key hangs there. */
      tag: z.string().nullable(),
      /** The key's label, for the demo panel only (real tags are anonymous). */
      label: z.string().nullable(),
      light: z.enum(HOOK_LIGHTS),
    }),
  ),
  /** Keys the simulated person holds (lifted and not hung back). */
  inHand: z.array(z.object({ tag: z.string(), label: z.string().nullable() })),
  /** Badges, fingers and PINs of the demo people, so the panel can present them. */
  presets: z.array(
    z.object({
      label: z.string(),
      badge: z.string().nullable(),
      fingerprint: z.string().nullable(),
      pin: z.string().nullable(),
    }),
  ),
});
export type SimulatorState = z.infer<typeof SimulatorState>;

export const KioskState = z.object({
  cabinet: z.object({ id: Id, name: z.string() }),
  language: z.enum(KIOSK_LANGUAGES),
  /** The property's IANA time zone: due times and "since" are shown in it, whatever the cabinet computer's zone. */
  timeZone: z.string().nullable().optional(),
  online: z.boolean(),
  snapshot: z.object({ version: z.number().int().nullable(), ageMinutes: z.number().int().nullable() }),
  screen: KioskScreen,
  /** The last accepted or refused step; the kiosk beeps when `id` changes. */
  feedback: z
    .object({ id: z.number().int(), tone: z.enum(["accept", "refuse"]), message: z.string().nullable() })
    .nullable(),
  /** Present with the simulated driver only. */
  simulator: SimulatorState.optional(),
});
export type KioskState = z.infer<typeof KioskState>;

export const KioskAction = z.discriminatedUnion("type", [
  z.object({ type: z.literal("user_code"), code: z.string().min(1).max(32) }),
  z.object({ type: z.literal("pin"), pin: z.string().min(1).max(32) }),
  /** From choose_keys: start the choice over, return keys, or list one's keys out. */
  z.object({ type: z.literal("menu"), choice: z.enum(["take", "return", "my_keys"]) }),
  /** Lists a unit's keys; when exactly one may be taken now (and none is chosen yet) it is chosen → reason. */
  z.object({ type: z.literal("find_unit"), number: z.string().min(1).max(32) }),
  z.object({ type: z.literal("toggle_key"), keyId: Id }),
  /** From choose_keys: go on to the reason with the selected keys. */
  z.object({ type: z.literal("confirm_keys") }),
  /** From reason: decide, and on a grant release the door and light the hooks. */
  z.object({ type: z.literal("reason"), reasonCodeId: Id, workOrder: z.string().max(64).nullable() }),
  z.object({ type: z.literal("back") }),
  /** End the visit (also what 30 s without a touch does). */
  z.object({ type: z.literal("cancel") }),
  z.object({ type: z.literal("language"), language: z.enum(KIOSK_LANGUAGES) }),
  /** From idle: start choosing one's PIN with an activation code (→ set_pin). */
  z.object({ type: z.literal("set_pin") }),
  /** On set_pin: the activation code the manager handed out. */
  z.object({ type: z.literal("activation_code"), code: z.string().min(1).max(32) }),
  /** On set_pin: the new PIN, then the same again. */
  z.object({ type: z.literal("choose_pin"), pin: z.string().min(1).max(32) }),
]);
export type KioskAction = z.infer<typeof KioskAction>;

/** What the demo panel can do to the simulated cabinet. */
export const SimulatorAction = z.discriminatedUnion("type", [
  z.object({ type: z.literal("badge"), number: z.string().min(1).max(64) }),
  z.object({ type: z.literal("finger"), ref: z.string().min(1).max(128) }),
  /** A tag held to the console's reader (return). */
  z.object({ type: z.literal("tag"), code: z.string().min(1).max(200) }),
  z.object({ type: z.literal("lift"), hook: z.number().int().min(1) }),
  z.object({ type: z.literal("hang"), hook: z.number().int().min(1), tag: z.string().min(1).max(200) }),
  /** Open or close the door by hand; opening it while locked is forcing it. */
  z.object({ type: z.literal("door"), open: z.boolean() }),
]);
export type SimulatorAction = z.infer<typeof SimulatorAction>;
