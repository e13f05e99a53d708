/**
 * The cabinet ↔ server protocol (DESIGN.md "Cabinet ↔ server"): enrolment, the signed snapshot, the stream that
 * announces new snapshot versions and carries commands down, and event uploads. Agent and server both validate
 * against these schemas.
 *
 * Authentication: every request after enrolment carries
 * - `x-keyward-device`: the device id returned at enrolment,
 * - `x-keyward-time`: the device's clock (ISO-8601), corrected by the offset it learned from the server's `Date`,
 * - `x-keyward-signature`: base64url Ed25519 signature by the device key of
 *   `requestMessage(method, pathWithQuery, time, rawBody)` (`@keyward/domain/event-chain`).
 * The server refuses a time more than {@link REQUEST_CLOCK_SKEW_SECONDS} away from its own (`stale_request`), so a
 * captured request cannot be replayed later; a replayed upload within the window is harmless (stored once).
 */
import { CABINET_EVENT_ACTIONS } from "@keyward/domain/event-actions";
import type { PinProblem } from "@keyward/domain/pin-rules";
import { z } from "zod";
import { Id, Timestamp } from "./common.ts";

/** How far a device's request time may be from the server's clock. */
export const REQUEST_CLOCK_SKEW_SECONDS = 300;

/** Header names of a device-signed request. */
export const DEVICE_HEADERS = {
  device: "x-keyward-device",
  time: "x-keyward-time",
  signature: "x-keyward-signature",
} as const;

/** The closed set of refusals of the cabinet protocol (the `code` of the error body). */
export const SYNC_ERROR_CODES = [
  "malformed_upload",
  "unknown_device",
  "device_retired",
  "bad_signature",
  "stale_request",
  "sequence_gap",
  "chain_fork",
  "bad_hash",
  "enrollment_code_invalid",
] as const;
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

export const SyncErrorBody = z
  .object({
    code: z.enum(SYNC_ERROR_CODES),
    message: z.string(),
    /** For `sequence_gap` and `chain_fork`: the next sequence number the server expects, and its chain head. */
    expectedSeq: z.number().int().optional(),
    headHash: z.string().optional(),
  })
  .meta({ id: "SyncError" });
export type SyncErrorBody = z.infer<typeof SyncErrorBody>;

const Base64Url = z.string().regex(/^[A-Za-z0-9_-]+$/, "base64url");
const Hash = z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits");

// ---------------------------------------------------------------- enrolment

/** `POST /api/v1/cabinets/:id/enrollment-codes` (dashboard): a one-time code, shown once. */
export const EnrollmentCode = z
  .object({
    cabinetId: Id,
    code: z.string().describe("One-time code to type into `keyward agent enroll`; shown once"),
    expiresAt: Timestamp,
  })
  .meta({ id: "EnrollmentCode" });
export type EnrollmentCode = z.infer<typeof EnrollmentCode>;

