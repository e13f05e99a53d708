/**
 * Taking keys: finding a unit, choosing its keys, the reason, the checkout decision on the snapshot in force with
 * the shared policy engine, and the grant (the door released, the hooks lit) or the refusal.
 */
import type { KioskKey } from "@keyward/contracts/kiosk";
import {
  type CheckoutDecision,
  type ConditionKind,
  decideCheckout,
  type PolicyKey,
  type PolicyReason,
} from "@keyward/domain/checkout-policy";
import { explainDenial } from "@keyward/domain/denials";
import type { KeyStatus } from "@keyward/domain/vocabulary";
import { say, unsupportedConditions } from "../messages.ts";
import type { ViewKey } from "../snapshot.ts";
import type { EngineCore } from "./core.ts";
import type { GrantedHook, Visit } from "./visit.ts";

/** The denials about the reason, which a key listed before any reason is given cannot face yet. */
const REASON_CODES = new Set(["reason_required", "reason_inactive", "work_order_required"]);

/**
 * Past the offline age, or once the cabinet is archived, taking is refused with a denial that sends the person back
 * to choose_keys.
 */
export async function refuseExpiredTake(core: EngineCore, visit: Visit): Promise<boolean> {
  const stopped = core.takingStopped();
  if (!stopped) {
    return false;
  }
  // why: only ordinary access stops; returns (from choose_keys) are still welcome
  core.deny(visit, stopped, say(stopped, core.language()), "menu");
  await core.beepRefuse(null);
  return true;
}

/** Lists a unit's keys; a unit with one key to take, when none is chosen yet, goes straight to the reason with it. */
export async function findUnit(core: EngineCore, visit: Visit, number: string): Promise<void> {
  if (visit.stage !== "choose_keys") {
    await core.refuse("not_now");
    return;
  }
  if (await refuseExpiredTake(core, visit)) {
    return;
  }
  const unit = number.trim();
  if (keysOfUnit(core, unit).length === 0) {
    await core.beepRefuse(say("no_unit_keys", core.language(), { unit }));
    return;
  }
  visit.unitNumber = unit;
  const listed = unitKeys(core, visit, unit);
  const takeable = listed.filter((k) => k.unavailable === null);
  if (takeable.length === 0) {
    journalOutOfHours(core, visit, listed);
  }
  const only = takeable.length === 1 ? takeable[0] : undefined;
  // why: a unit with one key to take leaves nothing to choose, so the usual visit is Find then a reason; once the
  // person is putting several keys together (something chosen already) every unit is listed for them to pick
  if (only && visit.selected.length === 0) {
    visit.selected = [only.id];
    visit.autoPicked = only.id;
    visit.stage = "reason";
  }
  await core.accept(null);
}

/** Chooses a listed key, or un-chooses it. */
export async function toggleKey(core: EngineCore, visit: Visit, keyId: string): Promise<void> {
  if (visit.stage !== "choose_keys" || visit.unitNumber === null) {
    await core.refuse("not_now");
    return;
  }
  if (visit.selected.includes(keyId)) {
    visit.selected = visit.selected.filter((id) => id !== keyId);
    await core.accept(null);
    return;
  }
  const listed = unitKeys(core, visit, visit.unitNumber).find((k) => k.id === keyId);
  if (!listed) {
    await core.refuse("not_now");
    return;
  }
  if (listed.unavailable) {
    journalOutOfHours(core, visit, [listed]);
    await core.beepRefuse(listed.unavailable.message);
    return;
  }
  visit.selected = [...visit.selected, keyId];
  await core.accept(null);
}

/** The keys are chosen: on to the reason. */
export async function confirmKeys(core: EngineCore, visit: Visit): Promise<void> {
  if (visit.stage !== "choose_keys") {
    await core.refuse("not_now");
    return;
  }
  if (visit.selected.length === 0) {
    await core.beepRefuse(explainDenial({ code: "no_keys_requested", params: {} }, core.language()));
    return;
  }
  visit.stage = "reason";
  await core.accept(null);
}

