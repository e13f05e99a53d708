/**
 * CSV import and export of a property's units, keys and people: all or nothing, every problem by row and column,
 * a dry run that writes nothing, and an export that imports back into another property unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countsOf } from "./db-probes.ts";
import { Factory } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

interface ImportResult {
  kind: string;
  dryRun: boolean;
  rowCount: number;
  created: number;
  preview: Record<string, string>[];
  errors: { row: number; field: string; message: string }[];
}
interface Failure {
  code: string;
  field?: string;
  details?: { row?: number; field?: string; message: string }[];
}

let server: TestServer;
let org: Factory;
let admin: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  org = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(org.admin.email, org.admin.password);
});
afterAll(() => server.close());

const TABLES = ["units", "buildings", "keys", "key_sets", "people", "credentials"] as const;
const counts = () => countsOf(server.services.db, TABLES);
const csv = (...lines: string[]) => `${lines.join("\n")}\n`;

function importInto(client: ApiClient, propertyId: string, kind: string, text: string, dryRun = false) {
  return client.post<ImportResult & Failure>(`/api/v1/properties/${propertyId}/import/${kind}`, { csv: text, dryRun });
}

async function exportOf(propertyId: string, kind: string): Promise<string> {
  const res = await admin.get<string>(`/api/v1/properties/${propertyId}/export/${kind}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
  return res.text;
}

describe("POST /api/v1/properties/:id/import/units", () => {
  it("creates every row, and each building named once, with one event per record and one for the import", async () => {
    const property = await org.property();
    const before = await counts();
    const res = await importInto(
      admin,
      property.id,
      "units",
      csv(
        "number,building,kind,occupancy,floor,notes",
        "101,North,apartment,occupied,1,",
        "102,North,apartment,vacant,1,new carpet",
        "Pool,,common_area,occupied,,",
      ),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ kind: "units", dryRun: false, rowCount: 3, created: 3, errors: [] });
    const after = await counts();
    expect(after.units).toBe((before.units ?? 0) + 3);
    expect(after.buildings).toBe((before.buildings ?? 0) + 1);
    expect(after.events).toBe((before.events ?? 0) + 3 + 1 + 1);
    const units = await admin.get<{ items: { number: string; occupancy: string; notes: string | null }[] }>(
      `/api/v1/units?propertyId=${property.id}&sort=number`,
    );
    expect(units.body.items.map((u) => [u.number, u.occupancy, u.notes])).toEqual([
      ["101", "occupied", null],
      ["102", "vacant", "new carpet"],
      ["Pool", "occupied", null],
    ]);
  });

  it("imports nothing when any row is wrong, and lists every problem by row and column", async () => {
    const property = await org.property();
    await org.unit(property.id, { number: "201" });
    const before = await counts();
    const res = await importInto(
      admin,
      property.id,
      "units",
      csv(
        "number,building,occupancy",
        "202,South,occupied",
        "203,South,haunted",
        "201,,occupied",
        ",South,vacant",
        "204,South,vacant",
        "204,,vacant",
      ),
    );
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("import_failed");
    expect(res.body.details?.map((d) => [d.row, d.field])).toEqual([
      [3, "occupancy"],
      [4, "number"],
      [5, "number"],
      [7, "number"],
    ]);
    expect(res.body.details?.[1]?.message).toContain("Unit 201 already exists");
    expect(await counts()).toEqual(before);
  });

  it("names missing and unknown columns on row 1", async () => {
    const property = await org.property();
    const res = await importInto(admin, property.id, "units", csv("floor,colour", "1,blue"));
    expect(res.status).toBe(422);
    expect(res.body.details).toEqual([
      { row: 1, field: "number", message: 'the required column "number" is missing' },
      { row: 1, field: "colour", message: expect.stringContaining("unknown column") },
    ]);
  });

  it("answers 422 for a header without rows and 400 for text that is not CSV", async () => {
    const property = await org.property();
    const empty = await importInto(admin, property.id, "units", csv("number"));
    expect(empty.status).toBe(422);
    expect(empty.body.details).toEqual([{ row: 2, field: "number", message: "the file has a header but no rows" }]);
    const broken = await importInto(admin, property.id, "units", csv("number,notes", '101,"unclosed'));
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ code: "invalid_input", field: "csv" });
  });
});

describe("a dry run", () => {
  it("previews a good file, reports what it would create, and writes nothing", async () => {
    const property = await org.property();
    const before = await counts();
    const res = await importInto(admin, property.id, "units", csv("number,building", "301,East", "302,East"), true);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, rowCount: 2, created: 0, errors: [] });
    expect(res.body.preview).toEqual([
      { number: "301", building: "East" },
      { number: "302", building: "East" },
    ]);
    expect(await counts()).toEqual(before);
  });

  it("lists the problems of a bad file as the real import would, with a 200, and writes nothing", async () => {
    const property = await org.property();
    const text = csv("number,occupancy", "401,occupied", "402,flooded");
    const before = await counts();
    const dry = await importInto(admin, property.id, "units", text, true);
    expect(dry.status).toBe(200);
    expect(dry.body.errors.map((e) => [e.row, e.field])).toEqual([[3, "occupancy"]]);
    expect(await counts()).toEqual(before);
    const real = await importInto(admin, property.id, "units", text);
    expect(real.body.details?.map((d) => [d.row, d.field])).toEqual([[3, "occupancy"]]);
  });
});

describe("POST /api/v1/properties/:id/import/keys and people", () => {
  it("reports keys naming a unit the property lacks, a tag in use and an unreadable flag, by column", async () => {
    const property = await org.property();
    await org.unit(property.id, { number: "501" });
    await org.key(property.id, { tagCode: "TAKEN-1" });
    const before = await counts();
    const res = await importInto(
      admin,
      property.id,
      "keys",
      csv(
        "label,tag,unit,key_set,restricted",
        "Unit 501 A,K-501-A,501,501 set,no",
        "Unit 999 A,K-999-A,999,,no",
        "Unit 501 B,TAKEN-1,501,501 set,no",
        "Unit 501 C,K-501-C,501,501 set,perhaps",
        "Unit 501 D,x,501,,yes",
      ),
    );
    expect(res.status).toBe(422);
    expect(res.body.details?.map((d) => [d.row, d.field])).toEqual([
      [3, "unit"],
      [4, "tag"],
      [5, "restricted"],
      [6, "tag"],
    ]);
    expect(await counts()).toEqual(before);
  });

  it("reports people whose badge another person holds, and creates none of them", async () => {
    const property = await org.property();
    const holder = await org.person();
    await admin.post(`/api/v1/people/${holder.id}/credentials`, { kind: "badge", badgeNumber: "BADGE77" });
    const before = await counts();
    const res = await importInto(
      admin,
      property.id,
      "people",
      csv(
        "first_name,last_name,badge,start_date",
        "Ann,Able,BADGE78,2026-01-05",
        "Bo,Baker,BADGE77,",
        "Cy,Cole,,05/01/2026",
      ),
    );
    expect(res.status).toBe(422);
    expect(res.body.details?.map((d) => [d.row, d.field])).toEqual([
      [3, "badge"],
      [4, "start_date"],
    ]);
    expect(await counts()).toEqual(before);
  });
});

describe("export, then import into another property", () => {
  it("round-trips units, keys and people unchanged", async () => {
    const source = await org.property();
    const north = await org.building(source.id, { name: "North" });
    await org.unit(source.id, { number: "A1", buildingId: north.id, occupancy: "notice", floor: "1" });
    const a2 = await org.unit(source.id, { number: "A2", buildingId: north.id, notes: 'says "hi", twice' });
    await org.unit(source.id, { number: "Gym", kind: "common_area" });
    const set = await org.keySet(source.id, { name: "A2 copies", unitId: a2.id });
    await org.key(source.id, { label: "A2 copy 1", tagCode: "RT-0001", unitId: a2.id, keySetId: set.id });
    await org.key(source.id, {
      label: "A2 copy 2",
      tagCode: "RT-0002",
      unitId: a2.id,
      keySetId: set.id,
      status: "lost",
    });
    await org.key(source.id, { label: "Master", tagCode: "RT-0003", kind: "master", restricted: true });
    const person = await org.person({
      homePropertyId: source.id,
      firstName: "Rita",
      lastName: "Round",
      kind: "vendor",
      company: "Trip, Inc.",
      employeeNumber: "RT-9",
      email: "rita@example.test",
      startDate: "2026-02-01",
    });
    await admin.post(`/api/v1/people/${person.id}/credentials`, { kind: "badge", badgeNumber: "RTB1" });
    await org.person({ homePropertyId: source.id, firstName: "Sam", lastName: "Round" });

    const exported = {
      units: await exportOf(source.id, "units"),
      keys: await exportOf(source.id, "keys"),
      people: await exportOf(source.id, "people"),
    };
    expect(exported.units.split("\n")[0]).toBe("number,building,kind,occupancy,floor,notes");
    expect(exported.keys).toContain("A2 copy 2,RT-0002,unit,A2,A2 copies,lost,no");

    // tags, badges and employee numbers are unique within an organization: the copy goes to another one
    const other = await Factory.organization(server.services.db, server.clock.now);
    const otherAdmin = await server.client().login(other.admin.email, other.admin.password);
    const target = await other.property();
    for (const kind of ["units", "keys", "people"] as const) {
      const res = await importInto(otherAdmin, target.id, kind, exported[kind]);
      expect(res.status, res.text).toBe(200);
      expect(res.body.errors).toEqual([]);
    }
    for (const kind of ["units", "keys", "people"] as const) {
      const res = await otherAdmin.get<string>(`/api/v1/properties/${target.id}/export/${kind}`);
      expect(res.text).toBe(exported[kind]);
    }

    // units carry no organization-wide identifiers: they also go to a sibling property
    const sibling = await org.property();
    expect((await importInto(admin, sibling.id, "units", exported.units)).status).toBe(200);
    expect(await exportOf(sibling.id, "units")).toBe(exported.units);
  });
});

describe("CSV export", () => {
  it("guards cells a spreadsheet would run as formulas, and import takes the guard off", async () => {
    const source = await org.property();
    await org.unit(source.id, { number: "=1+2", notes: "@SUM(A1)" });
    const csv = await admin.get<string>(`/api/v1/properties/${source.id}/export/units`);
    expect(csv.text).toContain("'=1+2");
    expect(csv.text).toContain("'@SUM(A1)");
    const target = await org.property();
    const imported = await admin.post(`/api/v1/properties/${target.id}/import/units`, { csv: csv.text });
    expect(imported.status).toBe(200);
    const units = await admin.get<{ items: { number: string; notes: string | null }[] }>(
      `/api/v1/units?propertyId=${target.id}`,
    );
    expect(units.body.items.map((u) => [u.number, u.notes])).toEqual([["=1+2", "@SUM(A1)"]]);
  });
});

describe("CSV import", () => {
  it("names the line of the file, blank lines included", async () => {
    const target = await org.property();
    const csv = "number,occupancy\n101,occupied\n\n\n102,haunted\n";
    const res = await admin.post<{ errors: { row: number; field: string }[] }>(
      `/api/v1/properties/${target.id}/import/units`,
      { csv, dryRun: true },
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 5, field: "occupancy" })]);
  });
});
