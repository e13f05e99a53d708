import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CheckoutDecision,
  type CheckoutInput,
  computeDueAt,
  decideCheckout,
  keyInScope,
  nextCurfew,
  type PolicyGrant,
  type PolicyKey,
  type PolicyProfile,
} from "./checkout-policy.ts";
import { isWithinWindows, localTime, type Weekday, type WeeklyWindow } from "./schedule.ts";
import type { KeyKind, KeyStatus } from "./vocabulary.ts";

const ZONE = "America/Chicago";
const PROPERTY = "prop-1";
const ALL_DAYS: Weekday[] = [1, 2, 3, 4, 5, 6, 7];
const ALWAYS: WeeklyWindow[] = [{ days: ALL_DAYS, start: "00:00", end: "24:00" }];
/** Wednesday 2026-06-10, 10:00 in Chicago (CDT). */
const WED_10AM = new Date("2026-06-10T15:00:00Z");
const NO_SCOPE = {
  allKeys: false,
  buildingIds: [],
  unitIds: [],
  keySetIds: [],
  keyKinds: [],
  includeRestricted: false,
};

function profile(over: Partial<PolicyProfile> = {}): PolicyProfile {
  return {
    id: "prof-1",
    propertyId: PROPERTY,
    status: "active",
    keyScope: { ...NO_SCOPE, allKeys: true },
    windows: ALWAYS,
    holidayCalendarId: null,
    validFrom: null,
    validUntil: null,
    maxKeysOut: null,
    maxDurationMinutes: null,
    curfewTime: null,
    conditions: { witness: false, managerApproval: false, keyPairing: false },
    ...over,
  };
}

function grant(p: PolicyProfile, over: Partial<PolicyGrant["assignment"]> = {}): PolicyGrant {
  return {
    profile: p,
    assignment: {
      id: `asg-${p.id}`,
      propertyId: PROPERTY,
      personId: "ana",
      accessProfileId: p.id,
      status: "active",
      validFrom: null,
      validUntil: null,
      ...over,
    },
  };
}

function key(over: Partial<PolicyKey> = {}): PolicyKey {
  return {
    id: "key-1",
    propertyId: PROPERTY,
    unitId: "unit-101",
    buildingId: "bldg-A",
    keySetId: "set-101",
    kind: "unit",
    status: "in",
    restricted: false,
    ...over,
  };
}

function input(over: Partial<CheckoutInput> = {}): CheckoutInput {
  return {
    propertyId: PROPERTY,
    timeZone: ZONE,
    holidayCalendars: {},
    person: { id: "ana", status: "active", startDate: null, endDate: null },
    grants: [grant(profile())],
    keys: [key()],
    keysOut: [],
    reason: { id: "r-pm", status: "active", requiresWorkOrder: false, defaultDueMinutes: null },
    workOrder: null,
    ...over,
  };
}

const decide = (over: Partial<CheckoutInput> = {}, now = WED_10AM) => decideCheckout(input(over), now);
const codes = (d: CheckoutDecision) => (d.outcome === "denied" ? d.denials.map((x) => x.code) : []);

describe("decideCheckout: the person", () => {
  it("grants an active person a key in scope, in hours", () => {
    expect(decide()).toEqual({
      outcome: "granted",
      keys: [{ keyId: "key-1", profileId: "prof-1", assignmentId: "asg-prof-1", dueAt: null }],
      dueAt: null,
      conditions: [],
    });
  });

  it("refuses an inactive person, whatever their profiles", () => {
    expect(decide({ person: { id: "ana", status: "inactive", startDate: null, endDate: null } })).toMatchObject({
      outcome: "denied",
      denial: { code: "person_inactive" },
    });
  });

  it("reads start and end dates as local dates in the property's zone", () => {
    // why: 2026-06-10T03:00Z is still the evening of June 9 in Chicago
    const lateOnThe9th = new Date("2026-06-10T03:00:00Z");
    const person = { id: "ana", status: "active" as const, startDate: null, endDate: "2026-06-09" };
    expect(decide({ person }, lateOnThe9th).outcome).toBe("granted");
    expect(decide({ person }, new Date("2026-06-10T05:00:00Z"))).toMatchObject({
      denial: { code: "after_end_date", params: { endDate: "2026-06-09" } },
    });
    const starter = { id: "ana", status: "active" as const, startDate: "2026-06-10", endDate: null };
    expect(decide({ person: starter }, lateOnThe9th)).toMatchObject({
      denial: { code: "before_start_date", params: { startDate: "2026-06-10" } },
    });
    expect(decide({ person: starter }).outcome).toBe("granted");
  });
});

