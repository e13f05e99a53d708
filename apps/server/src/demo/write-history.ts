/**
 * A property's history, replayed in time order at its cabinets: visits that take keys (weekday-morning peaks,
 * move-out seasons and month ends), their returns (mostly within hours, a long tail, some overdue, about 0.8 % of keys
 * still out at the end), and everything that goes wrong — wrong and unknown credentials, denials with the domain's
 * codes, doors held open or forced, wrong hooks, keys lifted with nobody at the console, returns by someone else, and
 * a few people who misuse their access. Each fact is a cabinet event on its device's chain; the projections the server
 * derives from them (checkouts, key locations, cabinet states, PIN lockouts) are written as the server leaves them.
 */

import type { EventAction } from "@keyward/domain/event-actions";
import { sha256Hex } from "@keyward/domain/event-chain";
import { localTime, minutesOf } from "@keyward/domain/schedule";
import { addDays, instantAtLocal } from "@keyward/domain/zoned-time";
import { changesSnapshot } from "../cabinet/snapshot-version.ts";
import type { Row } from "../resources/records.ts";
import { VERSION } from "../version.ts";
import type { AdminEvent, ReceiptEffect } from "./portfolio-emitter.ts";
import type {
  CabinetModel,
  CheckoutModel,
  Generation,
  KeyModel,
  PersonModel,
  ProfileModel,
  PropertyModel,
  ReasonModel,
} from "./portfolio-model.ts";
import { completeRow } from "./portfolio-records.ts";
import { TABLES } from "./portfolio-rows.ts";
import { dayWeight, MEDIAN_MINUTES, REASON_MIX, WEEKDAY_HOURS, WEEKEND_HOURS } from "./portfolio-vocabulary.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Visits that take keys, per apartment and year. why: with about ten cabinet events per visit and its return, this
 * gives the issue's 20,000,000 events for 300,000 units over two years (see docs/development.md, "Generated
 * portfolios").
 */
export const VISITS_PER_UNIT_YEAR = 3.45;
/** Share of the property's hanging keys out when the history ends. */
export const KEYS_OUT_AT_END = 0.008;
/** Per cabinet: a key lifted with nobody at the console, and the door forced, once in so many days. */
const REMOVED_EVERY_DAYS = 45;
const FORCED_EVERY_DAYS = 150;
/** Share of cabinets (at properties with more than one) offline when the history ends. */
const OFFLINE_SHARE = 0.03;

/** A min-heap of scheduled returns. */
class ReturnQueue {
  private readonly items: PlannedReturn[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): PlannedReturn | undefined {
    return this.items[0];
  }
  push(item: PlannedReturn): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as PlannedReturn).at <= item.at) {
        break;
      }
      a[i] = a[parent] as PlannedReturn;
      i = parent;
    }
    a[i] = item;
  }
  pop(): PlannedReturn | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let best = last.at;
        if (l < a.length && (a[l] as PlannedReturn).at < best) {
          m = l;
          best = (a[l] as PlannedReturn).at;
        }
        if (r < a.length && (a[r] as PlannedReturn).at < best) {
          m = r;
        }
        if (m === i) {
          break;
        }
        a[i] = a[m] as PlannedReturn;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

interface PlannedReturn {
  at: number;
  holder: PersonModel | null;
  keys: KeyModel[];
  from: CabinetModel;
}

type Scheduled =
  | { at: number; kind: "visit" }
  | { at: number; kind: "admin"; event: AdminEvent }
  | { at: number; kind: "removed" | "forced"; cabinet: CabinetModel }
  | { at: number; kind: "acknowledge" }
  | { at: number; kind: "offline"; cabinet: CabinetModel };

