/**
 * The demo organization `npm start` and `keyward demo` show: two properties in different time zones, about 300
 * units, about 700 keys on the hooks of three cabinets (one double), twelve people across the roles with badges
 * and dashboard logins, reason codes, holiday calendars and access profiles with weekly windows.
 * It refuses to touch a database that already holds an organization.
 */
import type { Db } from "@keyward/db/connect";
import type { Role, ScopeType } from "@keyward/domain/permissions";
import { systemActor } from "../auth/actor.ts";
import type { CommandContext } from "../resources/definition.ts";
import {
  accessProfiles,
  buildings,
  cabinets,
  holidayCalendars,
  keySets,
  keys,
  people,
  profileAssignments,
  properties,
  regions,
  units,
} from "../resources/definitions.ts";
import { activatePin } from "./activate-pin.ts";
import { createRecord } from "./create-record.ts";
import { grantRole } from "./grant-role.ts";
import { issueCredential } from "./issue-credential.ts";
import { createUser } from "./manage-users.ts";
import { setUpOrganization, setupNeeded } from "./set-up-organization.ts";

export const DEMO_PASSWORD = "keyward-demo";
export const DEMO_ORGANIZATION = "Demo Property Management";

export interface DemoLogin {
  email: string;
  role: string;
}

/** A demo person who uses the cabinets: what to present at the kiosk. */
export interface DemoCabinetUser {
  personId: string;
  name: string;
  role: string;
  badge: string;
  pin: string;
  /** The properties where they hold an access profile. */
  propertyIds: string[];
}

/** What the seed created: dashboard sign-ins and the people who can open the cabinets. */
export interface DemoSeed {
  logins: DemoLogin[];
  cabinetUsers: DemoCabinetUser[];
}

/**
 * The demo PIN of a badge. why: every demo PIN is printed for all to read, like the demo password; deriving it from
 * the badge keeps each person's distinct and easy to find, and the organization's PIN rules still accept it.
 */
export function demoPin(badge: string): string {
  return `${badge}27`;
}

const COMMON_AREAS = [
  "Pool",
  "Fitness center",
  "Mechanical room",
  "Leasing office",
  "Laundry",
  "Trash room",
  "Roof access",
  "Package room",
];

interface PropertyPlan {
  name: string;
  code: string;
  timeZone: string;
  address: string;
  region: string;
  buildings: string[];
  unitsPerBuilding: number;
  cabinets: { name: string; location: string; modules: 1 | 2; hooksPerModule: number }[];
}

const PLANS: PropertyPlan[] = [
  {
    name: "Maple Court Apartments",
    code: "MAPLE",
    timeZone: "America/Chicago",
    address: "1200 Maple Court, Austin, TX",
    region: "Central",
    buildings: ["A", "B", "C", "D"],
    unitsPerBuilding: 42,
    cabinets: [
      { name: "Maintenance shop", location: "Building A, ground floor", modules: 2, hooksPerModule: 200 },
      { name: "Leasing office", location: "Clubhouse", modules: 1, hooksPerModule: 60 },
    ],
  },
  {
    name: "Harbor View Residences",
    code: "HARBOR",
    timeZone: "America/Los_Angeles",
    address: "88 Harbor Way, San Diego, CA",
    region: "West",
    buildings: ["North", "South", "East"],
    unitsPerBuilding: 44,
    cabinets: [
      { name: "Maintenance office", location: "South building, lower level", modules: 1, hooksPerModule: 340 },
    ],
  },
];

/** Deterministic tag codes: anonymous, unique, and the same on every demo so screenshots stay comparable. */
function tagFor(n: number): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  let x = (n * 2654435761) % 2 ** 32;
  let out = "";
  for (let i = 0; i < 6; i++) {
    out += alphabet[x % alphabet.length];
    x = Math.floor(x / alphabet.length) + ((n * 7 + i) % 13);
  }
  return `KW-${out}-${String(n).padStart(4, "0")}`;
}

/**
 * Seeds the demo into an empty database.
 * Cabinet users get a PIN through the real activation path, so the kiosk verifies exactly what production does.
 * @returns the logins and cabinet users created, or `null` when the database already holds data (nothing is touched).
 */
