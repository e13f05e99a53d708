/**
 * Choosing one's PIN at the kiosk ("set my PIN"): the badge or finger names the person and their PIN credential,
 * then the activation code, the new PIN twice, and the server's answer. Online only: the server sets the PIN.
 */
import { pinProblemSentence, say } from "../messages.ts";
import type { EngineCore } from "./core.ts";
import type { PinActivationResult } from "./options.ts";
import type { Visit } from "./visit.ts";

/** From idle: a person will choose their PIN with an activation code. Online only: the server sets it. */
export async function startPinSetup(core: EngineCore): Promise<void> {
  if (core.view === null) {
    await core.refuse("no_snapshot");
    return;
  }
  if (core.visit && !core.visit.closed) {
    await core.refuse("not_now");
    return;
  }
  const visit = core.openVisit();
  if (!core.options.activatePin || !core.options.online()) {
    core.deny(visit, "pin_setup_offline", say("pin_setup_offline", core.language()), "idle");
    await core.beepRefuse(null);
    return;
  }
  visit.stage = "set_pin";
  visit.pinSetup = { step: "identify", credentialId: null, activationCode: null, pin: null };
  await core.accept(null);
}

/** The badge or finger of the person choosing a PIN names them, and so their PIN credential. */
export async function pinSetupFactor(
  core: EngineCore,
  visit: Visit,
  kind: "badge" | "fingerprint" | "user_code",
  value: string | null,
): Promise<void> {
  const setup = visit.pinSetup;
  const view = core.view;
  if (setup?.step !== "identify" || view === null) {
    await core.refuse("not_now");
    return;
  }
  const personId =
    value === null ? null : kind === "fingerprint" ? view.personOfFingerprint(value) : view.personOfBadge(value);
  if (personId === null || !core.allowedHere(personId)) {
    core.deny(visit, "pin_setup_unknown", say("pin_setup_unknown", core.language()), "idle");
    await core.beepRefuse(null);
    return;
  }
  // why: a credential still waiting for its PIN is the one the code was issued for; otherwise the PIN being replaced
  const pins = view.body.credentials.filter((c) => c.kind === "pin" && c.personId === personId);
  const credential = pins.find((c) => c.pinHash === null) ?? pins[0];
  if (!credential) {
    core.deny(visit, "pin_setup_no_credential", say("pin_setup_no_credential", core.language()), "idle");
    await core.beepRefuse(null);
    return;
  }
  visit.personId = personId;
  setup.credentialId = credential.id;
  setup.step = "activation_code";
  await core.accept(null);
}

/** The activation code the person was given, ten digits. */
export async function enterActivationCode(core: EngineCore, visit: Visit, code: string): Promise<void> {
  const setup = visit.pinSetup;
  if (visit.stage !== "set_pin" || setup?.step !== "activation_code") {
    await core.refuse("not_now");
    return;
  }
  const digits = code.replace(/\s+/g, "");
  if (!/^\d{10}$/.test(digits)) {
    await core.refuse("activation_code_format");
    return;
  }
  setup.activationCode = digits;
  setup.step = "new_pin";
  await core.accept(null);
}

/** The new PIN, then the same again; a match goes to the server, which applies the organization's PIN rules. */
export async function choosePin(core: EngineCore, visit: Visit, pin: string): Promise<void> {
  const setup = visit.pinSetup;
  if (visit.stage !== "set_pin" || !setup || (setup.step !== "new_pin" && setup.step !== "repeat_pin")) {
    await core.refuse("not_now");
    return;
  }
  if (setup.step === "new_pin") {
    setup.pin = pin;
    setup.step = "repeat_pin";
    await core.accept(null);
    return;
  }
  const chosen = setup.pin;
  setup.pin = null;
  if (chosen !== pin) {
    setup.step = "new_pin";
    await core.refuse("pin_mismatch");
    return;
  }
  const { credentialId, activationCode } = setup;
  const activate = core.options.activatePin;
  if (!activate || !core.options.online() || credentialId === null || activationCode === null) {
    core.deny(visit, "pin_setup_offline", say("pin_setup_offline", core.language()), "idle");
    await core.beepRefuse(null);
    return;
  }
  // why: neither the code nor the PIN goes into an event or a log line; they live only in this visit until here
  const result = await activate({ credentialId, activationCode, pin }).catch(
    (): PinActivationResult => ({ outcome: "unreachable" }),
  );
  const lang = core.language();
  switch (result.outcome) {
    case "set":
      setup.activationCode = null;
      visit.stage = "done";
      visit.closed = true;
      visit.doneMessage = say("pin_set", lang);
      await core.accept(visit.doneMessage);
      return;
    case "unreachable":
      core.deny(visit, "pin_setup_offline", say("pin_setup_offline", lang), "idle");
      await core.beepRefuse(null);
      return;
    case "refused": {
      const { refusal } = result;
      if (refusal.code === "pin_rejected") {
        setup.step = "new_pin";
        await core.beepRefuse(
          refusal.problem
            ? pinProblemSentence(refusal.problem, refusal.minLength ?? 0, lang)
            : say("pin_rejected", lang),
        );
        return;
      }
      if (refusal.code === "activation_code_invalid") {
        setup.activationCode = null;
        setup.step = "activation_code";
        await core.refuse("activation_code_invalid");
        return;
      }
      const message = say("pin_setup_too_many", lang, {
        minutes: Math.max(1, Math.ceil((refusal.retryAfterSeconds ?? 60) / 60)),
      });
      core.deny(visit, refusal.code, message, "idle");
      await core.beepRefuse(message);
      return;
    }
  }
}
