/**
 * The activity reports (keys out, by unit, by activity, by employee) over real cabinet uploads, through the real
 * server on SQLite (and PostgreSQL when KEYWARD_TEST_DATABASE_URL is set): every number checked against a count made
 * here from the raw rows, in JSON, CSV and PDF alike; sorting, filters, scoping, unusual activity, and a period
 * across the autumn daylight-saving change in America/Chicago.
 */
import { randomUUID } from "node:crypto";
import type { Report, ReportCell } from "@keyward/contracts/reports";
import { parse } from "csv-parse/sync";
import { PDFParse } from "pdf-parse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestDevice } from "./device.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };
type Row = Report["rows"][number];

const ZONE = "America/Chicago";
const JUNE = "from=2026-06-01&to=2026-06-30";
const MINUTE = 60_000;

let server: TestServer;
let factory: Factory;
let admin: ApiClient;
let manager: ApiClient;
let maple: Rec;
let oak: Rec;
let north: Rec;
let south: Rec;
let plumbing: Rec;
let showing: Rec;
const people: Record<string, Rec> = {};
const units: Record<string, Rec> = {};
const keys: Record<string, Rec> = {};
let mapleDevice: TestDevice;
let oakDevice: TestDevice;

/** A deterministic pseudo-random sequence (mulberry32), so the generated history is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Planned {
  device: TestDevice;
  at: number;
  type:
    | "key.taken"
    | "key.returned"
    | "key.removed_without_session"
    | "cabinet.access_denied"
    | "cabinet.identification_failed";
  data: Record<string, unknown>;
}
const plan: Planned[] = [];

/** A checkout: taken at `out`, returned `held` minutes later by `returner` (unless `held` is null: still out). */
function checkout(
  device: TestDevice,
  key: Rec,
  person: Rec | null,
  out: string | number,
  held: number | null,
  options: { reason?: Rec | null; workOrder?: string | null; dueMinutes?: number; returner?: Rec | null } = {},
): void {
  const at = typeof out === "string" ? Date.parse(out) : out;
  if (person === null) {
    plan.push({ device, at, type: "key.removed_without_session", data: { hook: 1, keyId: key.id } });
  } else {
    const reason = options.reason === undefined ? showing : options.reason;
    plan.push({
      device,
      at,
      type: "key.taken",
      data: {
        visitId: randomUUID(),
        checkoutId: randomUUID(),
        keyId: key.id,
        hook: 1,
        personId: person.id,
        authorized: true,
        reasonCodeId: reason?.id ?? null,
        workOrder: options.workOrder ?? null,
        dueAt: options.dueMinutes === undefined ? null : new Date(at + options.dueMinutes * MINUTE).toISOString(),
      },
    });
  }
  if (held !== null) {
    const returner = options.returner === undefined ? person : options.returner;
    plan.push({
      device,
      at: at + held * MINUTE,
      type: "key.returned",
      data: { visitId: randomUUID(), keyId: key.id, hook: 2, personId: returner?.id ?? null },
    });
  }
}

function denied(device: TestDevice, person: Rec, at: string, code: string): void {
  plan.push({
    device,
    at: Date.parse(at),
    type: "cabinet.access_denied",
    data: { visitId: randomUUID(), personId: person.id, keyIds: [keys.n2?.id], code, params: {} },
  });
}

async function uploadPlan(): Promise<void> {
  for (const p of [...plan].sort((a, b) => a.at - b.at)) {
    p.device.record(p.type, p.data, new Date(p.at));
  }
  plan.length = 0;
  for (const device of [mapleDevice, oakDevice]) {
    while (device.outbox.length > 0) {
      const res = await device.upload(device.outbox.slice(0, 400));
      expect(res.status, res.text).toBe(200);
    }
  }
}

