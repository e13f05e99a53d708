import { describe, expect, it } from "vitest";
import {
  type DenialCode,
  type DenialOf,
  type DenialParams,
  denial,
  describeDenial,
  explainDenial,
  type Lang,
} from "./denials.ts";

// why: typed as DenialParams, a new code without a sample here is a compile error, so every code is tested
const SAMPLES: DenialParams = {
  unknown_badge: {},
  unknown_user_code: {},
  fingerprint_not_recognized: {},
  fingerprint_alone: {},
  factor_not_accepted: { accepts: ["badge"] },
  factor_mismatch: {},
  pin_incorrect: { triesLeft: 3 },
  pin_wait: { seconds: 30 },
  pin_locked: {},
  person_inactive: {},
  before_start_date: { startDate: "2026-12-01" },
  after_end_date: { endDate: "2026-03-31" },
  no_valid_profile: {},
  no_keys_requested: {},
  not_permitted_key: { keyId: "k1" },
  restricted_key: { keyId: "k1" },
  outside_hours: { keyId: "k1" },
  holiday: { keyId: "k1" },
  key_not_available: { keyId: "k1", status: "out" },
  keys_out_limit: { keyId: "k1", limit: 3, keysOut: 3, requested: 1 },
  reason_required: {},
  reason_inactive: {},
  work_order_required: {},
  witness_is_holder: {},
};
const CODES = Object.keys(SAMPLES) as DenialCode[];
const LANGS: Lang[] = ["en", "es"];

function sample<C extends DenialCode>(code: C): DenialOf<C> {
  return { code, params: SAMPLES[code] };
}
const sentence = (code: DenialCode, lang: Lang) => explainDenial(sample(code), lang);

describe("describeDenial", () => {
  it.each(CODES.flatMap((code) => LANGS.map((lang) => [code, lang] as const)))(
    "gives %s a full sentence in %s, never the code",
    (code, lang) => {
      const text = sentence(code, lang);
      expect(text).toMatch(/^[A-ZÁÉÍÓÚÑ¿].{15,}[.?]$/u);
      // why: a code is for machines; a one-word code like "holiday" may still be a word of the sentence
      expect(code.includes("_") && text.includes(code)).toBe(false);
      expect(text).not.toMatch(/undefined|NaN|\[object/);
    },
  );

  it.each(CODES)("says %s differently in Spanish", (code) => {
    expect(sentence(code, "es")).not.toBe(sentence(code, "en"));
  });

  it("tells a locked-out person what to do", () => {
    expect(describeDenial("pin_locked", "en", {})).toBe("Your PIN is locked — ask your manager to reset it.");
    expect(describeDenial("pin_locked", "es", {})).toBe(
      "Su PIN está bloqueado — pida a su gerente que lo restablezca.",
    );
  });

  it("puts the parameters into the sentence", () => {
    expect(describeDenial("pin_wait", "en", { seconds: 17 })).toContain("17 seconds");
    expect(describeDenial("pin_wait", "es", { seconds: 17 })).toContain("17 segundos");
    expect(describeDenial("pin_incorrect", "en", { triesLeft: 1 })).toContain("1 try left");
    expect(describeDenial("keys_out_limit", "en", { keyId: "k", limit: 2, keysOut: 2, requested: 1 })).toContain(
      "at most 2 keys",
    );
    expect(describeDenial("before_start_date", "en", { startDate: "2026-12-01" })).toContain("December 1, 2026");
    expect(describeDenial("after_end_date", "es", { endDate: "2026-03-31" })).toContain("31 de marzo de 2026");
    expect(describeDenial("factor_not_accepted", "en", { accepts: ["badge", "user_code"] })).toContain(
      "your badge or your user code",
    );
    expect(describeDenial("factor_not_accepted", "es", { accepts: ["pin"] })).toContain("su PIN");
  });

  it("says why a key is not available, by its status", () => {
    const statuses = ["in", "out", "lost", "retired", "with_resident"] as const;
    const texts = statuses.map((status) => describeDenial("key_not_available", "en", { keyId: "k", status }));
    expect(new Set(texts).size).toBe(statuses.length);
    expect(texts[2]).toContain("lost");
  });

  it("builds denials that explain themselves", () => {
    expect(explainDenial(denial("work_order_required", {}), "en")).toContain("work-order number");
  });
});
