/**
 * Kiosk touches: each action routed to the step it asks for, the menu of choose_keys, and Back.
 */
import type { KioskAction } from "@keyward/contracts/kiosk";
import type { EngineCore } from "./core.ts";
import { presentFactor, presentPin } from "./identification.ts";
import { choosePin, enterActivationCode, startPinSetup } from "./pin-choice.ts";
import { confirmKeys, decide, findUnit, refuseExpiredTake, toggleKey } from "./take.ts";
import type { Stage, Visit } from "./visit.ts";
import { witnessPin } from "./witness.ts";

/** Routes a kiosk action to its step. */
export async function handle(core: EngineCore, action: KioskAction): Promise<void> {
  await core.reportExpiry();
  if (action.type === "language") {
    if (core.visit && !core.visit.closed) {
      core.visit.language = action.language;
    } else {
      core.idleLanguage = action.language;
    }
    return;
  }
  if (action.type === "user_code") {
    await presentFactor(core, "user_code", action.code);
    return;
  }
  if (action.type === "set_pin") {
    await startPinSetup(core);
    return;
  }
  const visit = core.visit;
  if (visit === null || (visit.closed && action.type !== "back" && action.type !== "cancel")) {
    await core.refuse("identify_first");
    return;
  }
  switch (action.type) {
    case "pin":
      if (visit.stage === "witness") {
        await witnessPin(core, visit, action.pin);
      } else {
        await presentPin(core, visit, action.pin);
      }
      return;
    case "activation_code":
      await enterActivationCode(core, visit, action.code);
      return;
    case "choose_pin":
      await choosePin(core, visit, action.pin);
      return;
    case "menu":
      await chooseMenu(core, visit, action.choice);
      return;
    case "find_unit":
      await findUnit(core, visit, action.number);
      return;
    case "toggle_key":
      await toggleKey(core, visit, action.keyId);
      return;
    case "confirm_keys":
      await confirmKeys(core, visit);
      return;
    case "reason":
      await decide(core, visit, action.reasonCodeId, action.workOrder);
      return;
    case "back":
      await back(core, visit);
      return;
    case "cancel":
      if ((visit.stage === "take" || visit.stage === "return_hang") && core.options.driver.door().open) {
        await core.refuse("close_door_first");
        return;
      }
      await core.endVisit();
      return;
  }
}

/** Back: to the previous screen, or the visit ends. */
async function back(core: EngineCore, visit: Visit): Promise<void> {
  // why: choose_keys is the visit's first screen after identification, so Back there ends the visit
  const to: Partial<Record<Stage, Stage | "end">> = {
    identify: "end",
    choose_keys: "end",
    reason: "choose_keys",
    my_keys: "choose_keys",
    return_scan: "choose_keys",
    done: "end",
    set_pin: "end",
    witness: "reason",
  };
  let next = to[visit.stage];
  if (visit.stage === "denied") {
    next = visit.denied?.next === "menu" && visit.identified ? "choose_keys" : "end";
  }
  if (visit.stage === "return_scan" && visit.returned.length > 0) {
    next = "end";
  }
  if (next === undefined) {
    await core.refuse("close_door_first");
    return;
  }
  if (next === "end") {
    await core.endVisit();
    return;
  }
  if (visit.stage === "reason" && visit.autoPicked !== null) {
    // why: the agent chose that key, not the person; going back means "not that one", so it is un-chosen
    const picked = visit.autoPicked;
    visit.selected = visit.selected.filter((id) => id !== picked);
  }
  visit.autoPicked = null;
  visit.witness = null;
  visit.stage = next;
  visit.denied = null;
}

/** The choices choose_keys offers beside taking: return keys, my keys, or start the take over. */
async function chooseMenu(core: EngineCore, visit: Visit, choice: "take" | "return" | "my_keys"): Promise<void> {
  if (!visit.identified || visit.stage !== "choose_keys") {
    await core.refuse("not_now");
    return;
  }
  if (choice === "take") {
    if (await refuseExpiredTake(core, visit)) {
      return;
    }
    visit.unitNumber = null;
    visit.selected = [];
  } else {
    visit.stage = choice === "return" ? "return_scan" : "my_keys";
  }
  await core.accept(null);
}
