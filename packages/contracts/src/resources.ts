/**
 * Request and response shapes of the admin plane. The server validates with them and generates its OpenAPI
 * document from them; the dashboard types its calls with them.
 */
import { ROLES, SCOPE_TYPES } from "@keyward/domain/permissions";
import { FACTOR_POLICIES, KEY_KINDS, KEY_STATUSES } from "@keyward/domain/vocabulary";
import { z } from "zod";
import { Id, ListQuery, LocalDate, patchOf, Status, Timestamp } from "./common.ts";

const name = z.string().trim().min(1).max(200);
const optionalText = z.string().trim().max(2000).nullable().optional();
const stamps = { createdAt: Timestamp, updatedAt: Timestamp };

// ---------------------------------------------------------------- organization

export const OrganizationSettings = z.object({
  pinMinLength: z.number().int().min(4).max(12).default(6),
  requireTotpForManagers: z.boolean().default(false),
  sessionIdleMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(30),
  sessionMaxHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(12),
  /** Seconds a cabinet door may stay open before the cabinet raises `door.held_open`. */
  cabinetDoorHeldSeconds: z.number().int().min(10).max(600).default(60),
  /** The language a cabinet's console starts in (a person may switch for their visit). */
  kioskLanguage: z.enum(["en", "es"]).default("en"),
});
export type OrganizationSettings = z.infer<typeof OrganizationSettings>;

export const Organization = z
  .object({ id: Id, name, settings: OrganizationSettings, ...stamps })
  .meta({ id: "Organization" });
export const OrganizationUpdate = z.object({
  name: name.optional(),
  settings: patchOf(OrganizationSettings).optional(),
});

// ---------------------------------------------------------------- regions

export const Region = z.object({ id: Id, name, status: Status, ...stamps }).meta({ id: "Region" });
export const RegionCreate = z.object({ name });
export const RegionUpdate = z.object({ name: name.optional(), status: Status.optional() });
export const RegionListQuery = ListQuery.extend({ status: Status.optional() });

// ---------------------------------------------------------------- properties

const timeZone = z.string().min(1).max(64).describe("IANA time zone, e.g. America/Chicago");
export const Property = z
  .object({
    id: Id,
    regionId: Id.nullable(),
    name,
    code: z.string(),
    timeZone,
    address: z.string().nullable(),
    maxOfflineMinutes: z.number().int(),
    maxCopiesPerUnit: z.number().int(),
    status: Status,
    ...stamps,
  })
  .meta({ id: "Property" });
export const PropertyCreate = z.object({
  name,
  // why: the code names export files and appears in headers; letters, digits, dash and underscore only
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, "use 1–32 letters, digits, dashes or underscores"),
  timeZone,
  regionId: Id.nullable().optional(),
  address: optionalText,
  maxOfflineMinutes: z
    .number()
    .int()
    .min(5)
    .max(60 * 24 * 30)
    .default(60 * 24),
  maxCopiesPerUnit: z.number().int().min(1).max(20).default(2),
});
export const PropertyUpdate = patchOf(PropertyCreate).extend({ status: Status.optional() });
export const PropertyListQuery = ListQuery.extend({ regionId: Id.optional(), status: Status.optional() });

// ---------------------------------------------------------------- buildings

export const Building = z
  .object({ id: Id, propertyId: Id, name, code: z.string().nullable(), status: Status, ...stamps })
  .meta({ id: "Building" });
export const BuildingCreate = z.object({ propertyId: Id, name, code: z.string().trim().max(32).nullable().optional() });
export const BuildingUpdate = patchOf(BuildingCreate.omit({ propertyId: true })).extend({ status: Status.optional() });
export const BuildingListQuery = ListQuery.extend({ propertyId: Id.optional(), status: Status.optional() });

// ---------------------------------------------------------------- units

export const UNIT_KINDS = ["apartment", "common_area"] as const;
export const OCCUPANCIES = ["occupied", "vacant", "notice", "model", "down"] as const;
export const Unit = z
  .object({
    id: Id,
    propertyId: Id,
    buildingId: Id.nullable(),
    number: z.string(),
    kind: z.enum(UNIT_KINDS),
    occupancy: z.enum(OCCUPANCIES),
    floor: z.string().nullable(),
    notes: z.string().nullable(),
    status: Status,
    ...stamps,
  })
  .meta({ id: "Unit" });
