/**
 * One generated property as set up before its history: buildings, units (apartments and common areas), key sets and
 * keys (copies, a few units above the copy limit, masters, some keys lost or retired), cabinets sized for the keys with
 * their hooks and enrolled devices, a holiday calendar, access profiles, and the people who work there with their
 * credentials, roles, profiles and dashboard logins. Every record gets the event its command writes.
 */
import type { Weekday } from "@keyward/domain/schedule";
import type { ActorSnapshot } from "../events.ts";
import type { ResourceDef } from "../resources/definition.ts";
import {
  accessProfiles,
  buildings,
  cabinets,
  credentials,
  holidayCalendars,
  keySets,
  keys,
  people,
  profileAssignments,
  properties,
  roleAssignments,
  units,
  users,
} from "../resources/definitions.ts";
import type { Row } from "../resources/records.ts";
import { VERSION } from "../version.ts";
import { type AdminEvent, Device } from "./portfolio-emitter.ts";
import type {
  CabinetModel,
  Generation,
  KeyModel,
  PersonModel,
  ProfileModel,
  PropertyModel,
} from "./portfolio-model.ts";
import { completeRow, insertRows, presentAll, recordRow } from "./portfolio-records.ts";
import { TABLES } from "./portfolio-rows.ts";
import {
  COMMON_AREAS,
  FIRST_NAMES,
  LAST_NAMES,
  type Market,
  PROPERTY_WORDS,
  type StaffRole,
  usHolidays,
  VENDOR_COMPANIES,
} from "./portfolio-vocabulary.ts";

const DAY = 86_400_000;
/** Hooks per cabinet module, and the share of hooks keys fill (the rest take returns). */
const HOOKS_PER_MODULE = 240;
const FILL = 0.88;
const DEMO_DOMAIN = "demo.keyward.test";

/** What the portfolio plan says about one property. */
export interface PropertyPlan {
  index: number;
  apartments: number;
  market: Market;
}

/** People of the organization rather than of a property: they hold dashboard logins, not keys. */
type OrganizationRole = "admin" | "executive" | "auditor" | "regional";

function isStaff(role: StaffRole | OrganizationRole): role is StaffRole {
  return role !== "admin" && role !== "executive" && role !== "auditor" && role !== "regional";
}

/** A planned person, before their rows exist. */
export interface PersonPlan {
  role: StaffRole | OrganizationRole;
  firstName: string;
  lastName: string;
  homePropertyId: string | null;
  kind: "employee" | "vendor";
  company: string | null;
  login: string | null;
  /** When their record is created (ms): set-up, or a hire during the history. */
  createdAt: number;
  startDate: string | null;
  /** The day they left and when someone deactivated them, for people who left. */
  left: { endDate: string; deactivatedAt: number } | null;
  roles: { role: string; scopeType: "organization" | "region" | "property"; scopeId: string | null }[];
  profileIds: string[];
  /** Whether they use the cabinets (a badge and a PIN). */
  cabinetUser: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

/** Records of one resource: rows as created, presented for their events, which are written at `at` by `actor`. */
async function created(
  g: Generation,
  def: ResourceDef,
  rows: readonly Row[],
  propertyOf: (row: Row) => string | null,
): Promise<AdminEvent[]> {
  const presented = await presentAll(def, g.tx, g.sink, rows);
  return rows.map((row, i) => ({
    propertyId: propertyOf(row),
    at: Date.parse(String(row.created_at)),
    action: def.events?.created ?? `${def.entity}.created`,
    entityType: def.entity,
    entityId: String(row.id),
    actor: g.setupActor,
    after: presented[i] ?? null,
  }));
}

/** Emits events that happen at set-up. */
function emitAll(g: Generation, events: readonly AdminEvent[]): void {
  for (const e of events) {
    g.emitter.admin(e);
  }
}

/** Emits set-up events now; events of later records wait for the history. */
function emitOrDefer(g: Generation, events: readonly AdminEvent[], later: (e: AdminEvent) => void): void {
  for (const e of events) {
    if (e.at <= g.setupAt) {
      g.emitter.admin(e);
    } else {
      later(e);
    }
  }
}

function tagCode(g: Generation): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  let out = "";
  for (let i = 0; i < 6; i++) {
    out += alphabet[g.random.int(0, alphabet.length - 1)];
  }
  g.serials.tag++;
  // why: anonymous (nothing about the unit), unique in the organization by its serial
  return `KW-${out}-${g.serials.tag.toString(36).toUpperCase().padStart(5, "0")}`;
}