export async function seedDemo(db: Db, now: Date): Promise<DemoSeed | null> {
  const seeded = await db.transaction().execute(async (tx) => {
    if (!(await setupNeeded(tx))) {
      return null;
    }
    const { organizationId } = await setUpOrganization(
      tx,
      {
        organizationName: DEMO_ORGANIZATION,
        firstName: "Avery",
        lastName: "Admin",
        email: "admin@demo.keyward.test",
        password: DEMO_PASSWORD,
      },
      { now, source: "cli" },
    );
    const ctx: CommandContext = { tx, actor: systemActor(organizationId, "system", "demo seed"), now };
    const propertyIds: string[] = [];
    const regionIds: Record<string, string> = {};
    let tag = 1;
    let badge = 4100;

    for (const plan of PLANS) {
      regionIds[plan.region] ??= String((await createRecord(ctx, regions, { name: plan.region })).id);
      const property = await createRecord(ctx, properties, {
        name: plan.name,
        code: plan.code,
        timeZone: plan.timeZone,
        address: plan.address,
        regionId: regionIds[plan.region],
        maxOfflineMinutes: 24 * 60,
        maxCopiesPerUnit: 2,
      });
      const propertyId = String(property.id);
      propertyIds.push(propertyId);

      const cabinetRows: Record<string, unknown>[] = [];
      for (const c of plan.cabinets) {
        cabinetRows.push(
          await createRecord(ctx, cabinets, {
            propertyId,
            name: c.name,
            location: c.location,
            modules: c.modules,
            hooksPerModule: c.hooksPerModule,
            factorPolicy: "badge_pin",
            capabilities: {
              badgeReader: true,
              keypad: true,
              fingerprint: c.modules === 2,
              touchScreen: true,
              litHooks: true,
            },
          }),
        );
      }
      // Keys hang on the first cabinet's hooks in order, overflowing to the next.
      let cabinetIndex = 0;
      let hook = 0;
      const nextHook = () => {
        let cabinet = cabinetRows[cabinetIndex];
        if (cabinet && hook >= Number(cabinet.hookCount)) {
          cabinetIndex++;
          hook = 0;
          cabinet = cabinetRows[cabinetIndex];
        }
        hook++;
        return cabinet ? { cabinetId: String(cabinet.id), hookNumber: hook } : { cabinetId: null, hookNumber: null };
      };
      const addKey = async (input: Record<string, unknown>) =>
        createRecord(ctx, keys, { propertyId, status: "in", tagCode: tagFor(tag++), ...nextHook(), ...input });

      const masters = await createRecord(ctx, keySets, { propertyId, name: `${plan.code} master`, maxCopies: 2 });
      for (let i = 1; i <= 2; i++) {
        await addKey({ kind: "master", label: `Master ${i}/2`, keySetId: masters.id, restricted: true });
      }
      for (const buildingName of plan.buildings) {
        const building = await createRecord(ctx, buildings, {
          propertyId,
          name: `Building ${buildingName}`,
          code: buildingName,
        });
        await addKey({ kind: "sub_master", label: `Sub-master ${buildingName}`, restricted: true });
        for (let i = 1; i <= plan.unitsPerBuilding; i++) {
          const floor = Math.ceil(i / 14);
          const number = `${buildingName.charAt(0)}${floor}${String(((i - 1) % 14) + 1).padStart(2, "0")}`;
          const occupancy = i % 17 === 0 ? "vacant" : i % 29 === 0 ? "notice" : "occupied";
          const unit = await createRecord(ctx, units, {
            propertyId,
            buildingId: building.id,
            number,
            kind: "apartment",
            occupancy,
            floor: String(floor),
          });
          const set = await createRecord(ctx, keySets, {
            propertyId,
            unitId: unit.id,
            name: `Unit ${number}`,
            maxCopies: 2,
          });
          for (let copy = 1; copy <= 2; copy++) {
            await addKey({ kind: "unit", label: `${number} (${copy}/2)`, unitId: unit.id, keySetId: set.id });
          }
        }
      }
      for (const area of COMMON_AREAS) {
        const unit = await createRecord(ctx, units, {
          propertyId,
          number: area,
          kind: "common_area",
          occupancy: "occupied",
        });
        for (let copy = 1; copy <= 2; copy++) {
          await addKey({ kind: "common_area", label: `${area} (${copy}/2)`, unitId: unit.id });
        }
      }
      for (let i = 1; i <= 4; i++) {
        await addKey({ kind: "vehicle", label: `Maintenance cart ${i}` });
      }
      for (let i = 1; i <= 20; i++) {
        await addKey({ kind: "other", label: `Storage padlock ${i}` });
      }

      const holidays = await createRecord(ctx, holidayCalendars, {
        propertyId,
        name: "US holidays",
        dates: [
          { date: "2026-11-26", name: "Thanksgiving" },
          { date: "2026-12-25", name: "Christmas Day" },
          { date: "2027-01-01", name: "New Year's Day" },
          { date: "2027-05-31", name: "Memorial Day" },
          { date: "2027-07-05", name: "Independence Day (observed)" },
          { date: "2027-09-06", name: "Labor Day" },
        ],
      });
      const weekdays = [1, 2, 3, 4, 5];
      await createRecord(ctx, accessProfiles, {
        propertyId,
        name: "Maintenance — weekdays",
        description: "Unit and common-area keys during the maintenance shift",
        keyScope: {
          allKeys: false,
          buildingIds: [],
          unitIds: [],
          keySetIds: [],
          keyKinds: ["unit", "common_area", "vehicle"],
          includeRestricted: false,
        },
        windows: [{ days: weekdays, start: "07:00", end: "18:00" }],
        holidayCalendarId: holidays.id,
        maxKeysOut: 5,
        maxDurationMinutes: 8 * 60,
        curfewTime: "18:30",
      });
      await createRecord(ctx, accessProfiles, {
        propertyId,
        name: "Emergency on-call",
        description: "Every key, any hour, for the on-call supervisor",
        keyScope: { allKeys: true, buildingIds: [], unitIds: [], keySetIds: [], keyKinds: [], includeRestricted: true },
        windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "24:00" }],
        maxKeysOut: 10,
        maxDurationMinutes: 12 * 60,
        conditions: { witness: false, managerApproval: false, keyPairing: false },
      });
      await createRecord(ctx, accessProfiles, {
        propertyId,
        name: "Leasing — showings",
        description: "Unit keys for showings during office hours",
        keyScope: {
          allKeys: false,
          buildingIds: [],
          unitIds: [],
          keySetIds: [],
          keyKinds: ["unit"],
          includeRestricted: false,
        },
        windows: [
          { days: weekdays, start: "08:30", end: "18:00" },
          { days: [6], start: "10:00", end: "17:00" },
        ],
        holidayCalendarId: holidays.id,
        maxKeysOut: 3,
        maxDurationMinutes: 90,
      });
      await createRecord(ctx, accessProfiles, {
        propertyId,
        name: "Vendor — approved visits",
        description: "Unit keys for contractors, with a manager's approval",
        keyScope: {
          allKeys: false,
          buildingIds: [],
          unitIds: [],
          keySetIds: [],
          keyKinds: ["unit"],
          includeRestricted: false,
        },
        windows: [{ days: weekdays, start: "08:00", end: "17:00" }],
        holidayCalendarId: holidays.id,
        maxKeysOut: 2,
        maxDurationMinutes: 4 * 60,
        conditions: { witness: false, managerApproval: true, keyPairing: false },
      });
    }

    const [maple = "", harbor = ""] = propertyIds;
    const profileIds = async (propertyId: string) =>
      Object.fromEntries(
        (
          await tx.selectFrom("access_profiles").select(["id", "name"]).where("property_id", "=", propertyId).execute()
        ).map((p) => [p.name, p.id]),
      );
    const mapleProfiles = await profileIds(maple);
    const harborProfiles = await profileIds(harbor);

    type Plan = {
      first: string;
      last: string;
      email: string | null;
      kind?: "employee" | "vendor";
      company?: string;
      home: string | null;
      roles: { role: Role; scopeType: ScopeType; scopeId: string | null }[];
      profiles: string[];
      label: string;
    };
    const staff: Plan[] = [
      {
        first: "Erin",
        last: "Executive",
        email: "executive@demo.keyward.test",
        home: null,
        roles: [{ role: "executive", scopeType: "organization", scopeId: null }],
        profiles: [],
        label: "executive, whole organization",
      },
      {
        first: "Riley",
        last: "Regional",
        email: "regional@demo.keyward.test",
        home: null,
        roles: [{ role: "regional_manager", scopeType: "region", scopeId: regionIds.Central ?? null }],
        profiles: [],
        label: "regional manager, Central region",
      },
      {
        first: "Morgan",
        last: "Manager",
        email: "manager@demo.keyward.test",
        home: maple,
        roles: [
          { role: "property_manager", scopeType: "property", scopeId: maple },
          { role: "property_manager", scopeType: "property", scopeId: harbor },
        ],
        profiles: [],
        label: "property manager, both properties",
      },
      {
        first: "Olivia",
        last: "Office",
        email: "office@demo.keyward.test",
        home: maple,
        roles: [{ role: "office_staff", scopeType: "property", scopeId: maple }],
        profiles: [mapleProfiles["Leasing — showings"] ?? ""],
        label: "office staff, Maple Court",
      },
      {
        first: "Hugo",
        last: "Leasing",
        email: "leasing@demo.keyward.test",
        home: harbor,
        roles: [{ role: "office_staff", scopeType: "property", scopeId: harbor }],
        profiles: [harborProfiles["Leasing — showings"] ?? ""],
        label: "office staff, Harbor View",
      },
      {
        first: "Sam",
        last: "Supervisor",
        email: "supervisor@demo.keyward.test",
        home: maple,
        roles: [{ role: "maintenance_supervisor", scopeType: "property", scopeId: maple }],
        profiles: [mapleProfiles["Emergency on-call"] ?? ""],
        label: "maintenance supervisor, Maple Court",
      },
      {
        first: "Taylor",
        last: "Tech",
        email: "tech@demo.keyward.test",
        home: maple,
        roles: [{ role: "technician", scopeType: "property", scopeId: maple }],
        profiles: [mapleProfiles["Maintenance — weekdays"] ?? ""],
        label: "maintenance technician, Maple Court",
      },
      {
        first: "Jordan",
        last: "Fixit",
        email: "tech2@demo.keyward.test",
        home: maple,
        roles: [{ role: "technician", scopeType: "property", scopeId: maple }],
        profiles: [mapleProfiles["Maintenance — weekdays"] ?? ""],
        label: "maintenance technician, Maple Court",
      },
      {
        first: "Casey",
        last: "Wrench",
        email: "tech3@demo.keyward.test",
        home: harbor,
        roles: [{ role: "technician", scopeType: "property", scopeId: harbor }],
        // why: the demo may run on a weekend; Harbor View's cabinet needs someone who can open it at any hour
        profiles: [harborProfiles["Maintenance — weekdays"] ?? "", harborProfiles["Emergency on-call"] ?? ""],
        label: "maintenance technician, Harbor View",
      },
      {
        first: "Val",
        last: "Vendor",
        email: "vendor@demo.keyward.test",
        kind: "vendor",
        company: "Bright Paint Co.",
        home: maple,
        roles: [{ role: "vendor", scopeType: "property", scopeId: maple }],
        profiles: [mapleProfiles["Vendor — approved visits"] ?? ""],
        label: "painting contractor, Maple Court",
      },
      {
        first: "Alex",
        last: "Auditor",
        email: "auditor@demo.keyward.test",
        home: null,
        roles: [{ role: "auditor", scopeType: "organization", scopeId: null }],
        profiles: [],
        label: "auditor, whole organization",
      },
    ];
    const logins: DemoLogin[] = [{ email: "admin@demo.keyward.test", role: "administrator, whole organization" }];
    const cabinetUsers: (DemoCabinetUser & { credentialId: string; activationCode: string })[] = [];
    for (const plan of staff) {
      const person = await createRecord(ctx, people, {
        firstName: plan.first,
        lastName: plan.last,
        kind: plan.kind ?? "employee",
        company: plan.company ?? null,
        email: plan.email,
        homePropertyId: plan.home,
        employeeNumber: plan.kind === "vendor" ? null : `E${badge}`,
        startDate: "2024-03-01",
      });
      const personId = String(person.id);
      const badgeNumber = String(badge++);
      await issueCredential(ctx, personId, { kind: "badge", badgeNumber });
      for (const role of plan.roles) {
        await grantRole(ctx, { personId, ...role });
      }
      for (const profileId of plan.profiles.filter(Boolean)) {
        const profile = await tx
          .selectFrom("access_profiles")
          .select("property_id")
          .where("id", "=", profileId)
          .executeTakeFirstOrThrow();
        await createRecord(ctx, profileAssignments, {
          propertyId: profile.property_id,
          personId,
          accessProfileId: profileId,
        });
      }
      if (plan.email) {
        await createUser(ctx, { personId, email: plan.email, password: DEMO_PASSWORD });
        logins.push({ email: plan.email, role: plan.label });
      }
      const profileIds = plan.profiles.filter(Boolean);
      if (profileIds.length > 0) {
        const pin = await issueCredential(ctx, personId, { kind: "pin" });
        const held = await tx
          .selectFrom("access_profiles")
          .select("property_id")
          .where("id", "in", profileIds)
          .execute();
        cabinetUsers.push({
          personId,
          name: `${plan.first} ${plan.last}`,
          role: plan.label,
          badge: badgeNumber,
          pin: demoPin(badgeNumber),
          propertyIds: [...new Set(held.map((p) => p.property_id))],
          credentialId: String(pin.credential.id),
          activationCode: pin.activationCode ?? "",
        });
      }
    }
    return { logins, cabinetUsers };
  });
  if (!seeded) {
    return null;
  }
  for (const user of seeded.cabinetUsers) {
    await activatePin(db, { credentialId: user.credentialId, activationCode: user.activationCode, pin: user.pin }, now);
  }
  return {
    logins: seeded.logins,
    cabinetUsers: seeded.cabinetUsers.map(({ credentialId: _c, activationCode: _a, ...user }) => user),
  };
}
