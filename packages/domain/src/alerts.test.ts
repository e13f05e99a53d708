import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALERT_KIND_SPECS,
  ALERT_KINDS,
  ALERTING_ACTIONS,
  alertsForEvent,
  defaultAlertRule,
  dueState,
  effectiveAlertRule,
  escalationAt,
  inQuietHours,
  ruleFires,
  sendAfter,
  validateAlertRule,
} from "./alerts.ts";

const MINUTE = 60_000;

describe("defaults", () => {
  it("gives every kind a rule that passes its own validation", () => {
    for (const kind of ALERT_KINDS) {
      expect([kind, validateAlertRule(defaultAlertRule(kind))]).toEqual([kind, []]);
    }
  });

  it("lets stored fields win, keeps the defaults for the rest, and never gives a threshold to a kind without one", () => {
    const rule = effectiveAlertRule("cabinet_offline", { threshold: 45, channels: ["sms"], enabled: undefined });
    expect(rule).toMatchObject({ kind: "cabinet_offline", threshold: 45, channels: ["sms"], enabled: true });
    expect(effectiveAlertRule("door_forced", { threshold: 9 }).threshold).toBeNull();
  });
});

describe("validateAlertRule", () => {
  it("names each problem", () => {
    const rule = {
      ...defaultAlertRule("failed_pins"),
      threshold: 0,
      quietHours: { start: "22:00", end: "22:00" },
      escalateAfterMinutes: 10,
      escalationRoles: [],
      recipientRoles: [],
    };
    expect(validateAlertRule(rule)).toEqual([
      { field: "threshold", message: "The threshold must be a whole number from 1 to 20 (consecutive wrong PINs)." },
      { field: "quietHours", message: "Quiet hours must start and end at different times." },
      { field: "escalationRoles", message: "An escalation needs someone to escalate to: choose roles or people." },
      {
        field: "recipientRoles",
        message: "An enabled rule needs recipients: choose roles, people or the key's holder.",
      },
    ]);
    const overdue = defaultAlertRule("key_overdue");
    expect(validateAlertRule({ ...overdue, escalateAfterMinutes: 0 }).map((p) => p.field)).toEqual([
      "escalateAfterMinutes",
    ]);
    expect(validateAlertRule({ ...overdue, quietHours: { start: "7:00", end: "08:00" } })).toEqual([
      { field: "quietHours", message: "Quiet hours are two local times, HH:MM." },
    ]);
  });
});