/**
 * Writes the people of a list: person rows (as they end up: a departure is known in advance), credentials (kept for
 * the end, when PIN lockouts are known), roles, profile assignments and logins, each with its events.
 * @returns the people, with the events of people hired later held back for the history.
 */
export async function addPeople(
  g: Generation,
  plans: readonly PersonPlan[],
  profileModels: ReadonlyMap<string, ProfileModel>,
  propertyId: string | null,
): Promise<{ models: (PersonModel | null)[]; credentialRows: Row[]; userIds: (string | null)[] }> {
  const personRows: Row[] = [];
  const finalRows: Row[] = [];
  for (const plan of plans) {
    const at = iso(plan.createdAt);
    const id = g.random.uuid7(plan.createdAt);
    const row = recordRow(people, TABLES.people, g.organizationId, id, at, {
      firstName: plan.firstName,
      lastName: plan.lastName,
      kind: plan.kind,
      company: plan.company,
      email: plan.login,
      homePropertyId: plan.homePropertyId,
      employeeNumber: plan.kind === "vendor" ? null : `E${++g.serials.employee}`,
      startDate: plan.startDate,
    });
    personRows.push(row);
    const final = { ...row };
    if (plan.left) {
      Object.assign(final, {
        status: "inactive",
        end_date: plan.left.endDate,
        deactivated_at: iso(plan.left.deactivatedAt),
        updated_at: iso(plan.left.deactivatedAt),
      });
    }
    finalRows.push(final);
  }
  insertRows(g.sink, TABLES.people, finalRows);
  g.counts.people += plans.length;
  const events: AdminEvent[][] = plans.map(() => []);
  const personCreated = await created(g, people, personRows, (r) => (r.home_property_id as string | null) ?? null);
  personCreated.forEach((e, i) => {
    events[i]?.push(e);
  });

  const credentialRows: Row[] = [];
  const roleRows: Row[] = [];
  const roleOwner: number[] = [];
  const assignmentRows: Row[] = [];
  const assignmentOwner: number[] = [];
  const userRows: Row[] = [];
  const userOwner: number[] = [];
  const pinRows: (Row | null)[] = plans.map(() => null);
  const badgeIds: string[] = plans.map(() => "");
  const userIds: (string | null)[] = plans.map(() => null);
  plans.forEach((plan, i) => {
    const person = personRows[i] as Row;
    const personId = String(person.id);
    const at = iso(plan.createdAt);
    const credential = (kind: "badge" | "pin", extra: Row): Row =>
      completeRow(TABLES.credentials, {
        id: g.random.uuid7(plan.createdAt),
        organization_id: g.organizationId,
        person_id: personId,
        kind,
        status: "active",
        created_at: at,
        updated_at: at,
        pin_failures: 0,
        ...extra,
      });
    if (plan.cabinetUser) {
      const badge = credential("badge", { badge_number: String(++g.serials.badge) });
      const pin = credential("pin", {});
      credentialRows.push(badge, pin);
      pinRows[i] = pin;
      badgeIds[i] = String(badge.id);
    }
    for (const role of plan.roles) {
      roleRows.push(
        completeRow(TABLES.role_assignments, {
          id: g.random.uuid7(plan.createdAt),
          organization_id: g.organizationId,
          person_id: personId,
          role: role.role,
          scope_type: role.scopeType,
          scope_id: role.scopeId,
          status: "active",
          created_at: at,
          updated_at: at,
        }),
      );
      roleOwner.push(i);
    }
    for (const profileId of plan.profileIds) {
      assignmentRows.push(
        recordRow(
          profileAssignments,
          TABLES.profile_assignments,
          g.organizationId,
          g.random.uuid7(plan.createdAt),
          at,
          {
            propertyId,
            personId,
            accessProfileId: profileId,
          },
        ),
      );
      assignmentOwner.push(i);
    }
    if (plan.login) {
      const id = g.random.uuid7(plan.createdAt);
      userIds[i] = id;
      userRows.push(
        completeRow(TABLES.users, {
          id,
          organization_id: g.organizationId,
          person_id: personId,
          email: plan.login,
          password_hash: g.passwordHash,
          status: "active",
          created_at: at,
          updated_at: at,
        }),
      );
      userOwner.push(i);
    }
  });

  // why: a credential is issued with the PIN still to be chosen; its owner sets it at a cabinet the next morning
  const issued = await presentAll(credentials, g.tx, g.sink, credentialRows);
  credentialRows.forEach((row, k) => {
    const i = plans.findIndex((_, j) => String(personRows[j]?.id) === row.person_id);
    const plan = plans[i] as PersonPlan;
    const presented = issued[k] ?? {};
    events[i]?.push({
      propertyId: plan.homePropertyId,
      at: plan.createdAt,
      action: "credential.issued",
      entityType: "credential",
      entityId: String(row.id),
      actor: g.setupActor,
      after: { ...presented, fingerprintRef: presented.fingerprintRef ? "(enrolled)" : null },
    });
  });
  insertRows(g.sink, TABLES.role_assignments, roleRows);
  const roleEvents = await created(g, roleAssignments, roleRows, (r) =>
    r.scope_type === "property" ? String(r.scope_id) : null,
  );
  roleEvents.forEach((e, k) => {
    events[roleOwner[k] ?? 0]?.push(e);
  });
  insertRows(g.sink, TABLES.profile_assignments, assignmentRows);
  const assignmentEvents = await created(g, profileAssignments, assignmentRows, (r) => String(r.property_id));
  assignmentEvents.forEach((e, k) => {
    events[assignmentOwner[k] ?? 0]?.push(e);
  });
  insertRows(g.sink, TABLES.users, userRows);
  const userEvents = await created(g, users, userRows, (r) => {
    const owner = plans[userOwner[userRows.indexOf(r)] ?? 0];
    return owner?.homePropertyId ?? null;
  });
  userEvents.forEach((e, k) => {
    events[userOwner[k] ?? 0]?.push(e);
  });
  plans.forEach((plan, i) => {
    const pin = pinRows[i];
    if (pin) {
      const setAt = plan.createdAt + 18 * 3_600_000;
      pin.pin_hash = g.pinHash;
      pin.updated_at = iso(setAt);
      events[i]?.push({
        propertyId: plan.homePropertyId,
        at: setAt,
        action: "credential.pin_set",
        entityType: "credential",
        entityId: String(pin.id),
        actor: { type: "system", id: String(personRows[i]?.id), name: "the credential's owner" },
        after: { pinState: "set" },
      });
    }
  });

  const models: (PersonModel | null)[] = plans.map((plan, i) => {
    const row = personRows[i] as Row;
    const id = String(row.id);
    const name = `${plan.firstName} ${plan.lastName}`;
    const actor: ActorSnapshot = { type: "person", id, name };
    g.registerPerson(id, actor);
    const later: AdminEvent[] = [];
    emitOrDefer(g, events[i] ?? [], (e) => later.push(e));
    const pin = pinRows[i];
    const role = plan.role;
    if (!pin || !isStaff(role)) {
      return null;
    }
    if (plan.left) {
      for (const credential of credentialRows.filter((c) => c.person_id === id)) {
        credential.status = "disabled";
        credential.updated_at = iso(plan.left.deactivatedAt);
      }
    }
    return {
      id,
      name,
      role,
      actor,
      pinCredentialId: String(pin.id),
      badgeCredentialId: badgeIds[i] ?? "",
      activeFrom: plan.createdAt + DAY,
      activeUntil: plan.left ? Date.parse(`${plan.left.endDate}T23:00:00Z`) : Number.POSITIVE_INFINITY,
      profiles: plan.profileIds.map((p) => profileModels.get(p)).filter((p): p is ProfileModel => p !== undefined),
      held: 0,
      badActor: false,
      weight: 1,
      pinFailures: 0,
      pinLastFailureAt: null,
      pinRow: pin,
      laterEvents: later,
    };
  });
  return { models, credentialRows, userIds };
}

