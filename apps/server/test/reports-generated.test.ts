/**
 * Every report on a generated portfolio (1,300 units in at least three properties, four months), checked against counts made here from the raw
 * rows the reports do not read the same way: events as the cabinets reported them (not the checkout projection), keys
 * by status, cabinets and people. Every format carries the JSON's totals, and a manager of two properties sees only
 * theirs in every report.
 */
import type { Report, ReportName } from "@keyward/contracts/reports";
import { REPORT_NAMES } from "@keyward/contracts/reports";
import { parse } from "csv-parse/sync";
import { PDFParse } from "pdf-parse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthenticatedActor, loadActor, systemActor } from "../src/auth/actor.ts";
import { generatePortfolio, type PortfolioSummary } from "../src/demo/generate-portfolio.ts";
import { renderReportCsv, renderReportPdf } from "../src/reports/render-report.ts";
import { runReport } from "../src/reports/run-report.ts";
import { createTestDatabase, type TestDatabase } from "./harness.ts";

const NOW = new Date("2026-06-01T15:00:00.000Z");
const OPTIONS = { units: 1_300, years: 0.34, seed: 11, now: NOW };

interface EventRow {
  action: string;
  property_id: string | null;
  occurred_at: string;
  actor_id: string | null;
  after: string | null;
}

let database: TestDatabase;
let summary: PortfolioSummary;
let admin: AuthenticatedActor;
let events: EventRow[];
/** The first property: its id and zone. */
let property: { id: string; name: string; time_zone: string };
const keyUnit = new Map<string, string | null>();

beforeAll(async () => {
  database = await createTestDatabase();
  const generated = await generatePortfolio(database.handle, OPTIONS);
  if (!generated) {
    throw new Error("the generator refused an empty database");
  }
  summary = generated;
  admin = systemActor(summary.organizationId, "system", "Report check");
  const db = database.handle.db;
  events = await db
    .selectFrom("events")
    .select(["action", "property_id", "occurred_at", "actor_id", "after"])
    .where("organization_id", "=", summary.organizationId)
    .execute();
  property = await db
    .selectFrom("properties")
    .select(["id", "name", "time_zone"])
    .where("organization_id", "=", summary.organizationId)
    .orderBy("code")
    .limit(1)
    .executeTakeFirstOrThrow();
  for (const k of await db.selectFrom("keys").select(["id", "unit_id"]).execute()) {
    keyUnit.set(k.id, k.unit_id);
  }
}, 180_000);
afterAll(() => database.destroy());

/** The whole generated history of the first property, as the report's period. */
const PERIOD = { from: "2026-02-01", to: "2026-06-01" };

async function run(name: ReportName, query: Record<string, unknown> = {}, actor = admin): Promise<Report> {
  return runReport(database.handle.db, actor, name, { limit: 50_000, ...query }, NOW);
}

function total(report: Report, key: string): number {
  const found = report.totals.find((t) => t.key === key);
  if (!found) {
    throw new Error(`${report.name} has no total ${key}`);
  }
  return found.value;
}

/** The first property's events of the report's period, with their data. */
function periodEvents(report: Report, action: string): { row: EventRow; data: Record<string, unknown> }[] {
  const period = report.period;
  if (!period) {
    throw new Error(`${report.name} has no period`);
  }
  return events
    .filter(
      (e) =>
        e.action === action &&
        e.property_id === property.id &&
        e.occurred_at >= period.fromInstant &&
        e.occurred_at < period.toInstant,
    )
    .map((row) => ({ row, data: JSON.parse(row.after ?? "{}") as Record<string, unknown> }));
}

/** Checkouts as the cabinets reported them: keys taken, and keys lifted with no session that the server knew. */
function takes(report: Report) {
  return [
    ...periodEvents(report, "key.taken"),
    ...periodEvents(report, "key.removed_without_session").filter((e) => typeof e.data.keyId === "string"),
  ];
}

function tally<T>(items: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) {
    counts.set(item, (counts.get(item) ?? 0) + 1);
  }
  return counts;
}