/** `POST /api/v1/agent/enroll` (public; the code is the credential). */
export const EnrollRequest = z.object({
  code: z.string().min(8).max(64),
  publicKey: Base64Url.length(43).describe("Ed25519 public key, base64url of the raw 32 bytes"),
  agentVersion: z.string().max(64),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z.object({
  deviceId: Id,
  cabinetId: Id,
  organizationId: Id,
  propertyId: Id,
  cabinetName: z.string(),
  serverPublicKey: Base64Url.describe("The key that signs snapshots; the agent trusts no other"),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

// ---------------------------------------------------------------- snapshot

/** A credential as the cabinet checks it. Verifiers only: no PIN, and badge numbers as salted digests. */
export const SnapshotCredential = z.object({
  id: Id,
  personId: Id,
  kind: z.enum(["badge", "pin", "fingerprint"]),
  /** sha256Hex(`${snapshot.badgeSalt}:${badgeNumber}`) for a badge. */
  badgeDigest: z.string().nullable(),
  /** argon2id PHC string for a PIN that has been set; null while only an activation code exists. */
  pinHash: z.string().nullable(),
  /** The reader's enrolment reference for a fingerprint (templates never leave the reader). */
  fingerprintRef: z.string().nullable(),
  /**
   * A PIN's lockout as the server holds it from every cabinet's reports: consecutive failures and when the last one
   * happened. The agent uses the stricter of this and its own count for the same PIN hash. Absent from other kinds.
   */
  pinLockout: z
    .object({ failures: z.number().int().min(0), lastFailureAt: Timestamp.nullable() })
    .nullable()
    .optional(),
});
export type SnapshotCredential = z.infer<typeof SnapshotCredential>;

export const SnapshotPerson = z.object({
  id: Id,
  firstName: z.string(),
  lastName: z.string(),
  status: z.enum(["active", "inactive"]),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  /** Keys this person holds now, anywhere in the organization (for the keys-out limit). */
  keysOut: z.array(Id),
});
export type SnapshotPerson = z.infer<typeof SnapshotPerson>;

export const SnapshotKey = z.object({
  id: Id,
  label: z.string(),
  tagCode: z.string(),
  kind: z.string(),
  status: z.string(),
  unitId: z.string().nullable(),
  unitNumber: z.string().nullable(),
  buildingId: z.string().nullable(),
  keySetId: z.string().nullable(),
  restricted: z.boolean(),
  /** Where the server last knew it: this cabinet's hook, or null (out, elsewhere, lost…). */
  hookNumber: z.number().int().nullable(),
});
export type SnapshotKey = z.infer<typeof SnapshotKey>;

export const SnapshotUnit = z.object({ id: Id, number: z.string(), buildingId: z.string().nullable() });

export const SnapshotReason = z.object({
  id: Id,
  code: z.string(),
  label: z.string(),
  requiresWorkOrder: z.boolean(),
  defaultDueMinutes: z.number().int().nullable(),
});

/**
 * Everything a cabinet decides from. `grants` are the domain's `PolicyGrant`s of the people allowed at this
 * property; `holidayCalendars` maps calendar id → holiday dates. The body is sent as canonical JSON text and signed.
 */
export const SnapshotBody = z.object({
  format: z.literal(1),
  version: z.number().int().min(1),
  issuedAt: Timestamp,
  organizationId: Id,
  cabinet: z.object({
    id: Id,
    name: z.string(),
    factorPolicy: z.enum(["badge_pin", "fingerprint_pin", "badge_fingerprint"]),
    modules: z.number().int(),
    hooksPerModule: z.number().int(),
    /** Hook numbers out of service. */
    disabledHooks: z.array(z.number().int()),
    status: z.string(),
  }),
  property: z.object({
    id: Id,
    name: z.string(),
    timeZone: z.string(),
    maxOfflineMinutes: z.number().int(),
  }),
  settings: z.object({
    doorHeldSeconds: z.number().int(),
    language: z.enum(["en", "es"]),
  }),
  badgeSalt: z.string(),
  people: z.array(SnapshotPerson),
  credentials: z.array(SnapshotCredential),
  grants: z.array(
    z.object({ assignment: z.record(z.string(), z.unknown()), profile: z.record(z.string(), z.unknown()) }),
  ),
  holidayCalendars: z.record(z.string(), z.array(z.string())),
  reasons: z.array(SnapshotReason),
  units: z.array(SnapshotUnit),
  keys: z.array(SnapshotKey),
});
export type SnapshotBody = z.infer<typeof SnapshotBody>;

/** `GET /api/v1/agent/snapshot`: the canonical JSON body and the server's signature of `snapshotMessage(body)`. */
export const SignedSnapshot = z.object({
  version: z.number().int(),
  body: z.string(),
  signature: Base64Url,
});
export type SignedSnapshot = z.infer<typeof SignedSnapshot>;

// ---------------------------------------------------------------- stream

/** Commands the server sends down. They expire: a remote release must not fire an hour late. */
export const CabinetCommand = z.object({
  id: Id,
  kind: z.enum(["remote_release"]),
  reason: z.string(),
  requestedBy: z.string().nullable(),
  requestedAt: Timestamp,
  expiresAt: Timestamp,
  params: z.object({ seconds: z.number().int().min(1).max(120).optional() }),
});
export type CabinetCommand = z.infer<typeof CabinetCommand>;

/**
 * `GET /api/v1/agent/stream`: Server-Sent Events, each `data:` one JSON message below. On connect the server sends
 * `hello` and every pending command; then `snapshot` whenever the version changes; `ping` every 15 s. Each command
 * is signed by the server key, like the snapshot: the stream's transport is not what the agent trusts.
 */
export const StreamMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), snapshotVersion: z.number().int(), serverTime: Timestamp }),
  z.object({ type: z.literal("snapshot"), version: z.number().int() }),
  z.object({
    type: z.literal("command"),
    command: CabinetCommand,
    /**
     * base64url Ed25519 signature by the server key of `commandMessage(command)` (`@keyward/domain/event-chain`), over
     * the command object as sent. Agents refuse a command without a valid one.
     */
    signature: Base64Url.optional(),
  }),
  z.object({ type: z.literal("ping"), serverTime: Timestamp }),
]);
export type StreamMessage = z.infer<typeof StreamMessage>;