function personName(g: Generation): { firstName: string; lastName: string } {
  return { firstName: g.random.pick(FIRST_NAMES), lastName: g.random.pick(LAST_NAMES) };
}

/** Builds a property's records and its people; keys, credentials and cabinet states are written once its history is. */
export async function buildProperty(
  g: Generation,
  plan: PropertyPlan,
): Promise<{ model: PropertyModel; credentialRows: Row[] }> {
  const r = g.random;
  const at = g.setupAt;
  const stamp = iso(at);
  const org = g.organizationId;
  const code = `P${String(plan.index + 1).padStart(4, "0")}`;
  const propertyId = r.uuid7(at);
  const name = `${r.pick(PROPERTY_WORDS.first)} ${r.pick(PROPERTY_WORDS.second)} ${r.pick(PROPERTY_WORDS.suffix)}`;
  const propertyRow = recordRow(properties, TABLES.properties, org, propertyId, stamp, {
    name,
    code,
    timeZone: plan.market.zone,
    address: `${r.int(10, 9800)} ${r.pick(PROPERTY_WORDS.streets)}, ${r.pick(plan.market.cities)}`,
    regionId: g.regionIds.get(plan.market.region) ?? null,
    maxOfflineMinutes: 24 * 60,
    maxCopiesPerUnit: 2,
  });
  insertRows(g.sink, TABLES.properties, [propertyRow]);
  emitAll(g, await created(g, properties, [propertyRow], (row) => String(row.id)));
  const inProperty = () => propertyId;

  // ---------------------------------------------------------------- buildings and units
  const perBuilding = r.int(24, 60);
  const buildingCount = Math.max(1, Math.ceil(plan.apartments / perBuilding));
  const buildingRows: Row[] = [];
  for (let b = 1; b <= buildingCount; b++) {
    buildingRows.push(
      recordRow(buildings, TABLES.buildings, org, r.uuid7(at), stamp, {
        propertyId,
        name: `Building ${b}`,
        code: String(b),
      }),
    );
  }
  const unitRows: Row[] = [];
  const floors = r.int(2, 4);
  for (let u = 0; u < plan.apartments; u++) {
    const b = Math.floor(u / perBuilding);
    const inBuilding = u % perBuilding;
    const perFloor = Math.ceil(perBuilding / floors);
    const floor = 1 + Math.floor(inBuilding / perFloor);
    const number = `${b + 1}-${floor}${String((inBuilding % perFloor) + 1).padStart(2, "0")}`;
    const x = r.float();
    unitRows.push(
      recordRow(units, TABLES.units, org, r.uuid7(at), stamp, {
        propertyId,
        buildingId: buildingRows[b]?.id,
        number,
        kind: "apartment",
        occupancy: x < 0.06 ? "vacant" : x < 0.09 ? "notice" : "occupied",
        floor: String(floor),
      }),
    );
  }
  const areas = COMMON_AREAS.slice(0, r.int(3, 6));
  for (const area of areas) {
    unitRows.push(
      recordRow(units, TABLES.units, org, r.uuid7(at), stamp, {
        propertyId,
        number: area,
        kind: "common_area",
        occupancy: "occupied",
      }),
    );
  }
  insertRows(g.sink, TABLES.buildings, buildingRows);
  insertRows(g.sink, TABLES.units, unitRows);
  g.counts.buildings += buildingRows.length;
  g.counts.units += unitRows.length;

  // ---------------------------------------------------------------- key sets and keys (placed once cabinets exist)
  const keySetRows: Row[] = [];
  type KeyInput = Record<string, unknown> & { restricted?: boolean };
  const keyInputs: KeyInput[] = [];
  const masterSet = recordRow(keySets, TABLES.key_sets, org, r.uuid7(at), stamp, {
    propertyId,
    name: `${code} master`,
    maxCopies: 2,
  });
  keySetRows.push(masterSet);
  for (let i = 1; i <= 2; i++) {
    keyInputs.push({ kind: "master", label: `Master ${i}/2`, keySetId: masterSet.id, restricted: true });
  }
  for (const building of buildingRows) {
    keyInputs.push({ kind: "sub_master", label: `Sub-master ${String(building.code)}`, restricted: true });
  }
  for (const unit of unitRows) {
    const number = String(unit.number);
    if (unit.kind === "common_area") {
      for (let copy = 1; copy <= 2; copy++) {
        keyInputs.push({ kind: "common_area", label: `${number} (${copy}/2)`, unitId: unit.id });
      }
      continue;
    }
    const set = recordRow(keySets, TABLES.key_sets, org, r.uuid7(at), stamp, {
      propertyId,
      unitId: unit.id,
      name: `Unit ${number}`,
      maxCopies: 2,
    });
    keySetRows.push(set);
    // why: a few units carry a copy too many (inventory flags them) and a few are down to one
    const x = r.float();
    const copies = x < 0.015 ? 3 : x < 0.025 ? 1 : 2;
    for (let copy = 1; copy <= copies; copy++) {
      const y = r.float();
      const status = y < 0.003 ? "lost" : y < 0.006 ? "retired" : "in";
      keyInputs.push({
        kind: "unit",
        label: `${number} (${copy}/${copies})`,
        unitId: unit.id,
        keySetId: set.id,
        status,
      });
    }
  }
  for (let i = 1; i <= 2; i++) {
    keyInputs.push({ kind: "vehicle", label: `Maintenance cart ${i}` });
  }
  for (let i = 1; i <= 6; i++) {
    keyInputs.push({ kind: "other", label: `Storage padlock ${i}` });
  }
  insertRows(g.sink, TABLES.key_sets, keySetRows);

  // ---------------------------------------------------------------- cabinets, hooks and devices
  const hanging = keyInputs.filter((k) => (k.status ?? "in") === "in").length;
  const cabinetPlans: { modules: 1 | 2 }[] = [];
  for (let capacity = 0; capacity * FILL < hanging; ) {
    const need = hanging - capacity * FILL;
    const modules: 1 | 2 = need <= HOOKS_PER_MODULE * FILL ? 1 : 2;
    cabinetPlans.push({ modules });
    capacity += modules * HOOKS_PER_MODULE;
  }
  const cabinetNames = ["Maintenance shop", "Leasing office", "Clubhouse", "Service corridor"];
  const cabinetRows: Row[] = [];
  const hookRows: Row[] = [];
  const models: CabinetModel[] = [];
  const enrolledAt = at + 3_600_000;
  cabinetPlans.forEach((c, i) => {
    const cabinetName = cabinetNames[i] ?? `Cabinet ${i + 1}`;
    const row = recordRow(cabinets, TABLES.cabinets, org, r.uuid7(at), stamp, {
      propertyId,
      name: cabinetName,
      location: i === 0 ? "Maintenance shop, ground floor" : `Building ${Math.min(i + 1, buildingCount)}, lobby`,
      modules: c.modules,
      hooksPerModule: HOOKS_PER_MODULE,
      factorPolicy: "badge_pin",
      capabilities: {
        badgeReader: true,
        keypad: true,
        fingerprint: c.modules === 2,
        touchScreen: true,
        litHooks: true,
      },
    });
    cabinetRows.push(row);
    for (let module = 1; module <= c.modules; module++) {
      for (let h = 1; h <= HOOKS_PER_MODULE; h++) {
        hookRows.push({
          id: r.uuid7(at),
          organization_id: org,
          property_id: propertyId,
          cabinet_id: row.id,
          number: (module - 1) * HOOKS_PER_MODULE + h,
          module,
          status: "active",
        });
      }
    }
    const device = new Device(
      r.uuid7(enrolledAt),
      String(row.id),
      cabinetName,
      propertyId,
      r.bytes(32),
      iso(enrolledAt),
    );
    models.push({
      id: String(row.id),
      name: cabinetName,
      device,
      freeHooks: [],
      keysIn: [],
      busyUntil: 0,
      offlineSince: null,
      row,
    });
  });
  const cabinetEvents = await created(g, cabinets, cabinetRows, inProperty);
  for (const [i, row] of cabinetRows.entries()) {
    const model = models[i] as CabinetModel;
    // why: enrolment activates the cabinet and records its device key; the created event keeps it as it was
    Object.assign(row, { status: "active", device_public_key: model.device.publicKey, updated_at: iso(enrolledAt) });
  }
  insertRows(g.sink, TABLES.cabinets, cabinetRows);
  insertRows(g.sink, TABLES.hooks, hookRows);
  insertRows(
    g.sink,
    TABLES.cabinet_devices,
    models.map((m) => ({
      id: m.device.id,
      organization_id: org,
      property_id: propertyId,
      cabinet_id: m.id,
      public_key: m.device.publicKey,
      status: "active",
      agent_version: VERSION,
      enrolled_at: iso(enrolledAt),
      retired_at: null,
      last_seq: 0,
      last_hash: m.device.head.hash,
    })),
  );
  g.counts.cabinets += cabinetRows.length;

  // Keys fill each cabinet's hooks in order up to the fill ratio, leaving free hooks for returns.
  const keyRows: Row[] = [];
  const keyModels: KeyModel[] = [];
  let cabinetIndex = 0;
  let hook = 0;
  for (const input of keyInputs) {
    const status = String(input.status ?? "in");
    let cabinet: CabinetModel | null = null;
    let hookNumber: number | null = null;
    if (status === "in") {
      let current = models[cabinetIndex] as CabinetModel;
      if (
        hook >= Math.floor(Number(current.row.modules) * HOOKS_PER_MODULE * FILL) &&
        cabinetIndex + 1 < models.length
      ) {
        cabinetIndex++;
        hook = 0;
        current = models[cabinetIndex] as CabinetModel;
      }
      hook++;
      cabinet = current;
      hookNumber = hook;
    }
    const row = recordRow(keys, TABLES.keys, org, r.uuid7(at), stamp, {
      propertyId,
      tagCode: tagCode(g),
      status,
      cabinetId: cabinet?.id ?? null,
      hookNumber,
      ...input,
    });
    keyRows.push(row);
    const model: KeyModel = {
      id: String(row.id),
      unitId: (row.unit_id as string | null) ?? null,
      kind: String(row.kind),
      restricted: row.restricted === 1,
      status,
      cabinet,
      hook: hookNumber,
      slot: -1,
      open: null,
      row,
    };
    if (cabinet) {
      model.slot = cabinet.keysIn.length;
      cabinet.keysIn.push(model);
    }
    keyModels.push(model);
  }
  for (const cabinet of models) {
    const taken = new Set(cabinet.keysIn.map((k) => k.hook));
    for (let h = 1; h <= Number(cabinet.row.modules) * HOOKS_PER_MODULE; h++) {
      if (!taken.has(h)) {
        cabinet.freeHooks.push(h);
      }
    }
  }
  g.counts.keys += keyRows.length;

  // ---------------------------------------------------------------- holidays and access profiles
  const firstYear = new Date(g.historyStart).getUTCFullYear();
  const lastYear = new Date(g.now).getUTCFullYear();
  const holidayDates = usHolidays(Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i));
  const calendar = recordRow(holidayCalendars, TABLES.holiday_calendars, org, r.uuid7(at), stamp, {
    propertyId,
    name: "US holidays",
    dates: holidayDates,
  });
  insertRows(g.sink, TABLES.holiday_calendars, [calendar]);
  const weekdays: Weekday[] = [1, 2, 3, 4, 5];
  const scope = (keyKinds: string[], extra: Record<string, unknown> = {}) => ({
    allKeys: false,
    buildingIds: [],
    unitIds: [],
    keySetIds: [],
    keyKinds,
    includeRestricted: false,
    ...extra,
  });
  const profileInputs = [
    {
      name: "Maintenance — weekdays",
      description: "Unit and common-area keys during the maintenance shift",
      keyScope: scope(["unit", "common_area", "vehicle"]),
      windows: [{ days: weekdays, start: "07:00", end: "18:00" }],
      holidayCalendarId: calendar.id,
      maxKeysOut: 5,
      maxDurationMinutes: 8 * 60,
      curfewTime: "18:30",
    },
    {
      name: "Emergency on-call",
      description: "Every key, any hour, for the on-call supervisor",
      keyScope: scope([], { allKeys: true, includeRestricted: true }),
      windows: [{ days: [1, 2, 3, 4, 5, 6, 7] as Weekday[], start: "00:00", end: "24:00" }],
      maxKeysOut: 10,
      maxDurationMinutes: 12 * 60,
    },
    {
      name: "Leasing — showings",
      description: "Unit keys for showings during office hours",
      keyScope: scope(["unit"]),
      windows: [
        { days: weekdays, start: "08:30", end: "18:00" },
        { days: [6] as Weekday[], start: "10:00", end: "17:00" },
      ],
      holidayCalendarId: calendar.id,
      maxKeysOut: 3,
      maxDurationMinutes: 90,
    },
    {
      name: "Vendor — weekday visits",
      description: "Unit keys for contractors on weekdays",
      keyScope: scope(["unit"]),
      windows: [{ days: weekdays, start: "08:00", end: "17:00" }],
      holidayCalendarId: calendar.id,
      maxKeysOut: 2,
      maxDurationMinutes: 4 * 60,
    },
  ];
  const profileRows = profileInputs.map((input) =>
    recordRow(accessProfiles, TABLES.access_profiles, org, r.uuid7(at), stamp, { propertyId, ...input }),
  );
  insertRows(g.sink, TABLES.access_profiles, profileRows);
  const profileModels = new Map<string, ProfileModel>(
    profileInputs.map((input, i) => {
      const id = String(profileRows[i]?.id);
      const all = input.keyScope.allKeys === true;
      return [
        id,
        {
          id,
          windows: input.windows,
          holidays: "holidayCalendarId" in input,
          kinds: all ? null : new Set(input.keyScope.keyKinds),
          restricted: input.keyScope.includeRestricted === true,
          maxKeysOut: input.maxKeysOut,
        },
      ];
    }),
  );
  const [maintenance = "", emergency = "", leasing = "", vendor = ""] = profileRows.map((p) => String(p.id));

  for (const [def, rows] of [
    [buildings, buildingRows],
    [units, unitRows],
    [keySets, keySetRows],
  ] as const) {
    emitAll(g, await created(g, def, rows, inProperty));
  }
  emitAll(g, await created(g, keys, keyRows, inProperty));
  emitAll(g, cabinetEvents);
  for (const [i, m] of models.entries()) {
    g.emitter.admin({
      propertyId,
      at: enrolledAt,
      action: "cabinet.enrolled",
      entityType: "cabinet",
      entityId: m.id,
      actor: { type: "cabinet", id: m.id, name: m.name },
      before: { status: String(cabinetEvents[i]?.after?.status ?? "pending"), retiredDevices: [] },
      after: { status: "active", deviceId: m.device.id, agentVersion: VERSION, publicKey: m.device.publicKey },
      source: "cabinet",
    });
  }
  emitAll(g, await created(g, holidayCalendars, [calendar], inProperty));
  emitAll(g, await created(g, accessProfiles, profileRows, inProperty));

  // ---------------------------------------------------------------- people
  const demo = plan.index === 0;
  const historySpan = g.now - g.historyStart;
  const plans: PersonPlan[] = [];
  const person = (
    role: StaffRole,
    roleName: string,
    profileIds: string[],
    login: string | null,
    extra: Partial<PersonPlan> = {},
  ): PersonPlan => ({
    role,
    ...personName(g),
    homePropertyId: propertyId,
    kind: role === "vendor" ? "vendor" : "employee",
    company: role === "vendor" ? r.pick(VENDOR_COMPANIES) : null,
    login,
    createdAt: at,
    startDate: day(at - r.int(30, 2000) * DAY),
    left: null,
    roles: [{ role: roleName, scopeType: "property", scopeId: propertyId }],
    profileIds,
    cabinetUser: true,
    ...extra,
  });
  const managerLogin = demo ? `manager@${DEMO_DOMAIN}` : `manager.${code.toLowerCase()}@${DEMO_DOMAIN}`;
  const managerPlan = person("manager", "property_manager", [emergency], managerLogin);
  const demoManager = g.demoManager;
  if (demo) {
    managerPlan.firstName = "Morgan";
    managerPlan.lastName = "Manager";
  }
  plans.push(managerPlan);
  plans.push(
    person("supervisor", "maintenance_supervisor", [maintenance, emergency], demo ? `supervisor@${DEMO_DOMAIN}` : null),
  );
  const technicians = Math.max(2, Math.round(plan.apartments / 70));
  for (let i = 0; i < technicians; i++) {
    plans.push(person("technician", "technician", [maintenance], demo && i === 0 ? `tech@${DEMO_DOMAIN}` : null));
  }
  const office = plan.apartments > 300 ? 2 : 1;
  for (let i = 0; i < office; i++) {
    plans.push(person("office", "office_staff", [leasing], demo && i === 0 ? `office@${DEMO_DOMAIN}` : null));
  }
  for (let i = 0; i < 2; i++) {
    plans.push(person("vendor", "vendor", [vendor], demo && i === 0 ? `vendor@${DEMO_DOMAIN}` : null));
  }
  // Departures: a technician or office clerk leaves; someone is hired a few weeks later. A few are deactivated late.
  const original = [...plans];
  for (const p of original) {
    if ((p.role !== "technician" && p.role !== "office") || p.login !== null || !r.chance(0.3)) {
      continue;
    }
    const leaveMs = g.historyStart + Math.floor(historySpan * (0.1 + 0.8 * r.float()));
    const x = r.float();
    const delay = x < 0.85 ? r.int(1, 20) * 3_600_000 : x < 0.93 ? r.int(25, 70) * 3_600_000 : r.int(4, 21) * DAY;
    const endDate = day(leaveMs);
    p.left = { endDate, deactivatedAt: Date.parse(`${endDate}T23:00:00Z`) + delay };
    const hiredAt = leaveMs + r.int(7, 30) * DAY;
    if (hiredAt < g.now - DAY) {
      plans.push(
        person(p.role, p.role === "technician" ? "technician" : "office_staff", p.profileIds, null, {
          createdAt: hiredAt,
          startDate: day(hiredAt),
        }),
      );
    }
  }
  const added = await addPeople(g, plans, profileModels, propertyId);
  if (demoManager && plan.index === 1) {
    // why: manager@… manages the first two properties, as in the small demo
    const row = completeRow(TABLES.role_assignments, {
      id: r.uuid7(at),
      organization_id: org,
      person_id: demoManager.personId,
      role: "property_manager",
      scope_type: "property",
      scope_id: propertyId,
      status: "active",
      created_at: stamp,
      updated_at: stamp,
    });
    insertRows(g.sink, TABLES.role_assignments, [row]);
    emitAll(g, await created(g, roleAssignments, [row], () => propertyId));
  }
  const staff = added.models;
  const managerModel = staff[0];
  if (!managerModel) {
    throw new Error("the property's manager was not created");
  }
  if (demo) {
    g.demoManager = { personId: managerModel.id };
  }
  const managerUserId = added.userIds[0] ?? "";
  const managerActor: ActorSnapshot = {
    type: "user",
    id: managerUserId,
    name: managerModel.name,
    email: managerLogin,
    roles: ["property_manager"],
  };
  const peopleModels = staff.filter((p): p is PersonModel => p !== null);
  plans.forEach((p, i) => {
    const m = staff[i];
    if (!m) {
      return;
    }
    m.weight = { manager: 0.15, supervisor: 0.6, technician: 1, office: 0.5, vendor: 0.3 }[m.role];
    if (p.left) {
      addDeparture(m, p, propertyId, managerActor);
    }
    if (m.role === "technician" && p.login === null) {
      g.serials.technician++;
      // why: about one person in two thousand misuses their access; the portfolio always has at least one
      if (g.serials.technician % 2000 === 3) {
        m.badActor = true;
        m.weight = 2;
        const onCall = profileModels.get(emergency);
        if (onCall) {
          m.profiles.push(onCall);
        }
      }
    }
    // why: some people keep their access but stop using it (the access review asks about them)
    if (!p.left && p.login === null && r.chance(0.04)) {
      m.activeUntil = g.now - r.int(60, 240) * DAY;
    }
  });
  return {
    model: {
      index: plan.index,
      id: propertyId,
      code,
      zone: plan.market.zone,
      apartments: plan.apartments,
      holidays: new Set(holidayDates.map((h) => h.date)),
      cabinets: models,
      keys: keyModels,
      people: peopleModels,
      manager: managerModel,
      managerActor,
      checkouts: [],
      snapshotBumps: 1,
      lastBumpAt: stamp,
    },
    credentialRows: added.credentialRows,
  };
}

