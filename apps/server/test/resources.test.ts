/**
 * The admin plane's generic resources through the API: create, read, change (only the fields named), the one event
 * each change writes, and refused input — 400 naming the field, 409 naming what collides — that writes nothing.
 * Lists (filters, search, sort, pagination) are in resources-lists.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TableName } from "../src/resources/records.ts";
import { type ApiEvent, countsOf } from "./db-probes.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };

let server: TestServer;
let org: Factory;
let admin: ApiClient;
let property: Rec;
let otherProperty: Rec;
let foreignProperty: Rec;
let n = 0;
const next = () => `${++n}`;

beforeAll(async () => {
  server = await startTestServer();
  org = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(org.admin.email, org.admin.password);
  property = await org.property();
  otherProperty = await org.property();
  const foreign = await Factory.organization(server.services.db, server.clock.now);
  foreignProperty = await foreign.property();
});
afterAll(() => server.close());

async function eventsOf(entityId: string): Promise<ApiEvent[]> {
  const res = await admin.get<{ items: ApiEvent[] }>(`/api/v1/events?entityId=${entityId}&sort=seq`);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** What a change writes: the tables named, plus the events. */
function counts(tables: readonly TableName[]) {
  return countsOf(server.services.db, tables);
}

// ------------------------------------------------------------------------------------------------- create, read, change

interface CrudCase {
  path: string;
  table: TableName;
  entityType: string;
  /** Event action prefix: `${action}.created`, `${action}.updated`. */
  action: string;
  create: () => Promise<Record<string, unknown>>;
  patch: () => Record<string, unknown>;
  /** Event property of the record. */
  propertyOf: (record: Rec) => unknown;
  /** Events of other records its creation writes (a property's "Daily keys out" report schedule). */
  otherEvents?: number;
}