export const UnitCreate = z.object({
  propertyId: Id,
  buildingId: Id.nullable().optional(),
  number: z.string().trim().min(1).max(32),
  kind: z.enum(UNIT_KINDS).default("apartment"),
  occupancy: z.enum(OCCUPANCIES).default("occupied"),
  floor: z.string().trim().max(16).nullable().optional(),
  notes: optionalText,
});
export const UnitUpdate = patchOf(UnitCreate.omit({ propertyId: true })).extend({ status: Status.optional() });
export const UnitListQuery = ListQuery.extend({
  propertyId: Id.optional(),
  buildingId: Id.optional(),
  kind: z.enum(UNIT_KINDS).optional(),
  occupancy: z.enum(OCCUPANCIES).optional(),
  status: Status.optional(),
});

// ---------------------------------------------------------------- key sets

export const KeySet = z
  .object({
    id: Id,
    propertyId: Id,
    unitId: Id.nullable(),
    name,
    maxCopies: z.number().int().nullable(),
    status: Status,
    ...stamps,
  })
  .meta({ id: "KeySet" });
export const KeySetCreate = z.object({
  propertyId: Id,
  unitId: Id.nullable().optional(),
  name,
  maxCopies: z.number().int().min(1).max(50).nullable().optional(),
});
export const KeySetUpdate = patchOf(KeySetCreate.omit({ propertyId: true })).extend({ status: Status.optional() });
export const KeySetListQuery = ListQuery.extend({
  propertyId: Id.optional(),
  unitId: Id.optional(),
  status: Status.optional(),
});

// ---------------------------------------------------------------- keys

export { KEY_KINDS, KEY_STATUSES } from "@keyward/domain/vocabulary";

// why: a tag is printed on a fob; it must say nothing about the unit, so only opaque characters are allowed
const tagCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{4,64}$/, "use 4–64 letters, digits or dashes");
export const Key = z
  .object({
    id: Id,
    propertyId: Id,
    keySetId: Id.nullable(),
    unitId: Id.nullable(),
    kind: z.enum(KEY_KINDS),
    label: z.string(),
    tagCode: z.string(),
    status: z.enum(KEY_STATUSES),
    cabinetId: Id.nullable(),
    hookNumber: z.number().int().nullable(),
    restricted: z.boolean(),
    ...stamps,
  })
  .meta({ id: "Key" });
export const KeyCreate = z.object({
  propertyId: Id,
  keySetId: Id.nullable().optional(),
  unitId: Id.nullable().optional(),
  kind: z.enum(KEY_KINDS).default("unit"),
  label: name,
  tagCode,
  status: z.enum(KEY_STATUSES).default("in"),
  cabinetId: Id.nullable().optional(),
  hookNumber: z.number().int().min(1).nullable().optional(),
  restricted: z.boolean().default(false),
});
export const KeyUpdate = patchOf(KeyCreate.omit({ propertyId: true }));
export const KeyListQuery = ListQuery.extend({
  propertyId: Id.optional(),
  unitId: Id.optional(),
  keySetId: Id.optional(),
  cabinetId: Id.optional(),
  kind: z.enum(KEY_KINDS).optional(),
  status: z.enum(KEY_STATUSES).optional(),
});

// ---------------------------------------------------------------- cabinets and hooks

export { FACTOR_POLICIES } from "@keyward/domain/vocabulary";
export const CABINET_STATUSES = ["pending", "active", "archived"] as const;
export const CabinetCapabilities = z.object({
  badgeReader: z.boolean().default(true),
  keypad: z.boolean().default(true),
  fingerprint: z.boolean().default(false),
  touchScreen: z.boolean().default(true),
  litHooks: z.boolean().default(true),
});
export const Cabinet = z
  .object({
    id: Id,
    propertyId: Id,
    name,
    location: z.string().nullable(),
    capabilities: CabinetCapabilities,
    factorPolicy: z.enum(FACTOR_POLICIES),
    modules: z.number().int(),
    hooksPerModule: z.number().int(),
    hookCount: z.number().int(),
    status: z.enum(CABINET_STATUSES),
    enrolled: z.boolean(),
    ...stamps,
  })
  .meta({ id: "Cabinet" });