describe("decideCheckout: profiles in force", () => {
  it.each([
    ["a revoked assignment", [grant(profile(), { status: "revoked" })]],
    ["an archived profile", [grant(profile({ status: "archived" }))]],
    ["an assignment that starts tomorrow", [grant(profile(), { validFrom: "2026-06-11" })]],
    ["an assignment that ended yesterday", [grant(profile(), { validUntil: "2026-06-09" })]],
    ["a profile that starts tomorrow", [grant(profile({ validFrom: "2026-06-11" }))]],
    ["a profile that ended yesterday", [grant(profile({ validUntil: "2026-06-09" }))]],
    ["someone else's assignment", [grant(profile(), { personId: "ben" })]],
    ["another property's profile", [grant(profile({ propertyId: "prop-2" }), { propertyId: "prop-2" })]],
    ["an assignment paired with the wrong profile", [grant(profile(), { accessProfileId: "prof-9" })]],
    ["no assignment at all", []],
  ])("finds no valid profile with %s", (_, grants) => {
    expect(decide({ grants })).toMatchObject({ outcome: "denied", denial: { code: "no_valid_profile" } });
  });

  it("counts validity dates inclusively", () => {
    const grants = [
      grant(profile({ validFrom: "2026-06-10", validUntil: "2026-06-10" }), { validUntil: "2026-06-10" }),
    ];
    expect(decide({ grants }).outcome).toBe("granted");
  });

  it("refuses a visit with no keys", () => {
    expect(decide({ keys: [] })).toMatchObject({ denial: { code: "no_keys_requested" } });
  });
});

describe("decideCheckout: scope", () => {
  const scoped = (scope: Partial<PolicyProfile["keyScope"]>) => [
    grant(profile({ keyScope: { ...NO_SCOPE, ...scope } })),
  ];

  it.each([
    ["all keys", { allKeys: true }, true],
    ["its building", { buildingIds: ["bldg-A"] }, true],
    ["another building", { buildingIds: ["bldg-B"] }, false],
    ["its unit", { unitIds: ["unit-101"] }, true],
    ["its key set", { keySetIds: ["set-101"] }, true],
    ["its kind", { keyKinds: ["unit" as KeyKind] }, true],
    ["another kind", { keyKinds: ["master" as KeyKind] }, false],
    ["another building or its unit", { buildingIds: ["bldg-B"], unitIds: ["unit-101"] }, true],
    ["its building but another kind", { buildingIds: ["bldg-A"], keyKinds: ["vehicle" as KeyKind] }, false],
    ["its building and its kind", { buildingIds: ["bldg-A"], keyKinds: ["unit" as KeyKind] }, true],
    ["nothing named", {}, false],
  ])("a scope of %s covers the key: %s", (_, scope, covered) => {
    const decision = decide({ grants: scoped(scope) });
    expect(decision.outcome === "granted").toBe(covered);
    if (!covered) {
      expect(decision).toMatchObject({ denial: { code: "not_permitted_key", params: { keyId: "key-1" } } });
    }
  });

  it("decides a key asked for twice once, on its first mention", () => {
    const common = [grant(profile({ keyScope: { ...NO_SCOPE, keyKinds: ["common_area" as KeyKind] } }))];
    const asUnit = key({ id: "k3", kind: "unit" });
    const asCommon = key({ id: "k3", kind: "common_area" });
    // Found by fast-check: with the last mention kept, a key outside the scope was released.
    expect(decide({ grants: common, keys: [asUnit, asCommon] }).outcome).toBe("denied");
    expect(decide({ grants: common, keys: [asCommon, asUnit] }).outcome).toBe("granted");
  });

  it("gives a restricted key only to a profile that includes restricted keys, even with all keys", () => {
    const restricted = key({ restricted: true });
    expect(decide({ keys: [restricted] })).toMatchObject({ denial: { code: "restricted_key" } });
    expect(decide({ keys: [restricted], grants: scoped({ allKeys: true, includeRestricted: true }) }).outcome).toBe(
      "granted",
    );
  });

  it("never gives a key of another property", () => {
    expect(decide({ keys: [key({ propertyId: "prop-2" })] })).toMatchObject({ denial: { code: "not_permitted_key" } });
  });

  it("refuses the whole visit when one key is out of scope, naming that key", () => {
    const decision = decide({
      grants: scoped({ unitIds: ["unit-101"] }),
      keys: [key(), key({ id: "key-2", unitId: "unit-102", keySetId: null, buildingId: "bldg-B" })],
    });
    expect(decision).toMatchObject({
      outcome: "denied",
      denials: [{ code: "not_permitted_key", params: { keyId: "key-2" } }],
    });
  });

  it("exposes the scope rule for the console's key picker", () => {
    expect(keyInScope(profile(), key())).toBe(true);
    expect(keyInScope(profile({ keyScope: NO_SCOPE }), key())).toBe(false);
  });
});

