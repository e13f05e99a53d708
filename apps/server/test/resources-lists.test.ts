/**
 * Every list of the API: the filter that scopes it, `q` search, sort ascending and descending, and cursor pagination
 * that returns every row exactly once — also when many rows share the sort value.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Factory, TEST_PASSWORD } from "./factories.ts";
import { type ApiClient, startTestServer, type TestServer } from "./harness.ts";

type Rec = Record<string, unknown> & { id: string };
interface Page {
  items: Rec[];
  nextCursor: string | null;
}

let server: TestServer;
let org: Factory;
let admin: ApiClient;
let n = 0;
const tag = () => `q${++n}x`;

beforeAll(async () => {
  server = await startTestServer();
  org = await Factory.organization(server.services.db, server.clock.now);
  admin = await server.client().login(org.admin.email, org.admin.password);
});
afterAll(() => server.close());

async function created(path: string, body: Record<string, unknown>): Promise<string> {
  const res = await admin.post<Rec>(path, body);
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

/** Walks every page of a list; fails on a page that is not a 200. */
async function walk(path: string, query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `${path}?limit=${limit}&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res = await admin.get<Page>(url);
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.items.map((i) => i.id));
    cursor = res.body.nextCursor;
    pages++;
    expect(pages).toBeLessThan(50);
  } while (cursor);
  return { ids, pages };
}

const ROWS = 7;

interface ListCase {
  path: string;
  /**
   * Builds a fresh scope and its rows, row i sorting before row i+1 by `sort`; returns the query that selects
   * exactly those rows, the ids in order, and — where the list searches — the `q` that finds row 3 alone.
   */
  build(): Promise<{ query: string; ids: string[]; q?: string }>;
  sort: string;
  /** Marks one row so that the filter selects it alone among the scope's rows. */
  mark?: (id: string) => Promise<string>;
}

async function withProperty<T>(work: (propertyId: string) => Promise<T>): Promise<T> {
  return work((await org.property()).id);
}

const ids = async (make: (i: number) => Promise<string>) => {
  const out: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    out.push(await make(i));
    // why: distinct creation times, so that createdAt orders the rows as they were made
    server.clock.advance(1000);
  }
  return out;
};

const LISTS: ListCase[] = [
  {
    path: "/api/v1/regions",
    sort: "name",
    build: async () => {
      const t = tag();
      return {
        query: `q=${t}`,
        ids: await ids((i) => created("/api/v1/regions", { name: `Region ${t} ${i}` })),
        q: `${t} 3`,
      };
    },
    mark: async (id) => {
      await admin.patch(`/api/v1/regions/${id}`, { status: "archived" });
      return "status=archived";
    },
  },
  {
    path: "/api/v1/properties",
    sort: "code",
    build: async () => {
      const t = tag();
      return {
        query: `q=${t}`,
        ids: await ids((i) =>
          created("/api/v1/properties", { name: `Estate ${i}`, code: `${t}-${i}`, timeZone: "UTC", address: `${t}` }),
        ),
        q: `${t}-3`,
      };
    },
    mark: async (id) => {
      await admin.patch(`/api/v1/properties/${id}`, { status: "archived" });
      return "status=archived";
    },
  },
  {
    path: "/api/v1/buildings",
    sort: "name",
    build: () =>
      withProperty(async (p) => ({
        query: `propertyId=${p}`,
        ids: await ids((i) => created("/api/v1/buildings", { propertyId: p, name: `Tower ${i}`, code: `T${i}` })),
        q: "tower 3",
      })),
    mark: async (id) => {
      await admin.patch(`/api/v1/buildings/${id}`, { status: "archived" });
      return "status=archived";
    },
  },
  {
    path: "/api/v1/units",
    sort: "number",
    build: () =>
      withProperty(async (p) => ({
        query: `propertyId=${p}`,
        ids: await ids((i) => created("/api/v1/units", { propertyId: p, number: `10${i}`, notes: `floor plan ${i}` })),
        q: "PLAN 3",
      })),
    mark: async (id) => {
      await admin.patch(`/api/v1/units/${id}`, { occupancy: "down" });
      return "occupancy=down";
    },
  },
  {
    path: "/api/v1/key-sets",
    sort: "name",
    build: () =>
      withProperty(async (p) => ({
        query: `propertyId=${p}`,
        ids: await ids((i) => created("/api/v1/key-sets", { propertyId: p, name: `Set ${i}` })),
        q: "set 3",
      })),
    mark: async (id) => {
      await admin.patch(`/api/v1/key-sets/${id}`, { status: "archived" });
      return "status=archived";
    },
  },
  {
    path: "/api/v1/keys",
    sort: "label",
    build: () =>
      withProperty(async (p) => {
        const t = tag();
        return {
          query: `propertyId=${p}`,
          ids: await ids((i) => created("/api/v1/keys", { propertyId: p, label: `Door ${i}`, tagCode: `${t}-${i}` })),
          q: `${t}-3`,
        };
      }),
    mark: async (id) => {
      await admin.patch(`/api/v1/keys/${id}`, { status: "lost" });
      return "status=lost";
    },
  },
  {
    path: "/api/v1/cabinets",
    sort: "name",
    build: () =>
      withProperty(async (p) => ({
        query: `propertyId=${p}`,
        ids: await ids((i) =>
          created("/api/v1/cabinets", {
            propertyId: p,
            name: `Cabinet ${i}`,
            location: `Room ${i}`,
            hooksPerModule: 2,
          }),
        ),
        q: "room 3",
      })),
    mark: async (id) => {
      await admin.patch(`/api/v1/cabinets/${id}`, { status: "active" });
      return "status=active";
    },
  },
  {
    path: "/api/v1/people",
    sort: "lastName",
    build: () =>
      withProperty(async (p) => ({
        query: `homePropertyId=${p}`,
        ids: await ids((i) =>
          created("/api/v1/people", { homePropertyId: p, firstName: "Sam", lastName: `Ng${i}`, company: `Co ${i}` }),
        ),
        q: "co 3",
      })),
    mark: async (id) => {
      await admin.post(`/api/v1/people/${id}/deactivate`, { reason: "left" });
      return "status=inactive";
    },
  },
  {
    path: "/api/v1/credentials",
    sort: "createdAt",
    build: async () => {
      const person = await org.person();
      const t = tag();
      return {
        query: `personId=${person.id}`,
        ids: await ids(async (i) => {
          const res = await admin.post<{ credential: Rec }>(`/api/v1/people/${person.id}/credentials`, {
            kind: "badge",
            badgeNumber: `${t}${i}`,
          });
          expect(res.status).toBe(201);
          return res.body.credential.id;
        }),
        q: `${t}3`,
      };
    },
    mark: async (id) => {
      await admin.patch(`/api/v1/credentials/${id}`, { status: "disabled" });
      return "status=disabled";
    },
  },
  {
    path: "/api/v1/users",
    sort: "email",
    build: async () => {
      const t = tag();
      return {
        query: `q=${t}`,
        ids: await ids(async (i) => {
          const person = await org.person();
          return created("/api/v1/users", {
            personId: person.id,
            email: `${t}-${i}@example.test`,
            password: TEST_PASSWORD,
          });
        }),
        q: `${t}-3@`,
      };
    },
    mark: async (id) => {
      await admin.post(`/api/v1/users/${id}/deactivate`);
      return "status=inactive";
    },
  },
  {
    path: "/api/v1/role-assignments",
    sort: "role",
    build: async () => {
      const p = (await org.property()).id;
      const person = await org.person({ homePropertyId: p });
      // alphabetical, as the roles sort
      const roles = ["auditor", "maintenance_supervisor", "office_staff", "property_manager"] as const;
      const more = ["regional_manager", "technician", "vendor"] as const;
      const region = await org.region();
      return {
        query: `personId=${person.id}`,
        ids: await ids((i) => {
          const role = [...roles, ...more][i] ?? "vendor";
          const scope =
            role === "regional_manager"
              ? { scopeType: "region", scopeId: region.id }
              : { scopeType: "property", scopeId: p };
          return created("/api/v1/role-assignments", { personId: person.id, role, ...scope });
        }),
      };
    },
    mark: async (id) => {
      await admin.patch(`/api/v1/role-assignments/${id}`, { status: "revoked" });
      return "status=revoked";
    },
  },
  {
    path: "/api/v1/access-profiles",
    sort: "name",
    build: () =>
      withProperty(async (p) => ({
        query: `propertyId=${p}`,
        ids: await ids((i) =>
          created("/api/v1/access-profiles", {
            propertyId: p,
            name: `Profile ${i}`,
            description: `shift ${i}`,
            keyScope: { allKeys: true },
          }),
        ),
        q: "shift 3",
      })),
    mark: async (id) => {
      await admin.patch(`/api/v1/access-profiles/${id}`, { status: "archived" });
      return "status=archived";
    },
  },
  {
    path: "/api/v1/profile-assignments",
    sort: "createdAt",
    build: () =>
      withProperty(async (p) => {
        const profile = await org.accessProfile(p);
        return {
          query: `propertyId=${p}`,
          ids: await ids(async () =>
            created("/api/v1/profile-assignments", {
              propertyId: p,
              personId: (await org.person()).id,
              accessProfileId: profile.id,
            }),
          ),
        };
      }),
    mark: async (id) => {
      await admin.patch(`/api/v1/profile-assignments/${id}`, { status: "revoked" });
      return "status=revoked";
    },
  },
  {
    path: "/api/v1/holiday-calendars",
    sort: "name",
    build: () =>
      withProperty(async (p) => ({
        query: `propertyId=${p}`,
        ids: await ids((i) => created("/api/v1/holiday-calendars", { propertyId: p, name: `Calendar ${i}` })),
        q: "calendar 3",
      })),
    mark: async (id) => {
      await admin.patch(`/api/v1/holiday-calendars/${id}`, { status: "archived" });
      return "status=archived";
    },
  },
  {
    path: "/api/v1/reason-codes",
    sort: "code",
    build: async () => {
      const t = tag();
      return {
        query: `q=${t}`,
        ids: await ids((i) => created("/api/v1/reason-codes", { code: `${t}_${i}`, label: `Reason ${i}` })),
        q: `${t}_3`,
      };
    },
    mark: async (id) => {
      await admin.patch(`/api/v1/reason-codes/${id}`, { status: "archived" });
      return "status=archived";
    },
  },
  {
    path: "/api/v1/events",
    sort: "seq",
    build: async () => {
      const unit = await org.unit((await org.property()).id);
      const made = await ids(async (i) => {
        expect((await admin.patch(`/api/v1/units/${unit.id}`, { notes: `visit ${i}` })).status).toBe(200);
        const res = await admin.get<Page>(`/api/v1/events?entityId=${unit.id}&limit=1`);
        return res.body.items[0]?.id ?? "";
      });
      return { query: `entityId=${unit.id}&action=unit.updated`, ids: made };
    },
  },
];

for (const c of LISTS) {
  describe(`GET ${c.path}`, () => {
    let scope: { query: string; ids: string[]; q?: string };
    beforeAll(async () => {
      scope = await c.build();
    });

    it(`pages through every row exactly once, in ${c.sort} order`, async () => {
      const { ids, pages } = await walk(c.path, `${scope.query}&sort=${c.sort}`, 2);
      expect(ids).toEqual(scope.ids);
      expect(pages).toBe(Math.ceil(ROWS / 2));
    });

    it(`sorts by -${c.sort} in reverse, across pages`, async () => {
      const { ids } = await walk(c.path, `${scope.query}&sort=-${c.sort}`, 3);
      expect(ids).toEqual([...scope.ids].reverse());
    });

    it("answers the last page with no cursor, and a full page with one", async () => {
      const all = await admin.get<Page>(`${c.path}?limit=${ROWS}&${scope.query}&sort=${c.sort}`);
      expect(all.body.items).toHaveLength(ROWS);
      expect(all.body.nextCursor).toBeNull();
      const part = await admin.get<Page>(`${c.path}?limit=${ROWS - 1}&${scope.query}&sort=${c.sort}`);
      expect(part.body.nextCursor).toEqual(expect.any(String));
    });

    if (
      c.path !== "/api/v1/events" &&
      c.path !== "/api/v1/role-assignments" &&
      c.path !== "/api/v1/profile-assignments"
    ) {
      it("finds one row by q, whatever its case", async () => {
        // why: a scope selected by q is searched by its own, narrower q
        const within = scope.query.startsWith("q=") ? "" : `${scope.query}&`;
        const res = await admin.get<Page>(`${c.path}?${within}q=${encodeURIComponent(scope.q ?? "")}`);
        expect(res.status).toBe(200);
        expect(res.body.items.map((i) => i.id)).toEqual([scope.ids[3]]);
      });
    }

    const mark = c.mark;
    if (mark) {
      it("filters by equality on a field", async () => {
        const target = scope.ids[5] ?? "";
        const filter = await mark(target);
        const res = await admin.get<Page>(`${c.path}?${scope.query}&${filter}`);
        expect(res.status).toBe(200);
        expect(res.body.items.map((i) => i.id)).toEqual([target]);
      });
    }
  });
}

describe("GET /api/v1/units", () => {
  it("pages exactly once through rows that all share their sort value", async () => {
    const p = (await org.property()).id;
    const made: string[] = [];
    for (let i = 0; i < 9; i++) {
      made.push((await org.unit(p, { number: `S${i}` })).id);
    }
    // the clock has not moved: every createdAt is the same, and the cursor must break ties by id
    for (const sort of ["createdAt", "-createdAt"]) {
      const { ids } = await walk("/api/v1/units", `propertyId=${p}&sort=${sort}`, 2);
      expect(ids).toHaveLength(9);
      expect(new Set(ids)).toEqual(new Set(made));
    }
  });

  it("treats % and _ in q as the characters themselves", async () => {
    const p = (await org.property()).id;
    const percent = await org.unit(p, { number: "A1", notes: "rent up 50% in May" });
    const underscore = await org.unit(p, { number: "A2", notes: "code a_b" });
    await org.unit(p, { number: "A3", notes: "rent up 50 dollars; code axb" });
    const find = async (q: string) =>
      (await admin.get<Page>(`/api/v1/units?propertyId=${p}&q=${encodeURIComponent(q)}`)).body.items.map((i) => i.id);
    expect(await find("50%")).toEqual([percent.id]);
    expect(await find("a_b")).toEqual([underscore.id]);
    expect(await find("%")).toEqual([percent.id]);
  });

  it("combines filters: building and kind", async () => {
    const p = (await org.property()).id;
    const building = await org.building(p);
    const pool = await org.unit(p, { buildingId: building.id, kind: "common_area" });
    await org.unit(p, { buildingId: building.id });
    await org.unit(p, { kind: "common_area" });
    const res = await admin.get<Page>(`/api/v1/units?propertyId=${p}&buildingId=${building.id}&kind=common_area`);
    expect(res.body.items.map((i) => i.id)).toEqual([pool.id]);
  });

  it.each([
    ["sort=floor", "sort"],
    ["sort=-notes", "sort"],
    ["cursor=not-a-cursor", "cursor"],
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["kind=penthouse", "kind"],
  ])("answers 400 for %s, naming %s", async (query, field) => {
    const res = await admin.get<{ code: string; field: string }>(`/api/v1/units?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_input", field });
  });
});

describe("GET /api/v1/events", () => {
  it("bounds by time: from inclusive, to exclusive", async () => {
    const unit = await org.unit((await org.property()).id);
    const times: string[] = [];
    for (let i = 0; i < 3; i++) {
      server.clock.advance(60_000);
      times.push(server.clock.now().toISOString());
      await admin.patch(`/api/v1/units/${unit.id}`, { notes: `change ${i}` });
    }
    const res = await admin.get<{ items: { occurredAt: string }[] }>(
      `/api/v1/events?entityId=${unit.id}&from=${times[1]}&to=${times[2]}`,
    );
    expect(res.body.items.map((e) => e.occurredAt)).toEqual([times[1]]);
  });

  it("lists newest first by default", async () => {
    const res = await admin.get<{ items: { seq: number }[] }>("/api/v1/events?limit=20");
    const seqs = res.body.items.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(seqs).toHaveLength(20);
  });
});
