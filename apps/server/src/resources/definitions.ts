/**
 * The admin plane's resources. Each entry says where its rows live for authorization, which references and unique
 * fields it checks, and which domain rules its records obey.
 */

import { randomUUID } from "node:crypto";
import * as C from "@keyward/contracts/resources";
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import { can, ENTITIES, propertiesWhere } from "@keyward/domain/permissions";
import { isValidTimeZone, validateWindows, type WeeklyWindow } from "@keyward/domain/schedule";
import { assertMayManagePerson } from "../commands/grant-role.ts";
import { forbidden, invalidInput } from "../errors.ts";
import type { ResourceDef } from "./definition.ts";
import { loose, type Row } from "./records.ts";

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const byProperty = (input: Record<string, unknown>) => str(input.propertyId);

function checkDateOrder(record: Record<string, unknown>, from: string, until: string): void {
  const a = str(record[from]);
  const b = str(record[until]);
  if (a && b && a > b) {
    throw invalidInput(until, `must not be before ${from} (${a})`);
  }
}

/**
 * "First Last" of the people the rows name, in one query: lists show who, not an id, without a request per row.
 */
async function personNames(db: Executor, rows: Row[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => String(r.person_id)))];
  if (ids.length === 0) {
    return new Map();
  }
  const people = await db
    .selectFrom("people")
    .select(["id", "first_name", "last_name"])
    .where("id", "in", ids)
    .execute();
  return new Map(people.map((p) => [p.id, `${p.first_name} ${p.last_name}`]));
}

async function personProperty(db: Parameters<NonNullable<ResourceDef["decorate"]>>[0], personId: unknown) {
  const person = await db
    .selectFrom("people")
    .select("home_property_id")
    .where("id", "=", String(personId))
    .executeTakeFirst();
  return person?.home_property_id ?? null;
}

export const regions: ResourceDef = {
  entity: "region",
  table: "regions",
  path: "regions",
  what: "region",
  tag: "Regions",
  events: { created: "region.created", updated: "region.updated" },
  item: C.Region,
  create: C.RegionCreate,
  update: C.RegionUpdate,
  listQuery: C.RegionListQuery,
  encoding: {},
  scope: { kind: "organization" },
  propertyOfInput: () => null,
  filters: { status: "status" },
  sorts: ["name", "createdAt"],
  search: ["name"],
  references: {},
  uniques: [{ fields: ["name"], scope: "organization", message: (r) => `A region named "${r.name}" already exists.` }],
  initialStatus: "active",
};

export const properties: ResourceDef = {
  entity: "property",
  table: "properties",
  path: "properties",
  what: "property",
  tag: "Properties",
  events: { created: "property.created", updated: "property.updated" },
  item: C.Property,
  create: C.PropertyCreate,
  update: C.PropertyUpdate,
  listQuery: C.PropertyListQuery,
  encoding: {},
  scope: { kind: "column", column: "id" },
  propertyOfInput: (input) => str(input.id),
  filters: { regionId: "region_id", status: "status" },
  sorts: ["name", "code", "createdAt"],
  search: ["name", "code", "address"],
  references: { regionId: { table: "regions", what: "region", sameProperty: false } },
  uniques: [
    { fields: ["code"], scope: "organization", message: (r) => `Another property already uses the code "${r.code}".` },
  ],
  initialStatus: "active",
  validate: async (ctx, record, current) => {
    const organizationId = ctx.actor.organizationId;
    // why: a property's region decides which regional managers oversee it, so moving it is a decision over both
    // regions, not the property's own staff's; archiving it likewise belongs to those who create properties
    if (current && (record.regionId ?? null) !== (current.regionId ?? null)) {
      for (const regionId of [current.regionId, record.regionId]) {
        if (
          !can(ctx.actor, "update", { entity: "region", organizationId, propertyId: null, regionId: str(regionId) })
        ) {
          throw forbidden("move this property to another region");
        }
      }
    }
    if (current && record.status !== current.status) {
      if (!can(ctx.actor, "create", { entity: "property", organizationId, propertyId: null })) {
        throw forbidden("archive or restore this property");
      }
    }
    if (!isValidTimeZone(String(record.timeZone))) {
      throw invalidInput("timeZone", `"${String(record.timeZone)}" is not an IANA time zone (e.g. America/Chicago)`);
    }
  },
};

