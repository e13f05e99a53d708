/**
 * Test data factories. Each builds through the same commands the API uses (so events are written and rules hold),
 * acting as the system on the organization's behalf. Names are unique per call so factories compose freely.
 */
import { randomBytes } from "node:crypto";
import type { Executor } from "@keyward/db/connect";
import type { Role, ScopeType } from "@keyward/domain/permissions";
import { systemActor } from "../src/auth/actor.ts";
import { createRecord } from "../src/commands/create-record.ts";
import { grantRole } from "../src/commands/grant-role.ts";
import { createUser } from "../src/commands/manage-users.ts";
import { setUpOrganization } from "../src/commands/set-up-organization.ts";
import type { CommandContext, ResourceDef } from "../src/resources/definition.ts";
import * as R from "../src/resources/definitions.ts";

/** The password every factory-made login uses. */
export const TEST_PASSWORD = "correct horse battery staple";

const unique = () => randomBytes(4).toString("hex");
type Rec = Record<string, unknown> & { id: string };

function context(db: Executor, organizationId: string, now: Date): CommandContext {
  return { tx: db, actor: systemActor(organizationId, "system", "test factory"), now };
}

/** Builds records of one organization. */
export class Factory {
  private constructor(
    readonly db: Executor,
    readonly organizationId: string,
    readonly admin: { email: string; password: string; userId: string; personId: string },
    private readonly now: () => Date,
  ) {}

  /** A new organization with its administrator. */
  static async organization(db: Executor, now: () => Date, name = `Org ${unique()}`): Promise<Factory> {
    const email = `admin-${unique()}@example.test`;
    const ids = await db
      .transaction()
      .execute((tx) =>
        setUpOrganization(
          tx,
          { organizationName: name, firstName: "Ada", lastName: "Admin", email, password: TEST_PASSWORD },
          { now: now(), source: "cli" },
        ),
      );
    return new Factory(db, ids.organizationId, { email, password: TEST_PASSWORD, ...ids }, now);
  }

  private ctx(): CommandContext {
    return context(this.db, this.organizationId, this.now());
  }

  private async create(def: ResourceDef, input: Record<string, unknown>): Promise<Rec> {
    return (await this.db.transaction().execute((tx) => createRecord({ ...this.ctx(), tx }, def, input))) as Rec;
  }

  region(input: Record<string, unknown> = {}) {
    return this.create(R.regions, { name: `Region ${unique()}`, ...input });
  }
  property(input: Record<string, unknown> = {}) {
    return this.create(R.properties, {
      name: `Property ${unique()}`,
      code: `P${unique()}`,
      timeZone: "America/Chicago",
      ...input,
    });
  }
  building(propertyId: string, input: Record<string, unknown> = {}) {
    return this.create(R.buildings, { propertyId, name: `Building ${unique()}`, ...input });
  }
  unit(propertyId: string, input: Record<string, unknown> = {}) {
    return this.create(R.units, { propertyId, number: `U${unique()}`, ...input });
  }
  keySet(propertyId: string, input: Record<string, unknown> = {}) {
    return this.create(R.keySets, { propertyId, name: `Set ${unique()}`, ...input });
  }
  key(propertyId: string, input: Record<string, unknown> = {}) {
    return this.create(R.keys, { propertyId, label: `Key ${unique()}`, tagCode: `T-${unique()}`, ...input });
  }
  cabinet(propertyId: string, input: Record<string, unknown> = {}) {
    return this.create(R.cabinets, { propertyId, name: `Cabinet ${unique()}`, hooksPerModule: 10, ...input });
  }
  person(input: Record<string, unknown> = {}) {
    return this.create(R.people, { firstName: "Pat", lastName: `Person-${unique()}`, ...input });
  }
  accessProfile(propertyId: string, input: Record<string, unknown> = {}) {
    return this.create(R.accessProfiles, {
      propertyId,
      name: `Profile ${unique()}`,
      keyScope: { allKeys: true },
      windows: [{ days: [1, 2, 3, 4, 5], start: "08:00", end: "17:00" }],
      ...input,
    });
  }
  holidayCalendar(propertyId: string | null, input: Record<string, unknown> = {}) {
    return this.create(R.holidayCalendars, { propertyId, name: `Holidays ${unique()}`, dates: [], ...input });
  }
  reasonCode(input: Record<string, unknown> = {}) {
    return this.create(R.reasonCodes, { code: `r_${unique()}`, label: "Reason", ...input });
  }

  /** Grants a role to an existing person. */
  async grant(personId: string, role: Role, scope: { type: ScopeType; id: string | null }): Promise<void> {
    await this.db
      .transaction()
      .execute((tx) => grantRole({ ...this.ctx(), tx }, { personId, role, scopeType: scope.type, scopeId: scope.id }));
  }

  /**
   * A person with a dashboard login holding one role at a scope.
   * @returns the person, and the e-mail and password to sign in with.
   */
  async user(
    role: Role,
    scope: { type: ScopeType; id: string | null },
    personInput: Record<string, unknown> = {},
  ): Promise<{ person: Rec; userId: string; email: string; password: string }> {
    const homePropertyId = scope.type === "property" ? scope.id : null;
    const person = await this.person({ homePropertyId, ...personInput });
    const email = `${role}-${unique()}@example.test`;
    const user = await this.db.transaction().execute(async (tx) => {
      const ctx = { ...this.ctx(), tx };
      await grantRole(ctx, { personId: person.id, role, scopeType: scope.type, scopeId: scope.id });
      return createUser(ctx, { personId: person.id, email, password: TEST_PASSWORD });
    });
    return { person, userId: String(user.id), email, password: TEST_PASSWORD };
  }
}
