/**
 * The checkout policy: whether a person may take these keys now, under which profile, until when, and on which extra
 * conditions. The cabinet agent runs it offline on its snapshot and the server runs it for manual checkouts, so both
 * decide alike. Pure: `now` and every record are arguments.
 */
import { type Denial, denial } from "./denials.ts";
import { isWithinWindows, localTime, minutesOf, type WeeklyWindow } from "./schedule.ts";
import type { KeyKind, KeyStatus } from "./vocabulary.ts";
import { addDays, instantAtLocal } from "./zoned-time.ts";

/** Which keys a profile covers (the contracts' KeyScope). */
export interface KeyScope {
  allKeys: boolean;
  buildingIds: readonly string[];
  unitIds: readonly string[];
  keySetIds: readonly string[];
  keyKinds: readonly KeyKind[];
  includeRestricted: boolean;
}

/** Extra conditions a profile puts on a checkout. */
export interface ProfileConditions {
  witness: boolean;
  managerApproval: boolean;
  keyPairing: boolean;
}

/** The fields of an access profile the policy reads. Dates are local dates (YYYY-MM-DD), inclusive. */
export interface PolicyProfile {
  id: string;
  propertyId: string;
  status: "active" | "archived";
  keyScope: KeyScope;
  windows: readonly WeeklyWindow[];
  holidayCalendarId: string | null;
  validFrom: string | null;
  validUntil: string | null;
  maxKeysOut: number | null;
  maxDurationMinutes: number | null;
  /** Local time of day "HH:MM" by which keys are due back. */
  curfewTime: string | null;
  conditions: ProfileConditions;
}

/** The fields of a profile assignment the policy reads. Dates are local dates, inclusive. */
export interface PolicyAssignment {
  id: string;
  propertyId: string;
  personId: string;
  accessProfileId: string;
  status: "active" | "revoked";
  validFrom: string | null;
  validUntil: string | null;
}

/** A person's assignment with the profile it assigns. */
export interface PolicyGrant {
  assignment: PolicyAssignment;
  profile: PolicyProfile;
}

/** The person asking. Dates are local dates in the property's zone, inclusive. */
export interface PolicyPerson {
  id: string;
  status: "active" | "inactive";
  startDate: string | null;
  endDate: string | null;
}

/** A requested key, with its building resolved through its unit. */
export interface PolicyKey {
  id: string;
  propertyId: string;
  unitId: string | null;
  buildingId: string | null;
  keySetId: string | null;
  kind: KeyKind;
  status: KeyStatus;
  restricted: boolean;
}

/** The fields of a reason code the policy reads. */
export interface PolicyReason {
  id: string;
  status: "active" | "archived";
  requiresWorkOrder: boolean;
  defaultDueMinutes: number | null;
}

/** Conditions the caller has already satisfied (each verified by the caller: a witness identified, an approval). */
export interface SatisfiedConditions {
  witnessPersonId?: string | null;
  managerApprovalId?: string | null;
  keyPairingConfirmed?: boolean;
}

/** Everything one checkout decision needs. */
export interface CheckoutInput {
  propertyId: string;
  /** The property's IANA time zone: windows, holidays, validity dates and curfews are read in it. */
  timeZone: string;
  /** Holiday dates (YYYY-MM-DD) of each active holiday calendar, by calendar id. */
  holidayCalendars: Readonly<Record<string, readonly string[]>>;
  person: PolicyPerson;
  grants: readonly PolicyGrant[];
  /** The keys asked for in this visit. */
  keys: readonly PolicyKey[];
  /** Ids of the keys the person holds now. */
  keysOut: readonly string[];
  reason: PolicyReason | null;
  workOrder: string | null;
  satisfied?: SatisfiedConditions;
}

/** An extra condition, persisted as a stable string key. */
export type ConditionKind = "witness" | "manager_approval" | "key_pairing";

/** A condition and the keys it applies to. */
export interface Requirement {
  condition: ConditionKind;
  keyIds: string[];
}

