/**
 * Reports past the row limit, over real HTTP on SQLite (and PostgreSQL when KEYWARD_TEST_DATABASE_URL is set): a
 * property whose cabinet reported MAX_REPORT_ROWS + 10 forced doors in the period. The exceptions report reads at most
 * MAX_REPORT_ROWS of them yet counts every one; both it and the transactions report list the period's first events
 * when sorted by time ascending and its newest otherwise; and a PDF of that many rows prints 5,000 of them, laid out
 * off the main thread while the server goes on answering.
 */
import { randomUUID } from "node:crypto";
import { MAX_REPORT_ROWS, type Report } from "@keyward/contracts/reports";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../src/auth/actor.ts";
import { exceptionsReport } from "../src/reports/exceptions-report.ts";
import { MAX_PDF_ROWS, renderReportPdf, reportDocument } from "../src/reports/render-report.ts";
import { periodOf } from "../src/reports/run-report.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

const ZONE = "America/Chicago";
/** March and April 2026 in Chicago. */
const PERIOD = "from=2026-03-01&to=2026-04-30";
/** The first forced door: noon UTC on 1 March; one more each minute after it. */
const FIRST = Date.parse("2026-03-01T12:00:00.000Z");
const FORCED = MAX_REPORT_ROWS + 10;
const at = (i: number) => new Date(FIRST + i * 60_000).toISOString();

let server: TestServer;
let factory: Factory;
let admin: ApiClient;
let propertyId: string;

beforeAll(async () => {
  server = await startTestServer();
  server.clock.ms = Date.parse("2026-05-02T12:00:00.000Z");
  factory = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(factory.admin.email, factory.admin.password);
  const property = await factory.property({ name: "Elm Yard", timeZone: ZONE });
  propertyId = property.id;
  const cabinetId = randomUUID();
  const actor = JSON.stringify({ type: "cabinet", id: cabinetId, name: "Yard cabinet" });
  // why: written straight into the trail as a cabinet's upload would leave them; the audit queue plays no part here
  for (let start = 0; start < FORCED; start += 500) {
    const batch = [];
    for (let i = start; i < Math.min(FORCED, start + 500); i++) {
      batch.push({
        id: randomUUID(),
        organization_id: factory.organizationId,
        property_id: propertyId,
        occurred_at: at(i),
        action: "door.forced",
        entity_type: "cabinet",
        entity_id: cabinetId,
        actor_type: "cabinet",
        actor_id: cabinetId,
        actor,
        before: null,
        after: "{}",
        source: "cabinet",
      });
    }
    await server.services.db.insertInto("events").values(batch).execute();
  }
}, 180_000);
afterAll(() => server.close());

async function report(path: string): Promise<Report> {
  const res = await admin.get<Report>(`/api/v1/reports/${path}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const total = (r: Report, key: string) => r.totals.find((t) => t.key === key)?.value;
const whens = (r: Report) => r.rows.map((row) => row.cells.when);

describe("GET /api/v1/reports/exceptions past the row limit", () => {
  it("reads at most MAX_REPORT_ROWS rows and still counts every exception", async () => {
    const output = await exceptionsReport.run({
      db: server.services.db,
      actor: systemActor(factory.organizationId, "system", "Scale check"),
      now: server.clock.now(),
      scope: { organizationId: factory.organizationId, properties: [propertyId], organizationEvents: false },
      filters: {},
      timeZone: ZONE,
      period: periodOf("2026-03-01", "2026-04-30", ZONE, server.clock.now()),
      sort: { key: "when", direction: "desc" },
    });
    expect(output.rows).toHaveLength(MAX_REPORT_ROWS);
    expect(output.rowCount).toBe(FORCED);
    expect(output.totals.find((t) => t.key === "forced")?.value).toBe(FORCED);
    expect(output.charts.find((c) => c.key === "byKind")?.points).toEqual([{ label: "Door forced", value: FORCED }]);
    // the newest: the ten oldest are the ones left out
    expect(output.rows[0]?.cells.when).toBe(at(FORCED - 1));
    expect(output.rows.at(-1)?.cells.when).toBe(at(10));
  });

  it("answers with exact totals, and the period's first exceptions when sorted by time ascending", async () => {
    const newest = await report(`exceptions?${PERIOD}&limit=3`);
    expect(newest).toMatchObject({ rowCount: FORCED, truncated: true });
    expect(total(newest, "exceptions")).toBe(FORCED);
    expect(total(newest, "forced")).toBe(FORCED);
    expect(whens(newest)).toEqual([at(FORCED - 1), at(FORCED - 2), at(FORCED - 3)]);

    const first = await report(`exceptions?${PERIOD}&limit=3&sort=when`);
    expect(first).toMatchObject({ rowCount: FORCED, truncated: true });
    expect(whens(first)).toEqual([at(0), at(1), at(2)]);
  });
});

describe("GET /api/v1/reports/transactions sorted by time ascending", () => {
  it("lists the period's first events, not the oldest of its newest", async () => {
    const first = await report(`transactions?${PERIOD}&limit=3&sort=when`);
    expect(first).toMatchObject({ rowCount: FORCED, truncated: true });
    expect(whens(first)).toEqual([at(0), at(1), at(2)]);
    const newest = await report(`transactions?${PERIOD}&limit=3&sort=-when`);
    expect(whens(newest)).toEqual([at(FORCED - 1), at(FORCED - 2), at(FORCED - 3)]);
    // another column sorts the newest MAX_REPORT_ROWS, as the description says
    expect(first.description).toContain("the first, sorted by time ascending");
  });
});

describe("a report's PDF", () => {
  it(`prints at most ${MAX_PDF_ROWS} rows and says so`, async () => {
    const r = await report(`exceptions?${PERIOD}&limit=${MAX_PDF_ROWS + 100}`);
    const document = reportDocument(r);
    const text = JSON.stringify(document.content);
    expect(MAX_PDF_ROWS).toBe(5_000);
    expect(text).toContain(
      `5000 of ${FORCED} rows (a PDF prints at most 5,000; the CSV of a report carries up to 50,000`,
    );
    const table = document.content.find(
      (c): c is { table: { body: unknown[] } } =>
        typeof c === "object" && "table" in c && "headerRows" in (c.table as object),
    );
    expect(table?.table.body).toHaveLength(MAX_PDF_ROWS + 1);
  });

  it("is laid out off the main thread: the server answers other requests while a long one renders", async () => {
    const r = await report(`exceptions?${PERIOD}&limit=${MAX_PDF_ROWS}`);
    let done = false;
    const rendering = renderReportPdf(r).then((pdf) => {
      done = true;
      return pdf;
    });
    // why: ten requests one after another; a render on the main thread would hold the first until it finished
    for (let i = 0; i < 10; i++) {
      const health = await server.client().get("/api/health");
      expect(health.status).toBe(200);
    }
    expect(done).toBe(false);
    const pdf = await rendering;
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  }, 60_000);
});