describe("reports on a generated portfolio", () => {
  it("has history to report on", () => {
    expect(summary.events).toBeGreaterThan(5_000);
    expect(events.filter((e) => e.action === "key.taken").length).toBeGreaterThan(500);
  });

  it("keys out: every key whose status is out, and the open checkouts past due", async () => {
    const report = await run("keys-out");
    const db = database.handle.db;
    const out = await db
      .selectFrom("keys")
      .select(db.fn.countAll<number>().as("n"))
      .where("organization_id", "=", summary.organizationId)
      .where("status", "=", "out")
      .executeTakeFirstOrThrow();
    expect(report.rowCount).toBe(Number(out.n));
    expect(total(report, "keysOut")).toBe(Number(out.n));
    expect(report.rowCount).toBeGreaterThan(0);
    const due = report.rows.filter((r) => typeof r.cells.due === "string" && r.cells.due < NOW.toISOString());
    expect(total(report, "overdue")).toBe(due.length);
  });

  it("by unit: each unit's times out are the takes the cabinets reported for its keys", async () => {
    const report = await run("by-unit", { propertyId: property.id, ...PERIOD });
    const expected = tally(takes(report).map((e) => keyUnit.get(e.data.keyId as string) ?? null));
    const rows = new Map(report.rows.map((r) => [r.links?.unitId ?? null, r.cells.timesOut]));
    for (const [unit, n] of expected) {
      if (unit !== null) {
        expect(rows.get(unit), `unit ${unit}`).toBe(n);
      }
    }
    const ofUnits = [...expected].filter(([unit]) => unit !== null);
    expect(total(report, "checkouts")).toBe(ofUnits.reduce((sum, [, n]) => sum + n, 0));
    expect(total(report, "units")).toBe([...expected.keys()].filter((u) => u !== null).length);
  });

  it("by activity: checkouts by reason are the takes the cabinets reported with that reason", async () => {
    const report = await run("by-activity", { propertyId: property.id, ...PERIOD });
    const reasons = await database.handle.db
      .selectFrom("reason_codes")
      .select(["id", "code"])
      .where("organization_id", "=", summary.organizationId)
      .execute();
    const codeOf = new Map(reasons.map((r) => [r.id, r.code]));
    const expected = tally(
      takes(report).map((e) =>
        typeof e.data.reasonCodeId === "string" ? (codeOf.get(e.data.reasonCodeId) ?? null) : null,
      ),
    );
    for (const row of report.rows) {
      const code = typeof row.cells.code === "string" && row.cells.code !== "" ? row.cells.code : null;
      expect(row.cells.checkouts, `reason ${code}`).toBe(expected.get(code) ?? 0);
    }
    expect(total(report, "checkouts")).toBe(takes(report).length);
  });

  it("by employee: takes, denials and failed identifications per person are the cabinets' events", async () => {
    const report = await run("by-employee", { propertyId: property.id, ...PERIOD });
    const person = (e: { data: Record<string, unknown> }) =>
      typeof e.data.personId === "string" ? e.data.personId : null;
    const takesBy = tally(periodEvents(report, "key.taken").map(person));
    const deniedBy = tally(periodEvents(report, "cabinet.access_denied").map(person));
    const failedBy = tally(periodEvents(report, "cabinet.identification_failed").map(person));
    expect(report.rows.length).toBeGreaterThan(3);
    for (const row of report.rows) {
      const id = row.links?.personId ?? null;
      expect(row.cells.takes, `takes of ${row.cells.person}`).toBe(takesBy.get(id) ?? 0);
      expect(row.cells.denials, `denials of ${row.cells.person}`).toBe(deniedBy.get(id) ?? 0);
      expect(row.cells.failedIdentifications, `failures of ${row.cells.person}`).toBe(failedBy.get(id) ?? 0);
    }
    const identified = [...takesBy].filter(([id]) => id !== null).reduce((sum, [, n]) => sum + n, 0);
    expect(total(report, "takes")).toBe(identified);
  });

  it("exceptions: alarms and denials by kind are the cabinets' events of the period", async () => {
    const report = await run("exceptions", { propertyId: property.id, ...PERIOD });
    for (const [kind, action] of [
      ["heldOpen", "door.held_open"],
      ["forced", "door.forced"],
      ["wrongHook", "key.wrong_hook"],
      ["removed", "key.removed_without_session"],
      ["denied", "cabinet.access_denied"],
    ] as const) {
      expect(total(report, kind), kind).toBe(periodEvents(report, action).length);
    }
    const failures = periodEvents(report, "cabinet.identification_failed").length;
    expect(total(report, "failedIdentification") + total(report, "pinLocked")).toBe(failures);
    expect(total(report, "denied")).toBeGreaterThan(0);
  });

  it("transactions: every event of the period at the property", async () => {
    const report = await run("transactions", { propertyId: property.id, ...PERIOD });
    const period = report.period as NonNullable<Report["period"]>;
    const expected = events.filter(
      (e) => e.property_id === property.id && e.occurred_at >= period.fromInstant && e.occurred_at < period.toInstant,
    );
    expect(report.rowCount).toBe(expected.length);
    expect(total(report, "events")).toBe(expected.length);
  });

  it("inventory: keys by status", async () => {
    const report = await run("inventory");
    const db = database.handle.db;
    const byStatus = await db
      .selectFrom("keys")
      .select(["status", db.fn.countAll<number>().as("n")])
      .where("organization_id", "=", summary.organizationId)
      .groupBy("status")
      .execute();
    const of = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
    expect(total(report, "keys")).toBe(summary.keys);
    expect(report.rowCount).toBe(summary.keys);
    for (const status of ["in", "out", "lost", "retired"]) {
      expect(total(report, status), status).toBe(of(status));
    }
  });

  it("access review and cabinet health cover every person and every cabinet", async () => {
    const review = await run("access-review", { days: 3650 });
    const people = new Set(review.rows.map((r) => r.cells.person));
    expect(people.size).toBeGreaterThan(0);
    const health = await run("cabinet-health");
    expect(total(health, "cabinets")).toBe(summary.cabinets);
    expect(health.rowCount).toBe(summary.cabinets);
  });

  it("carries the same totals in CSV and PDF as in JSON, for every report", async () => {
    for (const name of REPORT_NAMES) {
      const periodic = !["keys-out", "inventory", "access-review"].includes(name);
      const report = await run(name, { propertyId: property.id, ...(periodic ? PERIOD : {}) });
      const csv = renderReportCsv(report);
      const lines = parse(csv, { relax_column_count: true, skip_empty_lines: true }) as string[][];
      expect(lines.length - 1 - report.totals.length, `${name} rows`).toBe(report.rows.length);
      const totals = lines.filter((l) => l[0] === "Total").map((l) => Number(l[2]));
      expect(totals, `${name} totals`).toEqual(report.totals.map((t) => t.value));
      const parser = new PDFParse({ data: await renderReportPdf(report) });
      try {
        const text = (await parser.getText()).text;
        const flat = text.replace(/\s+/g, " ");
        for (const t of report.totals) {
          expect(flat, `${name} PDF total ${t.label}`).toContain(`${t.label} ${t.value}`);
        }
        expect(text).toContain(report.title);
      } finally {
        await parser.destroy();
      }
    }
  }, 120_000);

  it("shows a manager of two properties only those two, in every report", async () => {
    const db = database.handle.db;
    const user = await db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "manager@demo.keyward.test")
      .executeTakeFirstOrThrow();
    const manager = await loadActor(db, user.id, null);
    if (!manager) {
      throw new Error("no manager");
    }
    const theirs = new Set(Object.keys(manager.propertyRoles));
    expect(theirs.size).toBe(2);
    const names = await db
      .selectFrom("properties")
      .select(["id", "name"])
      .where("organization_id", "=", summary.organizationId)
      .execute();
    const allowed = new Set(names.filter((p) => theirs.has(p.id)).map((p) => p.name));
    const others = names.filter((p) => !theirs.has(p.id));
    expect(others.length).toBeGreaterThan(0);
    for (const name of REPORT_NAMES) {
      const report = await run(name, {}, manager);
      for (const row of report.rows) {
        if (typeof row.cells.property === "string") {
          expect(allowed.has(row.cells.property), `${name}: ${row.cells.property}`).toBe(true);
        }
      }
      const other = others[0];
      if (other) {
        await expect(run(name, { propertyId: other.id }, manager)).rejects.toMatchObject({ code: "not_found" });
      }
    }
  }, 120_000);
});