/** The events of a departure: the end date entered, then the deactivation (and its credentials disabled). */
function addDeparture(person: PersonModel, plan: PersonPlan, propertyId: string, manager: ActorSnapshot): void {
  const left = plan.left;
  if (!left) {
    return;
  }
  const endEntered = Date.parse(`${left.endDate}T20:00:00Z`);
  person.laterEvents.push({
    propertyId,
    at: endEntered,
    action: "person.updated",
    entityType: "person",
    entityId: person.id,
    actor: manager,
    before: { endDate: null },
    after: { endDate: left.endDate },
  });
  person.laterEvents.push({
    propertyId,
    at: left.deactivatedAt,
    action: "person.deactivated",
    entityType: "person",
    entityId: person.id,
    actor: manager,
    before: { status: "active" },
    after: { status: "inactive", deactivatedAt: iso(left.deactivatedAt), reason: "Left the company" },
  });
  for (const kind of ["badge", "pin"]) {
    person.laterEvents.push({
      propertyId,
      at: left.deactivatedAt,
      action: "credential.updated",
      entityType: "credential",
      entityId: kind === "pin" ? person.pinCredentialId : person.badgeCredentialId,
      actor: manager,
      before: { status: "active" },
      after: { status: "disabled", kind, reason: "person deactivated" },
    });
  }
  person.laterEvents.sort((a, b) => a.at - b.at);
}