export const CabinetCreate = z.object({
  propertyId: Id,
  name,
  location: optionalText,
  capabilities: CabinetCapabilities.default({
    badgeReader: true,
    keypad: true,
    fingerprint: false,
    touchScreen: true,
    litHooks: true,
  }),
  factorPolicy: z.enum(FACTOR_POLICIES).default("badge_pin"),
  modules: z.number().int().min(1).max(2).default(1),
  hooksPerModule: z.number().int().min(1).max(500).default(50),
});
export const CabinetUpdate = z.object({
  name: name.optional(),
  location: optionalText,
  capabilities: CabinetCapabilities.optional(),
  factorPolicy: z.enum(FACTOR_POLICIES).optional(),
  status: z.enum(CABINET_STATUSES).optional(),
});
export const CabinetListQuery = ListQuery.extend({
  propertyId: Id.optional(),
  status: z.enum(CABINET_STATUSES).optional(),
});

export const Hook = z
  .object({
    id: Id,
    cabinetId: Id,
    number: z.number().int(),
    module: z.number().int(),
    status: z.enum(["active", "disabled"]),
    keyId: Id.nullable(),
    keyLabel: z.string().nullable(),
  })
  .meta({ id: "Hook" });
export const HookUpdate = z.object({ status: z.enum(["active", "disabled"]) });

// ---------------------------------------------------------------- people and credentials

export const PERSON_KINDS = ["employee", "vendor"] as const;
export const PERSON_STATUSES = ["active", "inactive"] as const;
export const Person = z
  .object({
    id: Id,
    homePropertyId: Id.nullable(),
    kind: z.enum(PERSON_KINDS),
    firstName: z.string(),
    lastName: z.string(),
    employeeNumber: z.string().nullable(),
    company: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    status: z.enum(PERSON_STATUSES),
    startDate: LocalDate.nullable(),
    endDate: LocalDate.nullable(),
    deactivatedAt: Timestamp.nullable(),
    ...stamps,
  })
  .meta({ id: "Person" });
export const PersonCreate = z.object({
  homePropertyId: Id.nullable().optional(),
  kind: z.enum(PERSON_KINDS).default("employee"),
  firstName: name,
  lastName: name,
  employeeNumber: z.string().trim().min(1).max(64).nullable().optional(),
  company: z.string().trim().max(200).nullable().optional(),
  email: z.email().max(320).nullable().optional(),
  phone: z.string().trim().max(40).nullable().optional(),
  startDate: LocalDate.nullable().optional(),
  endDate: LocalDate.nullable().optional(),
});
export const PersonUpdate = patchOf(PersonCreate);
export const PersonListQuery = ListQuery.extend({
  homePropertyId: Id.optional(),
  kind: z.enum(PERSON_KINDS).optional(),
  status: z.enum(PERSON_STATUSES).optional(),
  /** People whose end date is before this date (with status=active: still active past their end date). */
  endDateBefore: LocalDate.optional(),
});
export const DeactivateBody = z.object({ reason: z.string().trim().min(1).max(500) });

export const CREDENTIAL_KINDS = ["badge", "pin", "fingerprint"] as const;
export const CREDENTIAL_STATUSES = ["active", "disabled", "revoked"] as const;
export const Credential = z
  .object({
    id: Id,
    personId: Id,
    kind: z.enum(CREDENTIAL_KINDS),
    badgeNumber: z.string().nullable(),
    fingerprintRef: z.string().nullable(),
    consentAt: Timestamp.nullable(),
    /** For a PIN: whether the owner has chosen it yet. Never the PIN or its hash. */
    pinState: z.enum(["activation_pending", "set"]).nullable(),
    status: z.enum(CREDENTIAL_STATUSES),
    ...stamps,
  })
  .meta({ id: "Credential" });
export const CredentialCreate = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("badge"),
    badgeNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{3,32}$/, "use 3–32 letters or digits"),
  }),
  z.object({ kind: z.literal("pin") }),
  z.object({
    kind: z.literal("fingerprint"),
    fingerprintRef: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .describe("Enrolment reference held by the reader; templates never leave it"),
    consent: z.literal(true, { error: "the person's consent to fingerprint enrolment is required" }),
    consentText: z.string().trim().min(1).max(2000).optional(),
  }),
]);
export const CredentialUpdate = z.object({ status: z.enum(CREDENTIAL_STATUSES) });
/** A PIN credential with its one-time activation code: shown once, to be handed to the person. */
export const CredentialIssued = z.object({
  credential: Credential,
  activationCode: z.string().nullable().describe("One-time code the person enters at the cabinet to choose a PIN"),
  activationExpiresAt: Timestamp.nullable(),
});
export const CredentialListQuery = ListQuery.extend({
  personId: Id.optional(),
  kind: z.enum(CREDENTIAL_KINDS).optional(),
  status: z.enum(CREDENTIAL_STATUSES).optional(),
});

