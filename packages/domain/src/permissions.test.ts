import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ACTIONS,
  type Actor,
  allRoles,
  can,
  canGrantRole,
  ENTITIES,
  PEOPLE_MANAGING_ROLES,
  PERMISSIONS,
  propertiesWhere,
  ROLES,
  type Role,
  rolesAt,
} from "./permissions.ts";

const ORG = "org-a";
const PROPERTIES = ["p1", "p2", "p3"] as const;

/**
 * The seniority of roles, written out independently of the implementation: nobody may hand out a role above their
 * own. Office staff and auditors stand level.
 */
const SENIORITY: Record<Role, number> = {
  administrator: 9,
  executive: 8,
  regional_manager: 7,
  property_manager: 6,
  maintenance_supervisor: 5,
  office_staff: 4,
  auditor: 4,
  technician: 2,
  vendor: 1,
};
const GRANTERS: readonly Role[] = ["administrator", "executive", "regional_manager", "property_manager"];

function actor(parts: Partial<Actor> = {}): Actor {
  return {
    userId: "u1",
    personId: "person-1",
    organizationId: ORG,
    organizationRoles: [],
    propertyRoles: {},
    regionRoles: {},
    ...parts,
  };
}

const roleArb = fc.constantFrom(...ROLES);
const rolesArb = fc.uniqueArray(roleArb, { maxLength: 3 });
const actorArb: fc.Arbitrary<Actor> = fc
  .record({
    organizationRoles: fc.uniqueArray(roleArb, { maxLength: 2 }),
    propertyRoles: fc.dictionary(fc.constantFrom(...PROPERTIES), rolesArb, { maxKeys: 3 }),
    regionRoles: fc.dictionary(fc.constantFrom("r1", "r2"), rolesArb, { maxKeys: 2 }),
  })
  .map((parts) => actor(parts));
const resourceArb = fc.record({
  entity: fc.constantFrom(...ENTITIES),
  organizationId: fc.constantFrom(ORG, "org-b"),
  propertyId: fc.constantFrom<string | null>(null, ...PROPERTIES),
  regionId: fc.constantFrom<string | null>(null, "r1", "r2"),
});
const actionArb = fc.constantFrom(...ACTIONS);

describe("PERMISSIONS", () => {
  it("gives the administrator everything but writing checkouts", () => {
    for (const entity of ENTITIES) {
      expect(PERMISSIONS.administrator[entity]).toEqual(
        entity === "checkout" ? ["read"] : ["read", "create", "update"],
      );
    }
  });

  it("lets no role create or change a checkout through the matrix", () => {
    for (const role of ROLES) {
      expect(PERMISSIONS[role].checkout.filter((a) => a !== "read")).toEqual([]);
    }
  });

  it("lets exactly the roles that read keys read checkouts", () => {
    for (const role of ROLES) {
      expect({ role, reads: PERMISSIONS[role].checkout.includes("read") }).toEqual({
        role,
        reads: PERMISSIONS[role].key.includes("read"),
      });
    }
  });

  it("lets property managers and above, and nobody else, enrol cabinets and release them remotely", () => {
    const operators = ROLES.filter((r) => PERMISSIONS[r].cabinetControl.includes("create"));
    expect(operators.sort()).toEqual(["administrator", "executive", "property_manager", "regional_manager"].sort());
    const m = actor({ propertyRoles: { p1: ["property_manager"] } });
    const res = { entity: "cabinetControl" as const, organizationId: ORG, propertyId: "p1" };
    expect(can(m, "create", res)).toBe(true);
    expect(can(m, "create", { ...res, propertyId: "p2" })).toBe(false);
    expect(can(actor({ propertyRoles: { p1: ["maintenance_supervisor"] } }), "create", res)).toBe(false);
    expect(can(actor({ organizationRoles: ["auditor"] }), "create", res)).toBe(false);
  });

  it("keeps the auditor read-only and out of imports", () => {
    for (const entity of ENTITIES) {
      expect(PERMISSIONS.auditor[entity]).toEqual(entity === "import" ? [] : ["read"]);
    }
  });

  it("lets vendors read only the organization, properties and reason codes", () => {
    const readable = ENTITIES.filter((e) => PERMISSIONS.vendor[e].length > 0);
    expect(readable).toEqual(["organization", "property", "reasonCode"]);
    expect(ENTITIES.every((e) => PERMISSIONS.vendor[e].every((a) => a === "read"))).toBe(true);
  });

  it("lets no role below the executive change reason codes, regions or create properties", () => {
    for (const role of ROLES.filter((r) => r !== "administrator" && r !== "executive")) {
      expect(PERMISSIONS[role].reasonCode).not.toContain("update");
      expect(PERMISSIONS[role].region).not.toContain("create");
      expect(PERMISSIONS[role].property).not.toContain("create");
    }
  });

  it("lets the technician read keys and cabinets but change nothing", () => {
    expect(PERMISSIONS.technician.key).toEqual(["read"]);
    expect(PERMISSIONS.technician.cabinet).toEqual(["read"]);
    expect(ENTITIES.some((e) => PERMISSIONS.technician[e].some((a) => a !== "read"))).toBe(false);
  });

  it("names the people-managing roles: those who grant roles or issue credentials", () => {
    expect([...PEOPLE_MANAGING_ROLES].sort()).toEqual(
      ["administrator", "executive", "maintenance_supervisor", "property_manager", "regional_manager"].sort(),
    );
  });
});