/** The instants of a property's take visits over the history, by day, hour and season. */
function planVisits(g: Generation, model: PropertyModel): number[] {
  const r = g.random;
  const zone = model.zone;
  const first = localTime(new Date(g.historyStart), zone).date;
  const last = localTime(new Date(g.now), zone).date;
  const days: { date: string; weight: number }[] = [];
  for (let date = first; date <= last; date = addDays(date, 1)) {
    days.push({ date, weight: dayWeight(date, model.holidays) });
  }
  const total = days.reduce((n, d) => n + d.weight, 0);
  const years = (g.now - g.historyStart) / (365.25 * DAY);
  const expected = model.apartments * VISITS_PER_UNIT_YEAR * years;
  const visits: number[] = [];
  for (const { date, weight } of days) {
    const count = r.poisson((expected * weight) / total);
    if (count === 0) {
      continue;
    }
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    const hours = weekday === 0 || weekday === 6 ? WEEKEND_HOURS : WEEKDAY_HOURS;
    // why: one zone lookup per day; only the small hours of a daylight-saving change day need their own
    const afternoon = instantAtLocal(date, 12 * 60, zone).getTime() - 12 * HOUR;
    for (let i = 0; i < count; i++) {
      const minutes = r.weighted(hours) * 60 + r.int(0, 59);
      const at =
        (minutes < 4 * 60 ? instantAtLocal(date, minutes, zone).getTime() : afternoon + minutes * MINUTE) +
        r.int(0, 59) * SECOND;
      if (at >= g.historyStart && at < g.now - HOUR) {
        visits.push(at);
      }
    }
  }
  return visits.sort((a, b) => a - b);
}