/** One key the decision lets the person take, the grant it is taken under, and when it is due (ISO instant). */
export interface GrantedKey {
  keyId: string;
  profileId: string;
  assignmentId: string;
  dueAt: string | null;
}

/**
 * A checkout decision. `granted`: release the keys. `conditions_required`: everything else passed, but the listed
 * conditions must be satisfied first (decide again with `satisfied`). `denied`: `denial` is the one to show first.
 */
export type CheckoutDecision =
  | { outcome: "granted"; keys: GrantedKey[]; dueAt: string | null; conditions: Requirement[] }
  | { outcome: "conditions_required"; keys: GrantedKey[]; dueAt: string | null; requirements: Requirement[] }
  | { outcome: "denied"; denial: Denial; denials: Denial[] };

/** Whether a local date lies within optional inclusive bounds. */
function within(date: string, from: string | null, until: string | null): boolean {
  // why: YYYY-MM-DD strings order like the dates they name
  return (from === null || date >= from) && (until === null || date <= until);
}

/** Whether a key lies in a scope, ignoring the restricted flag and the property. */
function scopeCovers(scope: KeyScope, key: PolicyKey): boolean {
  if (scope.allKeys) {
    return true;
  }
  const places = scope.buildingIds.length + scope.unitIds.length + scope.keySetIds.length;
  // why: buildings, units and key sets say where (any of them); kinds say what; a scope naming neither covers nothing
  if (places === 0 && scope.keyKinds.length === 0) {
    return false;
  }
  const placeOk =
    places === 0 ||
    (key.buildingId !== null && scope.buildingIds.includes(key.buildingId)) ||
    (key.unitId !== null && scope.unitIds.includes(key.unitId)) ||
    (key.keySetId !== null && scope.keySetIds.includes(key.keySetId));
  const kindOk = scope.keyKinds.length === 0 || scope.keyKinds.includes(key.kind);
  return placeOk && kindOk;
}

/**
 * Whether a profile's scope covers a key: all keys of the profile's property, or those in its buildings, units or
 * key sets (any) and of its kinds (when named). A restricted key also needs `includeRestricted`, even with `allKeys`.
 */
export function keyInScope(profile: Pick<PolicyProfile, "propertyId" | "keyScope">, key: PolicyKey): boolean {
  return (
    key.propertyId === profile.propertyId &&
    scopeCovers(profile.keyScope, key) &&
    (!key.restricted || profile.keyScope.includeRestricted)
  );
}

/** Whether a grant is in force on a local date: both records active, matching, and within their validity dates. */
export function grantValidOn(grant: PolicyGrant, personId: string, propertyId: string, date: string): boolean {
  const { assignment, profile } = grant;
  return (
    assignment.status === "active" &&
    profile.status === "active" &&
    assignment.personId === personId &&
    assignment.accessProfileId === profile.id &&
    assignment.propertyId === propertyId &&
    profile.propertyId === propertyId &&
    within(date, assignment.validFrom, assignment.validUntil) &&
    within(date, profile.validFrom, profile.validUntil)
  );
}

/** The instant a curfew "HH:MM" next falls after `now`: today in the zone, or tomorrow when it has passed. */
export function nextCurfew(curfewTime: string, now: Date, zone: string): Date {
  const today = localTime(now, zone).date;
  const minutes = minutesOf(curfewTime);
  const todays = instantAtLocal(today, minutes, zone);
  return todays.getTime() > now.getTime() ? todays : instantAtLocal(addDays(today, 1), minutes, zone);
}

/**
 * When a key taken at `now` is due back: the earliest of the reason's default, the profile's maximum duration and
 * its curfew, or `null` when none applies. Durations are elapsed time, so a DST change does not stretch them.
 */