describe("decideCheckout: windows and holidays", () => {
  const weekdays9to5 = profile({ windows: [{ days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" }] });

  it("grants inside the weekly windows and refuses outside them", () => {
    expect(decide({ grants: [grant(weekdays9to5)] }).outcome).toBe("granted");
    expect(decide({ grants: [grant(weekdays9to5)] }, new Date("2026-06-10T22:00:00Z"))).toMatchObject({
      denial: { code: "outside_hours", params: { keyId: "key-1" } },
    });
    expect(decide({ grants: [grant(weekdays9to5)] }, new Date("2026-06-13T15:00:00Z"))).toMatchObject({
      denial: { code: "outside_hours" },
    });
  });

  it("treats a profile with no windows as never open", () => {
    expect(decide({ grants: [grant(profile({ windows: [] }))] })).toMatchObject({ denial: { code: "outside_hours" } });
  });

  it("refuses on a holiday of the profile's calendar, and ignores calendars it is not given", () => {
    const onCalendar = grant(profile({ holidayCalendarId: "cal-us" }));
    expect(decide({ grants: [onCalendar], holidayCalendars: { "cal-us": ["2026-06-10"] } })).toMatchObject({
      denial: { code: "holiday", params: { keyId: "key-1" } },
    });
    expect(decide({ grants: [onCalendar], holidayCalendars: { "cal-us": ["2026-06-11"] } }).outcome).toBe("granted");
    expect(decide({ grants: [onCalendar], holidayCalendars: { "cal-other": ["2026-06-10"] } }).outcome).toBe("granted");
  });

  it("lets an open profile grant what a closed one cannot", () => {
    const emergency = profile({ id: "prof-on-call", holidayCalendarId: null });
    const closed = profile({ id: "prof-office", holidayCalendarId: "cal-us" });
    const decision = decide({
      grants: [grant(closed), grant(emergency)],
      holidayCalendars: { "cal-us": ["2026-06-10"] },
    });
    expect(decision).toMatchObject({ outcome: "granted", keys: [{ profileId: "prof-on-call" }] });
  });

  it("reads windows in the zone on the spring-forward day (America/Chicago, 2026-03-08)", () => {
    const sundayNight = grant(profile({ windows: [{ days: [7], start: "01:00", end: "04:00" }] }));
    const day = grant(profile({ windows: [{ days: [7], start: "08:00", end: "17:00" }] }));
    expect(decide({ grants: [sundayNight] }, new Date("2026-03-08T07:59:00Z")).outcome).toBe("granted"); // 01:59 CST
    expect(decide({ grants: [sundayNight] }, new Date("2026-03-08T08:00:00Z")).outcome).toBe("granted"); // 03:00 CDT
    expect(decide({ grants: [sundayNight] }, new Date("2026-03-08T09:00:00Z")).outcome).toBe("denied"); // 04:00 CDT
    expect(decide({ grants: [day] }, new Date("2026-03-08T13:00:00Z")).outcome).toBe("granted"); // 08:00 CDT
    expect(decide({ grants: [day] }, new Date("2026-03-08T22:30:00Z")).outcome).toBe("denied"); // 17:30 CDT
  });

  it("reads windows in the zone on the fall-back day (America/Chicago, 2026-11-01)", () => {
    const day = grant(profile({ windows: [{ days: [7], start: "08:00", end: "17:00" }] }));
    expect(decide({ grants: [day] }, new Date("2026-11-01T13:30:00Z")).outcome).toBe("denied"); // 07:30 CST
    expect(decide({ grants: [day] }, new Date("2026-11-01T14:00:00Z")).outcome).toBe("granted"); // 08:00 CST
    expect(decide({ grants: [day] }, new Date("2026-11-01T22:59:00Z")).outcome).toBe("granted"); // 16:59 CST
    expect(decide({ grants: [day] }, new Date("2026-11-01T23:00:00Z")).outcome).toBe("denied"); // 17:00 CST
  });
});

describe("decideCheckout: keys-out limit", () => {
  const twoKeys = [key(), key({ id: "key-2" })];

  it("counts keys already held plus keys taken now", () => {
    const grants = [grant(profile({ maxKeysOut: 3 }))];
    expect(decide({ grants, keysOut: ["held-1"], keys: twoKeys }).outcome).toBe("granted");
    expect(decide({ grants, keysOut: ["held-1", "held-2"], keys: twoKeys })).toMatchObject({
      denial: { code: "keys_out_limit", params: { limit: 3, keysOut: 2, requested: 2 } },
    });
  });

  it("counts a key asked for twice once", () => {
    const grants = [grant(profile({ maxKeysOut: 1 }))];
    const decision = decide({ grants, keys: [key(), key()] });
    expect(decision).toMatchObject({ outcome: "granted", keys: [{ keyId: "key-1" }] });
  });

  it("takes the most permissive in-force profile that covers the key", () => {
    const tight = profile({ id: "prof-tight", maxKeysOut: 1 });
    const loose = profile({ id: "prof-loose", maxKeysOut: 5 });
    const decision = decide({ grants: [grant(tight), grant(loose)], keysOut: ["held-1"] });
    expect(decision).toMatchObject({ outcome: "granted", keys: [{ profileId: "prof-loose" }] });
  });

  it("does not lend a profile's limit to keys outside its scope", () => {
    const units = profile({ id: "prof-units", maxKeysOut: 1, keyScope: { ...NO_SCOPE, keyKinds: ["unit"] } });
    const vehicles = profile({ id: "prof-cars", maxKeysOut: 9, keyScope: { ...NO_SCOPE, keyKinds: ["vehicle"] } });
    expect(decide({ grants: [grant(units), grant(vehicles)], keysOut: ["held-1"] })).toMatchObject({
      denial: { code: "keys_out_limit", params: { limit: 1 } },
    });
    expect(
      decide({ grants: [grant(units), grant(vehicles)], keysOut: ["held-1"], keys: [key({ kind: "vehicle" })] }),
    ).toMatchObject({ outcome: "granted", keys: [{ profileId: "prof-cars" }] });
  });

  it("has no limit when a covering profile sets none", () => {
    const keysOut = Array.from({ length: 40 }, (_, i) => `held-${i}`);
    expect(decide({ keysOut }).outcome).toBe("granted");
  });
});

describe("decideCheckout: key status", () => {
  it.each(["out", "lost", "retired", "with_resident"] as KeyStatus[])("refuses a key that is %s", (status) => {
    expect(decide({ keys: [key({ status })] })).toMatchObject({
      denial: { code: "key_not_available", params: { keyId: "key-1", status } },
    });
  });
});

describe("decideCheckout: reason and work order", () => {
  const reason = { id: "r-wo", status: "active" as const, requiresWorkOrder: true, defaultDueMinutes: null };

  it("requires a reason, and an active one", () => {
    expect(decide({ reason: null })).toMatchObject({ denial: { code: "reason_required" } });
    expect(decide({ reason: { ...reason, requiresWorkOrder: false, status: "archived" } })).toMatchObject({
      denial: { code: "reason_inactive" },
    });
  });

  it("requires a work-order number when the reason does", () => {
    expect(decide({ reason })).toMatchObject({ denial: { code: "work_order_required" } });
    expect(decide({ reason, workOrder: "   " })).toMatchObject({ denial: { code: "work_order_required" } });
    expect(decide({ reason, workOrder: "WO-1234" }).outcome).toBe("granted");
  });

  it("lists every problem of a visit, keys first", () => {
    const decision = decide({ reason: null, keys: [key({ status: "lost" }), key({ id: "key-2", propertyId: "x" })] });
    expect(codes(decision)).toEqual(["key_not_available", "not_permitted_key", "reason_required"]);
  });
});

describe("decideCheckout: extra conditions", () => {
  const withWitness = profile({
    id: "prof-dual",
    conditions: { witness: true, managerApproval: false, keyPairing: false },
  });
  const withAll = profile({ id: "prof-all", conditions: { witness: true, managerApproval: true, keyPairing: true } });

  it("reports conditions instead of passing them", () => {
    expect(decide({ grants: [grant(withAll)] })).toMatchObject({
      outcome: "conditions_required",
      keys: [{ keyId: "key-1" }],
      requirements: [
        { condition: "witness", keyIds: ["key-1"] },
        { condition: "manager_approval", keyIds: ["key-1"] },
        { condition: "key_pairing", keyIds: ["key-1"] },
      ],
    });
  });

  it("grants once the caller satisfies them, and names them for the event", () => {
    const satisfied = { witnessPersonId: "ben", managerApprovalId: "appr-1", keyPairingConfirmed: true };
    const decision = decide({ grants: [grant(withAll)], satisfied });
    expect(decision).toMatchObject({ outcome: "granted" });
    expect(decision.outcome === "granted" && decision.conditions.map((c) => c.condition)).toEqual([
      "witness",
      "manager_approval",
      "key_pairing",
    ]);
    expect(decide({ grants: [grant(withAll)], satisfied: { ...satisfied, managerApprovalId: null } })).toMatchObject({
      outcome: "conditions_required",
      requirements: [{ condition: "manager_approval" }],
    });
  });

  it("refuses the holder as their own witness", () => {
    expect(decide({ grants: [grant(withWitness)], satisfied: { witnessPersonId: "ana" } })).toMatchObject({
      denial: { code: "witness_is_holder" },
    });
  });

  it("prefers a profile without conditions when one covers the key", () => {
    expect(decide({ grants: [grant(withWitness), grant(profile({ id: "prof-plain" }))] })).toMatchObject({
      outcome: "granted",
      keys: [{ profileId: "prof-plain" }],
    });
  });
});

describe("due time", () => {
  it("is the earliest of the reason's default, the profile's duration and its curfew", () => {
    const p = profile({ maxDurationMinutes: 8 * 60, curfewTime: "18:30" });
    const reason = { id: "r", status: "active" as const, requiresWorkOrder: false, defaultDueMinutes: 60 };
    expect(decide({ grants: [grant(p)], reason })).toMatchObject({ dueAt: "2026-06-10T16:00:00.000Z" });
    expect(decide({ grants: [grant(p)] })).toMatchObject({ dueAt: "2026-06-10T23:00:00.000Z" }); // 18:00 CDT
    expect(decide({ grants: [grant(profile({ curfewTime: "12:00" }))] })).toMatchObject({
      dueAt: "2026-06-10T17:00:00.000Z",
    });
  });

  it("is tomorrow's curfew when today's has passed, or is now", () => {
    expect(nextCurfew("09:00", WED_10AM, ZONE).toISOString()).toBe("2026-06-11T14:00:00.000Z");
    expect(nextCurfew("10:00", WED_10AM, ZONE).toISOString()).toBe("2026-06-11T15:00:00.000Z");
    expect(nextCurfew("24:00", WED_10AM, ZONE).toISOString()).toBe("2026-06-11T05:00:00.000Z");
  });

  it("is null when nothing sets one", () => {
    expect(computeDueAt(WED_10AM, ZONE, null, profile())).toBeNull();
  });

  it("is per key, with the visit's due time the earliest", () => {
    const short = profile({
      id: "prof-short",
      maxDurationMinutes: 30,
      keyScope: { ...NO_SCOPE, keyKinds: ["vehicle"] },
    });
    const long = profile({ id: "prof-long", maxDurationMinutes: 120, keyScope: { ...NO_SCOPE, keyKinds: ["unit"] } });
    const decision = decide({
      grants: [grant(short), grant(long)],
      keys: [key(), key({ id: "car", kind: "vehicle" })],
    });
    expect(decision).toMatchObject({
      outcome: "granted",
      dueAt: "2026-06-10T15:30:00.000Z",
      keys: [
        { keyId: "key-1", dueAt: "2026-06-10T17:00:00.000Z" },
        { keyId: "car", dueAt: "2026-06-10T15:30:00.000Z" },
      ],
    });
  });

  it("keeps curfews on local wall time across the spring-forward change (2026-03-08)", () => {
    // 01:00 CST; 02:30 does not exist that night, so the curfew falls at 03:30 CDT
    expect(nextCurfew("02:30", new Date("2026-03-08T07:00:00Z"), ZONE).toISOString()).toBe("2026-03-08T08:30:00.000Z");
    // Saturday 20:00 CST, curfew 18:00: Sunday 18:00 is CDT, 21 hours later, not 22
    expect(nextCurfew("18:00", new Date("2026-03-08T02:00:00Z"), ZONE).toISOString()).toBe("2026-03-08T23:00:00.000Z");
    // a duration is elapsed time: 8 hours from 01:00 CST is 10:00 CDT
    const p = profile({ maxDurationMinutes: 480 });
    expect(computeDueAt(new Date("2026-03-08T07:00:00Z"), ZONE, null, p)?.toISOString()).toBe(
      "2026-03-08T15:00:00.000Z",
    );
  });

  it("keeps curfews on local wall time across the fall-back change (2026-11-01)", () => {
    // 00:30 CDT, curfew 01:30: the first 01:30 (CDT)
    expect(nextCurfew("01:30", new Date("2026-11-01T05:30:00Z"), ZONE).toISOString()).toBe("2026-11-01T06:30:00.000Z");
    // Saturday 20:00 CDT, curfew 18:00: Sunday 18:00 is CST, 23 hours later, not 22
    expect(nextCurfew("18:00", new Date("2026-11-01T01:00:00Z"), ZONE).toISOString()).toBe("2026-11-02T00:00:00.000Z");
    const p = profile({ curfewTime: "18:00", windows: ALWAYS });
    expect(decide({ grants: [grant(p)] }, new Date("2026-11-01T15:00:00Z"))).toMatchObject({
      dueAt: "2026-11-02T00:00:00.000Z",
    });
  });
});

// ------------------------------------------------------------------ properties

const DATES = ["2026-01-01", "2026-03-08", "2026-06-10", "2026-11-01", "2026-12-31"];
const optDate = fc.option(fc.constantFrom(...DATES), { nil: null });
const KINDS: KeyKind[] = ["unit", "common_area", "master", "vehicle"];
const WINDOWS: WeeklyWindow[][] = [
  ALWAYS,
  [],
  [{ days: [1, 2, 3, 4, 5], start: "08:00", end: "17:00" }],
  [{ days: [6, 7], start: "00:00", end: "12:00" }],
];

const arbProfile = (id: string): fc.Arbitrary<PolicyProfile> =>
  fc.record({
    id: fc.constant(id),
    propertyId: fc.constantFrom(PROPERTY, PROPERTY, "prop-2"),
    status: fc.constantFrom("active", "active", "archived"),
    keyScope: fc.record({
      allKeys: fc.boolean(),
      buildingIds: fc.subarray(["b1", "b2"]),
      unitIds: fc.subarray(["u1", "u2", "u3"]),
      keySetIds: fc.subarray(["s1", "s2"]),
      keyKinds: fc.subarray(KINDS),
      includeRestricted: fc.boolean(),
    }),
    windows: fc.constantFrom(...WINDOWS),
    holidayCalendarId: fc.constantFrom(null, "cal"),
    validFrom: optDate,
    validUntil: optDate,
    maxKeysOut: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    maxDurationMinutes: fc.option(fc.integer({ min: 5, max: 2000 }), { nil: null }),
    curfewTime: fc.constantFrom(null, "02:30", "18:00", "24:00"),
    conditions: fc.record({ witness: fc.boolean(), managerApproval: fc.boolean(), keyPairing: fc.boolean() }),
  });

const arbGrant = (id: string): fc.Arbitrary<PolicyGrant> =>
  fc
    .tuple(
      arbProfile(id),
      fc.constantFrom("ana", "ana", "ben"),
      fc.constantFrom("active", "active", "revoked"),
      optDate,
      optDate,
    )
    .map(([p, personId, status, validFrom, validUntil]) => ({
      profile: p,
      assignment: {
        id: `asg-${id}`,
        propertyId: p.propertyId,
        personId,
        accessProfileId: p.id,
        status,
        validFrom,
        validUntil,
      },
    }));

const arbKey: fc.Arbitrary<PolicyKey> = fc.record({
  id: fc.constantFrom("k1", "k2", "k3", "k4", "k5"),
  propertyId: fc.constantFrom(PROPERTY, PROPERTY, PROPERTY, "prop-2"),
  unitId: fc.constantFrom(null, "u1", "u2", "u3"),
  buildingId: fc.constantFrom(null, "b1", "b2"),
  keySetId: fc.constantFrom(null, "s1", "s2"),
  kind: fc.constantFrom(...KINDS),
  status: fc.constantFrom<KeyStatus>("in", "in", "in", "out", "lost"),
  restricted: fc.boolean(),
});

const arbInput: fc.Arbitrary<CheckoutInput> = fc.record({
  propertyId: fc.constant(PROPERTY),
  timeZone: fc.constantFrom(ZONE, "Europe/Madrid"),
  holidayCalendars: fc.record({ cal: fc.subarray(DATES) }),
  person: fc.record({
    id: fc.constant("ana"),
    status: fc.constantFrom("active", "active", "active", "inactive"),
    startDate: optDate,
    endDate: optDate,
  }),
  grants: fc.tuple(arbGrant("p1"), arbGrant("p2"), arbGrant("p3")).chain((gs) => fc.subarray(gs)),
  keys: fc.array(arbKey, { maxLength: 4 }),
  keysOut: fc.subarray(["h1", "h2", "h3", "h4"]),
  reason: fc.constant({ id: "r", status: "active" as const, requiresWorkOrder: false, defaultDueMinutes: 90 }),
  workOrder: fc.constant(null),
  satisfied: fc.constantFrom(undefined, { witnessPersonId: "ben", managerApprovalId: "a", keyPairingConfirmed: true }),
});

const arbNow = fc
  .integer({ min: Date.parse("2025-12-30T00:00:00Z"), max: Date.parse("2027-01-02T00:00:00Z") })
  .map((ms) => new Date(ms));

/** The documented scope rule, written out independently of the implementation. */
function covers(p: PolicyProfile, k: PolicyKey): boolean {
  if (k.propertyId !== p.propertyId || (k.restricted && !p.keyScope.includeRestricted)) {
    return false;
  }
  const s = p.keyScope;
  if (s.allKeys) {
    return true;
  }
  const places = [...s.buildingIds, ...s.unitIds, ...s.keySetIds];
  if (places.length === 0 && s.keyKinds.length === 0) {
    return false;
  }
  const inPlace =
    places.length === 0 ||
    s.buildingIds.some((b) => b === k.buildingId) ||
    s.unitIds.some((u) => u === k.unitId) ||
    s.keySetIds.some((x) => x === k.keySetId);
  return inPlace && (s.keyKinds.length === 0 || s.keyKinds.includes(k.kind));
}

/** Whether a grant is in force and open at `now`, per the documented rules. */
function openAt(g: PolicyGrant, i: CheckoutInput, now: Date): boolean {
  const today = localTime(now, i.timeZone).date;
  const inDates = (from: string | null, until: string | null) =>
    (from === null || from <= today) && (until === null || today <= until);
  const holidays = g.profile.holidayCalendarId === null ? [] : (i.holidayCalendars[g.profile.holidayCalendarId] ?? []);
  return (
    g.assignment.status === "active" &&
    g.profile.status === "active" &&
    g.assignment.personId === i.person.id &&
    g.assignment.accessProfileId === g.profile.id &&
    g.assignment.propertyId === i.propertyId &&
    g.profile.propertyId === i.propertyId &&
    inDates(g.assignment.validFrom, g.assignment.validUntil) &&
    inDates(g.profile.validFrom, g.profile.validUntil) &&
    isWithinWindows(now, i.timeZone, g.profile.windows, holidays)
  );
}

describe("decideCheckout: properties", () => {
  it("never releases a key outside every open, in-force profile's scope, nor one that is not in", () => {
    fc.assert(
      fc.property(arbInput, arbNow, (i, now) => {
        const d = decideCheckout(i, now);
        if (d.outcome === "denied") {
          return;
        }
        for (const granted of d.keys) {
          const k = i.keys.find((x) => x.id === granted.keyId);
          const g = i.grants.find((x) => x.profile.id === granted.profileId);
          expect(k?.status).toBe("in");
          expect(g !== undefined && k !== undefined && openAt(g, i, now) && covers(g.profile, k)).toBe(true);
        }
        expect(new Set(d.keys.map((x) => x.keyId))).toEqual(new Set(i.keys.map((x) => x.id)));
      }),
      { numRuns: 500 },
    );
  });

  it("never lets the person hold more keys than the limit of the profile each key is taken under", () => {
    fc.assert(
      fc.property(arbInput, arbNow, (i, now) => {
        const d = decideCheckout(i, now);
        if (d.outcome === "denied") {
          return;
        }
        const total = new Set([...i.keysOut, ...i.keys.map((k) => k.id)]).size;
        for (const granted of d.keys) {
          const limit = i.grants.find((x) => x.profile.id === granted.profileId)?.profile.maxKeysOut;
          expect(limit === null || (limit !== undefined && total <= limit)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("never grants anything to an inactive person", () => {
    fc.assert(
      fc.property(arbInput, arbNow, (i, now) => {
        const inactive = { ...i, person: { ...i.person, status: "inactive" as const } };
        expect(decideCheckout(inactive, now)).toMatchObject({ outcome: "denied", denial: { code: "person_inactive" } });
      }),
    );
  });

  it("never grants with a condition unmet, and never dues a key before now nor after its bounds", () => {
    fc.assert(
      fc.property(arbInput, arbNow, (i, now) => {
        const d = decideCheckout(i, now);
        if (d.outcome === "denied") {
          return;
        }
        for (const granted of d.keys) {
          const p = i.grants.find((x) => x.profile.id === granted.profileId)?.profile;
          const c = p?.conditions;
          if (d.outcome === "granted" && c !== undefined && (c.witness || c.managerApproval || c.keyPairing)) {
            expect(i.satisfied).toBeDefined();
          }
          const due = granted.dueAt === null ? null : Date.parse(granted.dueAt);
          // why: every generated reason sets 90 minutes, so a due time always exists
          expect(due).not.toBeNull();
          expect(due ?? 0).toBeGreaterThan(now.getTime());
          expect(due ?? 0).toBeLessThanOrEqual(now.getTime() + 90 * 60_000);
          if (p?.maxDurationMinutes != null) {
            expect(due ?? 0).toBeLessThanOrEqual(now.getTime() + p.maxDurationMinutes * 60_000);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never turns a permitted visit into a refusal when a profile is added", () => {
    fc.assert(
      fc.property(arbInput, arbGrant("p9"), arbNow, (i, extra, now) => {
        const before = decideCheckout(i, now);
        const after = decideCheckout({ ...i, grants: [...i.grants, extra] }, now);
        if (before.outcome !== "denied") {
          expect(after.outcome).not.toBe("denied");
        }
      }),
      { numRuns: 300 },
    );
  });
});
