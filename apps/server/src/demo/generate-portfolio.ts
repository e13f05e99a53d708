/**
 * `keyward demo --units N`: a whole portfolio and its history, generated into an empty database, deterministic by
 * seed (same seed, options and `now` → byte-identical rows). One organization with regions, properties of 120–600
 * units in several US time zones, buildings, units, keys, cabinets with enrolled devices, people and their access,
 * and `years` of history ending at `now` — written exactly as the server writes it (see write-history.ts), property
 * by property so memory stays flat, through the drivers' fastest paths (portfolio-rows.ts).
 *
 * Rates: about 3.45 visits that take keys per apartment and year and as many returns, which with denials, failed
 * identifications, alarms and the set-up's own records make about 32 events per apartment and year; about 2.06 keys
 * per unit. So `--units 300000 --years 2` gives about 600,000 keys and 20,000,000 events (docs/development.md,
 * "Generated portfolios").
 */
import { OrganizationSettings } from "@keyward/contracts/resources";
import type { DatabaseHandle } from "@keyward/db/connect";
import { canonicalJson } from "@keyward/domain/event-chain";
import { hash } from "@node-rs/argon2";
import { sql } from "kysely";
import { DEMO_PASSWORD } from "../commands/seed-demo.ts";
import { DEFAULT_REASON_CODES, setupNeeded } from "../commands/set-up-organization.ts";
import type { ActorSnapshot } from "../events.ts";
import { reasonCodes, regions } from "../resources/definitions.ts";
import type { Row } from "../resources/records.ts";
import { addPeople, buildProperty, type PersonPlan, type PropertyPlan } from "./build-property.ts";
import { EventEmitter } from "./portfolio-emitter.ts";
import type { Counts, Generation, ReasonModel } from "./portfolio-model.ts";
import { mixSeed, Random } from "./portfolio-random.ts";
import { insertRows, presentAll, recordRow } from "./portfolio-records.ts";
import { inGeneratorTransaction, type RowSink, TABLES } from "./portfolio-rows.ts";
import { MARKETS } from "./portfolio-vocabulary.ts";
import { writeHistory } from "./write-history.ts";

const DAY = 86_400_000;
const DEMO_DOMAIN = "demo.keyward.test";

/** The organization's name in a generated portfolio. */
export const PORTFOLIO_ORGANIZATION = "Demo Portfolio Management";

/**
 * The PIN of every generated person. why: one argon2 hash is computed for the whole portfolio (hashing one per person
 * would take longer than the history); no kiosk runs on a generated portfolio.
 */
export const PORTFOLIO_PIN = "739154";

/** The dashboard sign-ins of a generated portfolio (password: DEMO_PASSWORD). */
export const PORTFOLIO_LOGINS: readonly { email: string; role: string }[] = [
  { email: `admin@${DEMO_DOMAIN}`, role: "administrator, whole organization" },
  { email: `executive@${DEMO_DOMAIN}`, role: "executive, whole organization" },
  { email: `regional@${DEMO_DOMAIN}`, role: "regional manager, the first property's region" },
  { email: `auditor@${DEMO_DOMAIN}`, role: "auditor, whole organization" },
  { email: `manager@${DEMO_DOMAIN}`, role: "property manager, the first two properties (P0001, P0002)" },
  { email: `supervisor@${DEMO_DOMAIN}`, role: "maintenance supervisor, P0001" },
  { email: `tech@${DEMO_DOMAIN}`, role: "maintenance technician, P0001" },
  { email: `office@${DEMO_DOMAIN}`, role: "office staff, P0001" },
  { email: `vendor@${DEMO_DOMAIN}`, role: "vendor, P0001" },
  { email: `manager.p0003@${DEMO_DOMAIN}`, role: "property manager, P0003 (and so on for every property)" },
];

export interface PortfolioOptions {
  /** Apartments in all (common areas come on top). */
  units: number;
  /** Years of history ending at `now`. */
  years: number;
  seed: number;
  now: Date;
}