export const buildings: ResourceDef = {
  entity: "building",
  table: "buildings",
  path: "buildings",
  what: "building",
  tag: "Buildings",
  events: { created: "building.created", updated: "building.updated" },
  item: C.Building,
  create: C.BuildingCreate,
  update: C.BuildingUpdate,
  listQuery: C.BuildingListQuery,
  encoding: {},
  scope: { kind: "column", column: "property_id" },
  propertyOfInput: byProperty,
  filters: { propertyId: "property_id", status: "status" },
  sorts: ["name", "createdAt"],
  search: ["name", "code"],
  references: {},
  uniques: [
    {
      fields: ["name"],
      scope: "property",
      message: (r) => `A building named "${r.name}" already exists at this property.`,
    },
  ],
  initialStatus: "active",
};

export const units: ResourceDef = {
  entity: "unit",
  table: "units",
  path: "units",
  what: "unit",
  tag: "Units",
  events: { created: "unit.created", updated: "unit.updated" },
  item: C.Unit,
  create: C.UnitCreate,
  update: C.UnitUpdate,
  listQuery: C.UnitListQuery,
  encoding: {},
  scope: { kind: "column", column: "property_id" },
  propertyOfInput: byProperty,
  filters: {
    propertyId: "property_id",
    buildingId: "building_id",
    kind: "kind",
    occupancy: "occupancy",
    status: "status",
  },
  sorts: ["number", "createdAt"],
  search: ["number", "notes"],
  references: { buildingId: { table: "buildings", what: "building", sameProperty: true } },
  uniques: [
    {
      fields: ["number"],
      scope: "property",
      message: (r) => `Unit ${String(r.number)} already exists at this property.`,
    },
  ],
  initialStatus: "active",
};

export const keySets: ResourceDef = {
  entity: "keySet",
  table: "key_sets",
  path: "key-sets",
  what: "key set",
  tag: "Keys",
  events: { created: "key_set.created", updated: "key_set.updated" },
  item: C.KeySet,
  create: C.KeySetCreate,
  update: C.KeySetUpdate,
  listQuery: C.KeySetListQuery,
  encoding: {},
  scope: { kind: "column", column: "property_id" },
  propertyOfInput: byProperty,
  filters: { propertyId: "property_id", unitId: "unit_id", status: "status" },
  sorts: ["name", "createdAt"],
  search: ["name"],
  references: { unitId: { table: "units", what: "unit", sameProperty: true } },
  uniques: [
    {
      fields: ["name"],
      scope: "property",
      message: (r) => `A key set named "${r.name}" already exists at this property.`,
    },
  ],
  initialStatus: "active",
};

