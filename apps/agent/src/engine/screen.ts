/**
 * The `KioskState` the kiosk renders: the cabinet, the language, the snapshot's age, the feedback, and the screen
 * for the visit's stage.
 */
import type { KioskScreen, KioskState } from "@keyward/contracts/kiosk";
import { acceptedNext, type PresentedFactor, type RealFactor } from "@keyward/domain/identification";
import { say } from "../messages.ts";
import type { EngineCore } from "./core.ts";
import { unitKeys } from "./take.ts";

/** What the kiosk shows now. */
export function kioskState(core: EngineCore): KioskState {
  const view = core.view;
  const state: KioskState = {
    cabinet: {
      id: core.options.identity.cabinetId,
      name: view?.body.cabinet.name ?? core.options.identity.cabinetName,
    },
    language: core.language(),
    timeZone: view?.body.property.timeZone ?? null,
    online: core.options.online(),
    snapshot: { version: view?.body.version ?? null, ageMinutes: core.ageMinutes() },
    screen: screen(core),
    feedback: core.feedback,
  };
  if (core.options.simulator) {
    state.simulator = core.options.simulator.state();
  }
  return state;
}

/** The screen for the visit's stage (or idle, or stopped). */
function screen(core: EngineCore): KioskScreen {
  const lang = core.language();
  const view = core.view;
  if (view === null) {
    return { name: "stopped", code: "no_snapshot", message: say("no_snapshot", lang) };
  }
  const visit = core.visit;
  if (visit === null) {
    const stopped = core.takingStopped();
    if (stopped) {
      return { name: "stopped", code: stopped, message: say(stopped, lang) };
    }
    return { name: "idle", accepts: acceptedNext(view.body.cabinet.factorPolicy, new Set(), false) };
  }
  const doorOpen = core.options.driver.door().open;
  switch (visit.stage) {
    case "identify": {
      return {
        name: "identify",
        firstName: core.person(visit.personId)?.firstName ?? null,
        needs: acceptedNext(view.body.cabinet.factorPolicy, satisfiedBy(visit.factors), visit.factors.length > 0),
        waitSeconds: visit.waitSeconds,
      };
    }
    case "choose_keys":
      return {
        name: "choose_keys",
        unitNumber: visit.unitNumber,
        keys: visit.unitNumber === null ? [] : unitKeys(core, visit, visit.unitNumber),
        selected: [...visit.selected],
        firstName: core.person(visit.personId)?.firstName ?? "",
        keysOut: core.keysOutOf(visit.personId ?? "").size,
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
      return { name: "my_keys", keys: myKeys(core, visit.personId ?? "") };
    case "denied":
      return {
        name: "denied",
        code: visit.denied?.code ?? "",
        message: visit.denied?.message ?? "",
        next: visit.denied?.next ?? "idle",
      };
    case "done":
      return { name: "done", message: visit.doneMessage ?? say("done", core.language()) };
    case "set_pin":
      return {
        name: "set_pin",
        step: visit.pinSetup?.step ?? "identify",
        firstName: core.person(visit.personId)?.firstName ?? null,
      };
    case "witness": {
      const w = visit.witness;
      return {
        name: "witness",
        firstName: core.person(w?.personId ?? null)?.firstName ?? null,
        needs: acceptedNext(
          view.body.cabinet.factorPolicy,
          satisfiedBy(w?.factors ?? []),
          (w?.factors.length ?? 0) > 0,
        ),
        waitSeconds: w?.waitSeconds ?? null,
      };
    }
  }
}

/** The real factors among those presented that named someone (or, for a PIN, were right). */
function satisfiedBy(factors: readonly PresentedFactor[]): Set<RealFactor> {
  const satisfied = new Set<RealFactor>();
  for (const f of factors) {
    if (f.kind === "pin" ? f.ok : f.kind !== "user_code" && f.personId !== null) {
      satisfied.add(f.kind === "pin" ? "pin" : (f.kind as RealFactor));
    }
  }
  return satisfied;
}

function myKeys(core: EngineCore, personId: string): Extract<KioskScreen, { name: "my_keys" }>["keys"] {
  const view = core.view;
  const local = new Map(core.options.journal.localCheckouts().map((c) => [c.keyId, c]));
  return [...core.keysOutOf(personId)].map((keyId) => {
    const key = view?.keys.get(keyId);
    const checkout = local.get(keyId);
    return {
      keyId,
      label: key?.label ?? keyId,
      unitNumber: key?.unitNumber ?? null,
      // why: a key taken at another cabinet is known out only from the snapshot; its issue time bounds "since"
      outAt: checkout?.outAt ?? view?.body.issuedAt ?? core.options.now().toISOString(),
      dueAt: checkout?.dueAt ?? null,
    };
  });
}