/** Decides the checkout for the reason given, or asks for a witness first. */
export async function decide(
  core: EngineCore,
  visit: Visit,
  reasonCodeId: string,
  workOrder: string | null,
): Promise<void> {
  const view = core.view;
  if (visit.stage !== "reason" || view === null || visit.personId === null) {
    await core.refuse("not_now");
    return;
  }
  if (!view.body.reasons.some((r) => r.id === reasonCodeId)) {
    await core.refuse("unknown_reason");
    return;
  }
  if ((await refuseExpiredTake(core, visit)) || (await refuseLapsed(core, visit))) {
    return;
  }
  const cleanWorkOrder = workOrder?.trim() ? workOrder.trim() : null;
  const decision = decideFor(
    core,
    visit.personId,
    selectedKeys(core, visit),
    policyReason(core, reasonCodeId),
    cleanWorkOrder,
  );
  if (decision.outcome === "conditions_required") {
    const conditions = decision.requirements.map((r) => r.condition);
    if (conditions.every((c) => c === "witness")) {
      // why: a witness can be given here, at the console; the decision is taken again once they have identified
      visit.witness = { factors: [], personId: null, waitSeconds: null, reasonCodeId, workOrder: cleanWorkOrder };
      visit.stage = "witness";
      await core.accept(say("witness_needed", core.language()));
      return;
    }
  }
  await conclude(core, visit, decision, reasonCodeId, cleanWorkOrder, null);
}

/** The selected keys, as the snapshot knows them. */
export function selectedKeys(core: EngineCore, visit: Visit): ViewKey[] {
  return visit.selected.flatMap((id) => {
    const key = core.view?.keys.get(id);
    return key ? [key] : [];
  });
}

/** A reason code as the policy engine takes it. */
export function policyReason(core: EngineCore, reasonCodeId: string): PolicyReason | null {
  const reason = core.view?.body.reasons.find((r) => r.id === reasonCodeId);
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
export async function conclude(
  core: EngineCore,
  visit: Visit,
  decision: CheckoutDecision,
  reasonCodeId: string,
  workOrder: string | null,
  witnessPersonId: string | null,
): Promise<void> {
  const view = core.view;
  if (view === null) {
    await core.refuse("no_snapshot");
    return;
  }
  const lang = core.language();
  const keys = selectedKeys(core, visit);
  if (decision.outcome !== "granted") {
    const refusal =
      decision.outcome === "conditions_required"
        ? conditionsRefusal(
            core,
            decision.requirements.map((r) => r.condition),
          )
        : {
            code: decision.denial.code,
            params: decision.denial.params,
            message: explainDenial(decision.denial, lang),
          };
    core.append("cabinet.access_denied", {
      visitId: visit.id,
      personId: visit.personId,
      keyIds: keys.map((k) => k.id),
      code: refusal.code,
      params: refusal.params,
    });
    visit.witness = null;
    core.deny(visit, refusal.code, refusal.message, "menu");
    await core.beepRefuse(refusal.message);
    return;
  }
  // why: the snapshot in force may have changed since the visit began (or the witness stepped up); the grant is
  // given on the one in force now
  if ((await refuseExpiredTake(core, visit)) || (await refuseLapsed(core, visit))) {
    return;
  }
  const hooks: GrantedHook[] = [];
  for (const granted of decision.keys) {
    const key = view.keys.get(granted.keyId);
    const hook = key ? core.hookOf(key.tagCode) : null;
    if (key && hook !== null) {
      hooks.push({ keyId: key.id, tag: key.tagCode, hook, label: key.label, dueAt: granted.dueAt, taken: false });
    }
  }
  visit.grant = { hooks, dueAt: decision.dueAt, reasonCodeId, workOrder, witnessPersonId };
  visit.witness = null;
  visit.stage = "take";
  // why: the release is journalled and committed before the door opens (append returns after the commit)
  core.append("door.released", { visitId: visit.id, personId: visit.personId, purpose: "take", commandId: null });
  await core.options.driver.releaseDoor(core.doorReleaseSeconds);
  for (const h of hooks) {
    await core.light(h.hook, "take");
  }
  await core.accept(say("take_from_hooks", lang, { hooks: hooks.map((h) => h.hook).join(", ") }));
}

/**
 * Refuses the visit if its identification no longer holds on the snapshot in force: a badge, finger or user code
 * revoked or given to someone else since it was read, or the PIN changed since it was checked; a person deactivated
 * since is `person_inactive`.
 */
async function refuseLapsed(core: EngineCore, visit: Visit): Promise<boolean> {
  const view = core.view;
  if (view === null || visit.personId === null) {
    return false;
  }
  let refusal: { code: string; params: Record<string, unknown>; message: string } | null = null;
  const lang = core.language();
  if (core.person(visit.personId)?.status !== "active") {
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
  core.append("cabinet.access_denied", {
    visitId: visit.id,
    personId: visit.personId,
    keyIds: [...visit.selected],
    code: refusal.code,
    params: refusal.params,
  });
  visit.witness = null;
  core.deny(visit, refusal.code, refusal.message, "idle");
  await core.beepRefuse(refusal.message);
  return true;
}

/** The refusal of conditions this cabinet cannot take (manager approval, key pairing), naming them. */
function conditionsRefusal(
  core: EngineCore,
  conditions: ConditionKind[],
): {
  code: string;
  params: Record<string, unknown>;
  message: string;
} {
  const missing = conditions.filter((c) => c !== "witness");
  return {
    code: "conditions_required",
    params: { conditions },
    message: unsupportedConditions(missing.length > 0 ? missing : conditions, core.language()),
  };
}

/** The checkout decision for a person and keys, with each key's status as this cabinet sees it now. */
export function decideFor(
  core: EngineCore,
  personId: string,
  keys: readonly ViewKey[],
  reason: PolicyReason | null,
  workOrder: string | null,
  witnessPersonId: string | null = null,
): CheckoutDecision {
  const view = core.view;
  const person = core.person(personId);
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
      keys: keys.map((k): PolicyKey => ({ ...k, status: statusNow(core, k) })),
      keysOut: [...core.keysOutOf(personId)],
      reason,
      workOrder,
      satisfied: { witnessPersonId },
    },
    core.options.now(),
  );
}