export const keys: ResourceDef = {
  entity: "key",
  table: "keys",
  path: "keys",
  what: "key",
  tag: "Keys",
  events: { created: "key.created", updated: "key.updated" },
  item: C.Key,
  create: C.KeyCreate,
  update: C.KeyUpdate,
  listQuery: C.KeyListQuery,
  encoding: { flags: ["restricted"] },
  scope: { kind: "column", column: "property_id" },
  propertyOfInput: byProperty,
  filters: {
    propertyId: "property_id",
    unitId: "unit_id",
    keySetId: "key_set_id",
    cabinetId: "cabinet_id",
    kind: "kind",
    status: "status",
  },
  sorts: ["label", "tagCode", "createdAt", "status"],
  search: ["label", "tag_code"],
  references: {
    keySetId: { table: "key_sets", what: "key set", sameProperty: true },
    unitId: { table: "units", what: "unit", sameProperty: true },
    cabinetId: { table: "cabinets", what: "cabinet", sameProperty: true },
  },
  uniques: [
    {
      fields: ["tagCode"],
      scope: "organization",
      message: (r) => `Tag ${String(r.tagCode)} is already on another key.`,
    },
    {
      fields: ["cabinetId", "hookNumber"],
      scope: "organization",
      message: (r) => `Hook ${String(r.hookNumber)} of that cabinet already holds another key.`,
    },
  ],
  initialStatus: null,
  validate: async (ctx, record, current) => {
    const cabinetId = str(record.cabinetId);
    const hook = record.hookNumber;
    if ((cabinetId === null) !== (hook === null || hook === undefined)) {
      throw invalidInput(
        cabinetId ? "hookNumber" : "cabinetId",
        "give both the cabinet and the hook number, or neither",
      );
    }
    if (cabinetId !== null) {
      const exists = await ctx.tx
        .selectFrom("hooks")
        .select("status")
        .where("cabinet_id", "=", cabinetId)
        .where("number", "=", Number(hook))
        .executeTakeFirst();
      if (!exists) {
        throw invalidInput("hookNumber", `that cabinet has no hook ${String(hook)}`);
      }
      if (exists.status !== "active" && (current?.cabinetId !== cabinetId || current?.hookNumber !== hook)) {
        throw invalidInput("hookNumber", `hook ${String(hook)} is disabled; choose another hook or enable it first`);
      }
      if (record.status !== "in") {
        throw invalidInput("status", `a key hanging on a hook has status "in"`);
      }
    }
  },
};

export const cabinets: ResourceDef = {
  entity: "cabinet",
  table: "cabinets",
  path: "cabinets",
  what: "cabinet",
  tag: "Cabinets",
  events: { created: "cabinet.created", updated: "cabinet.updated" },
  item: C.Cabinet,
  create: C.CabinetCreate,
  update: C.CabinetUpdate,
  listQuery: C.CabinetListQuery,
  encoding: { json: ["capabilities"] },
  scope: { kind: "column", column: "property_id" },
  propertyOfInput: byProperty,
  filters: { propertyId: "property_id", status: "status" },
  sorts: ["name", "createdAt"],
  search: ["name", "location"],
  references: {},
  uniques: [
    {
      fields: ["name"],
      scope: "property",
      message: (r) => `A cabinet named "${r.name}" already exists at this property.`,
    },
  ],
  initialStatus: "pending",
  validate: async (_ctx, record) => {
    const caps = record.capabilities as
      | { badgeReader: boolean; fingerprint: boolean; keypad: boolean; touchScreen: boolean }
      | undefined;
    const policy = String(record.factorPolicy);
    // why: a cabinet cannot demand a factor it has no reader for
    if (caps && policy.includes("badge") && !caps.badgeReader) {
      throw invalidInput(
        "factorPolicy",
        "this cabinet has no badge reader; choose fingerprint_pin or add a badge reader",
      );
    }
    if (caps && policy.includes("fingerprint") && !caps.fingerprint) {
      throw invalidInput("factorPolicy", "this cabinet has no fingerprint reader; choose badge_pin or add one");
    }
    if (caps && policy.includes("pin") && !caps.keypad && !caps.touchScreen) {
      throw invalidInput("factorPolicy", "a PIN needs a keypad or a touch screen");
    }
  },
  decorate: async (_db, rows) =>
    rows.map((row: Row) => ({
      hookCount: Number(row.modules) * Number(row.hooks_per_module),
      enrolled: row.device_public_key !== null && row.device_public_key !== undefined,
    })),
  afterCreate: async (ctx, row) => {
    const hooks = [];
    const perModule = Number(row.hooks_per_module);
    for (let module = 1; module <= Number(row.modules); module++) {
      for (let i = 1; i <= perModule; i++) {
        hooks.push({
          id: randomUUID(),
          organization_id: String(row.organization_id),
          property_id: String(row.property_id),
          cabinet_id: String(row.id),
          number: (module - 1) * perModule + i,
          module,
          status: "active",
        });
      }
    }
    for (const part of chunked(hooks, 200)) {
      await loose(ctx.tx).insertInto("hooks").values(part).execute();
    }
  },
};

