import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase, uniqueViolation } from "./connect.ts";

describe("uniqueViolation", () => {
  let dir: string;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keyward-db-"));
    handle = openDatabase({ sqliteFile: join(dir, "test.sqlite") });
    await sql`create table hooks (id text primary key, cabinet_id text, hook_number integer)`.execute(handle.db);
    await sql`create unique index hooks_unique on hooks (cabinet_id, hook_number)`.execute(handle.db);
    await sql`insert into hooks values ('a', 'c1', 3)`.execute(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names the columns of the SQLite constraint a write broke", async () => {
    const error = await sql`insert into hooks values ('b', 'c1', 3)`.execute(handle.db).catch((e: unknown) => e);
    expect(uniqueViolation(error)).toEqual(["cabinet_id", "hook_number"]);
  });

  it("names the columns of a PostgreSQL unique violation from its detail", () => {
    const error = Object.assign(new Error("duplicate key value violates unique constraint"), {
      code: "23505",
      detail: "Key (cabinet_id, hook_number)=(c1, 3) already exists.",
    });
    expect(uniqueViolation(error)).toEqual(["cabinet_id", "hook_number"]);
  });

  it("names the columns behind a partial or expression index, which report only their name", async () => {
    await sql`create table credentials (person_id text, kind text, status text)`.execute(handle.db);
    await sql`create unique index credentials_one_pin on credentials (person_id) where kind = 'pin'`.execute(handle.db);
    await sql`insert into credentials values ('p1', 'pin', 'active')`.execute(handle.db);
    const error = await sql`insert into credentials values ('p1', 'pin', 'active')`
      .execute(handle.db)
      .catch((e: unknown) => e);
    expect(uniqueViolation(error)).toEqual(["person_id"]);
    const pg = Object.assign(new Error("duplicate key"), {
      code: "23505",
      constraint: "role_assignments_active_unique",
      detail: "Key (person_id, role, scope_type, COALESCE(scope_id, ''::text))=(…) already exists.",
    });
    expect(uniqueViolation(pg)).toEqual(["role"]);
  });

  it("answers null for any other error", async () => {
    const error = await sql`insert into hooks values ('a', 'c2', 4)`.execute(handle.db).catch((e: unknown) => e);
    expect(uniqueViolation(error)).toBeNull();
    expect(uniqueViolation(new Error("connection refused"))).toBeNull();
    expect(uniqueViolation(undefined)).toBeNull();
  });
});