/** A key's status as this cabinet sees it: on one of its hooks it is in, whatever the snapshot still says. */
function statusNow(core: EngineCore, key: ViewKey): KeyStatus {
  const onHook = core.hookOf(key.tagCode) !== null;
  if (onHook) {
    return key.status === "out" ? "in" : key.status;
  }
  return key.status === "in" ? "out" : key.status;
}

/** The keys of a unit kept in this cabinet: on its hooks, last known on them, or taken from them. */
function keysOfUnit(core: EngineCore, number: string): ViewKey[] {
  const view = core.view;
  if (view === null) {
    return [];
  }
  const takenHere = new Set(core.options.journal.localCheckouts().map((c) => c.keyId));
  return [...view.keys.values()]
    .filter((k) => k.unitNumber === number)
    .filter((k) => core.hookOf(k.tagCode) !== null || k.snapshotHook !== null || takenHere.has(k.id))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Refusals that are attempts outside the person's permitted hours (or on a holiday). */
const OUT_OF_HOURS: ReadonlySet<string> = new Set(["outside_hours", "holiday"]);

/**
 * Journals an attempt on keys the hours refuse, as `cabinet.access_denied`.
 * why: the console lists such keys as unavailable instead of refusing a take, so without this an attempt outside
 * permitted hours would leave no trace — and managers are to be alerted of exactly that
 */
function journalOutOfHours(core: EngineCore, visit: Visit, keys: readonly KioskKey[]): void {
  const refused = keys.filter((k) => k.unavailable !== null && OUT_OF_HOURS.has(k.unavailable.code));
  const first = refused[0];
  if (!first?.unavailable) {
    return;
  }
  core.append("cabinet.access_denied", {
    visitId: visit.id,
    personId: visit.personId,
    keyIds: refused.map((k) => k.id),
    code: first.unavailable.code,
    params: { keyId: first.id },
  });
}

/** A unit's keys as choose_keys lists them, with why each one may not be taken, if it may not. */
export function unitKeys(core: EngineCore, visit: Visit, number: string): KioskKey[] {
  const lang = core.language();
  return keysOfUnit(core, number).map((key) => {
    let unavailable: KioskKey["unavailable"] = null;
    if (visit.personId !== null) {
      const decision = decideFor(core, visit.personId, [key], null, null);
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
      hook: core.hookOf(key.tagCode),
      unavailable,
    };
  });
}
