/**
 * Identification at the console: a badge, finger or user code presented (or routed to the PIN being chosen or the
 * witness being identified), a PIN typed, and the factor policy's verdict acted on: ask for the next factor, admit
 * the person to choose keys, or refuse them (a wrong PIN counting towards the lockout).
 */
import { explainDenial } from "@keyward/domain/denials";
import type { FactorKind, PresentedFactor } from "@keyward/domain/identification";
import type { EngineCore } from "./core.ts";
import { askNextFactor, type CheckedPin, checkPinOf, identifyPresented } from "./pin-check.ts";
import { pinSetupFactor } from "./pin-choice.ts";
import { refuseExpiredTake } from "./take.ts";
import type { Visit } from "./visit.ts";
import { witnessFactor } from "./witness.ts";

/** A badge, finger or user code presented at the console, for the visit's stage. */
export async function presentFactor(
  core: EngineCore,
  kind: "badge" | "fingerprint" | "user_code",
  value: string | null,
): Promise<void> {
  const view = core.view;
  if (view === null) {
    await core.refuse("no_snapshot");
    return;
  }
  let visit = core.visit;
  if (visit && !visit.closed && visit.stage === "set_pin") {
    await pinSetupFactor(core, visit, kind, value);
    return;
  }
  if (visit && !visit.closed && visit.stage === "witness") {
    await witnessFactor(core, visit, kind, value);
    return;
  }
  if (visit && !visit.closed && visit.stage !== "identify") {
    await core.refuse("not_now");
    return;
  }
  if (visit === null || visit.closed) {
    visit = core.openVisit();
  }
  const personId =
    value === null
      ? null
      : kind === "fingerprint"
        ? view.personOfFingerprint(value)
        : // why: a user code is the badge number typed on the keypad; it only claims an identity (the finger proves it)
          view.personOfBadge(value);
  const factor: PresentedFactor = { kind, personId };
  visit.presented.push({ kind, value });
  await identifyWith(core, visit, [...visit.factors, factor], kind, null);
}

/** A PIN typed by the person identifying. */
export async function presentPin(core: EngineCore, visit: Visit, pin: string): Promise<void> {
  if (visit.stage !== "identify" || visit.personId === null) {
    await core.refuse("identify_first");
    return;
  }
  const { factor, pin: checked } = await checkPinOf(core, visit.personId, pin);
  if (factor.kind === "pin" && factor.ok) {
    visit.pinHash = checked.pinHash;
  }
  await identifyWith(core, visit, [...visit.factors, factor], "pin", checked);
}

/** Acts on the factor policy's verdict for the person identifying. */
async function identifyWith(
  core: EngineCore,
  visit: Visit,
  factors: PresentedFactor[],
  kind: FactorKind,
  pin: CheckedPin | null,
): Promise<void> {
  const { decision, failed } = identifyPresented(core, visit.id, factors, kind, pin);
  const lang = core.language();
  visit.waitSeconds = null;
  switch (decision.outcome) {
    case "need_factor":
      await askNextFactor(core, visit, decision, factors, failed, lang);
      return;
    case "identified":
      visit.personId = decision.personId;
      visit.factors = factors;
      visit.identified = true;
      // why: straight to taking, the usual errand; returning and "my keys" are one touch away on that screen
      visit.stage = "choose_keys";
      if (await refuseExpiredTake(core, visit)) {
        return;
      }
      await core.accept(null);
      return;
    case "denied": {
      failed(decision.denial.code);
      const message = explainDenial(decision.denial, lang);
      if (decision.denial.code === "pin_wait") {
        visit.waitSeconds = decision.denial.params.seconds;
        visit.personId = decision.personId;
      } else {
        core.deny(visit, decision.denial.code, message, "idle");
      }
      await core.beepRefuse(message);
      return;
    }
  }
}