// ---------------------------------------------------------------- events upstream

/**
 * What a cabinet records. Each is also the organization event's action when the server appends it. Additive-only.
 */
export const CABINET_EVENT_TYPES = CABINET_EVENT_ACTIONS;
export type CabinetEventType = (typeof CABINET_EVENT_TYPES)[number];

/**
 * The alarms among them: the dashboard counts these on the cabinet's state.
 * why: `cabinet.duress_signalled` is not one: whoever forced the person may be watching the cabinet's state
 */
export const CABINET_ALARMS = [
  "door.held_open",
  "door.forced",
  "key.wrong_hook",
  "key.removed_without_session",
] as const satisfies readonly CabinetEventType[];

const Visit = z.string().max(64).nullable();
const Factors = z.array(z.enum(["badge", "fingerprint", "user_code", "pin"]));

/** The data of each cabinet event type. `visitId` groups the events of one person's visit. */
export const CabinetEventData = {
  "cabinet.agent_started": z.object({ agentVersion: z.string(), snapshotVersion: z.number().int().nullable() }),
  "cabinet.snapshot_applied": z.object({ version: z.number().int() }),
  "cabinet.snapshot_expired": z.object({ version: z.number().int().nullable(), ageMinutes: z.number().int() }),
  "cabinet.identified": z.object({
    visitId: z.string(),
    personId: Id,
    factors: Factors,
    /** The PIN credential that matched, when a PIN was among the factors: its lockout count starts again. */
    pinCredentialId: Id.optional(),
  }),
  "cabinet.identification_failed": z.object({
    visitId: Visit,
    personId: Id.nullable(),
    credentialId: Id.nullable(),
    factor: z.enum(["badge", "fingerprint", "user_code", "pin"]),
    code: z.string(),
    /** Consecutive PIN failures after this one, when a PIN failed. */
    pinFailures: z.number().int().optional(),
  }),
  "cabinet.access_denied": z.object({
    visitId: Visit,
    personId: Id.nullable(),
    keyIds: z.array(Id),
    code: z.string(),
    params: z.record(z.string(), z.unknown()),
  }),
  "cabinet.remote_release_executed": z.object({ commandId: Id, seconds: z.number().int() }),
  "door.released": z.object({
    visitId: Visit,
    personId: Id.nullable(),
    purpose: z.enum(["take", "return", "remote_release"]),
    commandId: Id.nullable(),
  }),
  "door.opened": z.object({ visitId: Visit }),
  "door.closed": z.object({ visitId: Visit, openSeconds: z.number().int() }),
  "door.held_open": z.object({ visitId: Visit, seconds: z.number().int() }),
  "door.forced": z.object({}),
  "key.taken": z.object({
    visitId: Visit,
    /** Chosen by the agent, so the server opens exactly one checkout however often the event arrives. */
    checkoutId: Id,
    keyId: Id,
    hook: z.number().int(),
    personId: Id.nullable(),
    /** False when the key was lifted without being granted (a wrong hook kept, or no session at all). */
    authorized: z.boolean(),
    reasonCodeId: Id.nullable(),
    workOrder: z.string().nullable(),
    dueAt: Timestamp.nullable(),
    /** The second person who confirmed the checkout at the console, when a profile demanded a witness. */
    witnessPersonId: Id.nullable().optional(),
  }),
  "key.returned": z.object({ visitId: Visit, keyId: Id, hook: z.number().int(), personId: Id.nullable() }),
  "key.wrong_hook": z.object({
    visitId: Visit,
    personId: Id.nullable(),
    hook: z.number().int(),
    keyId: Id.nullable(),
    /** The hooks the person was meant to take from (or hang on). */
    expectedHooks: z.array(z.number().int()),
  }),
  "key.removed_without_session": z.object({ hook: z.number().int(), keyId: Id.nullable() }),
  "key.unknown_tag": z.object({ visitId: Visit, tag: z.string().max(200) }),
  /**
   * The person identifying (or a witness) typed their PIN followed by the duress digit: the cabinet behaved as for
   * their PIN and says so here only. No PIN material; the server raises a silent alert from it.
   */
  "cabinet.duress_signalled": z.object({ visitId: z.string(), personId: Id, credentialId: Id }),
} as const satisfies Record<CabinetEventType, z.ZodType>;

