/**
 * The permission snapshot as the agent uses it: verified against the server key from enrolment, parsed, and indexed
 * for the visit's look-ups (badge digest, fingerprint reference, tag, unit number).
 */
import { type SignedSnapshot, SnapshotBody, type SnapshotCredential } from "@keyward/contracts/cabinet-sync";
import type { PolicyGrant, PolicyKey } from "@keyward/domain/checkout-policy";
import { sha256Hex, snapshotMessage, verifyMessage } from "@keyward/domain/event-chain";
import { KEY_KINDS, KEY_STATUSES, type KeyKind, type KeyStatus } from "@keyward/domain/vocabulary";
import { z } from "zod";

/** A snapshot the agent refuses: bad signature, wrong cabinet, or a body that does not parse. */
export class SnapshotRejected extends Error {}

const LocalDate = z.string().nullable();

const Grant = z.object({
  assignment: z.object({
    id: z.string(),
    propertyId: z.string(),
    personId: z.string(),
    accessProfileId: z.string(),
    status: z.enum(["active", "revoked"]),
    validFrom: LocalDate,
    validUntil: LocalDate,
  }),
  profile: z.object({
    id: z.string(),
    propertyId: z.string(),
    status: z.enum(["active", "archived"]),
    // why: the server stores scopes and conditions as written; an absent field means the narrowest reading
    keyScope: z.object({
      allKeys: z.boolean().default(false),
      buildingIds: z.array(z.string()).default([]),
      unitIds: z.array(z.string()).default([]),
      keySetIds: z.array(z.string()).default([]),
      keyKinds: z.array(z.enum(KEY_KINDS)).default([]),
      includeRestricted: z.boolean().default(false),
    }),
    windows: z.array(
      z.object({
        days: z.array(z.literal([1, 2, 3, 4, 5, 6, 7])),
        start: z.string(),
        end: z.string(),
      }),
    ),
    holidayCalendarId: z.string().nullable(),
    validFrom: LocalDate,
    validUntil: LocalDate,
    maxKeysOut: z.number().int().nullable(),
    maxDurationMinutes: z.number().int().nullable(),
    curfewTime: z.string().nullable(),
    conditions: z.object({
      witness: z.boolean().default(false),
      managerApproval: z.boolean().default(false),
      keyPairing: z.boolean().default(false),
    }),
  }),
});

/**
 * Verifies a signed snapshot with the server's key and parses it; throws {@link SnapshotRejected} on any doubt.
 * why: the snapshot decides who may open the door; a body the server did not sign, or meant for another cabinet,
 * must never be applied.
 */
export function verifySnapshot(signed: SignedSnapshot, serverPublicKey: string, cabinetId: string): SnapshotBody {
  if (!verifyMessage(serverPublicKey, snapshotMessage(signed.body), signed.signature)) {
    throw new SnapshotRejected("the snapshot's signature does not verify with the server key from enrolment");
  }
  let json: unknown;
  try {
    json = JSON.parse(signed.body);
  } catch (error) {
    throw new SnapshotRejected("the snapshot body is not JSON", { cause: error });
  }
  const parsed = SnapshotBody.safeParse(json);
  if (!parsed.success) {
    throw new SnapshotRejected(`the snapshot body does not parse: ${parsed.error.message}`);
  }
  if (parsed.data.version !== signed.version) {
    throw new SnapshotRejected("the snapshot's version differs from the version it was sent as");
  }
  if (parsed.data.cabinet.id !== cabinetId) {
    throw new SnapshotRejected("the snapshot is for another cabinet");
  }
  for (const grant of parsed.data.grants) {
    if (!Grant.safeParse(grant).success) {
      throw new SnapshotRejected("the snapshot holds a grant the agent cannot read");
    }
  }
  return parsed.data;
}

/** A snapshot key with its policy fields resolved. */
export interface ViewKey extends PolicyKey {
  label: string;
  tagCode: string;
  unitNumber: string | null;
  /** The hook the server last knew it on in this cabinet. */
  snapshotHook: number | null;
}

/** A parsed snapshot indexed for the visit. */
export interface SnapshotView {
  body: SnapshotBody;
  grants: PolicyGrant[];
  keys: Map<string, ViewKey>;
  keysByTag: Map<string, ViewKey>;
  personOfBadge(number: string): string | null;
  personOfFingerprint(ref: string): string | null;
  pinCredentialOf(personId: string): SnapshotCredential | null;
}

function keyKind(kind: string): KeyKind {
  return (KEY_KINDS as readonly string[]).includes(kind) ? (kind as KeyKind) : "other";
}

function keyStatus(status: string): KeyStatus {
  // why: a status this agent does not know (a newer server) must not make a key takeable
  return (KEY_STATUSES as readonly string[]).includes(status) ? (status as KeyStatus) : "retired";
}

/** Indexes a verified snapshot. */
export function viewOf(body: SnapshotBody): SnapshotView {
  const grants = body.grants.map((g) => Grant.parse(g) satisfies PolicyGrant);
  const keys = new Map<string, ViewKey>();
  const keysByTag = new Map<string, ViewKey>();
  for (const k of body.keys) {
    const key: ViewKey = {
      id: k.id,
      propertyId: body.property.id,
      unitId: k.unitId,
      buildingId: k.buildingId,
      keySetId: k.keySetId,
      kind: keyKind(k.kind),
      status: keyStatus(k.status),
      restricted: k.restricted,
      label: k.label,
      tagCode: k.tagCode,
      unitNumber: k.unitNumber,
      snapshotHook: k.hookNumber,
    };
    keys.set(key.id, key);
    keysByTag.set(key.tagCode, key);
  }
  const badges = new Map<string, string>();
  const fingers = new Map<string, string>();
  const pins = new Map<string, SnapshotCredential>();
  for (const c of body.credentials) {
    if (c.kind === "badge" && c.badgeDigest) {
      badges.set(c.badgeDigest, c.personId);
    } else if (c.kind === "fingerprint" && c.fingerprintRef) {
      fingers.set(c.fingerprintRef, c.personId);
    } else if (c.kind === "pin" && c.pinHash) {
      pins.set(c.personId, c);
    }
  }
  return {
    body,
    grants,
    keys,
    keysByTag,
    personOfBadge: (number) => badges.get(sha256Hex(`${body.badgeSalt}:${number}`)) ?? null,
    personOfFingerprint: (ref) => fingers.get(ref) ?? null,
    pinCredentialOf: (personId) => pins.get(personId) ?? null,
  };
}