export const people: ResourceDef = {
  entity: "person",
  table: "people",
  path: "people",
  what: "person",
  tag: "People",
  events: { created: "person.created", updated: "person.updated" },
  item: C.Person,
  create: C.PersonCreate,
  update: C.PersonUpdate,
  listQuery: C.PersonListQuery,
  encoding: {},
  scope: { kind: "column", column: "home_property_id" },
  propertyOfInput: (input) => str(input.homePropertyId),
  filters: { homePropertyId: "home_property_id", kind: "kind", status: "status" },
  ranges: { endDateBefore: { column: "end_date", op: "<" } },
  sorts: ["lastName", "firstName", "createdAt"],
  search: ["first_name", "last_name", "employee_number", "email", "company"],
  references: { homePropertyId: { table: "properties", what: "property", sameProperty: false } },
  uniques: [
    {
      fields: ["employeeNumber"],
      scope: "organization",
      message: (r) => `Employee number ${String(r.employeeNumber)} already belongs to another person.`,
    },
  ],
  initialStatus: "active",
  validate: async (ctx, record, current) => {
    checkDateOrder(record, "startDate", "endDate");
    if (current) {
      // why: editing a person (their e-mail, end date, home property) is managing them: not above one's own rank
      await assertMayManagePerson(ctx, String(current.id), "change");
    }
  },
};

export const credentials: ResourceDef = {
  entity: "credential",
  table: "credentials",
  path: "credentials",
  what: "credential",
  tag: "People",
  events: { created: "credential.issued", updated: "credential.updated" },
  item: C.Credential,
  create: null,
  update: null,
  listQuery: C.CredentialListQuery,
  encoding: {},
  scope: {
    kind: "derived",
    sql: "(select p.home_property_id from people p where p.id = person_id)",
    fromRow: (db, row) => personProperty(db, row.person_id),
  },
  propertyOfInput: () => null,
  filters: { personId: "person_id", kind: "kind", status: "status" },
  sorts: ["createdAt", "kind"],
  search: ["badge_number"],
  references: {},
  uniques: [],
  initialStatus: "active",
  decorate: async (_db, rows) =>
    rows.map((row) => ({
      pinState: row.kind === "pin" ? (row.pin_hash ? "set" : "activation_pending") : null,
    })),
};

export const users: ResourceDef = {
  entity: "user",
  table: "users",
  path: "users",
  what: "user",
  tag: "Users",
  events: { created: "user.created", updated: "user.updated" },
  item: C.User,
  create: null,
  update: null,
  listQuery: C.UserListQuery,
  encoding: {},
  scope: {
    kind: "derived",
    sql: "(select p.home_property_id from people p where p.id = person_id)",
    fromRow: (db, row) => personProperty(db, row.person_id),
  },
  propertyOfInput: () => null,
  filters: { personId: "person_id", status: "status" },
  sorts: ["email", "createdAt"],
  search: ["email"],
  references: {},
  uniques: [],
  initialStatus: "active",
  decorate: async (db, rows) => {
    const names = await personNames(db, rows);
    return rows.map((row) => ({
      totpEnabled: row.totp_enabled_at !== null,
      personName: names.get(String(row.person_id)),
    }));
  },
};

export const roleAssignments: ResourceDef = {
  entity: "roleAssignment",
  table: "role_assignments",
  path: "role-assignments",
  what: "role assignment",
  tag: "Roles",
  events: { created: "role_assignment.created", updated: "role_assignment.updated" },
  item: C.RoleAssignment,
  create: null,
  update: null,
  listQuery: C.RoleAssignmentListQuery,
  encoding: {},
  scope: {
    kind: "derived",
    sql: "(case when scope_type = 'property' then scope_id else null end)",
    fromRow: async (_db, row) => (row.scope_type === "property" ? str(row.scope_id) : null),
  },
  propertyOfInput: (input) => (input.scopeType === "property" ? str(input.scopeId) : null),
  filters: { personId: "person_id", role: "role", scopeId: "scope_id", status: "status" },
  sorts: ["createdAt", "role"],
  search: [],
  references: {},
  uniques: [],
  decorate: async (db, rows) => {
    const names = await personNames(db, rows);
    return rows.map((row) => ({ personName: names.get(String(row.person_id)) }));
  },
  initialStatus: "active",
};