export function computeDueAt(
  now: Date,
  zone: string,
  reasonDueMinutes: number | null,
  profile: Pick<PolicyProfile, "maxDurationMinutes" | "curfewTime">,
): Date | null {
  const candidates: number[] = [];
  if (reasonDueMinutes !== null) {
    candidates.push(now.getTime() + reasonDueMinutes * 60_000);
  }
  if (profile.maxDurationMinutes !== null) {
    candidates.push(now.getTime() + profile.maxDurationMinutes * 60_000);
  }
  if (profile.curfewTime !== null) {
    candidates.push(nextCurfew(profile.curfewTime, now, zone).getTime());
  }
  return candidates.length === 0 ? null : new Date(Math.min(...candidates));
}

function conditionsOf(profile: PolicyProfile): ConditionKind[] {
  const out: ConditionKind[] = [];
  if (profile.conditions.witness) {
    out.push("witness");
  }
  if (profile.conditions.managerApproval) {
    out.push("manager_approval");
  }
  if (profile.conditions.keyPairing) {
    out.push("key_pairing");
  }
  return out;
}

interface Choice {
  grant: PolicyGrant;
  conditions: ConditionKind[];
  due: Date | null;
}

/** Orders the grants a key may be taken under, most permissive first: fewest conditions, latest due, then by id. */
function morePermissive(a: Choice, b: Choice): number {
  if (a.conditions.length !== b.conditions.length) {
    return a.conditions.length - b.conditions.length;
  }
  const dueA = a.due?.getTime() ?? Number.POSITIVE_INFINITY;
  const dueB = b.due?.getTime() ?? Number.POSITIVE_INFINITY;
  if (dueA !== dueB) {
    return dueB - dueA;
  }
  return a.grant.profile.id < b.grant.profile.id ? -1 : a.grant.profile.id > b.grant.profile.id ? 1 : 0;
}

function admits(limit: number | null, total: number): boolean {
  return limit === null || total <= limit;
}

/**
 * Decides whether a person may take the requested keys now. All or nothing: one refused key refuses the visit, and
 * every denial is listed (per key where it concerns a key) so the console can say which keys to drop.
 *
 * Each key is taken under the most permissive grant that is in force today, open now (weekly windows, not a holiday
 * of its calendar), covers the key, and whose `maxKeysOut` admits the person's total after the visit (keys held plus
 * keys taken); that grant sets its due time and its extra conditions.
 */