/** The hand-made history: random ordinary days, and the unusual cases built on purpose. */
async function buildHistory(): Promise<void> {
  const next = random(20260601);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const workers = [people.tess, people.ray, people.rosa] as Rec[];
  const june1 = Date.parse("2026-06-01T05:00:00Z");
  const june30 = Date.parse("2026-07-01T05:00:00Z");
  for (const name of ["n1a", "n1b", "n2", "n3", "s1", "s2"]) {
    const key = keys[name] as Rec;
    let at = june1 + Math.floor(next() * 600) * MINUTE;
    while (at < june30) {
      const held = 5 + Math.floor(next() * 290);
      const lastOne = at + (held + 2000) * MINUTE >= june30;
      const stillOut = lastOne && next() < 0.5;
      if (next() < 0.06) {
        checkout(mapleDevice, key, null, at, held, { returner: pick(workers) });
      } else {
        const person = pick(workers);
        const reason = next() < 0.5 ? plumbing : showing;
        checkout(mapleDevice, key, person, at, stillOut ? null : held, {
          reason,
          workOrder: reason === plumbing ? `WO-${Math.floor(next() * 9000) + 1000}` : null,
          ...(next() < 0.5 ? { dueMinutes: 60 + Math.floor(next() * 120) } : {}),
          returner: next() < 0.15 ? (next() < 0.3 ? null : pick(workers)) : person,
        });
      }
      if (stillOut) {
        break;
      }
      at += (held + 30 + Math.floor(next() * 2000)) * MINUTE;
    }
  }
  // just outside the period on either side (May 30 23:30 and July 1 00:30 in Chicago)
  checkout(mapleDevice, keys.m11 as Rec, null, "2026-05-31T04:30:00Z", 20, { returner: people.rosa as Rec });
  checkout(mapleDevice, keys.m14 as Rec, people.ray as Rec, "2026-07-01T05:30:00Z", 20);

  // Una takes keys of one unit per month before June, then of twelve units in June: far more than her usual
  const m = (i: number) => keys[`m${i}`] as Rec;
  for (const month of ["03-10", "04-10", "05-10"]) {
    checkout(mapleDevice, m(1), people.una as Rec, `2026-${month}T15:00:00Z`, 15);
  }
  // Ola's usual is four units a month: twelve in June is three times as many but not ten more
  for (const [month, day] of [
    ["03", 11],
    ["04", 11],
    ["05", 11],
  ] as const) {
    for (let i = 1; i <= 4; i++) {
      checkout(mapleDevice, m(i + 4), people.ola as Rec, `2026-${month}-${day}T1${i}:00:00Z`, 15);
    }
  }
  for (let i = 1; i <= 12; i++) {
    const hour = String(8 + i).padStart(2, "0");
    checkout(mapleDevice, m(i), people.una as Rec, `2026-06-10T${hour}:00:00Z`, 10);
    checkout(mapleDevice, m(i), people.ola as Rec, `2026-06-11T${hour}:00:00Z`, 10);
  }
  // Hal usually holds a key half an hour; in June he kept one ten hours. Ina usually holds three hours: ten is not 4×
  for (const day of ["05", "12", "19"]) {
    checkout(mapleDevice, m(13), people.hal as Rec, `2026-05-${day}T14:00:00Z`, 30);
    checkout(mapleDevice, m(14), people.ina as Rec, `2026-05-${day}T14:00:00Z`, 180);
  }
  checkout(mapleDevice, m(13), people.hal as Rec, "2026-06-15T13:00:00Z", 600);
  checkout(mapleDevice, m(14), people.ina as Rec, "2026-06-16T13:00:00Z", 600);
  // Owen tried outside his hours twice and on a holiday once; Ray was refused a key he may not take (not unusual)
  denied(mapleDevice, people.owen as Rec, "2026-06-06T08:00:00Z", "outside_hours");
  denied(mapleDevice, people.owen as Rec, "2026-06-13T08:00:00Z", "outside_hours");
  denied(mapleDevice, people.owen as Rec, "2026-06-19T15:00:00Z", "holiday");
  denied(mapleDevice, people.ray as Rec, "2026-06-08T15:00:00Z", "not_permitted_key");
  // Wes took a key for plumbing without the work order it requires (and once with one)
  checkout(mapleDevice, m(12), people.wes as Rec, "2026-06-20T15:00:00Z", 40, { reason: plumbing, workOrder: null });
  checkout(mapleDevice, m(12), people.wes as Rec, "2026-06-21T15:00:00Z", 40, { reason: plumbing, workOrder: "WO-1" });
  plan.push(
    ...[people.ray, people.ray, null].map((person, i) => ({
      device: mapleDevice,
      at: Date.parse(`2026-06-2${i + 2}T15:00:00Z`),
      type: "cabinet.identification_failed" as const,
      data: {
        visitId: randomUUID(),
        personId: person?.id ?? null,
        credentialId: null,
        factor: "badge",
        code: "unknown_badge",
      },
    })),
  );
  // at the other property: Quinn's checkouts, and a refusal of Tess there
  checkout(oakDevice, keys.q1 as Rec, people.quinn as Rec, "2026-06-12T15:00:00Z", 45);
  checkout(oakDevice, keys.q1 as Rec, people.quinn as Rec, "2026-06-14T15:00:00Z", null, { dueMinutes: 60 });
  denied(oakDevice, people.tess as Rec, "2026-06-14T16:00:00Z", "outside_hours");
  await uploadPlan();
}