export const holidayCalendars: ResourceDef = {
  entity: "holidayCalendar",
  table: "holiday_calendars",
  path: "holiday-calendars",
  what: "holiday calendar",
  tag: "Access",
  events: { created: "holiday_calendar.created", updated: "holiday_calendar.updated" },
  item: C.HolidayCalendar,
  create: C.HolidayCalendarCreate,
  update: C.HolidayCalendarUpdate,
  listQuery: C.HolidayCalendarListQuery,
  encoding: { json: ["dates"] },
  scope: { kind: "column", column: "property_id" },
  propertyOfInput: byProperty,
  filters: { propertyId: "property_id", status: "status" },
  sorts: ["name", "createdAt"],
  search: ["name"],
  references: {},
  uniques: [],
  initialStatus: "active",
  validate: async (_ctx, record) => {
    const dates = (record.dates as { date: string }[] | undefined) ?? [];
    const seen = new Set<string>();
    dates.forEach((d, i) => {
      if (seen.has(d.date)) {
        throw invalidInput(`dates.${i}.date`, `${d.date} is listed twice`);
      }
      seen.add(d.date);
    });
  },
};

export const accessProfiles: ResourceDef = {
  entity: "accessProfile",
  table: "access_profiles",
  path: "access-profiles",
  what: "access profile",
  tag: "Access",
  events: { created: "access_profile.created", updated: "access_profile.updated" },
  item: C.AccessProfile,
  create: C.AccessProfileCreate,
  update: C.AccessProfileUpdate,
  listQuery: C.AccessProfileListQuery,
  encoding: { json: ["keyScope", "windows", "conditions"] },
  scope: { kind: "column", column: "property_id" },
  propertyOfInput: byProperty,
  filters: { propertyId: "property_id", status: "status" },
  sorts: ["name", "createdAt"],
  search: ["name", "description"],
  references: { holidayCalendarId: { table: "holiday_calendars", what: "holiday calendar", sameProperty: true } },
  uniques: [
    { fields: ["name"], scope: "property", message: (r) => `An access profile named "${r.name}" already exists here.` },
  ],
  initialStatus: "active",
  validate: async (ctx, record) => {
    const [problem] = validateWindows((record.windows as WeeklyWindow[] | undefined) ?? []);
    if (problem) {
      const [field = "windows", message = problem] = problem.split(": ");
      // why: error fields are dotted paths (windows.0.end), as the schema validation reports them
      throw invalidInput(field.replace(/\[(\d+)\]/g, ".$1"), message);
    }
    checkDateOrder(record, "validFrom", "validUntil");
    const scope = record.keyScope as
      | { allKeys: boolean; buildingIds: string[]; unitIds: string[]; keySetIds: string[]; keyKinds: string[] }
      | undefined;
    if (scope) {
      if (
        !scope.allKeys &&
        [scope.buildingIds, scope.unitIds, scope.keySetIds, scope.keyKinds].every((l) => l.length === 0)
      ) {
        throw invalidInput("keyScope", "choose all keys, or at least one building, unit, key set or key kind");
      }
      const propertyId = String(record.propertyId);
      for (const [field, table, ids] of [
        ["keyScope.buildingIds", "buildings", scope.buildingIds],
        ["keyScope.unitIds", "units", scope.unitIds],
        ["keyScope.keySetIds", "key_sets", scope.keySetIds],
      ] as const) {
        if (ids.length === 0) {
          continue;
        }
        const found = await loose(ctx.tx)
          .selectFrom(table)
          .select("id")
          .where("organization_id", "=", ctx.actor.organizationId)
          .where("property_id", "=", propertyId)
          .where("id", "in", ids)
          .execute();
        const missing = ids.filter((id) => !found.some((f) => f.id === id));
        if (missing.length > 0) {
          throw invalidInput(field, `not at this property: ${missing.join(", ")}`);
        }
      }
    }
  },
};