// ---------------------------------------------------------------- users and roles

export const User = z
  .object({
    id: Id,
    personId: Id,
    email: z.string(),
    status: z.enum(PERSON_STATUSES),
    totpEnabled: z.boolean(),
    lastLoginAt: Timestamp.nullable(),
    /** The person's name, so lists can show who without another request. */
    personName: z.string(),
    ...stamps,
  })
  .meta({ id: "User" });
export const UserCreate = z.object({ personId: Id, email: z.email().max(320), password: z.string().max(256) });
export const UserUpdate = z.object({
  email: z.email().max(320).optional(),
  password: z.string().max(256).optional(),
  /** Required when you change your own password: a borrowed session must not be able to keep the account. */
  currentPassword: z.string().max(256).optional(),
});
export const UserListQuery = ListQuery.extend({ personId: Id.optional(), status: z.enum(PERSON_STATUSES).optional() });

export const RoleAssignment = z
  .object({
    id: Id,
    personId: Id,
    role: z.enum(ROLES),
    scopeType: z.enum(SCOPE_TYPES),
    scopeId: Id.nullable(),
    status: z.enum(["active", "revoked"]),
    personName: z.string(),
    ...stamps,
  })
  .meta({ id: "RoleAssignment" });
export const RoleAssignmentCreate = z.object({
  personId: Id,
  role: z.enum(ROLES),
  scopeType: z.enum(SCOPE_TYPES),
  scopeId: Id.nullable().optional(),
});
export const RoleAssignmentUpdate = z.object({ status: z.enum(["active", "revoked"]) });
export const RoleAssignmentListQuery = ListQuery.extend({
  personId: Id.optional(),
  role: z.enum(ROLES).optional(),
  scopeId: Id.optional(),
  status: z.enum(["active", "revoked"]).optional(),
});

// ---------------------------------------------------------------- access profiles, schedules, holidays

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "use HH:MM, 00:00–24:00");
export const WeeklyWindow = z.object({
  days: z.array(z.number().int().min(1).max(7)).min(1).describe("ISO weekdays, 1 = Monday"),
  start: clock,
  end: clock,
});
export const KeyScope = z.object({
  allKeys: z.boolean().default(false),
  buildingIds: z.array(Id).default([]),
  unitIds: z.array(Id).default([]),
  keySetIds: z.array(Id).default([]),
  keyKinds: z.array(z.enum(KEY_KINDS)).default([]),
  includeRestricted: z.boolean().default(false),
});
export const ProfileConditions = z.object({
  witness: z.boolean().default(false),
  managerApproval: z.boolean().default(false),
  keyPairing: z.boolean().default(false),
});
export const AccessProfile = z
  .object({
    id: Id,
    propertyId: Id,
    name,
    description: z.string().nullable(),
    keyScope: KeyScope,
    windows: z.array(WeeklyWindow),
    holidayCalendarId: Id.nullable(),
    validFrom: LocalDate.nullable(),
    validUntil: LocalDate.nullable(),
    maxKeysOut: z.number().int().nullable(),
    maxDurationMinutes: z.number().int().nullable(),
    curfewTime: z.string().nullable(),
    conditions: ProfileConditions,
    status: Status,
    ...stamps,
  })
  .meta({ id: "AccessProfile" });
export const AccessProfileCreate = z.object({
  propertyId: Id,
  name,
  description: optionalText,
  keyScope: KeyScope,
  windows: z.array(WeeklyWindow).max(50).default([]),
  holidayCalendarId: Id.nullable().optional(),
  validFrom: LocalDate.nullable().optional(),
  validUntil: LocalDate.nullable().optional(),
  maxKeysOut: z.number().int().min(1).max(100).nullable().optional(),
  maxDurationMinutes: z
    .number()
    .int()
    .min(5)
    .max(60 * 24 * 30)
    .nullable()
    .optional(),
  curfewTime: clock.nullable().optional(),
  conditions: ProfileConditions.default({ witness: false, managerApproval: false, keyPairing: false }),
});
export const AccessProfileUpdate = patchOf(AccessProfileCreate.omit({ propertyId: true })).extend({
  status: Status.optional(),
});
export const AccessProfileListQuery = ListQuery.extend({ propertyId: Id.optional(), status: Status.optional() });

