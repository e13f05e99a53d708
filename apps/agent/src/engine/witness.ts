/**
 * A witness for dual custody: when a profile demands one, a colleague identifies at the console with the cabinet's
 * factors, and the checkout is decided again with them.
 */
import { explainDenial } from "@keyward/domain/denials";
import type { FactorKind, PresentedFactor } from "@keyward/domain/identification";
import type { EngineCore } from "./core.ts";
import { askNextFactor, type CheckedPin, checkPinOf, identifyPresented } from "./pin-check.ts";
import { conclude, decideFor, policyReason, selectedKeys } from "./take.ts";
import type { Visit, WitnessCheck } from "./visit.ts";

/** A badge, finger or user code presented by the witness. */
export async function witnessFactor(
  core: EngineCore,
  visit: Visit,
  kind: "badge" | "fingerprint" | "user_code",
  value: string | null,
): Promise<void> {
  const w = visit.witness;
  const view = core.view;
  if (!w || view === null) {
    await core.refuse("not_now");
    return;
  }
  const personId =
    value === null ? null : kind === "fingerprint" ? view.personOfFingerprint(value) : view.personOfBadge(value);
  await witnessIdentify(core, visit, w, [...w.factors, { kind, personId }], kind, null);
}

/** A PIN typed by the witness. */
export async function witnessPin(core: EngineCore, visit: Visit, pin: string): Promise<void> {
  const w = visit.witness;
  if (!w || w.personId === null) {
    await core.refuse("identify_first");
    return;
  }
  const { factor, pin: checked } = await checkPinOf(core, w.personId, pin);
  await witnessIdentify(core, visit, w, [...w.factors, factor], "pin", checked);
}

/**
 * The witness identifies as anyone does at this cabinet (factor policy, PIN lockout); once identified, they must
 * be someone else than the person taking, and allowed here: active, with an active profile assignment at this
 * property (the people the snapshot lists hold one). Then the checkout is decided again with the witness.
 */
async function witnessIdentify(
  core: EngineCore,
  visit: Visit,
  w: WitnessCheck,
  factors: PresentedFactor[],
  kind: FactorKind,
  pin: CheckedPin | null,
): Promise<void> {
  const { decision, failed } = identifyPresented(core, visit.id, factors, kind, pin);
  const lang = core.language();
  w.waitSeconds = null;
  switch (decision.outcome) {
    case "need_factor":
      await askNextFactor(core, w, decision, factors, failed, lang);
      return;
    case "denied":
      failed(decision.denial.code);
      if (decision.denial.code === "pin_wait") {
        w.waitSeconds = decision.denial.params.seconds;
        w.personId = decision.personId;
      } else {
        // why: the witness screen stays, so that another colleague can step in
        w.factors = [];
        w.personId = null;
      }
      await core.beepRefuse(explainDenial(decision.denial, lang));
      return;
    case "identified":
      // why: journalled by identifyPresented with the witness's PIN credential, so the witness's matching PIN clears
      // their count here and the server clears it for the other cabinets; a witness forced to confirm can signal
      // duress with their PIN's duress form like anyone identifying
      break;
  }
  const witnessId = decision.personId;
  w.factors = [];
  w.personId = null;
  if (witnessId === visit.personId) {
    await core.beepRefuse(explainDenial({ code: "witness_is_holder", params: {} }, lang));
    return;
  }
  if (!core.allowedHere(witnessId)) {
    await core.refuse("witness_not_allowed");
    return;
  }
  if (visit.personId === null) {
    await core.refuse("not_now");
    return;
  }
  const withWitness = decideFor(
    core,
    visit.personId,
    selectedKeys(core, visit),
    policyReason(core, w.reasonCodeId),
    w.workOrder,
    witnessId,
  );
  await conclude(core, visit, withWitness, w.reasonCodeId, w.workOrder, witnessId);
}