beforeAll(async () => {
  server = await startTestServer();
  server.clock.ms = Date.parse("2026-07-01T17:00:00Z");
  factory = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(factory.admin.email, factory.admin.password);
  maple = await factory.property({ name: "Maple Court", timeZone: ZONE });
  oak = await factory.property({ name: "Oak Yard", timeZone: ZONE });
  north = await factory.building(maple.id, { name: "North" });
  south = await factory.building(maple.id, { name: "South" });
  plumbing = await factory.reasonCode({ code: "plumb_fix", label: "Plumbing fix", requiresWorkOrder: true });
  showing = await factory.reasonCode({ code: "show_unit", label: "Unit showing" });
  for (const [name, first, last, home] of [
    ["tess", "Tess", "Tech", maple],
    ["ray", "Ray", "Roe", maple],
    ["rosa", "Rosa", "Ruiz", maple],
    ["una", "Una", "Many", maple],
    ["ola", "Ola", "Often", maple],
    ["hal", "Hal", "Holder", maple],
    ["ina", "Ina", "Inlet", maple],
    ["owen", "Owen", "Owl", maple],
    ["wes", "Wes", "Worker", maple],
    ["quinn", "Quinn", "Quay", oak],
  ] as const) {
    people[name] = await factory.person({ firstName: first, lastName: last, homePropertyId: home.id });
  }
  for (const [name, building, number] of [
    ["n1", north, "N101"],
    ["n2", north, "N102"],
    ["n3", north, "N103"],
    ["s1", south, "S201"],
    ["s2", south, "S202"],
  ] as const) {
    units[name] = await factory.unit(maple.id, { buildingId: building.id, number });
  }
  for (let i = 1; i <= 14; i++) {
    units[`m${i}`] = await factory.unit(maple.id, { buildingId: south.id, number: `M${300 + i}` });
  }
  units.q1 = await factory.unit(oak.id, { number: "Q901" });
  for (const [name, unit] of [
    ["n1a", "n1"],
    ["n1b", "n1"],
    ["n2", "n2"],
    ["n3", "n3"],
    ["s1", "s1"],
    ["s2", "s2"],
    ...Array.from({ length: 14 }, (_, i) => [`m${i + 1}`, `m${i + 1}`] as const),
  ] as const) {
    const u = units[unit] as Rec;
    keys[name] = await factory.key(maple.id, { unitId: u.id, label: `Key ${u.number}-${name}` });
  }
  keys.q1 = await factory.key(oak.id, { unitId: (units.q1 as Rec).id, label: "Key Q901" });
  const mapleCabinet = await factory.cabinet(maple.id);
  const oakCabinet = await factory.cabinet(oak.id);
  mapleDevice = await TestDevice.enroll(admin, mapleCabinet.id, server.clock.now);
  oakDevice = await TestDevice.enroll(admin, oakCabinet.id, server.clock.now);
  const m = await factory.user("property_manager", { type: "property", id: maple.id });
  manager = await server.client().login(m.email, m.password);
  await buildHistory();
});
afterAll(() => server.close());

// ---- the independent count: raw rows, read and added up here ----

interface RawCheckout {
  id: string;
  property_id: string;
  key_id: string;
  unit_id: string | null;
  person_id: string | null;
  reason_code_id: string | null;
  work_order: string | null;
  out_at: string;
  due_at: string | null;
  returned_at: string | null;
  returned_by: string | null;
  status: string;
}

const dayFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const hourFormat = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", hourCycle: "h23" });
const localDay = (iso: string) => dayFormat.format(new Date(iso));
const localHour = (iso: string) => Number(hourFormat.format(new Date(iso)));

async function rawCheckouts(where: (c: RawCheckout) => boolean): Promise<RawCheckout[]> {
  const rows = await server.services.db
    .selectFrom("checkouts")
    .select([
      "id",
      "property_id",
      "key_id",
      "unit_id",
      "person_id",
      "reason_code_id",
      "work_order",
      "out_at",
      "due_at",
      "returned_at",
      "returned_by",
      "status",
    ])
    .where("organization_id", "=", factory.organizationId)
    .execute();
  return rows.filter(where);
}

const inJune = (iso: string) => localDay(iso) >= "2026-06-01" && localDay(iso) <= "2026-06-30";
const heldMinutes = (c: RawCheckout) =>
  Math.max(
    0,
    Math.floor(((c.returned_at ? Date.parse(c.returned_at) : server.clock.ms) - Date.parse(c.out_at)) / MINUTE),
  );
const late = (c: RawCheckout) =>
  c.due_at !== null && (c.returned_at ? Date.parse(c.returned_at) : server.clock.ms) > Date.parse(c.due_at);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}
const distinct = (values: readonly (string | null)[]) => new Set(values.filter((v) => v !== null)).size;