export function decideCheckout(input: CheckoutInput, now: Date): CheckoutDecision {
  const { person, timeZone: zone } = input;
  const today = localTime(now, zone).date;
  const denials: Denial[] = [];
  const deny = (): CheckoutDecision => {
    const [first = denial("no_valid_profile", {})] = denials;
    return { outcome: "denied", denial: first, denials };
  };

  // why: an inactive or out-of-dates person gets nothing, whatever their profiles say
  if (person.status !== "active") {
    denials.push(denial("person_inactive", {}));
    return deny();
  }
  if (person.startDate !== null && today < person.startDate) {
    denials.push(denial("before_start_date", { startDate: person.startDate }));
    return deny();
  }
  if (person.endDate !== null && today > person.endDate) {
    denials.push(denial("after_end_date", { endDate: person.endDate }));
    return deny();
  }

  // why: a key asked for twice is one key — counting it twice would let the limit check and the grant disagree —
  // and the first mention is the one decided on
  const keys = input.keys.filter((k, index, all) => all.findIndex((other) => other.id === k.id) === index);
  if (keys.length === 0) {
    denials.push(denial("no_keys_requested", {}));
    return deny();
  }
  const valid = input.grants.filter((g) => grantValidOn(g, person.id, input.propertyId, today));
  if (valid.length === 0) {
    denials.push(denial("no_valid_profile", {}));
    return deny();
  }

  const holidaysOf = (p: PolicyProfile): readonly string[] =>
    p.holidayCalendarId === null ? [] : (input.holidayCalendars[p.holidayCalendarId] ?? []);
  const open = valid.filter((g) => isWithinWindows(now, zone, g.profile.windows, holidaysOf(g.profile)));
  const total = new Set([...input.keysOut, ...keys.map((k) => k.id)]).size;
  const reasonDue = input.reason?.status === "active" ? input.reason.defaultDueMinutes : null;

  const chosen: { key: PolicyKey; choice: Choice }[] = [];
  for (const key of keys) {
    const covering = open.filter((g) => keyInScope(g.profile, key));
    if (covering.length === 0) {
      denials.push(refusalOf(key, valid, holidaysOf, today));
      continue;
    }
    if (key.status !== "in") {
      denials.push(denial("key_not_available", { keyId: key.id, status: key.status }));
      continue;
    }
    const admitting = covering.filter((g) => admits(g.profile.maxKeysOut, total));
    if (admitting.length === 0) {
      const limit = Math.max(...covering.map((g) => g.profile.maxKeysOut ?? 0));
      denials.push(
        denial("keys_out_limit", {
          keyId: key.id,
          limit,
          keysOut: new Set(input.keysOut).size,
          requested: keys.length,
        }),
      );
      continue;
    }
    const [best] = admitting
      .map((grant) => ({
        grant,
        conditions: conditionsOf(grant.profile),
        due: computeDueAt(now, zone, reasonDue, grant.profile),
      }))
      .sort(morePermissive);
    if (best !== undefined) {
      chosen.push({ key, choice: best });
    }
  }

  if (input.reason === null) {
    denials.push(denial("reason_required", {}));
  } else if (input.reason.status !== "active") {
    denials.push(denial("reason_inactive", {}));
  } else if (input.reason.requiresWorkOrder && (input.workOrder ?? "").trim() === "") {
    denials.push(denial("work_order_required", {}));
  }

  const satisfied = input.satisfied ?? {};
  const needsWitness = chosen.some((c) => c.choice.conditions.includes("witness"));
  if (needsWitness && satisfied.witnessPersonId === person.id) {
    denials.push(denial("witness_is_holder", {}));
  }
  if (denials.length > 0) {
    return deny();
  }

  const granted: GrantedKey[] = chosen.map(({ key, choice }) => ({
    keyId: key.id,
    profileId: choice.grant.profile.id,
    assignmentId: choice.grant.assignment.id,
    dueAt: choice.due?.toISOString() ?? null,
  }));
  const dues = chosen.flatMap((c) => (c.choice.due === null ? [] : [c.choice.due.getTime()]));
  const dueAt = dues.length === 0 ? null : new Date(Math.min(...dues)).toISOString();

  const met: Record<ConditionKind, boolean> = {
    witness: typeof satisfied.witnessPersonId === "string" && satisfied.witnessPersonId !== "",
    manager_approval: typeof satisfied.managerApprovalId === "string" && satisfied.managerApprovalId !== "",
    key_pairing: satisfied.keyPairingConfirmed === true,
  };
  const requirements: Requirement[] = (["witness", "manager_approval", "key_pairing"] as const)
    .map((condition) => ({
      condition,
      keyIds: chosen.filter((c) => c.choice.conditions.includes(condition)).map((c) => c.key.id),
    }))
    .filter((r) => r.keyIds.length > 0);
  const unmet = requirements.filter((r) => !met[r.condition]);
  // why: a condition is never passed silently; until the caller proves it, the door stays shut
  if (unmet.length > 0) {
    return { outcome: "conditions_required", keys: granted, dueAt, requirements: unmet };
  }
  return { outcome: "granted", keys: granted, dueAt, conditions: requirements };
}

/** The most helpful reason no open grant covers a key: closed hours or a holiday, restriction, or no permission. */
function refusalOf(
  key: PolicyKey,
  valid: readonly PolicyGrant[],
  holidaysOf: (p: PolicyProfile) => readonly string[],
  today: string,
): Denial {
  const covering = valid.filter((g) => keyInScope(g.profile, key));
  if (covering.length > 0) {
    return covering.some((g) => holidaysOf(g.profile).includes(today))
      ? denial("holiday", { keyId: key.id })
      : denial("outside_hours", { keyId: key.id });
  }
  if (valid.some((g) => g.profile.propertyId === key.propertyId && scopeCovers(g.profile.keyScope, key))) {
    return denial("restricted_key", { keyId: key.id });
  }
  return denial("not_permitted_key", { keyId: key.id });
}