describe("can", () => {
  const manager = actor({ propertyRoles: { p1: ["property_manager"] } });
  const technician = actor({ propertyRoles: { p1: ["technician"] } });

  const auditor = actor({ organizationRoles: ["auditor"] });
  const executive = actor({ organizationRoles: ["executive"] });
  const who = { manager, technician, auditor, executive };

  it.each([
    ["manager", "update", "key", "p1", true],
    ["manager", "update", "key", "p2", false],
    ["manager", "read", "key", "p2", false],
    ["manager", "create", "reasonCode", null, false],
    ["manager", "read", "reasonCode", null, true],
    ["manager", "update", "organization", null, false],
    ["technician", "read", "key", "p1", true],
    ["technician", "update", "key", "p1", false],
    ["technician", "read", "person", "p1", false],
    ["technician", "read", "event", null, false],
    ["auditor", "read", "event", "p3", true],
    ["auditor", "update", "unit", "p3", false],
    ["executive", "create", "property", null, true],
    ["executive", "update", "organization", null, false],
  ] as const)("lets the %s %s a %s at %s: %s", (name, action, entity, propertyId, expected) => {
    expect(can(who[name], action, { entity, organizationId: ORG, propertyId })).toBe(expected);
  });

  it("lets a region role change its own region only", () => {
    const regional = actor({ regionRoles: { r1: ["executive"] } });
    const region = (regionId: string) => ({
      entity: "region" as const,
      organizationId: ORG,
      propertyId: null,
      regionId,
    });
    expect(can(regional, "update", region("r1"))).toBe(true);
    expect(can(regional, "update", region("r2"))).toBe(false);
  });

  it("never allows anything on another organization's resource", () => {
    fc.assert(
      fc.property(actorArb, actionArb, resourceArb, (who, action, resource) => {
        fc.pre(resource.organizationId !== who.organizationId);
        expect(can(who, action, resource)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it("allows nothing at a property where the actor holds no role and no organization role", () => {
    fc.assert(
      fc.property(actorArb, actionArb, fc.constantFrom(...ENTITIES), fc.constantFrom(...PROPERTIES), (who, a, e, p) => {
        fc.pre(who.organizationRoles.length === 0 && (who.propertyRoles[p] ?? []).length === 0);
        expect(can(who, a, { entity: e, organizationId: ORG, propertyId: p })).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("at a property, allows exactly what one of the roles held there allows", () => {
    fc.assert(
      fc.property(actorArb, actionArb, fc.constantFrom(...ENTITIES), fc.constantFrom(...PROPERTIES), (who, a, e, p) => {
        const held = [...who.organizationRoles, ...(who.propertyRoles[p] ?? [])];
        const expected = held.some((role) => PERMISSIONS[role][e].includes(a));
        expect(can(who, a, { entity: e, organizationId: ORG, propertyId: p })).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("never lets a property role change an organization-level record", () => {
    fc.assert(
      fc.property(actorArb, fc.constantFrom("create", "update") as fc.Arbitrary<"create" | "update">, (who, a) => {
        const propertyOnly = actor({ propertyRoles: who.propertyRoles });
        for (const entity of ENTITIES.filter((e) => e !== "region")) {
          expect(can(propertyOnly, a, { entity, organizationId: ORG, propertyId: null })).toBe(false);
        }
      }),
    );
  });

  it("never takes a permission away when a role is added", () => {
    fc.assert(
      fc.property(actorArb, roleArb, fc.constantFrom(...PROPERTIES), actionArb, resourceArb, (who, role, p, a, res) => {
        const more = actor({
          ...who,
          propertyRoles: { ...who.propertyRoles, [p]: [...(who.propertyRoles[p] ?? []), role] },
        });
        if (can(who, a, res)) {
          expect(can(more, a, res)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("lets the auditor, wherever held, change nothing", () => {
    fc.assert(
      fc.property(fc.constantFrom("create", "update") as fc.Arbitrary<"create" | "update">, resourceArb, (a, res) => {
        const auditor = actor({ organizationRoles: ["auditor"], propertyRoles: { p1: ["auditor"] } });
        expect(can(auditor, a, res)).toBe(false);
      }),
    );
  });
});

describe("propertiesWhere", () => {
  it("lists exactly the properties where can() allows the act", () => {
    fc.assert(
      fc.property(actorArb, actionArb, fc.constantFrom(...ENTITIES), (who, a, e) => {
        const where = propertiesWhere(who, a, e);
        for (const p of PROPERTIES) {
          const allowed = can(who, a, { entity: e, organizationId: ORG, propertyId: p });
          expect(where === "all" || where.includes(p)).toBe(allowed);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("rolesAt and allRoles", () => {
  it("combine organization roles with the roles held at the property or anywhere", () => {
    const who = actor({
      organizationRoles: ["auditor"],
      propertyRoles: { p1: ["technician"] },
      regionRoles: { r1: ["regional_manager"] },
    });
    expect(rolesAt(who, "p1")).toEqual(["auditor", "technician"]);
    expect(rolesAt(who, "p2")).toEqual(["auditor"]);
    expect(allRoles(who)).toEqual(["auditor", "technician", "regional_manager"]);
  });
});

describe("canGrantRole", () => {
  const atProperty = (id: string) => ({ type: "property" as const, propertyIds: [id] });
  const manager = actor({ propertyRoles: { p1: ["property_manager"] } });

  it("lets a property manager grant up to property manager at their own property", () => {
    expect(canGrantRole(manager, "technician", atProperty("p1"))).toBe(true);
    expect(canGrantRole(manager, "property_manager", atProperty("p1"))).toBe(true);
    expect(canGrantRole(manager, "regional_manager", atProperty("p1"))).toBe(false);
    expect(canGrantRole(manager, "executive", atProperty("p1"))).toBe(false);
    expect(canGrantRole(manager, "administrator", atProperty("p1"))).toBe(false);
  });

  it("lets a property manager grant nothing at another property or across the organization", () => {
    expect(canGrantRole(manager, "technician", atProperty("p2"))).toBe(false);
    expect(canGrantRole(manager, "technician", { type: "organization", propertyIds: [] })).toBe(false);
  });

  it("lets roles that cannot create role assignments grant nothing, not even a vendor", () => {
    for (const role of ["technician", "vendor", "office_staff", "auditor", "maintenance_supervisor"] as const) {
      const who = actor({ organizationRoles: [role], propertyRoles: { p1: [role] } });
      for (const granted of ROLES) {
        expect(canGrantRole(who, granted, atProperty("p1"))).toBe(false);
        expect(canGrantRole(who, granted, { type: "organization", propertyIds: [] })).toBe(false);
      }
    }
  });

  it("lets only an administrator make administrators; an executive makes executives", () => {
    const executive = actor({ organizationRoles: ["executive"] });
    const admin = actor({ organizationRoles: ["administrator"] });
    expect(canGrantRole(executive, "administrator", { type: "organization", propertyIds: [] })).toBe(false);
    expect(canGrantRole(executive, "executive", { type: "organization", propertyIds: [] })).toBe(true);
    expect(canGrantRole(admin, "administrator", { type: "organization", propertyIds: [] })).toBe(true);
  });

  it("requires, for a region, a sufficient role at every property of it", () => {
    const mixed = actor({ propertyRoles: { p1: ["property_manager"], p2: ["regional_manager"] } });
    const region = { type: "region" as const, propertyIds: ["p1", "p2"] };
    expect(canGrantRole(mixed, "property_manager", region)).toBe(true);
    expect(canGrantRole(mixed, "regional_manager", region)).toBe(false);
    expect(canGrantRole(mixed, "technician", { type: "region", propertyIds: ["p1", "p3"] })).toBe(false);
  });

  const scopeArb = fc.oneof(
    fc.constant({ type: "organization" as const, propertyIds: [] as string[] }),
    fc.constantFrom(...PROPERTIES).map((p) => ({ type: "property" as const, propertyIds: [p] })),
    fc
      .uniqueArray(fc.constantFrom(...PROPERTIES), { minLength: 1, maxLength: 3 })
      .map((ids) => ({ type: "region" as const, propertyIds: ids })),
  );

  it("never grants a role above the granter's best granting role at every property of the scope", () => {
    fc.assert(
      fc.property(actorArb, roleArb, scopeArb, (who, role, scope) => {
        if (!canGrantRole(who, role, scope)) {
          return;
        }
        const scopes =
          scope.type === "organization" ? [who.organizationRoles] : scope.propertyIds.map((p) => rolesAt(who, p));
        for (const held of scopes) {
          const best = Math.max(0, ...held.filter((r) => GRANTERS.includes(r)).map((r) => SENIORITY[r]));
          expect(SENIORITY[role]).toBeLessThanOrEqual(best);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("never grants administrator unless the granter is an administrator throughout the scope", () => {
    fc.assert(
      fc.property(actorArb, scopeArb, (who, scope) => {
        if (!canGrantRole(who, "administrator", scope)) {
          return;
        }
        const scopes =
          scope.type === "organization" ? [who.organizationRoles] : scope.propertyIds.map((p) => rolesAt(who, p));
        for (const held of scopes) {
          expect(held).toContain("administrator");
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("grants at a region only what it would grant at each of the region's properties", () => {
    fc.assert(
      fc.property(
        actorArb,
        roleArb,
        fc.uniqueArray(fc.constantFrom(...PROPERTIES), { minLength: 1 }),
        (who, role, ids) => {
          if (canGrantRole(who, role, { type: "region", propertyIds: ids })) {
            for (const id of ids) {
              expect(canGrantRole(who, role, atProperty(id))).toBe(true);
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