async function report(client: ApiClient, name: string, query: string): Promise<Report> {
  const res = await client.get<Report>(`/api/v1/reports/${name}?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** Rows by the id their link names (unit, reason, person, key). */
function byLink(rows: readonly Row[], link: string): Map<string, Row["cells"]> {
  return new Map(rows.map((r) => [r.links?.[link] ?? "none", r.cells]));
}
const totalsOf = (r: Report) => Object.fromEntries(r.totals.map((t) => [t.key, t.value]));

function expectByUnit(r: Report, raw: readonly RawCheckout[]): void {
  const expected = groupBy(
    raw.filter((c) => c.unit_id !== null),
    (c) => c.unit_id as string,
  );
  const rows = byLink(r.rows, "unitId");
  expect([...rows.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [unitId, list] of expected) {
    expect(rows.get(unitId), unitId).toMatchObject({
      timesOut: list.length,
      people: distinct(list.map((c) => c.person_id)),
      minutesOut: list.reduce((n, c) => n + heldMinutes(c), 0),
      longestMinutes: Math.max(...list.map(heldMinutes)),
      lastOut: list
        .map((c) => c.out_at)
        .sort()
        .at(-1),
    });
  }
  expect(totalsOf(r)).toEqual({
    checkouts: raw.filter((c) => c.unit_id !== null).length,
    units: expected.size,
    people: distinct(raw.filter((c) => c.unit_id !== null).map((c) => c.person_id)),
  });
}

function expectByActivity(r: Report, raw: readonly RawCheckout[]): void {
  const expected = groupBy(raw, (c) => c.reason_code_id ?? "none");
  const rows = byLink(r.rows, "reasonCodeId");
  expect([...rows.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [reasonId, list] of expected) {
    const total = list.reduce((n, c) => n + heldMinutes(c), 0);
    const withWorkOrder = list.filter((c) => c.work_order).length;
    expect(rows.get(reasonId), reasonId).toEqual({
      reason: reasonId === plumbing.id ? "Plumbing fix" : reasonId === showing.id ? "Unit showing" : "No reason",
      code: reasonId === plumbing.id ? "plumb_fix" : reasonId === showing.id ? "show_unit" : null,
      checkouts: list.length,
      units: distinct(list.map((c) => c.unit_id)),
      people: distinct(list.map((c) => c.person_id)),
      averageMinutes: Math.round(total / list.length),
      longestMinutes: Math.max(...list.map(heldMinutes)),
      stillOut: list.filter((c) => c.status === "open").length,
      overdue: list.filter(late).length,
      workOrderShare: reasonId === plumbing.id ? Math.round((100 * withWorkOrder) / list.length) : null,
    });
  }
  expect(totalsOf(r)).toEqual({
    checkouts: raw.length,
    units: distinct(raw.map((c) => c.unit_id)),
    people: distinct(raw.map((c) => c.person_id)),
    stillOut: raw.filter((c) => c.status === "open").length,
    overdue: raw.filter(late).length,
  });
}

interface RawEvent {
  action: string;
  actor_type: string;
  actor_id: string | null;
  property_id: string | null;
  occurred_at: string;
  after: string | null;
}

async function rawEvents(where: (e: RawEvent) => boolean): Promise<RawEvent[]> {
  const rows = await server.services.db
    .selectFrom("events")
    .select(["action", "actor_type", "actor_id", "property_id", "occurred_at", "after"])
    .where("organization_id", "=", factory.organizationId)
    .execute();
  return rows.filter(where);
}

function expectByEmployee(r: Report, raw: readonly RawCheckout[], events: readonly RawEvent[]): void {
  const takes = groupBy(
    raw.filter((c) => c.person_id !== null),
    (c) => c.person_id as string,
  );
  const mine = (action: string, person: string) =>
    events.filter((e) => e.action === action && e.actor_type === "person" && e.actor_id === person);
  const counted = ["key.returned", "cabinet.access_denied", "cabinet.identification_failed"];
  const everyone = new Set([
    ...takes.keys(),
    ...events.filter((e) => e.actor_type === "person" && counted.includes(e.action)).map((e) => e.actor_id as string),
  ]);
  const rows = byLink(r.rows, "personId");
  expect([...rows.keys()].sort()).toEqual([...everyone].sort());
  for (const person of everyone) {
    const list = takes.get(person) ?? [];
    expect(rows.get(person), person).toMatchObject({
      takes: list.length,
      returns: mine("key.returned", person).length,
      returnedByOthers: list.filter((c) => c.returned_at !== null && c.returned_by !== person).length,
      units: distinct(list.map((c) => c.unit_id)),
      averageMinutesHeld:
        list.length === 0 ? null : Math.round(list.reduce((n, c) => n + heldMinutes(c), 0) / list.length),
      denials: mine("cabinet.access_denied", person).length,
      failedIdentifications: mine("cabinet.identification_failed", person).length,
    });
  }
  const person = (e: RawEvent) => e.actor_type === "person";
  expect(totalsOf(r)).toMatchObject({
    people: everyone.size,
    takes: raw.filter((c) => c.person_id !== null).length,
    returns: events.filter((e) => person(e) && e.action === "key.returned").length,
    denials: events.filter((e) => person(e) && e.action === "cabinet.access_denied").length,
    failedIdentifications: events.filter((e) => person(e) && e.action === "cabinet.identification_failed").length,
  });
}

const atMaple = (c: RawCheckout) => c.property_id === maple.id;
const juneAtMaple = (c: RawCheckout) => atMaple(c) && inJune(c.out_at);
const juneEventsAt = (propertyId: string | null) => (e: RawEvent) =>
  (propertyId === null || e.property_id === propertyId) && inJune(e.occurred_at);

describe("GET /api/v1/reports/by-unit", () => {
  it("counts each unit's times out, people, minutes and last out as the raw checkouts do", async () => {
    const r = await report(admin, "by-unit", `propertyId=${maple.id}&${JUNE}`);
    expectByUnit(r, await rawCheckouts(juneAtMaple));
    expect(r.period).toMatchObject({ from: "2026-06-01", to: "2026-06-30", fromInstant: "2026-06-01T05:00:00.000Z" });
    // the random history really took place and reached every kind of row
    expect(r.rows.length).toBeGreaterThan(15);
    const n1 = byLink(r.rows, "unitId").get((units.n1 as Rec).id);
    expect(n1).toMatchObject({ unit: "N101", building: "North", property: "Maple Court" });
    expect(String(n1?.takenBy)).toMatch(/^(Tess Tech|Ray Roe|Rosa Ruiz|No one identified) \(\d+\)/);
  });

  it("lists who took a unit's keys and why, the most frequent first", async () => {
    const r = await report(admin, "by-unit", `unitId=${(units.m13 as Rec).id}&from=2026-05-01&to=2026-06-30`);
    expect(r.rows).toEqual([
      {
        cells: expect.objectContaining({ unit: "M313", timesOut: 4, people: 1, takenBy: "Hal Holder (4)" }),
        links: { unitId: (units.m13 as Rec).id },
      },
    ]);
    expect(r.rows[0]?.cells.reasons).toBe("Unit showing (4)");
    const m12 = await report(admin, "by-unit", `unitId=${(units.m12 as Rec).id}&${JUNE}`);
    expect(m12.rows[0]?.cells).toMatchObject({
      timesOut: 4,
      takenBy: "Wes Worker (2), Ola Often (1), Una Many (1)",
      reasons: "Plumbing fix (2), Unit showing (2)",
    });
  });

  it("narrows to a building, a person or a reason, and the numbers follow", async () => {
    const northIds = new Set([units.n1, units.n2, units.n3].map((u) => (u as Rec).id));
    const inNorth = await report(admin, "by-unit", `buildingId=${north.id}&${JUNE}`);
    expectByUnit(inNorth, await rawCheckouts((c) => juneAtMaple(c) && northIds.has(c.unit_id ?? "")));
    const tess = await report(admin, "by-unit", `propertyId=${maple.id}&personId=${people.tess?.id}&${JUNE}`);
    expectByUnit(tess, await rawCheckouts((c) => juneAtMaple(c) && c.person_id === people.tess?.id));
    const plumbed = await report(admin, "by-unit", `reasonCodeId=${plumbing.id}&${JUNE}`);
    expectByUnit(plumbed, await rawCheckouts((c) => inJune(c.out_at) && c.reason_code_id === plumbing.id));
  });

  it("sorts by any column either way, and refuses a column it does not have", async () => {
    const byName = await report(admin, "by-unit", `propertyId=${maple.id}&${JUNE}&sort=unit`);
    const names = byName.rows.map((r) => String(r.cells.unit));
    expect(names).toEqual([...names].sort());
    const longest = await report(admin, "by-unit", `propertyId=${maple.id}&${JUNE}&sort=-minutesOut`);
    const minutes = longest.rows.map((r) => Number(r.cells.minutesOut));
    expect(minutes).toEqual([...minutes].sort((a, b) => b - a));
    expect(longest.sort).toEqual({ key: "minutesOut", direction: "desc" });
    const byDefault = await report(admin, "by-unit", `propertyId=${maple.id}&${JUNE}`);
    const times = byDefault.rows.map((r) => Number(r.cells.timesOut));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const bad = await admin.get(`/api/v1/reports/by-unit?${JUNE}&sort=holder`);
    expect(bad.status).toBe(400);
  });

  it("draws activity over time, by reason and by hour of day from the same checkouts", async () => {
    const raw = (await rawCheckouts(juneAtMaple)).filter((c) => c.unit_id !== null);
    const r = await report(admin, "by-unit", `propertyId=${maple.id}&${JUNE}`);
    const chart = (key: string) => r.charts.find((c) => c.key === key)?.points ?? [];
    expect(chart("overTime")).toHaveLength(30);
    for (const point of chart("overTime")) {
      expect(point.value, point.label).toBe(raw.filter((c) => localDay(c.out_at) === point.label).length);
    }
    expect(chart("byHour").map((p) => p.value)).toEqual(
      Array.from({ length: 24 }, (_, h) => raw.filter((c) => localHour(c.out_at) === h).length),
    );
    expect(chart("byReason").reduce((n, p) => n + p.value, 0)).toBe(raw.length);
  });
});

describe("GET /api/v1/reports/by-activity", () => {
  it("counts each reason's checkouts, units, people, minutes, keys still out and late ones as the raw rows do", async () => {
    const r = await report(admin, "by-activity", `propertyId=${maple.id}&${JUNE}`);
    expectByActivity(r, await rawCheckouts(juneAtMaple));
    // the history holds keys lifted without a session, keys still out and late ones
    const none = byLink(r.rows, "reasonCodeId").get("none");
    expect(Number(none?.checkouts)).toBeGreaterThan(0);
    expect(totalsOf(r).stillOut).toBeGreaterThan(0);
    expect(totalsOf(r).overdue).toBeGreaterThan(0);
    expect(byLink(r.rows, "reasonCodeId").get(plumbing.id)?.workOrderShare).toBeLessThan(100);
  });

  it("narrows to a building, a unit, a person or a reason", async () => {
    const southIds = new Set(Object.entries(units).flatMap(([n, u]) => (/^(s|m)/.test(n) ? [u.id] : [])));
    expectByActivity(
      await report(admin, "by-activity", `buildingId=${south.id}&${JUNE}`),
      await rawCheckouts((c) => juneAtMaple(c) && southIds.has(c.unit_id ?? "")),
    );
    const n2 = (units.n2 as Rec).id;
    expectByActivity(
      await report(admin, "by-activity", `unitId=${n2}&${JUNE}`),
      await rawCheckouts((c) => inJune(c.out_at) && c.unit_id === n2),
    );
    expectByActivity(
      await report(admin, "by-activity", `personId=${people.ray?.id}&${JUNE}`),
      await rawCheckouts((c) => inJune(c.out_at) && c.person_id === people.ray?.id),
    );
    expectByActivity(
      await report(admin, "by-activity", `reasonCodeId=${showing.id}&${JUNE}`),
      await rawCheckouts((c) => inJune(c.out_at) && c.reason_code_id === showing.id),
    );
  });
});

describe("GET /api/v1/reports/by-employee", () => {
  it("counts each person's takes, returns, refusals and failed identifications as the raw rows do", async () => {
    const r = await report(admin, "by-employee", JUNE);
    expectByEmployee(r, await rawCheckouts((c) => inJune(c.out_at)), await rawEvents(juneEventsAt(null)));
    const quinn = byLink(r.rows, "personId").get(people.quinn?.id ?? "");
    expect(quinn).toMatchObject({ person: "Quinn Quay", takes: 2, returns: 1 });
    expect(byLink(r.rows, "personId").get(people.tess?.id ?? "")?.denials).toBe(1);
  });

  it("flags each kind of unusual activity with its reason, and no ordinary person", async () => {
    const r = await report(admin, "by-employee", `propertyId=${maple.id}&${JUNE}`);
    const rows = byLink(r.rows, "personId");
    const flagsOf = (name: string) => rows.get(people[name]?.id ?? "")?.flags ?? null;
    expect(flagsOf("una")).toBe("keys of 12 units, against their usual 1 in 30 days");
    expect(flagsOf("hal")).toBe("held a key 10 h, against their usual 30 min");
    expect(flagsOf("owen")).toBe("3 attempts outside their permitted hours");
    expect(flagsOf("wes")).toBe("1 key taken without the work order the reason requires");
    for (const name of ["tess", "ray", "rosa", "ola", "ina"]) {
      expect(rows.get(people[name]?.id ?? ""), name).toMatchObject({ unusual: false, flags: null });
    }
    // why: Ola's twelve units are 3× her usual four but not ten more; Ina's ten hours are not 4× her usual three
    expect(rows.get(people.ola?.id ?? "")?.units).toBe(12);
    expect(totalsOf(r).unusual).toBe(4);
    // the unusual come first
    expect(r.rows.slice(0, 4).every((row) => row.cells.unusual === true)).toBe(true);
  });

  it("narrows movements to a building or a reason, and to one person", async () => {
    const northIds = new Set([units.n1, units.n2, units.n3].map((u) => (u as Rec).id));
    const inNorth = await report(admin, "by-employee", `buildingId=${north.id}&${JUNE}`);
    const rows = byLink(inNorth.rows, "personId");
    const north_ = await rawCheckouts((c) => atMaple(c) && northIds.has(c.unit_id ?? ""));
    const takes = groupBy(
      north_.filter((c) => c.person_id !== null && inJune(c.out_at)),
      (c) => c.person_id as string,
    );
    // a return belongs to the building of the checkout it closed, whenever that key left
    const returns = groupBy(
      north_.filter((c) => c.returned_by !== null && c.returned_at !== null && inJune(c.returned_at)),
      (c) => c.returned_by as string,
    );
    expect(takes.size).toBeGreaterThan(0);
    for (const person of new Set([...takes.keys(), ...returns.keys()])) {
      expect(rows.get(person), person).toMatchObject({
        takes: takes.get(person)?.length ?? 0,
        returns: returns.get(person)?.length ?? 0,
      });
    }
    // Una's and Hal's keys are all in South: in North they took nothing
    expect(rows.get(people.una?.id ?? "")).toBeUndefined();
    const plumbed = await report(admin, "by-employee", `reasonCodeId=${plumbing.id}&${JUNE}`);
    const wes = byLink(plumbed.rows, "personId").get(people.wes?.id ?? "");
    expect(wes).toMatchObject({ takes: 2, returns: 2, unusual: true });
    const one = await report(admin, "by-employee", `personId=${people.owen?.id}&${JUNE}`);
    expect(one.rows.map((row) => row.links?.personId)).toEqual([people.owen?.id]);
    expect(one.rows[0]?.cells).toMatchObject({ takes: 0, denials: 3, unusual: true });
  });
});

describe("GET /api/v1/reports/keys-out", () => {
  it("lists every key out now with its holder and overdue state, as the open checkouts are", async () => {
    const r = await report(admin, "keys-out", `propertyId=${maple.id}`);
    const open = await rawCheckouts((c) => atMaple(c) && c.status === "open");
    expect(open.length).toBeGreaterThan(0);
    const rows = byLink(r.rows, "keyId");
    expect([...rows.keys()].sort()).toEqual(open.map((c) => c.key_id).sort());
    for (const c of open) {
      expect(rows.get(c.key_id)).toMatchObject({
        since: c.out_at,
        minutesOut: heldMinutes(c),
        overdue: c.due_at !== null && Date.parse(c.due_at) < server.clock.ms,
      });
    }
    expect(totalsOf(r)).toEqual({
      keysOut: open.length,
      overdue: open.filter((c) => c.due_at !== null && Date.parse(c.due_at) < server.clock.ms).length,
      holders: distinct(open.map((c) => c.person_id)),
      unauthorized: open.filter((c) => c.person_id === null).length,
    });
  });
});

describe("GET /api/v1/reports/keys-out, narrowed and sorted", () => {
  it("narrows to a building, a person or a reason, and sorts by any column", async () => {
    const northIds = new Set([units.n1, units.n2, units.n3].map((u) => (u as Rec).id));
    const open = await rawCheckouts((c) => atMaple(c) && c.status === "open");
    for (const [query, keep] of [
      [`buildingId=${north.id}`, (c: RawCheckout) => northIds.has(c.unit_id ?? "")],
      [`personId=${people.tess?.id}`, (c: RawCheckout) => c.person_id === people.tess?.id],
      [`reasonCodeId=${plumbing.id}`, (c: RawCheckout) => c.reason_code_id === plumbing.id],
    ] as const) {
      const r = await report(admin, "keys-out", query);
      expect(r.rows.map((row) => row.links?.keyId).sort(), query).toEqual(
        open
          .filter(keep)
          .map((c) => c.key_id)
          .sort(),
      );
    }
    const r = await report(admin, "keys-out", `propertyId=${maple.id}&sort=-minutesOut`);
    const minutes = r.rows.map((row) => Number(row.cells.minutesOut));
    expect(minutes.length).toBeGreaterThan(1);
    expect(minutes).toEqual([...minutes].sort((a, b) => b - a));
  });
});

// ---- every format carries the same numbers ----

function textOf(kind: string, value: ReportCell | undefined): string {
  if (value === null || value === undefined) {
    return "";
  }
  if (kind === "flag") {
    return value ? "yes" : "no";
  }
  return String(value);
}

async function pdfText(client: ApiClient, path: string): Promise<string> {
  const res = await fetch(`${server.url}${path}`, { headers: { cookie: client.cookie ?? "" } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/pdf");
  const parser = new PDFParse({ data: new Uint8Array(await res.arrayBuffer()) });
  const text = (await parser.getText()).text.replace(/\s+/g, " ");
  await parser.destroy();
  return text;
}

describe("JSON, CSV and PDF", () => {
  for (const [name, query, title] of [
    ["keys-out", `propertyId=ID`, "Keys out"],
    ["by-unit", `propertyId=ID&${JUNE}`, "By unit"],
    ["by-activity", `propertyId=ID&${JUNE}`, "By activity"],
    ["by-employee", `propertyId=ID&${JUNE}`, "By employee"],
  ] as const) {
    it(`${name}: the CSV has the JSON's rows and totals, and the PDF its totals and rows`, async () => {
      const q = query.replace("ID", maple.id);
      const json = await report(admin, name, q);
      const csv = await admin.get(`/api/v1/reports/${name}?${q}&format=csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get("content-type")).toContain("text/csv");
      const lines = parse(csv.text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
      const [heading, ...rest] = lines;
      expect(heading).toHaveLength(json.columns.length);
      const body = rest.filter((l) => l[0] !== "Total");
      const totals = rest.filter((l) => l[0] === "Total");
      expect(body).toHaveLength(json.rows.length);
      json.rows.forEach((row, i) => {
        json.columns.forEach((column, j) => {
          if (column.kind !== "instant") {
            expect(body[i]?.[j], `${column.key} of row ${i}`).toBe(textOf(column.kind, row.cells[column.key]));
          } else {
            expect(body[i]?.[j] === "").toBe(row.cells[column.key] === null);
          }
        });
      });
      expect(totals).toEqual(json.totals.map((t) => ["Total", t.label, String(t.value)]));

      const pdf = await pdfText(admin, `/api/v1/reports/${name}?${q}&format=pdf`);
      expect(pdf).toContain(title);
      expect(pdf).toContain("Maple Court");
      for (const t of json.totals) {
        expect(pdf).toContain(`${t.label} ${t.value}`);
      }
      const first = json.columns[0]?.key ?? "";
      for (const row of json.rows) {
        expect(pdf).toContain(String(row.cells[first]));
      }
      expect(pdf).toMatch(/page 1 of \d+/);
    });
  }
});

describe("scoping", () => {
  it("never shows a manager of one property another property's rows, in any report or format", async () => {
    const foreign = ["Q901", "Quinn", "Oak Yard", "Key Q901"];
    for (const name of ["keys-out", "by-unit", "by-activity", "by-employee"]) {
      const query = name === "keys-out" ? "" : JUNE;
      const json = await manager.get<Report>(`/api/v1/reports/${name}?${query}`);
      expect(json.status, json.text).toBe(200);
      const csv = await manager.get(`/api/v1/reports/${name}?${query}&format=csv`);
      const pdf = await pdfText(manager, `/api/v1/reports/${name}?${query}&format=pdf`);
      for (const text of [JSON.stringify(json.body.rows), csv.text, pdf]) {
        for (const word of foreign) {
          expect(text, `${name} shows ${word}`).not.toContain(word);
        }
      }
      const other = await manager.get(`/api/v1/reports/${name}?propertyId=${oak.id}`);
      expect(other.status).toBe(404);
    }
    // the manager's by-employee counts Maple Court only: Tess's refusal at Oak Yard is not theirs to see
    const mine = await report(manager, "by-employee", JUNE);
    expectByEmployee(mine, await rawCheckouts(juneAtMaple), await rawEvents(juneEventsAt(maple.id)));
    expect(byLink(mine.rows, "personId").get(people.tess?.id ?? "")?.denials).toBe(0);
    expectByUnit(await report(manager, "by-unit", JUNE), await rawCheckouts(juneAtMaple));
    expectByActivity(await report(manager, "by-activity", JUNE), await rawCheckouts(juneAtMaple));
  });
});

describe("daylight-saving change", () => {
  it("counts the right local days and hours across the autumn change in America/Chicago", async () => {
    const dst = await factory.property({ name: "Elm Row", timeZone: ZONE });
    const unit = await factory.unit(dst.id, { number: "E1" });
    const key = await factory.key(dst.id, { unitId: unit.id });
    const cabinet = await factory.cabinet(dst.id);
    const device = await TestDevice.enroll(admin, cabinet.id, server.clock.now);
    const person = people.tess as Rec;
    for (const at of [
      "2026-10-31T04:30:00Z", // Oct 30 23:30 CDT: the day before the period
      "2026-10-31T05:30:00Z", // Oct 31 00:30 CDT
      "2026-11-01T06:30:00Z", // Nov 1 01:30 CDT, the first 01:30
      "2026-11-01T07:30:00Z", // Nov 1 01:30 CST, the second
      "2026-11-02T05:30:00Z", // Nov 1 23:30 CST: still Nov 1, though Nov 2 at the summer offset
      "2026-11-02T06:30:00Z", // Nov 2 00:30 CST: the day after the period
    ]) {
      const out = Date.parse(at);
      device.record(
        "key.taken",
        {
          visitId: randomUUID(),
          checkoutId: randomUUID(),
          keyId: key.id,
          hook: 1,
          personId: person.id,
          authorized: true,
          reasonCodeId: showing.id,
          workOrder: null,
          dueAt: null,
        },
        new Date(out),
      );
      device.record(
        "key.returned",
        { visitId: randomUUID(), keyId: key.id, hook: 2, personId: person.id },
        new Date(out + 20 * MINUTE),
      );
    }
    expect((await device.upload()).status).toBe(200);
    const query = `propertyId=${dst.id}&from=2026-10-31&to=2026-11-01`;
    for (const name of ["by-unit", "by-activity", "by-employee"]) {
      const r = await report(admin, name, query);
      expect(r.period).toEqual({
        from: "2026-10-31",
        to: "2026-11-01",
        fromInstant: "2026-10-31T05:00:00.000Z",
        toInstant: "2026-11-02T06:00:00.000Z",
      });
      const chart = (k: string) => r.charts.find((c) => c.key === k)?.points ?? [];
      expect(chart("overTime")).toEqual([
        { label: "2026-10-31", value: 1 },
        { label: "2026-11-01", value: 3 },
      ]);
      const hours = chart("byHour");
      expect(hours.filter((p) => p.value > 0)).toEqual([
        { label: "00:00", value: 1 },
        { label: "01:00", value: 2 },
        { label: "23:00", value: 1 },
      ]);
    }
    const byUnit = await report(admin, "by-unit", query);
    expect(byUnit.rows[0]?.cells).toMatchObject({ timesOut: 4, minutesOut: 80, longestMinutes: 20 });
  });
});