/** What was generated, and how fast. */
export interface PortfolioSummary extends Counts {
  organizationId: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/** Splits the apartments into properties of 120–600 (a smaller portfolio is one property). */
function planProperties(random: Random, units: number): PropertyPlan[] {
  const plans: PropertyPlan[] = [];
  const weights = MARKETS.map((m) => m.weight);
  for (let remaining = units; remaining > 0; ) {
    let apartments = random.int(120, 600);
    if (remaining <= 600) {
      apartments = remaining;
    } else if (remaining - apartments < 120) {
      apartments = remaining - 120;
    }
    const market = MARKETS[random.weighted(weights)] ?? MARKETS[0];
    if (!market) {
      throw new Error("no markets");
    }
    plans.push({ index: plans.length, apartments, market });
    remaining -= apartments;
  }
  return plans;
}

function checkOptions(options: PortfolioOptions): void {
  if (!Number.isSafeInteger(options.units) || options.units < 1) {
    throw new RangeError(`units must be a positive whole number, not ${options.units}`);
  }
  if (!(options.years > 0 && options.years <= 20)) {
    throw new RangeError(`years must be more than 0 and at most 20, not ${options.years}`);
  }
  if (!Number.isSafeInteger(options.seed)) {
    throw new RangeError(`seed must be a whole number, not ${options.seed}`);
  }
}

/**
 * Generates a portfolio into an empty database.
 * @param progress called with a line now and then (properties done, events, events/s).
 * @returns what was generated, or null when the database already holds an organization (nothing is touched).
 */
export async function generatePortfolio(
  handle: DatabaseHandle,
  options: PortfolioOptions,
  progress?: (line: string) => void,
): Promise<PortfolioSummary | null> {
  checkOptions(options);
  if (!(await setupNeeded(handle.db))) {
    return null;
  }
  const started = performance.now();
  const sqlite = handle.dialect === "sqlite" ? handle.sqlite : undefined;
  const saved = sqlite
    ? {
        journal: String(sqlite.pragma("journal_mode", { simple: true })),
        synchronous: Number(sqlite.pragma("synchronous", { simple: true })),
        cache: Number(sqlite.pragma("cache_size", { simple: true })),
      }
    : null;
  if (sqlite) {
    // why: a generation is set-up, not service: a failed one is thrown away with its database, so it need not
    // survive a power cut commit by commit, nor write every page twice (WAL, then the file); the rollback journal in
    // memory still undoes a failed transaction. The server's own settings come back when it is done.
    sqlite.pragma("journal_mode = MEMORY");
    sqlite.pragma("synchronous = OFF");
    sqlite.pragma("cache_size = -262144");
  }
  try {
    return await generate(handle, options, started, progress);
  } finally {
    if (sqlite && saved) {
      sqlite.pragma(`journal_mode = ${saved.journal}`);
      sqlite.pragma(`synchronous = ${saved.synchronous}`);
      sqlite.pragma(`cache_size = ${saved.cache}`);
    }
  }
}

async function generate(
  handle: DatabaseHandle,
  options: PortfolioOptions,
  started: number,
  progress: ((line: string) => void) | undefined,
): Promise<PortfolioSummary> {
  const random = new Random(mixSeed(options.seed, 1));
  const salts = new Random(mixSeed(options.seed, 2));
  const now = options.now.getTime();
  const historyStart = now - Math.round(options.years * 365.25 * DAY);
  const setupAt = historyStart - 30 * DAY;
  const at = new Date(setupAt).toISOString();
  // why: hashed once each, with salts drawn from the seed, so two generations store the same bytes
  const argon2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
  const passwordHash = await hash(DEMO_PASSWORD, { ...argon2, salt: salts.bytes(16) });
  const pinHash = await hash(PORTFOLIO_PIN, { ...argon2, salt: salts.bytes(16) });
  const organizationId = random.uuid7(setupAt);
  const directory = new Map<string, { snapshot: ActorSnapshot; json: string }>();
  const counts: Counts = { properties: 0, buildings: 0, units: 0, keys: 0, cabinets: 0, people: 0, checkouts: 0 };
  let events = 0;
  const plans = planProperties(random, options.units);
  const people = { actorOf: (id: string) => directory.get(id) };
  // why: every transaction below hands the generation its own sink and emitter (`begin`); these are never written to
  const idle: RowSink = { add: () => {}, maybeFlush: async () => {}, flush: async () => {} };
  const g: Generation = {
    tx: handle.db,
    sink: idle,
    emitter: new EventEmitter(idle, organizationId, random, people),
    random,
    organizationId,
    setupActor: { type: "system", id: null, name: "portfolio generator" },
    passwordHash,
    pinHash,
    reasons: new Map(),
    regionIds: new Map(),
    now,
    historyStart,
    setupAt,
    counts,
    serials: { badge: 100_000, tag: 0, employee: 1000, technician: 0 },
    demoManager: null,
    registerPerson: (id, actor) => {
      directory.set(id, { snapshot: actor, json: canonicalJson(actor) });
    },
  };
  const begin = (tx: Generation["tx"], sink: Generation["sink"]) => {
    g.tx = tx;
    g.sink = sink;
    g.emitter = new EventEmitter(sink, organizationId, random, people);
  };

  // ---------------------------------------------------------------- the organization
  await inGeneratorTransaction(handle, async (tx, sink) => {
    begin(tx, sink);
    const settings = OrganizationSettings.parse({});
    sink.add(TABLES.organizations, [organizationId, PORTFOLIO_ORGANIZATION, JSON.stringify(settings), at, at]);
    g.emitter.admin({
      propertyId: null,
      at: setupAt,
      action: "organization.created",
      entityType: "organization",
      entityId: organizationId,
      actor: { type: "cli", id: null, name: "first-run set-up" },
      after: { name: PORTFOLIO_ORGANIZATION, settings },
    });
    const regionNames = [...new Set(plans.map((p) => p.market.region))];
    const regionRows = regionNames.map((name) =>
      recordRow(regions, TABLES.regions, organizationId, random.uuid7(setupAt), at, { name }),
    );
    insertRows(sink, TABLES.regions, regionRows);
    const presentedRegions = await presentAll(regions, tx, sink, regionRows);
    g.regionIds = new Map(regionRows.map((row) => [String(row.name), String(row.id)]));
    regionRows.forEach((row, i) => {
      g.emitter.admin({
        propertyId: null,
        at: setupAt,
        action: "region.created",
        entityType: "region",
        entityId: String(row.id),
        actor: g.setupActor,
        after: presentedRegions[i] ?? null,
      });
    });
    const reasonRows: Row[] = DEFAULT_REASON_CODES.map((reason, i) =>
      recordRow(reasonCodes, TABLES.reason_codes, organizationId, random.uuid7(setupAt), at, {
        ...reason,
        sortOrder: (i + 1) * 10,
      }),
    );
    insertRows(sink, TABLES.reason_codes, reasonRows);
    const presentedReasons = await presentAll(reasonCodes, tx, sink, reasonRows);
    const reasons = new Map<string, ReasonModel>();
    reasonRows.forEach((row, i) => {
      reasons.set(String(row.code), {
        id: String(row.id),
        code: String(row.code),
        requiresWorkOrder: row.requires_work_order === 1,
        defaultDueMinutes: row.default_due_minutes === null ? null : Number(row.default_due_minutes),
      });
      g.emitter.admin({
        propertyId: null,
        at: setupAt,
        action: "reason_code.created",
        entityType: "reasonCode",
        entityId: String(row.id),
        actor: g.setupActor,
        after: presentedReasons[i] ?? null,
      });
    });
    g.reasons = reasons;
    const firstRegion = g.regionIds.get(plans[0]?.market.region ?? "") ?? null;
    const organizationPerson = (
      role: PersonPlan["role"],
      firstName: string,
      lastName: string,
      login: string,
      roles: PersonPlan["roles"],
    ): PersonPlan => ({
      role,
      firstName,
      lastName,
      homePropertyId: null,
      kind: "employee",
      company: null,
      login,
      createdAt: setupAt,
      startDate: null,
      left: null,
      roles,
      profileIds: [],
      cabinetUser: false,
    });
    await addPeople(
      g,
      [
        organizationPerson("admin", "Avery", "Admin", `admin@${DEMO_DOMAIN}`, [
          { role: "administrator", scopeType: "organization", scopeId: null },
        ]),
        organizationPerson("executive", "Erin", "Executive", `executive@${DEMO_DOMAIN}`, [
          { role: "executive", scopeType: "organization", scopeId: null },
        ]),
        organizationPerson("regional", "Riley", "Regional", `regional@${DEMO_DOMAIN}`, [
          { role: "regional_manager", scopeType: "region", scopeId: firstRegion },
        ]),
        organizationPerson("auditor", "Alex", "Auditor", `auditor@${DEMO_DOMAIN}`, [
          { role: "auditor", scopeType: "organization", scopeId: null },
        ]),
      ],
      new Map(),
      null,
    );
    events += g.emitter.events;
  });

  // ---------------------------------------------------------------- the properties, one transaction each
  const every = Math.max(1, Math.round(plans.length / 40));
  for (const plan of plans) {
    await inGeneratorTransaction(handle, async (tx, sink) => {
      begin(tx, sink);
      const { model, credentialRows } = await buildProperty(g, plan);
      await writeHistory(g, model);
      insertRows(
        sink,
        TABLES.keys,
        model.keys.map((k) => k.row),
      );
      for (const person of model.people) {
        person.pinRow.pin_failures = person.pinFailures;
        person.pinRow.pin_last_failure_at = person.pinLastFailureAt;
      }
      insertRows(sink, TABLES.credentials, credentialRows);
      insertRows(
        sink,
        TABLES.cabinet_states,
        model.cabinets.map((c) => ({
          cabinet_id: c.id,
          organization_id: organizationId,
          property_id: model.id,
          door: c.device.door,
          last_contact_at: c.device.lastContactAt,
          last_event_at: c.device.lastEventAt,
          snapshot_version: c.device.snapshotVersion,
          open_alarms: c.device.openAlarms,
          last_alarm: c.device.lastAlarm,
          last_alarm_at: c.device.lastAlarmAt,
          updated_at: c.device.updatedAt,
        })),
      );
      insertRows(sink, TABLES.snapshot_versions, [
        {
          property_id: model.id,
          organization_id: organizationId,
          version: 1 + model.snapshotBumps,
          changed_at: model.lastBumpAt,
        },
      ]);
      insertRows(
        sink,
        TABLES.checkouts,
        model.checkouts.map((c) => c.row),
      );
      await sink.flush();
      for (const cabinet of model.cabinets) {
        await tx
          .updateTable("cabinet_devices")
          .set({ last_seq: cabinet.device.head.seq, last_hash: cabinet.device.head.hash })
          .where("organization_id", "=", organizationId)
          .where("id", "=", cabinet.device.id)
          .execute();
      }
      counts.properties++;
      counts.checkouts += model.checkouts.length;
      events += g.emitter.events;
    });
    if (progress && ((plan.index + 1) % every === 0 || plan.index === plans.length - 1)) {
      const seconds = (performance.now() - started) / 1000;
      progress(
        `  ${plan.index + 1} of ${plans.length} properties, ${counts.units.toLocaleString("en-US")} units, ` +
          `${events.toLocaleString("en-US")} events (${Math.round(events / seconds).toLocaleString("en-US")} events/s)`,
      );
    }
  }

  // why: the query planner should know the tables' sizes before the first report runs on them
  if (handle.dialect === "sqlite" && handle.sqlite) {
    handle.sqlite.pragma("analysis_limit = 1000");
    handle.sqlite.exec("analyze");
  } else {
    await sql`analyze`.execute(handle.db);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    organizationId,
    ...counts,
    events,
    seconds: Math.round(seconds * 10) / 10,
    eventsPerSecond: Math.round(events / seconds),
  };
}