describe("quiet hours", () => {
  const zone = "America/Chicago";
  const night = { start: "22:00", end: "06:30" };

  it("reads the property's wall clock, across midnight", () => {
    // 03:00Z in June is 22:00 CDT; 11:00Z is 06:00 CDT; 12:00Z is 07:00 CDT
    expect(inQuietHours(night, zone, new Date("2026-06-02T03:00:00Z"))).toBe(true);
    expect(inQuietHours(night, zone, new Date("2026-06-02T11:00:00Z"))).toBe(true);
    expect(inQuietHours(night, zone, new Date("2026-06-02T12:00:00Z"))).toBe(false);
    expect(inQuietHours(null, zone, new Date("2026-06-02T03:00:00Z"))).toBe(false);
  });

  it("holds a warning until the quiet hours end and sends a critical alert at once", () => {
    const at = new Date("2026-06-02T04:00:00Z"); // 23:00 CDT
    expect(sendAfter({ quietHours: night }, "warning", zone, at).toISOString()).toBe("2026-06-02T11:30:00.000Z");
    expect(sendAfter({ quietHours: night }, "critical", zone, at)).toEqual(at);
    // 05:00 CDT, the morning part: ends the same local day
    expect(sendAfter({ quietHours: night }, "info", zone, new Date("2026-06-02T10:00:00Z")).toISOString()).toBe(
      "2026-06-02T11:30:00.000Z",
    );
  });

  it("never sends inside the quiet hours, and never before now, in any zone, on any day (DST included)", () => {
    const zones = ["America/Chicago", "Europe/Berlin", "Australia/Sydney", "UTC", "America/St_Johns"];
    const hhmm = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        hhmm,
        hhmm,
        fc.integer({ min: Date.parse("2026-01-01T00:00:00Z"), max: Date.parse("2027-12-31T00:00:00Z") }),
        (zone, start, end, ms) => {
          fc.pre(start !== end);
          const quiet = { start, end };
          const now = new Date(ms);
          const at = sendAfter({ quietHours: quiet }, "warning", zone, now);
          expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime());
          expect(inQuietHours(quiet, zone, at)).toBe(false);
          // and it waits no longer than a day
          expect(at.getTime() - now.getTime()).toBeLessThanOrEqual(25 * 60 * MINUTE);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("dueState", () => {
  const due = new Date("2026-06-01T16:00:00Z");
  it("is due soon within the lead, overdue after the grace, and nothing without a due time", () => {
    const at = (m: number) => new Date(due.getTime() + m * MINUTE);
    expect(dueState(due, at(-31), 30, 5)).toBe("not_due");
    expect(dueState(due, at(-30), 30, 5)).toBe("due_soon");
    expect(dueState(due, at(-30), null, 5)).toBe("not_due");
    expect(dueState(due, at(4), 30, 5)).toBe("not_due");
    expect(dueState(due, at(5), 30, 5)).toBe("overdue");
    expect(dueState(null, at(500), 30, 0)).toBe("not_due");
  });
});

describe("escalationAt", () => {
  const rule = { escalateAfterMinutes: 30, escalationRoles: ["regional_manager" as const], escalationUserIds: [] };
  const openedAt = new Date("2026-06-01T10:00:00Z");
  it("escalates an unacknowledged alert once, and an overdue key while it is out, acknowledged or not", () => {
    expect(escalationAt(rule, { kind: "door_forced", openedAt, acknowledged: false, escalated: false })).toEqual(
      new Date("2026-06-01T10:30:00Z"),
    );
    expect(escalationAt(rule, { kind: "door_forced", openedAt, acknowledged: true, escalated: false })).toBeNull();
    expect(escalationAt(rule, { kind: "door_forced", openedAt, acknowledged: false, escalated: true })).toBeNull();
    expect(
      escalationAt(rule, {
        kind: "key_overdue",
        openedAt,
        acknowledged: true,
        escalated: false,
        overdueSince: new Date("2026-06-01T09:50:00Z"),
      }),
    ).toEqual(new Date("2026-06-01T10:20:00Z"));
    expect(
      escalationAt(
        { ...rule, escalationRoles: [] },
        { kind: "door_forced", openedAt, acknowledged: false, escalated: false },
      ),
    ).toBeNull();
  });
});

describe("alertsForEvent", () => {
  const base = { eventId: "e1", occurredAt: "2026-06-01T10:00:00.000Z", cabinetId: "c1" };

  it("maps each alerting action to its kind and cause, and nothing else to anything", () => {
    const cases: [string, Record<string, unknown>, string | null][] = [
      ["door.forced", {}, "door_forced"],
      ["door.held_open", { seconds: 60 }, "door_held_open"],
      ["key.wrong_hook", { personId: "p1", hook: 3 }, "key_wrong_hook"],
      ["key.removed_without_session", { hook: 3, keyId: "k1" }, "key_removed_without_session"],
      ["cabinet.duress_signalled", { personId: "p1" }, "duress"],
      // why: a cabinet uploads its expiry only once back in contact, when the condition has ended
      ["cabinet.snapshot_expired", { version: 3, ageMinutes: 2000 }, null],
      ["cabinet.access_denied", { personId: "p1", code: "outside_hours" }, "outside_hours_attempt"],
      ["cabinet.access_denied", { personId: "p1", code: "holiday" }, "outside_hours_attempt"],
      ["cabinet.access_denied", { personId: "p1", code: "not_permitted_key" }, null],
      ["audit.offsite_failing", { target: "s3://bucket", error: "503" }, "offsite_failing"],
      ["audit.verification_failed", { status: "failed" }, "audit_verification_failing"],
      ["door.opened", {}, null],
      ["key.taken", { keyId: "k1", checkoutId: "co1" }, null],
    ];
    for (const [action, data, kind] of cases) {
      const out = alertsForEvent({ ...base, action, data, key: null });
      expect([action, out.map((c) => c.kind)]).toEqual([action, kind ? [kind] : []]);
      if (kind) {
        expect(ALERTING_ACTIONS.has(action)).toBe(true);
      }
    }
  });

  it("raises a restricted or master key taken per checkout, and a return by another than the holder", () => {
    const taken = (kind: string, restricted: boolean) =>
      alertsForEvent({
        ...base,
        action: "key.taken",
        data: { keyId: "k1", checkoutId: "co1", personId: "p1" },
        key: { id: "k1", kind, restricted },
      });
    expect(taken("master", false).map((c) => [c.kind, c.subjectId])).toEqual([["restricted_key_taken", "co1"]]);
    expect(taken("sub_master", false)).toHaveLength(1);
    expect(taken("unit", true)).toHaveLength(1);
    expect(taken("unit", false)).toEqual([]);
    const returned = (holderId: string | null) =>
      alertsForEvent({ ...base, action: "key.returned", data: { keyId: "k1", personId: "p2" }, holderId });
    expect(returned("p1").map((c) => [c.kind, c.details.holderId])).toEqual([["key_returned_by_other", "p1"]]);
    expect(returned("p2")).toEqual([]);
    expect(returned(null)).toEqual([]);
  });

  it("counts wrong PINs per credential and raises a lockout when the PIN locks; the rule's threshold decides", () => {
    const failed = (pinFailures: number, code = "pin_incorrect") =>
      alertsForEvent({
        ...base,
        action: "cabinet.identification_failed",
        data: { personId: "p1", credentialId: "cr1", factor: "pin", code, pinFailures },
      });
    const rule = defaultAlertRule("failed_pins");
    expect(failed(2).map((c) => [c.kind, c.subjectId, ruleFires(rule, c)])).toEqual([["failed_pins", "cr1", false]]);
    expect(failed(3).map((c) => ruleFires(rule, c))).toEqual([true]);
    expect(failed(10, "pin_locked").map((c) => c.kind)).toEqual(["failed_pins", "pin_lockout"]);
    expect(ruleFires({ ...rule, enabled: false }, { count: 99 })).toBe(false);
  });

  it("gives every duress signal a cause of its own", () => {
    const one = alertsForEvent({ ...base, action: "cabinet.duress_signalled", data: { personId: "p1" } });
    const two = alertsForEvent({
      ...base,
      eventId: "e2",
      action: "cabinet.duress_signalled",
      data: { personId: "p1" },
    });
    expect(one[0]?.subjectId).not.toBe(two[0]?.subjectId);
  });

  it("documents every kind", () => {
    for (const kind of ALERT_KINDS) {
      expect(ALERT_KIND_SPECS[kind].title.length).toBeGreaterThan(3);
      expect(ALERT_KIND_SPECS[kind].description.endsWith(".")).toBe(true);
    }
  });
});