export const profileAssignments: ResourceDef = {
  entity: "profileAssignment",
  table: "profile_assignments",
  path: "profile-assignments",
  what: "profile assignment",
  tag: "Access",
  events: { created: "profile_assignment.created", updated: "profile_assignment.updated" },
  item: C.ProfileAssignment,
  create: C.ProfileAssignmentCreate,
  update: C.ProfileAssignmentUpdate,
  listQuery: C.ProfileAssignmentListQuery,
  encoding: {},
  scope: { kind: "column", column: "property_id" },
  propertyOfInput: byProperty,
  filters: { propertyId: "property_id", personId: "person_id", accessProfileId: "access_profile_id", status: "status" },
  sorts: ["createdAt"],
  search: [],
  references: {
    personId: { table: "people", what: "person", sameProperty: false },
    accessProfileId: { table: "access_profiles", what: "access profile", sameProperty: true },
  },
  uniques: [],
  decorate: async (db, rows) => {
    const names = await personNames(db, rows);
    return rows.map((row) => ({ personName: names.get(String(row.person_id)) }));
  },
  initialStatus: "active",
  validate: async (ctx, record) => {
    checkDateOrder(record, "validFrom", "validUntil");
    // why: the reference check proves the person is in the organization; the actor must also be able to see them,
    // or assigning a profile would confirm that a hidden person exists
    const home = await personProperty(ctx.tx, record.personId);
    if (!can(ctx.actor, "read", { entity: "person", organizationId: ctx.actor.organizationId, propertyId: home })) {
      throw invalidInput("personId", `no person with id ${String(record.personId)} exists in this organization`);
    }
  },
};

export const reasonCodes: ResourceDef = {
  entity: "reasonCode",
  table: "reason_codes",
  path: "reason-codes",
  what: "reason code",
  tag: "Reason codes",
  events: { created: "reason_code.created", updated: "reason_code.updated" },
  item: C.ReasonCode,
  create: C.ReasonCodeCreate,
  update: C.ReasonCodeUpdate,
  listQuery: C.ReasonCodeListQuery,
  encoding: { flags: ["requiresWorkOrder"] },
  scope: { kind: "organization" },
  propertyOfInput: () => null,
  filters: { status: "status" },
  sorts: ["sortOrder", "label", "code"],
  search: ["code", "label"],
  references: {},
  uniques: [
    { fields: ["code"], scope: "organization", message: (r) => `The reason code "${String(r.code)}" already exists.` },
  ],
  initialStatus: "active",
};

/** The append-only events, readable like any resource (never created or changed through the API). */
export const events: ResourceDef = {
  entity: "event",
  table: "events",
  path: "events",
  what: "event",
  tag: "Events",
  events: null,
  item: C.Event,
  create: null,
  update: null,
  listQuery: C.EventListQuery,
  encoding: { json: ["actor", "before", "after"] },
  scope: { kind: "column", column: "property_id" },
  propertyOfInput: () => null,
  filters: { propertyId: "property_id", entityType: "entity_type", entityId: "entity_id", action: "action" },
  sorts: ["seq", "occurredAt"],
  defaultSort: "-seq",
  ranges: { from: { column: "occurred_at", op: ">=" }, to: { column: "occurred_at", op: "<" } },
  hiddenFrom: (actor) => {
    // why: an event carries its entity's before/after; it is shown only to those who may read that kind of entity
    const unreadable = ENTITIES.filter(
      (entity) =>
        !can(actor, "read", { entity, organizationId: actor.organizationId, propertyId: null }) &&
        propertiesWhere(actor, "read", entity) !== "all" &&
        propertiesWhere(actor, "read", entity).length === 0,
    );
    const values: string[] = [...unreadable];
    if (unreadable.includes("cabinet")) {
      values.push("hook");
    }
    return { column: "entity_type", values };
  },
  search: [],
  references: {},
  uniques: [],
  initialStatus: null,
};

/** Every generic resource, in the order the API documents them. */
export const RESOURCES: readonly ResourceDef[] = [
  regions,
  properties,
  buildings,
  units,
  keySets,
  keys,
  cabinets,
  people,
  credentials,
  users,
  roleAssignments,
  accessProfiles,
  profileAssignments,
  holidayCalendars,
  reasonCodes,
  events,
];