const CRUD: CrudCase[] = [
  {
    path: "regions",
    table: "regions",
    entityType: "region",
    action: "region",
    create: async () => ({ name: `North ${next()}` }),
    patch: () => ({ name: `South ${next()}` }),
    propertyOf: () => null,
  },
  {
    path: "properties",
    table: "properties",
    entityType: "property",
    action: "property",
    create: async () => ({
      name: `Lakeside ${next()}`,
      code: `LS${next()}`,
      timeZone: "Europe/Berlin",
      address: "1 Lake Road",
      maxOfflineMinutes: 120,
      maxCopiesPerUnit: 3,
    }),
    patch: () => ({ address: "2 Lake Road" }),
    propertyOf: (r) => r.id,
    otherEvents: 1,
  },
  {
    path: "buildings",
    table: "buildings",
    entityType: "building",
    action: "building",
    create: async () => ({ propertyId: property.id, name: `Building ${next()}`, code: "B" }),
    patch: () => ({ code: "B2" }),
    propertyOf: (r) => r.propertyId,
  },
  {
    path: "units",
    table: "units",
    entityType: "unit",
    action: "unit",
    create: async () => ({
      propertyId: property.id,
      buildingId: (await org.building(property.id)).id,
      number: `P-${next()}`,
      kind: "common_area",
      occupancy: "vacant",
      floor: "2",
    }),
    patch: () => ({ notes: "pool pump in the back" }),
    propertyOf: (r) => r.propertyId,
  },
  {
    path: "key-sets",
    table: "key_sets",
    entityType: "keySet",
    action: "key_set",
    create: async () => ({
      propertyId: property.id,
      unitId: (await org.unit(property.id)).id,
      name: `Set ${next()}`,
      maxCopies: 3,
    }),
    patch: () => ({ name: `Set ${next()}` }),
    propertyOf: (r) => r.propertyId,
  },
  {
    path: "keys",
    table: "keys",
    entityType: "key",
    action: "key",
    create: async () => ({
      propertyId: property.id,
      label: `Master ${next()}`,
      tagCode: `TAG-${next()}`,
      kind: "master",
      status: "with_resident",
      restricted: true,
    }),
    patch: () => ({ label: `Grand master ${next()}` }),
    propertyOf: (r) => r.propertyId,
  },
  {
    path: "cabinets",
    table: "cabinets",
    entityType: "cabinet",
    action: "cabinet",
    create: async () => ({
      propertyId: property.id,
      name: `Cabinet ${next()}`,
      location: "Leasing office",
      capabilities: { badgeReader: true, keypad: true, fingerprint: true, touchScreen: false, litHooks: false },
      factorPolicy: "fingerprint_pin",
      modules: 2,
      hooksPerModule: 4,
    }),
    patch: () => ({ location: "Maintenance shop" }),
    propertyOf: (r) => r.propertyId,
  },
  {
    path: "people",
    table: "people",
    entityType: "person",
    action: "person",
    create: async () => ({
      homePropertyId: property.id,
      kind: "vendor",
      firstName: "Vera",
      lastName: `Vendor ${next()}`,
      company: "Acme Plumbing",
      employeeNumber: `E${next()}`,
      startDate: "2026-01-15",
    }),
    patch: () => ({ phone: "+1 555 0100" }),
    propertyOf: (r) => r.homePropertyId,
  },
  {
    path: "access-profiles",
    table: "access_profiles",
    entityType: "accessProfile",
    action: "access_profile",
    create: async () => ({
      propertyId: property.id,
      name: `Weekday techs ${next()}`,
      keyScope: { keyKinds: ["unit", "common_area"] },
      windows: [{ days: [1, 2, 3, 4, 5], start: "07:30", end: "18:00" }],
      maxKeysOut: 3,
      curfewTime: "19:00",
      conditions: { witness: true },
      validFrom: "2026-01-01",
    }),
    patch: () => ({ description: "Technicians on the day shift" }),
    propertyOf: (r) => r.propertyId,
  },
  {
    path: "profile-assignments",
    table: "profile_assignments",
    entityType: "profileAssignment",
    action: "profile_assignment",
    create: async () => ({
      propertyId: property.id,
      personId: (await org.person({ homePropertyId: property.id })).id,
      accessProfileId: (await org.accessProfile(property.id)).id,
      validFrom: "2026-06-01",
    }),
    patch: () => ({ validUntil: "2026-12-31" }),
    propertyOf: (r) => r.propertyId,
  },
  {
    path: "holiday-calendars",
    table: "holiday_calendars",
    entityType: "holidayCalendar",
    action: "holiday_calendar",
    create: async () => ({
      propertyId: property.id,
      name: `US holidays ${next()}`,
      dates: [
        { date: "2026-07-04", name: "Independence Day" },
        { date: "2026-12-25", name: "Christmas Day" },
      ],
    }),
    patch: () => ({ name: `Federal holidays ${next()}` }),
    propertyOf: (r) => r.propertyId,
  },
  {
    path: "reason-codes",
    table: "reason_codes",
    entityType: "reasonCode",
    action: "reason_code",
    create: async () => ({
      code: `gutter_cleaning_${next()}`,
      label: "Gutter cleaning",
      requiresWorkOrder: true,
      defaultDueMinutes: 90,
      sortOrder: 5,
    }),
    patch: () => ({ label: "Gutters" }),
    propertyOf: () => null,
  },
];