/** One event as uploaded: the chained body and its hash (`eventHash` in `@keyward/domain/event-chain`). */
export const UploadedEvent = z.object({
  seq: z.number().int().min(1),
  prevHash: Hash,
  hash: Hash,
  // why: exactly the form `Date.prototype.toISOString` writes, so the instant reads back from either database as the
  // very string the device hashed, and anyone can re-check the hash from the stored row
  occurredAt: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, "an instant as YYYY-MM-DDTHH:MM:SS.sssZ (UTC)"),
  type: z.enum(CABINET_EVENT_TYPES),
  data: z.record(z.string(), z.unknown()),
});
export type UploadedEvent = z.infer<typeof UploadedEvent>;

/**
 * `POST /api/v1/agent/events`: consecutive events, oldest first, and the device's signature of
 * `chainHeadMessage(deviceId, last.seq, last.hash)`. A batch may begin at or before the stored head (a retry);
 * what is already stored must match byte for byte (else `chain_fork`), and it must not begin after head + 1
 * (`sequence_gap`).
 */
export const UploadRequest = z.object({
  events: z.array(UploadedEvent).min(1).max(500),
  headSignature: Base64Url,
});
export type UploadRequest = z.infer<typeof UploadRequest>;

export const UploadResponse = z.object({
  /** Every event up to this seq is stored; the agent may drop them from its outbox. */
  acknowledgedSeq: z.number().int(),
  stored: z.number().int(),
  duplicates: z.number().int(),
});
export type UploadResponse = z.infer<typeof UploadResponse>;

// ---------------------------------------------------------------- PIN activation at the kiosk

/**
 * `POST /api/v1/agent/pin-activations` (device-signed): a person chose their PIN at the cabinet with the one-time
 * activation code their manager gave them. The credential must be of the device's organization and belong to a person
 * with a profile assignment at the device's property. Neither the code nor the PIN is ever journalled or logged.
 */
export const AgentPinActivationRequest = z.object({
  credentialId: Id,
  activationCode: z.string().min(1).max(64),
  pin: z.string().min(1).max(32),
});
export type AgentPinActivationRequest = z.infer<typeof AgentPinActivationRequest>;

export const AgentPinActivationResponse = z.object({ ok: z.literal(true) });

/** Why a PIN could not be set: a wrong or expired code, a PIN the rules refuse, or too many wrong codes. */
export const PIN_ACTIVATION_REFUSALS = ["activation_code_invalid", "pin_rejected", "too_many_attempts"] as const;
export type PinActivationRefusalCode = (typeof PIN_ACTIVATION_REFUSALS)[number];

/** The organization's PIN rules a PIN can break (`checkPin` in `@keyward/domain/pin-rules`). */
export const PIN_PROBLEMS = [
  "not_digits",
  "too_short",
  "too_long",
  "repeated",
  "sequential",
  "common",
] as const satisfies readonly PinProblem[];

/** The refusal of a PIN activation (400, or 429 for `too_many_attempts`), for the kiosk to say in its language. */
export const PinActivationRefusal = z
  .object({
    code: z.enum(PIN_ACTIVATION_REFUSALS),
    /** In English, for logs and other clients. */
    message: z.string(),
    /** For `pin_rejected`: the rule broken, and the organization's minimum length. */
    problem: z.enum(PIN_PROBLEMS).optional(),
    minLength: z.number().int().optional(),
    /** For `too_many_attempts`: how long before the next try. */
    retryAfterSeconds: z.number().int().optional(),
  })
  .meta({ id: "PinActivationRefusal" });
export type PinActivationRefusal = z.infer<typeof PinActivationRefusal>;