export const ProfileAssignment = z
  .object({
    id: Id,
    propertyId: Id,
    personId: Id,
    accessProfileId: Id,
    validFrom: LocalDate.nullable(),
    validUntil: LocalDate.nullable(),
    status: z.enum(["active", "revoked"]),
    personName: z.string(),
    ...stamps,
  })
  .meta({ id: "ProfileAssignment" });
export const ProfileAssignmentCreate = z.object({
  propertyId: Id,
  personId: Id,
  accessProfileId: Id,
  validFrom: LocalDate.nullable().optional(),
  validUntil: LocalDate.nullable().optional(),
});
export const ProfileAssignmentUpdate = z.object({
  validFrom: LocalDate.nullable().optional(),
  validUntil: LocalDate.nullable().optional(),
  status: z.enum(["active", "revoked"]).optional(),
});
export const ProfileAssignmentListQuery = ListQuery.extend({
  propertyId: Id.optional(),
  personId: Id.optional(),
  accessProfileId: Id.optional(),
  status: z.enum(["active", "revoked"]).optional(),
});

export const HolidayDate = z.object({ date: LocalDate, name: z.string().trim().min(1).max(100) });
export const HolidayCalendar = z
  .object({ id: Id, propertyId: Id.nullable(), name, dates: z.array(HolidayDate), status: Status, ...stamps })
  .meta({ id: "HolidayCalendar" });
export const HolidayCalendarCreate = z.object({
  propertyId: Id.nullable().optional(),
  name,
  dates: z.array(HolidayDate).max(400).default([]),
});
export const HolidayCalendarUpdate = patchOf(HolidayCalendarCreate.omit({ propertyId: true })).extend({
  status: Status.optional(),
});
export const HolidayCalendarListQuery = ListQuery.extend({ propertyId: Id.optional(), status: Status.optional() });

// ---------------------------------------------------------------- reason codes

export const ReasonCode = z
  .object({
    id: Id,
    code: z.string(),
    label: z.string(),
    requiresWorkOrder: z.boolean(),
    defaultDueMinutes: z.number().int().nullable(),
    sortOrder: z.number().int(),
    status: Status,
    ...stamps,
  })
  .meta({ id: "ReasonCode" });
export const ReasonCodeCreate = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z0-9_]{2,40}$/, "use 2–40 lower-case letters, digits or underscores"),
  label: name,
  requiresWorkOrder: z.boolean().default(false),
  defaultDueMinutes: z
    .number()
    .int()
    .min(5)
    .max(60 * 24 * 30)
    .nullable()
    .optional(),
  sortOrder: z.number().int().min(0).max(10000).default(100),
});
export const ReasonCodeUpdate = patchOf(ReasonCodeCreate.omit({ code: true })).extend({ status: Status.optional() });
export const ReasonCodeListQuery = ListQuery.extend({ status: Status.optional() });

// ---------------------------------------------------------------- events

export const EventActor = z.object({
  type: z.enum(["user", "system", "cli"]),
  id: z.string().nullable(),
  name: z.string(),
  email: z.string().nullable().optional(),
  roles: z.array(z.string()).optional(),
});
export const Event = z
  .object({
    id: Id,
    seq: z.number().int(),
    propertyId: Id.nullable(),
    occurredAt: Timestamp,
    action: z.string(),
    entityType: z.string(),
    entityId: Id.nullable(),
    actor: EventActor,
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    source: z.string(),
  })
  .meta({ id: "Event" });
export const EventListQuery = ListQuery.extend({
  propertyId: Id.optional(),
  entityType: z.string().max(40).optional(),
  entityId: Id.optional(),
  action: z.string().max(80).optional(),
  from: z.iso
    .datetime({ offset: true })
    .transform((v) => new Date(v).toISOString())
    .optional(),
  to: z.iso
    .datetime({ offset: true })
    .transform((v) => new Date(v).toISOString())
    .optional(),
});

/** Counts a manager checks first: keys by status, cabinets by status, people still active past their end date. */
export const Overview = z
  .object({
    keys: z.record(z.enum(KEY_STATUSES), z.number().int()),
    cabinets: z.record(z.enum(CABINET_STATUSES), z.number().int()),
    peopleActivePastEndDate: z.number().int(),
  })
  .meta({ id: "Overview" });
export const OverviewQuery = z.object({ propertyId: Id.optional() });