for (const c of CRUD) {
  describe(`POST, GET and PATCH /api/v1/${c.path}`, () => {
    it("creates a record that reads back the same, writing exactly one event with the actor and the record", async () => {
      const body = await c.create();
      const before = await counts([c.table]);
      const created = await admin.post<Rec>(`/api/v1/${c.path}`, body);
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject(body);
      expect(created.body.createdAt).toBe(server.clock.now().toISOString());
      const after = await counts([c.table]);
      expect(after[c.table]).toBe((before[c.table] ?? 0) + 1);
      expect(after.events).toBe((before.events ?? 0) + 1 + (c.otherEvents ?? 0));

      const read = await admin.get<Rec>(`/api/v1/${c.path}/${created.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);

      const [event, ...rest] = await eventsOf(created.body.id);
      expect(rest).toEqual([]);
      expect(event).toMatchObject({
        action: `${c.action}.created`,
        entityType: c.entityType,
        entityId: created.body.id,
        propertyId: c.propertyOf(created.body),
        occurredAt: server.clock.now().toISOString(),
        source: "api",
        actor: {
          type: "user",
          id: org.admin.userId,
          name: "Ada Admin",
          email: org.admin.email,
          roles: ["administrator"],
        },
        before: null,
      });
      expect(event?.after).toMatchObject(created.body);
    });

    it("changes only the fields a PATCH names, and records their before and after in one event", async () => {
      const created = (await admin.post<Rec>(`/api/v1/${c.path}`, await c.create())).body;
      const patch = c.patch();
      server.clock.advance(60_000);
      const before = await counts([c.table]);
      const res = await admin.patch<Rec>(`/api/v1/${c.path}/${created.id}`, patch);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ ...created, ...patch, updatedAt: server.clock.now().toISOString() });
      expect((await admin.get<Rec>(`/api/v1/${c.path}/${created.id}`)).body).toEqual(res.body);
      expect((await counts([c.table])).events).toBe((before.events ?? 0) + 1);

      const events = await eventsOf(created.id);
      expect(events.map((e) => e.action)).toEqual([`${c.action}.created`, `${c.action}.updated`]);
      const changedBefore = Object.fromEntries(Object.keys(patch).map((k) => [k, created[k] ?? null]));
      expect(events[1]).toMatchObject({
        actor: { type: "user", id: org.admin.userId, email: org.admin.email },
        before: changedBefore,
        after: patch,
      });
      expect(Object.keys(events[1]?.after ?? {}).sort()).toEqual(Object.keys(patch).sort());
    });

    it("writes no event for a PATCH that changes nothing", async () => {
      const created = (await admin.post<Rec>(`/api/v1/${c.path}`, await c.create())).body;
      const patch = c.patch();
      expect((await admin.patch(`/api/v1/${c.path}/${created.id}`, patch)).status).toBe(200);
      const before = await counts([c.table]);
      const again = await admin.patch<Rec>(`/api/v1/${c.path}/${created.id}`, patch);
      expect(again.status).toBe(200);
      expect(await counts([c.table])).toEqual(before);
    });

    it("answers 404 for an id that does not exist, to GET and PATCH alike", async () => {
      expect((await admin.get<{ code: string }>(`/api/v1/${c.path}/no-such-id`)).body.code).toBe("not_found");
      const res = await admin.patch<{ code: string }>(`/api/v1/${c.path}/no-such-id`, c.patch());
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("not_found");
    });
  });
}

describe("PATCH /api/v1/organization", () => {
  it("changes the one setting named, keeps the others, and records the change", async () => {
    const before = await admin.get<{ name: string; settings: Record<string, unknown> }>("/api/v1/organization");
    const res = await admin.patch<{ settings: Record<string, unknown> }>("/api/v1/organization", {
      settings: { pinMinLength: 8 },
    });
    expect(res.status).toBe(200);
    expect(res.body.settings).toEqual({ ...before.body.settings, pinMinLength: 8 });
    const [event] = (await eventsOf(org.organizationId)).filter((e) => e.action === "organization.updated");
    expect(event?.before).toEqual({ settings: before.body.settings });
    expect(event?.after).toEqual({ settings: { ...before.body.settings, pinMinLength: 8 } });
  });

  it("answers 400 naming the setting out of range, and changes nothing", async () => {
    const before = await counts(["organizations"]);
    const res = await admin.patch<{ code: string; field: string }>("/api/v1/organization", {
      settings: { pinMinLength: 3 },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_input", field: "settings.pinMinLength" });
    expect(await counts(["organizations"])).toEqual(before);
  });
});

// ------------------------------------------------------------------------------------------------- refused input

interface BadInput {
  name: string;
  method: "POST" | "PATCH";
  path: () => Promise<string>;
  body: () => Promise<Record<string, unknown>>;
  field: string;
  /** Part of the message, when it says something worth pinning. */
  says?: RegExp;
  table: TableName;
}

const otherOrgProperty = () => foreignProperty.id;

const BAD_INPUT: BadInput[] = [
  {
    name: "POST /api/v1/regions with an empty name",
    method: "POST",
    path: async () => "/api/v1/regions",
    body: async () => ({ name: "  " }),
    field: "name",
    table: "regions",
  },
  {
    name: "POST /api/v1/properties with a time zone that does not exist",
    method: "POST",
    path: async () => "/api/v1/properties",
    body: async () => ({ name: "Mars base", code: `MB${next()}`, timeZone: "Mars/Olympus_Mons" }),
    field: "timeZone",
    says: /not an IANA time zone/,
    table: "properties",
  },
  {
    name: "PATCH /api/v1/properties/:id to a time zone that does not exist",
    method: "PATCH",
    path: async () => `/api/v1/properties/${property.id}`,
    body: async () => ({ timeZone: "Central Time" }),
    field: "timeZone",
    table: "properties",
  },
  {
    name: "POST /api/v1/properties with a region of another organization",
    method: "POST",
    path: async () => "/api/v1/properties",
    body: async () => ({
      name: "Elsewhere",
      code: `EW${next()}`,
      timeZone: "UTC",
      regionId: (await Factory.organization(server.services.db, server.clock.now).then((f) => f.region())).id,
    }),
    field: "regionId",
    table: "properties",
  },
  {
    name: "POST /api/v1/buildings at a property id that does not exist",
    method: "POST",
    path: async () => "/api/v1/buildings",
    body: async () => ({ propertyId: "no-such-property", name: "Ghost" }),
    field: "propertyId",
    table: "buildings",
  },
  {
    name: "POST /api/v1/buildings at another organization's property",
    method: "POST",
    path: async () => "/api/v1/buildings",
    body: async () => ({ propertyId: otherOrgProperty(), name: "Trojan" }),
    field: "propertyId",
    table: "buildings",
  },
  {
    name: "POST /api/v1/units in a building of another property",
    method: "POST",
    path: async () => "/api/v1/units",
    body: async () => ({
      propertyId: property.id,
      number: `X${next()}`,
      buildingId: (await org.building(otherProperty.id)).id,
    }),
    field: "buildingId",
    says: /belongs to another property/,
    table: "units",
  },
  {
    name: "PATCH /api/v1/units/:id into a building of another property",
    method: "PATCH",
    path: async () => `/api/v1/units/${(await org.unit(property.id)).id}`,
    body: async () => ({ buildingId: (await org.building(otherProperty.id)).id }),
    field: "buildingId",
    table: "units",
  },
  {
    name: "POST /api/v1/units without a number",
    method: "POST",
    path: async () => "/api/v1/units",
    body: async () => ({ propertyId: property.id }),
    field: "number",
    table: "units",
  },
  {
    name: "POST /api/v1/units with an occupancy that does not exist",
    method: "POST",
    path: async () => "/api/v1/units",
    body: async () => ({ propertyId: property.id, number: `X${next()}`, occupancy: "haunted" }),
    field: "occupancy",
    table: "units",
  },
  {
    name: "POST /api/v1/key-sets for a unit of another property",
    method: "POST",
    path: async () => "/api/v1/key-sets",
    body: async () => ({ propertyId: property.id, name: `S${next()}`, unitId: (await org.unit(otherProperty.id)).id }),
    field: "unitId",
    table: "key_sets",
  },
  {
    name: "POST /api/v1/keys with a tag too short to be a tag",
    method: "POST",
    path: async () => "/api/v1/keys",
    body: async () => ({ propertyId: property.id, label: "Front door", tagCode: "ab" }),
    field: "tagCode",
    table: "keys",
  },
  {
    name: "POST /api/v1/keys on a cabinet without a hook number",
    method: "POST",
    path: async () => "/api/v1/keys",
    body: async () => ({
      propertyId: property.id,
      label: "Front door",
      tagCode: `T-${next()}-x`,
      cabinetId: (await org.cabinet(property.id)).id,
    }),
    field: "hookNumber",
    table: "keys",
  },
  {
    name: "POST /api/v1/keys on a hook the cabinet does not have",
    method: "POST",
    path: async () => "/api/v1/keys",
    body: async () => ({
      propertyId: property.id,
      label: "Front door",
      tagCode: `T-${next()}-x`,
      cabinetId: (await org.cabinet(property.id)).id,
      hookNumber: 99,
    }),
    field: "hookNumber",
    says: /no hook 99/,
    table: "keys",
  },
  {
    name: "POST /api/v1/keys on a cabinet of another property",
    method: "POST",
    path: async () => "/api/v1/keys",
    body: async () => ({
      propertyId: property.id,
      label: "Front door",
      tagCode: `T-${next()}-x`,
      cabinetId: (await org.cabinet(otherProperty.id)).id,
      hookNumber: 1,
    }),
    field: "cabinetId",
    table: "keys",
  },
  {
    name: "POST /api/v1/cabinets with three modules",
    method: "POST",
    path: async () => "/api/v1/cabinets",
    body: async () => ({ propertyId: property.id, name: `C${next()}`, modules: 3 }),
    field: "modules",
    table: "cabinets",
  },
  {
    name: "POST /api/v1/cabinets asking for fingerprints without a reader",
    method: "POST",
    path: async () => "/api/v1/cabinets",
    body: async () => ({ propertyId: property.id, name: `C${next()}`, factorPolicy: "badge_fingerprint" }),
    field: "factorPolicy",
    table: "cabinets",
  },
  {
    name: "POST /api/v1/people ending before they start",
    method: "POST",
    path: async () => "/api/v1/people",
    body: async () => ({ firstName: "Tim", lastName: "Travel", startDate: "2026-05-01", endDate: "2026-04-30" }),
    field: "endDate",
    table: "people",
  },
  {
    name: "POST /api/v1/people with an e-mail that is not one",
    method: "POST",
    path: async () => "/api/v1/people",
    body: async () => ({ firstName: "Nomail", lastName: "Person", email: "nomail.example.test" }),
    field: "email",
    table: "people",
  },
  {
    name: "POST /api/v1/people at a home property that does not exist",
    method: "POST",
    path: async () => "/api/v1/people",
    body: async () => ({ firstName: "Homeless", lastName: "Record", homePropertyId: "no-such-property" }),
    field: "homePropertyId",
    table: "people",
  },
  {
    name: "POST /api/v1/access-profiles with a weekly window ending before it starts",
    method: "POST",
    path: async () => "/api/v1/access-profiles",
    body: async () => ({
      propertyId: property.id,
      name: `Night ${next()}`,
      keyScope: { allKeys: true },
      windows: [
        { days: [1], start: "08:00", end: "17:00" },
        { days: [6], start: "18:00", end: "06:00" },
      ],
    }),
    field: "windows.1.end",
    says: /later than the start/,
    table: "access_profiles",
  },
  {
    name: "POST /api/v1/access-profiles with a weekly window of no days",
    method: "POST",
    path: async () => "/api/v1/access-profiles",
    body: async () => ({
      propertyId: property.id,
      name: `Never ${next()}`,
      keyScope: { allKeys: true },
      windows: [{ days: [], start: "08:00", end: "17:00" }],
    }),
    field: "windows.0.days",
    table: "access_profiles",
  },
  {
    name: "POST /api/v1/access-profiles valid from after valid until",
    method: "POST",
    path: async () => "/api/v1/access-profiles",
    body: async () => ({
      propertyId: property.id,
      name: `Backwards ${next()}`,
      keyScope: { allKeys: true },
      validFrom: "2026-09-01",
      validUntil: "2026-08-31",
    }),
    field: "validUntil",
    table: "access_profiles",
  },
  {
    name: "PATCH /api/v1/access-profiles/:id valid until before the stored valid from",
    method: "PATCH",
    path: async () =>
      `/api/v1/access-profiles/${(await org.accessProfile(property.id, { validFrom: "2026-09-01" })).id}`,
    body: async () => ({ validUntil: "2026-01-01" }),
    field: "validUntil",
    table: "access_profiles",
  },
  {
    name: "POST /api/v1/access-profiles scoped to no key at all",
    method: "POST",
    path: async () => "/api/v1/access-profiles",
    body: async () => ({ propertyId: property.id, name: `Empty ${next()}`, keyScope: {} }),
    field: "keyScope",
    table: "access_profiles",
  },
  {
    name: "POST /api/v1/access-profiles scoped to a unit of another property",
    method: "POST",
    path: async () => "/api/v1/access-profiles",
    body: async () => ({
      propertyId: property.id,
      name: `Stray ${next()}`,
      keyScope: { unitIds: [(await org.unit(otherProperty.id)).id] },
    }),
    field: "keyScope.unitIds",
    table: "access_profiles",
  },
  {
    name: "POST /api/v1/profile-assignments valid from after valid until",
    method: "POST",
    path: async () => "/api/v1/profile-assignments",
    body: async () => ({
      propertyId: property.id,
      personId: (await org.person()).id,
      accessProfileId: (await org.accessProfile(property.id)).id,
      validFrom: "2026-07-02",
      validUntil: "2026-07-01",
    }),
    field: "validUntil",
    table: "profile_assignments",
  },
  {
    name: "POST /api/v1/profile-assignments with a profile of another property",
    method: "POST",
    path: async () => "/api/v1/profile-assignments",
    body: async () => ({
      propertyId: property.id,
      personId: (await org.person()).id,
      accessProfileId: (await org.accessProfile(otherProperty.id)).id,
    }),
    field: "accessProfileId",
    table: "profile_assignments",
  },
  {
    name: "POST /api/v1/holiday-calendars listing a date twice",
    method: "POST",
    path: async () => "/api/v1/holiday-calendars",
    body: async () => ({
      propertyId: property.id,
      name: `Twice ${next()}`,
      dates: [
        { date: "2026-12-25", name: "Christmas" },
        { date: "2026-12-25", name: "Christmas again" },
      ],
    }),
    field: "dates.1.date",
    table: "holiday_calendars",
  },
  {
    name: "POST /api/v1/holiday-calendars with a date that does not exist",
    method: "POST",
    path: async () => "/api/v1/holiday-calendars",
    body: async () => ({ propertyId: property.id, name: `Leap ${next()}`, dates: [{ date: "2026-02-30", name: "x" }] }),
    field: "dates.0.date",
    table: "holiday_calendars",
  },
  {
    name: "POST /api/v1/reason-codes with a code that is not a key",
    method: "POST",
    path: async () => "/api/v1/reason-codes",
    body: async () => ({ code: "Roof Leak", label: "Roof leak" }),
    field: "code",
    table: "reason_codes",
  },
];

describe("refused input", () => {
  for (const c of BAD_INPUT) {
    it(`${c.name} answers 400 naming ${c.field}, and writes nothing`, async () => {
      const path = await c.path();
      const body = await c.body();
      const before = await counts([c.table]);
      const res = await admin.request<{ code: string; field: string; message: string }>(c.method, path, body);
      expect(res.status, res.text).toBe(400);
      expect(res.body.code).toBe("invalid_input");
      expect(res.body.field).toBe(c.field);
      if (c.says) {
        expect(res.body.message).toMatch(c.says);
      }
      expect(await counts([c.table])).toEqual(before);
    });
  }
});

// ------------------------------------------------------------------------------------------------- conflicts

describe("conflicts", () => {
  async function expectConflict(
    method: "POST" | "PATCH",
    path: string,
    body: unknown,
    tables: TableName[],
    field: string,
    says: RegExp,
  ) {
    const before = await counts(tables);
    const res = await admin.request<{ code: string; field: string; message: string }>(method, path, body);
    expect(res.status, res.text).toBe(409);
    expect(res.body).toMatchObject({ code: "conflict", field });
    expect(res.body.message).toMatch(says);
    expect(await counts(tables)).toEqual(before);
  }

  it("POST /api/v1/units answers 409 for a unit number the property already has, and allows it at another", async () => {
    await org.unit(property.id, { number: "1204" });
    await expectConflict(
      "POST",
      "/api/v1/units",
      { propertyId: property.id, number: "1204" },
      ["units"],
      "number",
      /Unit 1204 already exists at this property/,
    );
    expect((await admin.post("/api/v1/units", { propertyId: otherProperty.id, number: "1204" })).status).toBe(201);
  });

  it("PATCH /api/v1/units/:id answers 409 when renumbering onto another unit", async () => {
    await org.unit(property.id, { number: "1301" });
    const unit = await org.unit(property.id, { number: "1302" });
    await expectConflict("PATCH", `/api/v1/units/${unit.id}`, { number: "1301" }, ["units"], "number", /Unit 1301/);
  });

  it("POST /api/v1/keys answers 409 for a tag code already on a key anywhere in the organization", async () => {
    await org.key(otherProperty.id, { tagCode: "TAG-DUP-1" });
    await expectConflict(
      "POST",
      "/api/v1/keys",
      { propertyId: property.id, label: "Copy", tagCode: "TAG-DUP-1" },
      ["keys"],
      "tagCode",
      /Tag TAG-DUP-1 is already on another key/,
    );
  });

  it("POST /api/v1/people/:id/credentials answers 409 for a badge number issued to someone else", async () => {
    const holder = await org.person({ homePropertyId: property.id });
    const other = await org.person({ homePropertyId: property.id });
    expect(
      (await admin.post(`/api/v1/people/${holder.id}/credentials`, { kind: "badge", badgeNumber: "B0042" })).status,
    ).toBe(201);
    await expectConflict(
      "POST",
      `/api/v1/people/${other.id}/credentials`,
      { kind: "badge", badgeNumber: "B0042" },
      ["credentials"],
      "badgeNumber",
      /Badge B0042 is already issued to another person/,
    );
  });

  it("POST /api/v1/users answers 409 for an e-mail another login uses, whatever its case", async () => {
    const person = await org.person({ homePropertyId: property.id });
    await expectConflict(
      "POST",
      "/api/v1/users",
      { personId: person.id, email: org.admin.email.toUpperCase(), password: "a long enough passphrase" },
      ["users"],
      "email",
      /cannot be used for a new login/,
    );
  });

  it("POST /api/v1/people answers 409 for an employee number another person has", async () => {
    await org.person({ employeeNumber: "EMP-7" });
    await expectConflict(
      "POST",
      "/api/v1/people",
      { firstName: "Second", lastName: "Seven", employeeNumber: "EMP-7" },
      ["people"],
      "employeeNumber",
      /Employee number EMP-7 already belongs to another person/,
    );
  });

  it("POST /api/v1/reason-codes answers 409 for a code the organization has", async () => {
    await expectConflict(
      "POST",
      "/api/v1/reason-codes",
      { code: "move_in", label: "Move in again" },
      ["reason_codes"],
      "code",
      /move_in/,
    );
  });
});
