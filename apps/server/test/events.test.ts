/**
 * The events table: append-only by mechanism on both dialects, and never a place where a secret leaks.
 */
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiEvent, countOf, rowOf } from "./db-probes.ts";
import { Factory, TEST_PASSWORD } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer, testPostgresUrl } from "./harness.ts";

let server: TestServer;
let org: Factory;
let admin: ApiClient;
let propertyId: string;

beforeAll(async () => {
  server = await startTestServer();
  org = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(org.admin.email, org.admin.password);
  propertyId = (await org.property()).id;
});
afterAll(() => server.close());

describe("the events table", () => {
  async function someEvent() {
    return server.services.db.selectFrom("events").selectAll().orderBy("seq", "desc").executeTakeFirstOrThrow();
  }

  it("refuses an UPDATE, even straight through the database, and keeps the row as it was", async () => {
    const event = await someEvent();
    await expect(
      sql`update events set action = 'key.updated', actor = '{}' where id = ${event.id}`.execute(server.services.db),
    ).rejects.toThrow(/append-only/);
    expect(await rowOf(server.services.db, "events", event.id)).toEqual(event);
  });

  it("refuses a DELETE of one row or of all, and keeps them", async () => {
    const event = await someEvent();
    const before = await countOf(server.services.db, "events");
    await expect(sql`delete from events where id = ${event.id}`.execute(server.services.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from events`.execute(server.services.db)).rejects.toThrow(/append-only/);
    expect(await countOf(server.services.db, "events")).toBe(before);
  });

  it("refuses an UPDATE through the query builder inside a transaction, which then rolls back whole", async () => {
    const unit = await org.unit(propertyId);
    const before = await countOf(server.services.db, "events");
    await expect(
      server.services.db.transaction().execute(async (tx) => {
        await tx.updateTable("units").set({ notes: "tampered" }).where("id", "=", unit.id).execute();
        await tx.updateTable("events").set({ after: null }).where("entity_id", "=", unit.id).execute();
      }),
    ).rejects.toThrow(/append-only/);
    expect((await rowOf(server.services.db, "units", unit.id))?.notes).toBeNull();
    expect(await countOf(server.services.db, "events")).toBe(before);
  });

  // why: SQLite has no TRUNCATE; its DELETE without a WHERE is refused above
  it.runIf(testPostgresUrl !== undefined)("refuses TRUNCATE on PostgreSQL", async () => {
    const before = await countOf(server.services.db, "events");
    await expect(sql`truncate events`.execute(server.services.db)).rejects.toThrow(/append-only/);
    expect(await countOf(server.services.db, "events")).toBe(before);
  });

  it("numbers events in the order they happened", async () => {
    const unit = await org.unit(propertyId);
    for (const notes of ["first", "second", "third"]) {
      await admin.patch(`/api/v1/units/${unit.id}`, { notes });
    }
    const res = await admin.get<{ items: ApiEvent[] }>(`/api/v1/events?entityId=${unit.id}&sort=seq`);
    expect(res.body.items.map((e) => e.after?.notes ?? null)).toEqual([null, "first", "second", "third"]);
    const seqs = res.body.items.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(4);
  });
});

describe("events never hold a secret", () => {
  const SECRET_FIELD = /hash|secret|password(?!Changed)|activationCode/i;

  async function eventsOf(entityId: string): Promise<ApiEvent[]> {
    return (await admin.get<{ items: ApiEvent[] }>(`/api/v1/events?entityId=${entityId}`)).body.items;
  }
  const secretKeys = (events: ApiEvent[]) =>
    events
      .flatMap((e) => [...Object.keys(e.before ?? {}), ...Object.keys(e.after ?? {})])
      .filter((k) => SECRET_FIELD.test(k));

  it("user.created keeps the login as the API shows it, without the password hash", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const res = await admin.post<{ id: string }>("/api/v1/users", {
      personId: person.id,
      email: "new.login@example.test",
      password: TEST_PASSWORD,
    });
    expect(res.status).toBe(201);
    const events = await eventsOf(res.body.id);
    expect(events.map((e) => e.action)).toEqual(["user.created"]);
    expect(events[0]?.after).toEqual((await admin.get(`/api/v1/users/${res.body.id}`)).body);
    expect(secretKeys(events)).toEqual([]);
    const stored = await server.services.db
      .selectFrom("events")
      .select("after")
      .where("entity_id", "=", res.body.id)
      .execute();
    expect(JSON.stringify(stored)).not.toContain("argon2");
  });

  it("the administrator's user.created at set-up holds no password hash either", async () => {
    const stored = await server.services.db
      .selectFrom("events")
      .select("after")
      .where("entity_id", "=", org.admin.userId)
      .execute();
    expect(stored.length).toBeGreaterThan(0);
    expect(JSON.stringify(stored)).not.toContain("argon2");
  });

  it("credential.issued for a PIN keeps neither the activation code nor its hash", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const res = await admin.post<{ credential: { id: string }; activationCode: string }>(
      `/api/v1/people/${person.id}/credentials`,
      { kind: "pin" },
    );
    expect(res.status).toBe(201);
    const events = await eventsOf(res.body.credential.id);
    expect(events.map((e) => e.action)).toEqual(["credential.issued"]);
    expect(secretKeys(events)).toEqual([]);
    const stored = await server.services.db
      .selectFrom("events")
      .selectAll()
      .where("entity_id", "=", res.body.credential.id)
      .execute();
    expect(JSON.stringify(stored)).not.toContain("argon2");
    expect(JSON.stringify(stored)).not.toContain(res.body.activationCode);
  });

  it("credential.pin_reset keeps the new code out", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const issued = await admin.post<{ credential: { id: string } }>(`/api/v1/people/${person.id}/credentials`, {
      kind: "pin",
    });
    const reset = await admin.post<{ activationCode: string }>(
      `/api/v1/credentials/${issued.body.credential.id}/reset-pin`,
    );
    expect(reset.status).toBe(200);
    const stored = await server.services.db
      .selectFrom("events")
      .selectAll()
      .where("entity_id", "=", issued.body.credential.id)
      .execute();
    expect(stored.map((e) => e.action).sort()).toEqual(["credential.issued", "credential.pin_reset"]);
    expect(JSON.stringify(stored)).not.toContain(reset.body.activationCode);
    expect(JSON.stringify(stored)).not.toContain("argon2");
  });

  it("user.updated says the password changed, never what to", async () => {
    const person = await org.person({ homePropertyId: propertyId });
    const user = await admin.post<{ id: string }>("/api/v1/users", {
      personId: person.id,
      email: "changing@example.test",
      password: TEST_PASSWORD,
    });
    const res = await admin.patch(`/api/v1/users/${user.body.id}`, { password: "a brand new passphrase" });
    expect(res.status).toBe(200);
    const updated = (await eventsOf(user.body.id)).find((e) => e.action === "user.updated");
    expect(updated?.after).toEqual({ passwordChanged: true });
    const stored = await server.services.db
      .selectFrom("events")
      .selectAll()
      .where("entity_id", "=", user.body.id)
      .execute();
    expect(JSON.stringify(stored)).not.toContain("a brand new passphrase");
    expect(JSON.stringify(stored)).not.toContain("argon2");
  });
});

describe("a PostgreSQL server that cuts idle connections", () => {
  it.runIf(testPostgresUrl !== undefined)("costs the process nothing: the next query opens a fresh one", async () => {
    const db = server.services.db;
    const name = (await sql<{ name: string }>`select current_database() as name`.execute(db)).rows[0]?.name;
    // Another session ends every idle connection of this database, as an administrator or a failover would.
    const admin = new pg.Client({ connectionString: testPostgresUrl });
    await admin.connect();
    const ended = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and state = 'idle'",
      [name],
    );
    expect(ended.rowCount).toBeGreaterThan(0);
    await admin.end();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(result.rows[0]?.one).toBe(1);
  });
});