/** Writes one property's history; its checkouts are collected on the model for the caller to write. */
export async function writeHistory(g: Generation, model: PropertyModel): Promise<void> {
  const r = g.random;
  const emitter = g.emitter;
  const zone = model.zone;
  const end = g.now - MINUTE;
  const reasonsByCode = g.reasons;

  // ---------------------------------------------------------------- what happens, in time order
  const visits = planVisits(g, model);
  const scheduled: Scheduled[] = visits.map((at) => ({ at, kind: "visit" as const }));
  for (const person of model.people) {
    for (const event of person.laterEvents) {
      scheduled.push({ at: event.at, kind: "admin", event });
    }
  }
  const span = g.now - g.historyStart;
  for (const cabinet of model.cabinets) {
    for (const [kind, every] of [
      ["removed", REMOVED_EVERY_DAYS],
      ["forced", FORCED_EVERY_DAYS],
    ] as const) {
      const count = r.poisson(span / (every * DAY));
      for (let i = 0; i < count; i++) {
        scheduled.push({ at: g.historyStart + Math.floor(r.float() * (span - HOUR)), kind, cabinet });
      }
    }
  }
  if (model.cabinets.length > 1 && model.index > 0) {
    for (const cabinet of model.cabinets.slice(1)) {
      if (r.chance(OFFLINE_SHARE * model.cabinets.length)) {
        scheduled.push({ at: g.now - r.int(6, 72) * HOUR, kind: "offline", cabinet });
      }
    }
  }
  // The manager looks into alarms every Monday morning.
  for (let date = localTime(new Date(g.historyStart), zone).date; ; date = addDays(date, 1)) {
    const at = instantAtLocal(date, 9 * 60 + 30, zone).getTime();
    if (at >= end) {
      break;
    }
    if (new Date(`${date}T12:00:00Z`).getUTCDay() === 1 && at >= g.historyStart) {
      scheduled.push({ at, kind: "acknowledge" });
    }
  }
  scheduled.sort((a, b) => a.at - b.at);

  // why: the keys still out at the end are mostly recent checkouts nobody has brought back yet
  const hanging = model.keys.filter((k) => k.status === "in").length;
  const recentVisits = visits.filter((at) => at >= end - 30 * DAY).length;
  const keepOut = recentVisits > 0 ? Math.min(1, (KEYS_OUT_AT_END * hanging) / (recentVisits * 1.4)) : 0;

  // ---------------------------------------------------------------- the cabinets' first events
  for (const cabinet of model.cabinets) {
    const started = Date.parse(String(cabinet.row.updated_at)) + MINUTE;
    emitter.cabinet(cabinet.device, started, "cabinet.agent_started", { agentVersion: VERSION, snapshotVersion: null });
    emitter.cabinet(cabinet.device, started + 2 * SECOND, "cabinet.snapshot_applied", { version: 2 });
    cabinet.busyUntil = started + 2 * SECOND;
  }

  // ---------------------------------------------------------------- helpers
  const receipt = (at: number) => at + r.int(1, 4) * SECOND;
  const flushIfFull = (cabinet: CabinetModel, at: number) => emitter.uploadIfFull(cabinet.device, receipt(at));
  const online = (c: CabinetModel, at: number) => c.offlineSince === null || c.offlineSince > at;
  const active = (p: PersonModel, at: number) => p.activeFrom <= at && at < p.activeUntil;

  const hangOn = (key: KeyModel, cabinet: CabinetModel, hook: number) => {
    const at = cabinet.freeHooks.indexOf(hook);
    if (at >= 0) {
      cabinet.freeHooks[at] = cabinet.freeHooks[cabinet.freeHooks.length - 1] as number;
      cabinet.freeHooks.pop();
    }
    key.cabinet = cabinet;
    key.hook = hook;
    key.status = "in";
    key.slot = cabinet.keysIn.length;
    cabinet.keysIn.push(key);
  };
  const liftOff = (key: KeyModel) => {
    const cabinet = key.cabinet;
    if (cabinet && key.slot >= 0) {
      const moved = cabinet.keysIn[cabinet.keysIn.length - 1] as KeyModel;
      cabinet.keysIn[key.slot] = moved;
      moved.slot = key.slot;
      cabinet.keysIn.pop();
      if (key.hook !== null) {
        cabinet.freeHooks.push(key.hook);
      }
    }
    key.cabinet = null;
    key.hook = null;
    key.slot = -1;
    key.status = "out";
  };
  const keyTouched =
    (key: KeyModel): ReceiptEffect =>
    (receivedAt) => {
      key.row.updated_at = receivedAt;
    };
  const openCheckout = (key: KeyModel, row: Row): CheckoutModel => {
    const checkout: CheckoutModel = { row };
    key.open = checkout;
    model.checkouts.push(checkout);
    return checkout;
  };

  /** Returns keys at a cabinet: each on a random free hook, never the one it left. */
  const hangKeys = (
    cabinet: CabinetModel,
    keys: readonly KeyModel[],
    returner: PersonModel | null,
    visitId: string | null,
    startAt: number,
  ): number => {
    let at = startAt;
    for (const key of keys) {
      if (cabinet.freeHooks.length === 0) {
        continue;
      }
      const checkout = key.open;
      const left = checkout?.row.hook_out ?? null;
      let hook = r.pick(cabinet.freeHooks);
      if (hook === left && cabinet.freeHooks.length > 1) {
        hook = r.pick(cabinet.freeHooks.filter((h) => h !== left));
      }
      const data = { visitId, keyId: key.id, hook, personId: returner?.id ?? null };
      const close = checkout
        ? (receivedAt: string) => {
            key.row.updated_at = receivedAt;
            checkout.row.updated_at = receivedAt;
          }
        : keyTouched(key);
      const eventId = emitter.cabinet(
        cabinet.device,
        at,
        "key.returned",
        data,
        checkout ? { checkoutId: String(checkout.row.id) } : { noOpenCheckout: true },
        close,
      );
      if (checkout) {
        Object.assign(checkout.row, {
          status: "returned",
          returned_at: new Date(at).toISOString(),
          returned_by: returner?.id ?? null,
          return_cabinet_id: cabinet.id,
          hook_in: hook,
          in_event_id: eventId,
        });
        const holder = checkout.row.person_id;
        const person = model.people.find((p) => p.id === holder);
        if (person) {
          person.held--;
        }
        key.open = null;
      }
      hangOn(key, cabinet, hook);
      Object.assign(key.row, { status: "in", cabinet_id: cabinet.id, hook_number: hook });
      at += 6 * SECOND;
    }
    return at;
  };

  /** Which of a person's profiles lets them take a key at a local time, or why none does. */
  const decide = (
    person: PersonModel,
    keys: readonly KeyModel[],
    local: { weekday: number; date: string; minutes: number },
  ): { profile: ProfileModel } | { code: string; params: Record<string, unknown> } => {
    const key = keys[0] as KeyModel;
    const covering = person.profiles.filter((p) =>
      keys.every((k) => (p.kinds === null || p.kinds.has(k.kind)) && (!k.restricted || p.restricted)),
    );
    if (covering.length === 0) {
      return {
        code: keys.some((k) => k.restricted) ? "restricted_key" : "not_permitted_key",
        params: { keyId: key.id },
      };
    }
    const open = covering.filter(
      (p) =>
        !(p.holidays && model.holidays.has(local.date)) &&
        p.windows.some(
          (w) =>
            (w.days as readonly number[]).includes(local.weekday) &&
            local.minutes >= minutesOf(w.start) &&
            local.minutes < minutesOf(w.end),
        ),
    );
    if (open.length === 0) {
      const holiday = covering.some((p) => p.holidays && model.holidays.has(local.date));
      return { code: holiday ? "holiday" : "outside_hours", params: { keyId: key.id } };
    }
    const roomiest = open.reduce((a, b) => (b.maxKeysOut > a.maxKeysOut ? b : a));
    if (person.held + keys.length > roomiest.maxKeysOut) {
      return {
        code: "keys_out_limit",
        params: { keyId: key.id, limit: roomiest.maxKeysOut, keysOut: person.held, requested: keys.length },
      };
    }
    return { profile: roomiest };
  };

  /** Identification at the console: an unknown badge, wrong PINs (maybe giving up), then success. */
  const identify = (cabinet: CabinetModel, person: PersonModel, visitId: string, at: number): number | null => {
    const x = r.float();
    if (x < 0.003) {
      emitter.cabinet(cabinet.device, at, "cabinet.identification_failed", {
        visitId,
        personId: null,
        credentialId: null,
        factor: "badge",
        code: "unknown_badge",
      });
      return null;
    }
    let t = at;
    if (x < 0.018 || (person.badActor && x < 0.06)) {
      const wrong = r.int(1, 3);
      for (let i = 0; i < wrong; i++) {
        person.pinFailures++;
        person.pinLastFailureAt = new Date(t).toISOString();
        emitter.cabinet(cabinet.device, t, "cabinet.identification_failed", {
          visitId,
          personId: person.id,
          credentialId: person.pinCredentialId,
          factor: "pin",
          code: "pin_incorrect",
          pinFailures: person.pinFailures,
        });
        t += 9 * SECOND;
      }
      if (r.chance(0.1)) {
        return null;
      }
    }
    emitter.cabinet(cabinet.device, t, "cabinet.identified", {
      visitId,
      personId: person.id,
      factors: ["badge", "pin"],
      pinCredentialId: person.pinCredentialId,
    });
    person.pinFailures = 0;
    person.pinLastFailureAt = null;
    return t + 4 * SECOND;
  };

  const pickPerson = (at: number, offHours: boolean): PersonModel | null => {
    const candidates = model.people.filter((p) => active(p, at));
    if (candidates.length === 0) {
      return null;
    }
    const weights = candidates.map(
      (p) => p.weight * (offHours && (p.role === "supervisor" || p.role === "manager" || p.badActor) ? 5 : 1),
    );
    return candidates[r.weighted(weights)] ?? null;
  };

  const pickReason = (person: PersonModel, localDay: number): ReasonModel => {
    const mix = REASON_MIX[person.role];
    // why: move-outs crowd the last and first days of a month
    const weights = mix.map(([code, w]) => (code === "move_out" && (localDay >= 28 || localDay <= 2) ? w * 3 : w));
    const code = mix[r.weighted(weights)]?.[0] ?? "work_order";
    const reason = reasonsByCode.get(code);
    if (!reason) {
      throw new Error(`no reason code ${code}`);
    }
    return reason;
  };

  const pickKeys = (cabinet: CabinetModel, person: PersonModel): KeyModel[] => {
    const count = person.badActor ? r.int(3, 8) : ([1, 2, 3][r.weighted([78, 15, 7])] ?? 1);
    const x = r.float();
    let kind: "unit" | "common_area" | "vehicle" | "restricted" = "unit";
    if (person.role === "technician") {
      kind = x < 0.9 ? "unit" : x < 0.97 ? "common_area" : "vehicle";
    } else if ((person.role === "supervisor" || person.role === "manager") && x < 0.05) {
      kind = "restricted";
    } else if (person.role === "office" && x < 0.003) {
      // why: now and then someone asks for a key their profile does not cover
      kind = "common_area";
    }
    const wanted = kind === "restricted" ? (k: KeyModel) => k.restricted : (k: KeyModel) => k.kind === kind;
    const chosen = new Set<KeyModel>();
    for (let tries = 0; tries < count * 12 && chosen.size < count && cabinet.keysIn.length > 0; tries++) {
      const key = r.pick(cabinet.keysIn);
      if (wanted(key)) {
        chosen.add(key);
      }
    }
    // why: and now and then a technician asks for a master along with a unit key
    if (person.role === "technician" && chosen.size > 0 && r.chance(0.003)) {
      const master = cabinet.keysIn.find((k) => k.restricted);
      if (master) {
        chosen.add(master);
      }
    }
    return [...chosen];
  };

  // ---------------------------------------------------------------- a take visit
  const takeVisit = (scheduledAt: number, queue: ReturnQueue) => {
    const local0 = localTime(new Date(scheduledAt), zone);
    const offHours = local0.weekday >= 6 || local0.minutes < 7 * 60 || local0.minutes >= 18 * 60;
    const person = pickPerson(scheduledAt, offHours);
    const cabinets = model.cabinets.filter((c) => online(c, scheduledAt) && c.keysIn.length > 0);
    if (!person || cabinets.length === 0) {
      return;
    }
    const cabinet = cabinets[r.weighted(cabinets.map((c) => c.keysIn.length))] as CabinetModel;
    const start = Math.max(scheduledAt, cabinet.busyUntil + 5 * SECOND);
    if (start >= end - HOUR) {
      return;
    }
    const device = cabinet.device;
    const visitId = r.uuid7(start);
    const identified = identify(cabinet, person, visitId, start);
    if (identified === null) {
      cabinet.busyUntil = start + 30 * SECOND;
      flushIfFull(cabinet, cabinet.busyUntil);
      return;
    }
    const keys = pickKeys(cabinet, person);
    if (keys.length === 0) {
      cabinet.busyUntil = identified + 20 * SECOND;
      return;
    }
    const local = localTime(new Date(identified), zone);
    const reason = pickReason(person, Number(local.date.slice(8, 10)));
    const decision = decide(person, keys, local);
    let at = identified + 12 * SECOND;
    if (!("profile" in decision)) {
      emitter.cabinet(device, at, "cabinet.access_denied", {
        visitId,
        personId: person.id,
        keyIds: keys.map((k) => k.id),
        code: decision.code,
        params: decision.params,
      });
      cabinet.busyUntil = at + 10 * SECOND;
      flushIfFull(cabinet, cabinet.busyUntil);
      return;
    }
    let workOrder: string | null = null;
    if (reason.requiresWorkOrder) {
      if (person.badActor && r.chance(0.5)) {
        workOrder = null;
      } else {
        if (r.chance(0.01)) {
          emitter.cabinet(device, at, "cabinet.access_denied", {
            visitId,
            personId: person.id,
            keyIds: keys.map((k) => k.id),
            code: "work_order_required",
            params: {},
          });
          at += 15 * SECOND;
        }
        workOrder = `WO-${r.int(100000, 999999)}`;
      }
    }
    const dueAt =
      reason.defaultDueMinutes === null ? null : new Date(at + reason.defaultDueMinutes * MINUTE).toISOString();
    emitter.cabinet(device, at, "door.released", { visitId, personId: person.id, purpose: "take", commandId: null });
    const opened = at + 4 * SECOND;
    emitter.cabinet(device, opened, "door.opened", { visitId });
    let t = opened + 6 * SECOND;
    if (r.chance(0.007)) {
      const other = cabinet.keysIn.find((k) => !keys.includes(k));
      if (other && other.hook !== null) {
        emitter.cabinet(device, t, "key.wrong_hook", {
          visitId,
          personId: person.id,
          hook: other.hook,
          keyId: other.id,
          expectedHooks: keys.map((k) => k.hook as number),
        });
        t += 8 * SECOND;
      }
    }
    const taken: KeyModel[] = [];
    for (const key of keys) {
      const checkoutId = r.uuid7(t);
      const outAt = new Date(t).toISOString();
      const row = completeRow(TABLES.checkouts, {
        id: checkoutId,
        organization_id: g.organizationId,
        property_id: model.id,
        key_id: key.id,
        unit_id: key.unitId,
        person_id: person.id,
        authorized: 1,
        cabinet_id: cabinet.id,
        hook_out: key.hook,
        reason_code_id: reason.id,
        work_order: workOrder,
        out_at: outAt,
        due_at: dueAt,
        status: "open",
      });
      const hook = key.hook as number;
      row.out_event_id = emitter.cabinet(
        device,
        t,
        "key.taken",
        {
          visitId,
          checkoutId,
          keyId: key.id,
          hook,
          personId: person.id,
          authorized: true,
          reasonCodeId: reason.id,
          workOrder,
          dueAt,
        },
        {},
        (receivedAt) => {
          row.created_at = receivedAt;
          row.updated_at = receivedAt;
          key.row.updated_at = receivedAt;
        },
      );
      openCheckout(key, row);
      liftOff(key);
      key.row.status = "out";
      key.row.cabinet_id = null;
      key.row.hook_number = null;
      person.held++;
      taken.push(key);
      t += 5 * SECOND;
    }
    let closed = t + r.int(3, 10) * SECOND;
    if (r.chance(0.02)) {
      const seconds = r.int(61, 300);
      emitter.cabinet(device, opened + seconds * SECOND, "door.held_open", { visitId, seconds });
      closed = Math.max(closed, opened + (seconds + r.int(5, 60)) * SECOND);
    }
    emitter.cabinet(device, closed, "door.closed", {
      visitId,
      openSeconds: Math.floor((closed - opened) / SECOND),
    });
    cabinet.busyUntil = closed;
    flushIfFull(cabinet, closed);

    const median = person.badActor ? 36 * 60 : (MEDIAN_MINUTES[reason.code] ?? 60);
    let minutes = r.logNormal(median, person.badActor ? 0.6 : 0.8);
    if (!person.badActor && r.chance(0.025)) {
      minutes *= r.int(10, 60);
    }
    const back = closed + Math.max(5, minutes) * MINUTE;
    if (closed >= end - 30 * DAY && r.chance(keepOut)) {
      return;
    }
    if (back < end - HOUR) {
      queue.push({ at: back, holder: person, keys: taken, from: cabinet });
    }
  };

  // ---------------------------------------------------------------- a return visit
  const returnVisit = (planned: PlannedReturn, queue: ReturnQueue) => {
    const keys = planned.keys.filter((k) => k.status === "out");
    if (keys.length === 0) {
      return;
    }
    const candidates = model.cabinets.filter((c) => online(c, planned.at) && c.freeHooks.length >= keys.length);
    if (candidates.length === 0) {
      return;
    }
    const cabinet =
      online(planned.from, planned.at) && planned.from.freeHooks.length >= keys.length && !r.chance(0.1)
        ? planned.from
        : r.pick(candidates);
    const start = Math.max(planned.at, cabinet.busyUntil + 5 * SECOND);
    if (start >= end - 10 * MINUTE) {
      return;
    }
    if (planned.holder === null) {
      // why: a key lifted with nobody at the console turns up on a hook again, with nobody at the console either
      hangKeys(cabinet, keys, null, null, start);
      cabinet.busyUntil = start + 10 * SECOND;
      flushIfFull(cabinet, cabinet.busyUntil);
      return;
    }
    const holder = planned.holder;
    const others = model.people.filter((p) => p !== holder && active(p, start));
    const returner =
      (!active(holder, start) || r.chance(0.02)) && others.length > 0
        ? (others.find((p) => p.role === "supervisor") ?? r.pick(others))
        : active(holder, start)
          ? holder
          : null;
    if (returner === null) {
      queue.push({ ...planned, at: planned.at + DAY });
      return;
    }
    const device = cabinet.device;
    const visitId = r.uuid7(start);
    const identified = identify(cabinet, returner, visitId, start);
    if (identified === null) {
      cabinet.busyUntil = start + 30 * SECOND;
      flushIfFull(cabinet, cabinet.busyUntil);
      queue.push({ ...planned, at: start + r.int(5, 30) * MINUTE });
      return;
    }
    emitter.cabinet(device, identified + 8 * SECOND, "door.released", {
      visitId,
      personId: returner.id,
      purpose: "return",
      commandId: null,
    });
    const opened = identified + 12 * SECOND;
    emitter.cabinet(device, opened, "door.opened", { visitId });
    let t = opened + 6 * SECOND;
    if (r.chance(0.002)) {
      emitter.cabinet(device, t, "key.unknown_tag", { visitId, tag: `XT-${r.int(100000, 999999)}` });
      t += 6 * SECOND;
    }
    t = hangKeys(cabinet, keys, returner, visitId, t);
    const closed = t + r.int(3, 10) * SECOND;
    emitter.cabinet(device, closed, "door.closed", { visitId, openSeconds: Math.floor((closed - opened) / SECOND) });
    cabinet.busyUntil = closed;
    flushIfFull(cabinet, closed);
  };

  // ---------------------------------------------------------------- alarms with nobody at the console
  const removed = (cabinet: CabinetModel, at0: number, queue: ReturnQueue) => {
    const at = Math.max(at0, cabinet.busyUntil + 5 * SECOND);
    if (!online(cabinet, at) || at >= end - HOUR || cabinet.keysIn.length === 0) {
      return;
    }
    const device = cabinet.device;
    const key = r.pick(cabinet.keysIn);
    const hook = key.hook as number;
    // why: the server derives the checkout's id from (device, seq), the seq this event is about to take
    const checkoutId = `u-${sha256Hex(`${device.id}:${device.head.seq + 1}`).slice(0, 32)}`;
    const row = completeRow(TABLES.checkouts, {
      id: checkoutId,
      organization_id: g.organizationId,
      property_id: model.id,
      key_id: key.id,
      unit_id: key.unitId,
      person_id: null,
      authorized: 0,
      cabinet_id: cabinet.id,
      hook_out: hook,
      reason_code_id: null,
      work_order: null,
      out_at: new Date(at).toISOString(),
      due_at: null,
      status: "open",
    });
    row.out_event_id = emitter.cabinet(
      device,
      at,
      "key.removed_without_session",
      { hook, keyId: key.id },
      {},
      (receivedAt) => {
        row.created_at = receivedAt;
        row.updated_at = receivedAt;
        key.row.updated_at = receivedAt;
      },
    );
    openCheckout(key, row);
    liftOff(key);
    Object.assign(key.row, { status: "out", cabinet_id: null, hook_number: null });
    cabinet.busyUntil = at + 5 * SECOND;
    flushIfFull(cabinet, cabinet.busyUntil);
    const back = at + r.int(20, 600) * MINUTE;
    if (back < end - HOUR) {
      queue.push({ at: back, holder: null, keys: [key], from: cabinet });
    }
  };
  const forced = (cabinet: CabinetModel, at0: number) => {
    const at = Math.max(at0, cabinet.busyUntil + 5 * SECOND);
    if (!online(cabinet, at) || at >= end - HOUR) {
      return;
    }
    const seconds = r.int(20, 240);
    emitter.cabinet(cabinet.device, at, "door.forced", {});
    emitter.cabinet(cabinet.device, at + seconds * SECOND, "door.closed", { visitId: null, openSeconds: seconds });
    cabinet.busyUntil = at + seconds * SECOND;
    flushIfFull(cabinet, cabinet.busyUntil);
  };
  const acknowledge = (at: number) => {
    for (const cabinet of model.cabinets) {
      const device = cabinet.device;
      if (device.openAlarms === 0 || !online(cabinet, at)) {
        continue;
      }
      emitter.admin({
        propertyId: model.id,
        at,
        action: "cabinet.alarms_acknowledged",
        entityType: "cabinet",
        entityId: cabinet.id,
        actor: model.managerActor,
        before: { openAlarms: device.openAlarms },
        after: { openAlarms: 0, acknowledged: device.openAlarms, note: "Reviewed with the maintenance team" },
      });
      device.openAlarms = 0;
      device.updatedAt = new Date(at).toISOString();
    }
  };

  // ---------------------------------------------------------------- the replay
  const queue = new ReturnQueue();
  let next = 0;
  let steps = 0;
  const bumpTimes = new Set<number>();
  for (;;) {
    const item = scheduled[next];
    const due = queue.peek();
    if (!item && !due) {
      break;
    }
    if (due && (!item || due.at <= item.at)) {
      queue.pop();
      returnVisit(due, queue);
    } else if (item) {
      next++;
      switch (item.kind) {
        case "visit":
          takeVisit(item.at, queue);
          break;
        case "admin":
          emitter.admin(item.event);
          if (changesSnapshot(item.event.action as EventAction)) {
            bumpTimes.add(item.at);
          }
          break;
        case "removed":
          removed(item.cabinet, item.at, queue);
          break;
        case "forced":
          forced(item.cabinet, item.at);
          break;
        case "acknowledge":
          acknowledge(item.at);
          break;
        case "offline":
          emitter.upload(item.cabinet.device, item.at);
          item.cabinet.offlineSince = item.at;
          break;
      }
    }
    if (++steps % 2_000 === 0) {
      await g.sink.maybeFlush();
    }
  }

  // ---------------------------------------------------------------- the end: last uploads, current snapshot
  for (const cabinet of model.cabinets) {
    if (cabinet.device.pending.length > 0) {
      const last = cabinet.device.pending[cabinet.device.pending.length - 1];
      const lastAt = last ? Date.parse(last.event.occurredAt) : end;
      emitter.upload(cabinet.device, Math.min(end, receipt(lastAt)));
    }
  }
  let bumps = model.snapshotBumps + bumpTimes.size;
  let lastBump = Math.max(Date.parse(model.lastBumpAt), ...bumpTimes);
  for (const cabinet of model.cabinets) {
    bumps += cabinet.device.custodyUploads;
    if (cabinet.device.lastCustodyAt) {
      lastBump = Math.max(lastBump, Date.parse(cabinet.device.lastCustodyAt));
    }
  }
  model.snapshotBumps = bumps;
  model.lastBumpAt = new Date(lastBump).toISOString();
  for (const cabinet of model.cabinets) {
    if (cabinet.offlineSince !== null) {
      continue;
    }
    const at = Math.max(end - r.int(10, 50) * SECOND, cabinet.busyUntil + SECOND, lastBump + SECOND);
    emitter.cabinet(cabinet.device, at, "cabinet.snapshot_applied", { version: 1 + bumps });
    emitter.upload(cabinet.device, at + SECOND);
    // why: an online cabinet keeps its stream open, so the server heard from it moments ago
    cabinet.device.lastContactAt = new Date(g.now - r.int(5, 55) * SECOND).toISOString();
  }
  await g.sink.maybeFlush();
}
