/**
 * Persisted vocabularies the domain rules and the API contracts share. Stable string keys: they are stored in the
 * database and in years of events, so values are only ever added.
 */

/** Kinds of key. */
export const KEY_KINDS = ["unit", "common_area", "master", "sub_master", "vehicle", "other"] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** Where a key is. */
export const KEY_STATUSES = ["in", "out", "lost", "retired", "with_resident"] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

/** Which two factors a cabinet demands; a fingerprint alone never suffices. */
export const FACTOR_POLICIES = ["badge_pin", "fingerprint_pin", "badge_fingerprint"] as const;
export type FactorPolicy = (typeof FACTOR_POLICIES)[number];
