/**
 * One set of migrations for SQLite and PostgreSQL. Column types differ only where the dialects do (timestamps,
 * dates, JSON, identity); `connect.ts` makes both hand the application the same JavaScript values.
 */
import { canonicalJson } from "@keyward/domain/event-chain";
import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";

export type Dialect = "sqlite" | "postgres";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not as it is typed now
type AnyDb = Kysely<any>;

function types(dialect: Dialect) {
  const pg = dialect === "postgres";
  return {
    ts: pg ? sql`timestamptz` : sql`text`,
    date: pg ? sql`date` : sql`text`,
    json: pg ? sql`jsonb` : sql`text`,
    bytes: pg ? sql`bytea` : sql`blob`,
  } as const;
}

async function initial(db: AnyDb, dialect: Dialect): Promise<void> {
  const t = types(dialect);

  await db.schema
    .createTable("organizations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("settings", t.json, (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("regions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .addUniqueConstraint("regions_name_unique", ["organization_id", "name"])
    .execute();

  await db.schema
    .createTable("properties")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("region_id", "text", (c) => c.references("regions.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("time_zone", "text", (c) => c.notNull())
    .addColumn("address", "text")
    .addColumn("max_offline_minutes", "integer", (c) => c.notNull())
    .addColumn("max_copies_per_unit", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .addUniqueConstraint("properties_code_unique", ["organization_id", "code"])
    .execute();

  await db.schema
    .createTable("buildings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("code", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .addUniqueConstraint("buildings_name_unique", ["property_id", "name"])
    .execute();

  await db.schema
    .createTable("units")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("building_id", "text", (c) => c.references("buildings.id"))
    .addColumn("number", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("occupancy", "text", (c) => c.notNull())
    .addColumn("floor", "text")
    .addColumn("notes", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .addUniqueConstraint("units_number_unique", ["property_id", "number"])
    .execute();

  await db.schema
    .createTable("key_sets")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("unit_id", "text", (c) => c.references("units.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("max_copies", "integer")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .addUniqueConstraint("key_sets_name_unique", ["property_id", "name"])
    .execute();

  await db.schema
    .createTable("cabinets")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("location", "text")
    .addColumn("capabilities", t.json, (c) => c.notNull())
    .addColumn("factor_policy", "text", (c) => c.notNull())
    .addColumn("modules", "integer", (c) => c.notNull())
    .addColumn("hooks_per_module", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("device_public_key", "text")
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .addUniqueConstraint("cabinets_name_unique", ["property_id", "name"])
    .execute();

  await db.schema
    .createTable("hooks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("cabinet_id", "text", (c) => c.notNull().references("cabinets.id"))
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("module", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addUniqueConstraint("hooks_number_unique", ["cabinet_id", "number"])
    .execute();

  await db.schema
    .createTable("keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("key_set_id", "text", (c) => c.references("key_sets.id"))
    .addColumn("unit_id", "text", (c) => c.references("units.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("tag_code", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("cabinet_id", "text", (c) => c.references("cabinets.id"))
    .addColumn("hook_number", "integer")
    .addColumn("restricted", "integer", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    // why: a tag is anonymous but must identify exactly one key in the organization
    .addUniqueConstraint("keys_tag_unique", ["organization_id", "tag_code"])
    .execute();
  await db.schema
    .createIndex("keys_hook_unique")
    .on("keys")
    .columns(["cabinet_id", "hook_number"])
    .unique()
    .where(sql.ref("cabinet_id"), "is not", null)
    .execute();

  await db.schema
    .createTable("people")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("home_property_id", "text", (c) => c.references("properties.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("first_name", "text", (c) => c.notNull())
    .addColumn("last_name", "text", (c) => c.notNull())
    .addColumn("employee_number", "text")
    .addColumn("company", "text")
    .addColumn("email", "text")
    .addColumn("phone", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("start_date", t.date)
    .addColumn("end_date", t.date)
    .addColumn("deactivated_at", t.ts)
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("people_employee_number_unique")
    .on("people")
    .columns(["organization_id", "employee_number"])
    .unique()
    .where(sql.ref("employee_number"), "is not", null)
    .execute();

  await db.schema
    .createTable("credentials")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("person_id", "text", (c) => c.notNull().references("people.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("badge_number", "text")
    .addColumn("pin_hash", "text")
    .addColumn("pin_activation_hash", "text")
    .addColumn("pin_activation_expires_at", t.ts)
    .addColumn("fingerprint_ref", "text")
    .addColumn("consent_at", t.ts)
    .addColumn("consent_text", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();
  // why: a badge number identifies one person in the organization until the badge is revoked
  await db.schema
    .createIndex("credentials_badge_unique")
    .on("credentials")
    .columns(["organization_id", "badge_number"])
    .unique()
    .where(sql.ref("status"), "<>", "revoked")
    .execute();
  await db.schema.createIndex("credentials_person").on("credentials").columns(["person_id"]).execute();
  // why: one live PIN per person, even when two managers issue one at the same moment
  await sql`create unique index credentials_one_pin on credentials (person_id) where kind = 'pin' and status <> 'revoked'`.execute(
    db,
  );

  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("person_id", "text", (c) => c.notNull().references("people.id"))
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("totp_secret", "text")
    // why: a new authenticator stays pending until a code confirms it; the active one keeps working meanwhile
    .addColumn("totp_pending_secret", "text")
    // why: the last 30-second step accepted, so a code cannot be replayed within its window
    .addColumn("totp_last_step", "integer")
    .addColumn("totp_enabled_at", t.ts)
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("last_login_at", t.ts)
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();
  // why: one login per person, even when two managers create it at the same moment
  await db.schema.createIndex("users_person").on("users").columns(["organization_id", "person_id"]).unique().execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("last_seen_at", t.ts, (c) => c.notNull())
    .addColumn("expires_at", t.ts, (c) => c.notNull())
    .addColumn("ended_at", t.ts)
    .addColumn("end_reason", "text")
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").columns(["user_id"]).execute();

  await db.schema
    .createTable("role_assignments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("person_id", "text", (c) => c.notNull().references("people.id"))
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("scope_type", "text", (c) => c.notNull())
    .addColumn("scope_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("role_assignments_person").on("role_assignments").columns(["person_id"]).execute();
  // why: a role is held once per scope, even when two grants race
  await sql`create unique index role_assignments_active_unique
    on role_assignments (person_id, role, scope_type, coalesce(scope_id, ''))
    where status = 'active'`.execute(db);

  await db.schema
    .createTable("holiday_calendars")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.references("properties.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("dates", t.json, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("access_profiles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("key_scope", t.json, (c) => c.notNull())
    .addColumn("windows", t.json, (c) => c.notNull())
    .addColumn("holiday_calendar_id", "text", (c) => c.references("holiday_calendars.id"))
    .addColumn("valid_from", t.date)
    .addColumn("valid_until", t.date)
    .addColumn("max_keys_out", "integer")
    .addColumn("max_duration_minutes", "integer")
    .addColumn("curfew_time", "text")
    .addColumn("conditions", t.json, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .addUniqueConstraint("access_profiles_name_unique", ["property_id", "name"])
    .execute();

  await db.schema
    .createTable("profile_assignments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("person_id", "text", (c) => c.notNull().references("people.id"))
    .addColumn("access_profile_id", "text", (c) => c.notNull().references("access_profiles.id"))
    .addColumn("valid_from", t.date)
    .addColumn("valid_until", t.date)
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("profile_assignments_person").on("profile_assignments").columns(["person_id"]).execute();

  await db.schema
    .createTable("reason_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("requires_work_order", "integer", (c) => c.notNull())
    .addColumn("default_due_minutes", "integer")
    .addColumn("sort_order", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .addUniqueConstraint("reason_codes_code_unique", ["organization_id", "code"])
    .execute();

  if (dialect === "postgres") {
    await sql`create table events (
      seq bigint generated always as identity primary key,
      id text not null unique,
      organization_id text not null references organizations(id),
      property_id text,
      occurred_at timestamptz not null,
      action text not null,
      entity_type text not null,
      entity_id text,
      actor_type text not null,
      actor_id text,
      actor jsonb not null,
      before jsonb,
      after jsonb,
      source text not null
    )`.execute(db);
    // why: the trail is append-only by mechanism, not by policy: no role of the application can rewrite it
    await sql`create function keyward_events_append_only() returns trigger language plpgsql as $$
      begin raise exception 'events are append-only'; end $$`.execute(db);
    await sql`create trigger events_append_only before update or delete on events
      for each row execute function keyward_events_append_only()`.execute(db);
    await sql`create trigger events_no_truncate before truncate on events
      for each statement execute function keyward_events_append_only()`.execute(db);
  } else {
    await sql`create table events (
      seq integer primary key autoincrement,
      id text not null unique,
      organization_id text not null references organizations(id),
      property_id text,
      occurred_at text not null,
      action text not null,
      entity_type text not null,
      entity_id text,
      actor_type text not null,
      actor_id text,
      actor text not null,
      before text,
      after text,
      source text not null
    )`.execute(db);
    await sql`create trigger events_no_update before update on events
      begin select raise(abort, 'events are append-only'); end`.execute(db);
    await sql`create trigger events_no_delete before delete on events
      begin select raise(abort, 'events are append-only'); end`.execute(db);
  }
  await db.schema
    .createIndex("events_property_time")
    .on("events")
    .columns(["organization_id", "property_id", "occurred_at"])
    .execute();
  await db.schema
    .createIndex("events_entity")
    .on("events")
    .columns(["organization_id", "entity_type", "entity_id", "seq"])
    .execute();

  await db.schema
    .createTable("login_throttle")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("first_failure_at", t.ts, (c) => c.notNull())
    .addColumn("last_failure_at", t.ts, (c) => c.notNull())
    .addColumn("locked_until", t.ts)
    .execute();
  await db.schema.createIndex("login_throttle_last").on("login_throttle").columns(["last_failure_at"]).execute();

  for (const [table, column] of [
    ["regions", "organization_id"],
    ["properties", "organization_id"],
    ["buildings", "property_id"],
    ["units", "property_id"],
    ["key_sets", "property_id"],
    ["keys", "property_id"],
    ["cabinets", "property_id"],
    ["people", "organization_id"],
    ["access_profiles", "property_id"],
    ["reason_codes", "organization_id"],
  ] as const) {
    await db.schema.createIndex(`${table}_${column}_id`).on(table).columns([column, "id"]).execute();
  }
  await db.schema.createIndex("keys_unit").on("keys").columns(["unit_id"]).execute();
  // why: the dashboard's default list orders (keys by label, units by number, people by name) are read straight from
  // an index — per property for a property's pages, per organization for organization-wide ones — never sorted
  for (const [table, scope, sort] of [
    ["keys", "property_id", "label"],
    ["keys", "organization_id", "label"],
    ["units", "property_id", "number"],
    ["people", "organization_id", "last_name"],
    ["people", "home_property_id", "last_name"],
    ["people", "organization_id", "end_date"],
  ] as const) {
    await db.schema.createIndex(`${table}_${scope}_${sort}`).on(table).columns([scope, sort, "id"]).execute();
  }
  // why: the overview counts keys by status per property without reading the keys themselves
  await db.schema
    .createIndex("keys_property_status")
    .on("keys")
    .columns(["organization_id", "property_id", "status"])
    .execute();
}

/**
 * The cabinet: device identities and their enrolment codes, each device's event chain as received, open and closed
 * checkouts, each cabinet's live state, commands on their way down, snapshot versions and the server's signing key.
 */
async function cabinets(db: AnyDb, dialect: Dialect): Promise<void> {
  const t = types(dialect);

  // why: a PIN's lockout as its cabinets report it (the highest count of consecutive failures, the latest failure),
  // carried in every snapshot so that wrong PINs at one cabinet count at the others of the person's properties
  await db.schema
    .alterTable("credentials")
    .addColumn("pin_failures", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("credentials").addColumn("pin_last_failure_at", t.ts).execute();

  await db.schema
    .createTable("server_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("algorithm", "text", (c) => c.notNull())
    .addColumn("public_key", "text", (c) => c.notNull())
    .addColumn("private_key", "text", (c) => c.notNull())
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .execute();

  // why: one counter per property, bumped in the transaction of every change its cabinets' snapshots reflect; per
  // organization, a key taken anywhere would send every cabinet of the organization its whole snapshot again
  await db.schema
    .createTable("snapshot_versions")
    .addColumn("property_id", "text", (c) => c.primaryKey().references("properties.id"))
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("changed_at", t.ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("cabinet_enrollment_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("cabinet_id", "text", (c) => c.notNull().references("cabinets.id"))
    .addColumn("code_hash", "text", (c) => c.notNull().unique())
    .addColumn("expires_at", t.ts, (c) => c.notNull())
    .addColumn("used_at", t.ts)
    .addColumn("created_by", "text")
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("cabinet_devices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("cabinet_id", "text", (c) => c.notNull().references("cabinets.id"))
    .addColumn("public_key", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("agent_version", "text")
    .addColumn("enrolled_at", t.ts, (c) => c.notNull())
    .addColumn("retired_at", t.ts)
    // why: the chain head as stored; the next upload must continue it (seq = last_seq + 1, prev_hash = last_hash)
    .addColumn("last_seq", "integer", (c) => c.notNull())
    .addColumn("last_hash", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("cabinet_devices_cabinet")
    .on("cabinet_devices")
    .columns(["cabinet_id", "status"])
    .execute();

  await db.schema
    .createTable("cabinet_events")
    .addColumn("device_id", "text", (c) => c.notNull().references("cabinet_devices.id"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("cabinet_id", "text", (c) => c.notNull().references("cabinets.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("occurred_at", t.ts, (c) => c.notNull())
    .addColumn("received_at", t.ts, (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("data", t.json, (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    // why: each (device, seq) is stored exactly once however often an upload arrives
    .addPrimaryKeyConstraint("cabinet_events_pk", ["device_id", "seq"])
    .execute();
  await db.schema
    .createIndex("cabinet_events_cabinet_time")
    .on("cabinet_events")
    .columns(["organization_id", "cabinet_id", "occurred_at"])
    .execute();
  if (dialect === "postgres") {
    await sql`create trigger cabinet_events_append_only before update or delete on cabinet_events
      for each row execute function keyward_events_append_only()`.execute(db);
    await sql`create trigger cabinet_events_no_truncate before truncate on cabinet_events
      for each statement execute function keyward_events_append_only()`.execute(db);
  } else {
    await sql`create trigger cabinet_events_no_update before update on cabinet_events
      begin select raise(abort, 'cabinet events are append-only'); end`.execute(db);
    await sql`create trigger cabinet_events_no_delete before delete on cabinet_events
      begin select raise(abort, 'cabinet events are append-only'); end`.execute(db);
  }

  await db.schema
    .createTable("checkouts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("key_id", "text", (c) => c.notNull().references("keys.id"))
    .addColumn("unit_id", "text", (c) => c.references("units.id"))
    .addColumn("person_id", "text", (c) => c.references("people.id"))
    .addColumn("authorized", "integer", (c) => c.notNull())
    .addColumn("cabinet_id", "text", (c) => c.references("cabinets.id"))
    .addColumn("hook_out", "integer")
    .addColumn("reason_code_id", "text", (c) => c.references("reason_codes.id"))
    .addColumn("work_order", "text")
    .addColumn("out_at", t.ts, (c) => c.notNull())
    .addColumn("due_at", t.ts)
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("returned_at", t.ts)
    .addColumn("returned_by", "text", (c) => c.references("people.id"))
    .addColumn("return_cabinet_id", "text", (c) => c.references("cabinets.id"))
    .addColumn("hook_in", "integer")
    .addColumn("out_event_id", "text", (c) => c.notNull())
    .addColumn("in_event_id", "text")
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();
  // why: the keys-out board and a key's history read current state and recent history from indexes, never a scan
  await db.schema
    .createIndex("checkouts_open")
    .on("checkouts")
    .columns(["organization_id", "status", "property_id", "out_at", "id"])
    .execute();
  await db.schema.createIndex("checkouts_key").on("checkouts").columns(["key_id", "out_at"]).execute();
  await db.schema.createIndex("checkouts_person").on("checkouts").columns(["person_id", "status"]).execute();
  await db.schema
    .createIndex("checkouts_property_time")
    .on("checkouts")
    .columns(["organization_id", "property_id", "out_at"])
    .execute();
  // why: a key has at most one open checkout; two cabinets reporting the same key out cannot both open one
  await db.schema
    .createIndex("checkouts_one_open_per_key")
    .on("checkouts")
    .columns(["key_id"])
    .unique()
    .where(sql.ref("status"), "=", "open")
    .execute();

  await db.schema
    .createTable("cabinet_states")
    .addColumn("cabinet_id", "text", (c) => c.primaryKey().references("cabinets.id"))
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("door", "text", (c) => c.notNull())
    .addColumn("last_contact_at", t.ts)
    .addColumn("last_event_at", t.ts)
    .addColumn("snapshot_version", "integer")
    .addColumn("open_alarms", "integer", (c) => c.notNull())
    .addColumn("last_alarm", "text")
    .addColumn("last_alarm_at", t.ts)
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("cabinet_commands")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.notNull().references("properties.id"))
    .addColumn("cabinet_id", "text", (c) => c.notNull().references("cabinets.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("params", t.json, (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("requested_by", "text")
    .addColumn("requested_at", t.ts, (c) => c.notNull())
    .addColumn("expires_at", t.ts, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("executed_at", t.ts)
    .execute();
  await db.schema
    .createIndex("cabinet_commands_pending")
    .on("cabinet_commands")
    .columns(["cabinet_id", "status", "requested_at"])
    .execute();
}

/** Rewrites a JSON text column canonically (RFC 8785), row by row. */
async function canonicalizeColumn(db: AnyDb, table: string, key: string[], column: string): Promise<void> {
  const rows = await db
    .selectFrom(table)
    .select([...key, column])
    .where(column, "is not", null)
    .execute();
  for (const row of rows) {
    const text = row[column] as string;
    const canonical = canonicalJson(JSON.parse(text));
    if (canonical !== text) {
      let update = db.updateTable(table).set({ [column]: canonical });
      for (const k of key) {
        update = update.where(k, "=", row[k]);
      }
      await update.execute();
    }
  }
}

async function audit(db: AnyDb, dialect: Dialect): Promise<void> {
  const t = types(dialect);
  // why: the device's signature over its chain head, as uploaded, so a third party can check it from the rows alone;
  // records stored before this migration kept none and are marked "" (not kept), distinct from null (mid-upload)
  await db.schema.alterTable("cabinet_events").addColumn("head_signature", "text").execute();
  // The history written before the log existed is settled once, here, before its first entry: only its bytes and one
  // erasable field change, never what happened.
  if (dialect === "sqlite") {
    await sql`drop trigger events_no_update`.execute(db);
    await sql`drop trigger cabinet_events_no_update`.execute(db);
    // why: on SQLite the audit log embeds the stored JSON text verbatim (it is hashed as it is kept), so the text must
    // be in canonical form; rows written before this migration were not. PostgreSQL keeps jsonb, which has no bytes.
    for (const column of ["actor", "before", "after"]) {
      await canonicalizeColumn(db, "events", ["id"], column);
    }
    await canonicalizeColumn(db, "cabinet_events", ["device_id", "seq"], "data");
  } else {
    await sql`alter table events disable trigger events_append_only`.execute(db);
    await sql`alter table cabinet_events disable trigger cabinet_events_append_only`.execute(db);
  }
  // why: a fingerprint's enrolment reference must stay erasable, and the log keeps every event for ever
  const issued = await db
    .selectFrom("events")
    .select(["id", "after"])
    .where("action", "=", "credential.issued")
    .where("after", "is not", null)
    .execute();
  for (const row of issued) {
    const after = (typeof row.after === "string" ? JSON.parse(row.after) : row.after) as Record<string, unknown>;
    if (typeof after.fingerprintRef === "string" && after.fingerprintRef !== "(enrolled)") {
      const masked = { ...after, fingerprintRef: "(enrolled)" };
      await db
        .updateTable("events")
        .set({ after: dialect === "sqlite" ? canonicalJson(masked) : JSON.stringify(masked) })
        .where("id", "=", row.id)
        .execute();
    }
  }
  await db.updateTable("cabinet_events").set({ head_signature: "" }).execute();
  if (dialect === "sqlite") {
    await sql`create trigger events_no_update before update on events
      begin select raise(abort, 'events are append-only'); end`.execute(db);
    await sql`create trigger cabinet_events_no_update before update on cabinet_events
      begin select raise(abort, 'cabinet events are append-only'); end`.execute(db);
  } else {
    await sql`alter table events enable trigger events_append_only`.execute(db);
    await sql`alter table cabinet_events enable trigger cabinet_events_append_only`.execute(db);
  }

  await db.schema.createIndex("cabinet_events_event").on("cabinet_events").columns(["event_id"]).execute();

  await db.schema
    .createTable("audit_logs")
    .addColumn("organization_id", "text", (c) => c.primaryKey().references("organizations.id"))
    .addColumn("origin", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("root_hash", "text", (c) => c.notNull())
    /** JSON array of hex hashes: the complete subtrees of the current tree, left to right. */
    .addColumn("edge", "text", (c) => c.notNull())
    .addColumn("checkpoint_size", "integer", (c) => c.notNull())
    .addColumn("checkpoint_at", t.ts)
    .addColumn("first_unsigned_at", t.ts)
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("audit_leaves")
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("idx", "integer", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("sequenced_at", t.ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("audit_leaves_pk", ["organization_id", "idx"])
    // why: an event is in the log exactly once
    .addUniqueConstraint("audit_leaves_event_unique", ["event_id"])
    .execute();

  // why: C2SP-style tiles: one row holds up to 256 hashes of one tree level (0, 8, 16…), so a log of ten million
  // entries is forty thousand rows, and any proof needs a few dozen of them
  await db.schema
    .createTable("audit_tiles")
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("level", "integer", (c) => c.notNull())
    .addColumn("idx", "integer", (c) => c.notNull())
    .addColumn("hashes", t.bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint("audit_tiles_pk", ["organization_id", "level", "idx"])
    .execute();

  if (dialect === "postgres") {
    await sql`create table audit_pending (
      id bigint generated always as identity primary key,
      organization_id text not null references organizations(id),
      event_id text not null unique
    )`.execute(db);
  } else {
    await sql`create table audit_pending (
      id integer primary key autoincrement,
      organization_id text not null references organizations(id),
      event_id text not null unique
    )`.execute(db);
  }
  await db.schema.createIndex("audit_pending_org").on("audit_pending").columns(["organization_id", "id"]).execute();
  // why: every event written before the log existed joins it, in the order it was written
  await sql`insert into audit_pending (organization_id, event_id)
    select organization_id, id from events order by seq`.execute(db);

  await db.schema
    .createTable("audit_checkpoints")
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("root_hash", "text", (c) => c.notNull())
    .addColumn("note", "text", (c) => c.notNull())
    .addColumn("key_name", "text", (c) => c.notNull())
    .addColumn("signed_at", t.ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("audit_checkpoints_pk", ["organization_id", "size"])
    .execute();

  await db.schema
    .createTable("audit_offsite")
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("copied_size", "integer", (c) => c.notNull())
    .addColumn("last_success_at", t.ts)
    .addColumn("last_attempt_at", t.ts)
    .addColumn("last_error", "text")
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", t.ts)
    .addColumn("alarm_raised", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("audit_offsite_pk", ["organization_id", "target"])
    .execute();

  await db.schema
    .createTable("audit_verifications")
    .addColumn("id", "text", (c) => c.primaryKey())
    // why: null when the run covered every organization
    .addColumn("organization_id", "text", (c) => c.references("organizations.id"))
    .addColumn("started_at", t.ts, (c) => c.notNull())
    .addColumn("finished_at", t.ts, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("report", t.json, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_verifications_time").on("audit_verifications").columns(["finished_at"]).execute();

  // why: with several server processes on one PostgreSQL, a scheduled job runs in the one process holding its lease
  await db.schema
    .createTable("job_leases")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("holder", "text", (c) => c.notNull())
    .addColumn("expires_at", t.ts, (c) => c.notNull())
    .addColumn("last_run_at", t.ts)
    .execute();

  if (dialect === "postgres") {
    for (const table of ["audit_leaves", "audit_checkpoints"]) {
      await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
        for each row execute function keyward_events_append_only()`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
        for each statement execute function keyward_events_append_only()`.execute(db);
    }
  } else {
    for (const table of ["audit_leaves", "audit_checkpoints"]) {
      await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.table(table)}
        begin select raise(abort, 'the audit log is append-only'); end`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_no_delete`)} before delete on ${sql.table(table)}
        begin select raise(abort, 'the audit log is append-only'); end`.execute(db);
    }
  }
}

/**
 * Reports: the indexes that keep them fast at portfolio scale, and scheduled delivery by e-mail (each schedule's
 * runs, each run delivered once however many server processes share the database).
 */
async function reports(db: AnyDb, dialect: Dialect): Promise<void> {
  const t = types(dialect);

  // why: reports read history by time, never by scanning it — organization-wide (a month of every property), per
  // person (an employee's own usual), per unit (a resident's question), and events by action (denials, failed PINs,
  // alarms) without reading every other event of the period
  for (const [name, table, columns] of [
    // why: the organization's checkouts by time carry what the organization-wide reports read (who, which unit, when
    // back, by whom, why, which work order), so a month of a portfolio is read from the index alone, in time order
    [
      "checkouts_org_time",
      "checkouts",
      [
        "organization_id",
        "out_at",
        "person_id",
        "unit_id",
        "returned_at",
        "returned_by",
        "reason_code_id",
        "work_order",
      ],
    ],
    ["checkouts_person_time", "checkouts", ["organization_id", "person_id", "out_at"]],
    ["checkouts_unit_time", "checkouts", ["organization_id", "unit_id", "out_at"]],
    ["events_action_time", "events", ["organization_id", "action", "occurred_at"]],
    // why: returns by someone other than the holder are found by when the key came back, not by when it left
    ["checkouts_property_returned", "checkouts", ["organization_id", "property_id", "returned_at", "returned_by"]],
    ["checkouts_org_returned", "checkouts", ["organization_id", "returned_at", "returned_by"]],
    // why: the access review reads who may take keys at a property without scanning every assignment
    ["profile_assignments_property", "profile_assignments", ["organization_id", "property_id", "person_id"]],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on(table)
      .columns([...columns])
      .execute();
  }

  await db.schema
    .createTable("report_schedules")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    // why: null for an organization-wide report
    .addColumn("property_id", "text", (c) => c.references("properties.id"))
    .addColumn("report", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    /** JSON: the report's filters, as its query string takes them. */
    .addColumn("params", t.json, (c) => c.notNull())
    .addColumn("frequency", "text", (c) => c.notNull())
    .addColumn("weekday", "integer")
    .addColumn("month_day", "integer")
    .addColumn("local_time", "text", (c) => c.notNull())
    .addColumn("time_zone", "text", (c) => c.notNull())
    /** JSON: `{ roles, userIds, emails }`, resolved to addresses when a run is delivered. */
    .addColumn("recipients", t.json, (c) => c.notNull())
    /** JSON: the attachments, e.g. `["pdf","csv"]`. */
    .addColumn("formats", t.json, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("next_run_at", t.ts, (c) => c.notNull())
    .addColumn("last_run_at", t.ts)
    .addColumn("created_by", "text", (c) => c.references("users.id"))
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("report_schedules_due")
    .on("report_schedules")
    .columns(["status", "next_run_at"])
    .execute();
  await db.schema
    .createIndex("report_schedules_property")
    .on("report_schedules")
    .columns(["organization_id", "property_id"])
    .execute();

  await db.schema
    .createTable("report_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("schedule_id", "text", (c) => c.notNull().references("report_schedules.id"))
    /** The run this delivery is: the schedule's instant, not when it was sent. */
    .addColumn("due_at", t.ts, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", t.ts)
    .addColumn("claimed_by", "text")
    .addColumn("claimed_until", t.ts)
    .addColumn("last_error", "text")
    /** JSON: the addresses it went to. */
    .addColumn("recipients", t.json)
    .addColumn("message_id", "text")
    .addColumn("sent_at", t.ts)
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    // why: one delivery per run of a schedule, however many processes find it due at once
    .addUniqueConstraint("report_deliveries_once", ["schedule_id", "due_at"])
    .execute();
  await db.schema
    .createIndex("report_deliveries_pending")
    .on("report_deliveries")
    .columns(["status", "next_attempt_at"])
    .execute();
  await db.schema
    .createIndex("report_deliveries_schedule")
    .on("report_deliveries")
    .columns(["organization_id", "schedule_id", "due_at"])
    .execute();
}

/** Alerts: rules per property, alerts with one open per cause, their deliveries, webhook endpoints, preferences. */
async function alerts(db: AnyDb, dialect: Dialect): Promise<void> {
  const t = types(dialect);

  await db.schema
    .createTable("alert_rules")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.references("properties.id"))
    /** The property's id, or "organization" for the organization's own rules (a null would not be unique). */
    .addColumn("scope_key", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    /** JSON: the fields set (`StoredAlertRule`); the rest are the kind's defaults. */
    .addColumn("settings", t.json, (c) => c.notNull())
    .addColumn("updated_by", "text")
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .addUniqueConstraint("alert_rules_one_per_kind", ["organization_id", "scope_key", "kind"])
    .execute();

  await db.schema
    .createTable("alerts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("property_id", "text", (c) => c.references("properties.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    /** What the alert stands for (`kind:subject`): one open alert per cause. */
    .addColumn("cause_key", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("subject_type", "text", (c) => c.notNull())
    .addColumn("subject_id", "text", (c) => c.notNull())
    .addColumn("cabinet_id", "text")
    .addColumn("key_id", "text")
    .addColumn("person_id", "text")
    .addColumn("checkout_id", "text")
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull())
    /** JSON: facts for messages and the dashboard. */
    .addColumn("details", t.json, (c) => c.notNull())
    .addColumn("first_event_id", "text")
    .addColumn("last_event_id", "text")
    /** How often the cause recurred while this alert was open (1: once). */
    .addColumn("occurrences", "integer", (c) => c.notNull())
    .addColumn("opened_at", t.ts, (c) => c.notNull())
    .addColumn("last_seen_at", t.ts, (c) => c.notNull())
    .addColumn("acknowledged_at", t.ts)
    .addColumn("acknowledged_by", "text")
    .addColumn("acknowledged_by_name", "text")
    .addColumn("acknowledgement_note", "text")
    .addColumn("resolved_at", t.ts)
    .addColumn("resolved_by", "text")
    .addColumn("resolved_by_name", "text")
    .addColumn("resolution_note", "text")
    /** `manual` (someone resolved it) or `cleared` (the condition ended: a key back, a cabinet in contact). */
    .addColumn("resolution", "text")
    .addColumn("escalation_level", "integer", (c) => c.notNull())
    /** When it escalates if still open (and, except for an overdue key, unacknowledged); null: never. */
    .addColumn("escalate_at", t.ts)
    .addColumn("escalated_at", t.ts)
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();
  // why: one alert open (not yet acknowledged) per cause however many processes raise it at once — the database, not
  // a read, decides; once someone has acknowledged it, the next incident of the cause is news and opens a new alert
  await sql`create unique index alerts_one_open_per_cause on alerts (organization_id, cause_key) where status = 'open'`.execute(
    db,
  );
  await db.schema
    .createIndex("alerts_org_status")
    .on("alerts")
    .columns(["organization_id", "status", "opened_at"])
    .execute();
  // why: the scheduler asks whether a cause ever had an alert (one resolved by hand is not raised again for the same
  // overdue checkout or the same outage)
  await db.schema.createIndex("alerts_cause").on("alerts").columns(["organization_id", "cause_key"]).execute();
  await db.schema
    .createIndex("alerts_property_time")
    .on("alerts")
    .columns(["organization_id", "property_id", "opened_at"])
    .execute();
  await sql`create index alerts_escalation on alerts (escalate_at) where status <> 'resolved' and escalate_at is not null`.execute(
    db,
  );

  await db.schema
    .createTable("webhook_endpoints")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    /** Only this property's alerts; null: every property's and the organization's. */
    .addColumn("property_id", "text", (c) => c.references("properties.id"))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("description", "text")
    /** The HMAC-SHA256 signing secret, shown once when created or rotated. */
    .addColumn("secret", "text", (c) => c.notNull())
    /** JSON: alert kinds sent (empty: all). */
    .addColumn("kinds", t.json, (c) => c.notNull())
    .addColumn("min_severity", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("webhook_endpoints_org")
    .on("webhook_endpoints")
    .columns(["organization_id", "status"])
    .execute();

  await db.schema
    .createTable("alert_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    /** Null for a daily digest (it covers many alerts). */
    .addColumn("alert_id", "text", (c) => c.references("alerts.id"))
    /** What it tells: `opened`, `escalated`, `acknowledged`, `resolved` (webhooks), `digest`. */
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("endpoint_id", "text", (c) => c.references("webhook_endpoints.id"))
    /** The address, phone number or URL it goes to. */
    .addColumn("target", "text", (c) => c.notNull())
    /** Set where a delivery must exist once (a user's digest of a day): the key that makes it unique. */
    .addColumn("dedupe_key", "text")
    /** JSON: what is sent (a webhook's body is fixed when queued, so every retry sends the same bytes). */
    .addColumn("payload", t.json)
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", t.ts)
    .addColumn("claimed_by", "text")
    .addColumn("claimed_until", t.ts)
    .addColumn("last_error", "text")
    .addColumn("response_status", "integer")
    .addColumn("response_excerpt", "text")
    .addColumn("provider_id", "text")
    .addColumn("duration_ms", "integer")
    .addColumn("sent_at", t.ts)
    .addColumn("created_at", t.ts, (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .addUniqueConstraint("alert_deliveries_once", ["dedupe_key"])
    .execute();
  await db.schema
    .createIndex("alert_deliveries_due")
    .on("alert_deliveries")
    .columns(["status", "next_attempt_at"])
    .execute();
  await db.schema
    .createIndex("alert_deliveries_alert")
    .on("alert_deliveries")
    .columns(["organization_id", "alert_id"])
    .execute();
  await db.schema
    .createIndex("alert_deliveries_endpoint")
    .on("alert_deliveries")
    .columns(["organization_id", "endpoint_id", "created_at"])
    .execute();

  await db.schema
    .createTable("notification_preferences")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id"))
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("email", "integer", (c) => c.notNull())
    .addColumn("sms", "integer", (c) => c.notNull())
    /** E.164, for text messages. */
    .addColumn("phone", "text")
    /** Below this severity nothing is sent to this person (the dashboard still shows it). */
    .addColumn("min_severity", "text", (c) => c.notNull())
    .addColumn("digest", "integer", (c) => c.notNull())
    /** Local "HH:MM" of the daily digest, in `time_zone`. */
    .addColumn("digest_time", "text", (c) => c.notNull())
    .addColumn("time_zone", "text", (c) => c.notNull())
    .addColumn("updated_at", t.ts, (c) => c.notNull())
    .execute();
}

/** The migrations, in order, for a dialect. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    "0001_initial": { up: (db) => initial(db, dialect) },
    "0002_cabinets": { up: (db) => cabinets(db, dialect) },
    "0003_audit": { up: (db) => audit(db, dialect) },
    "0004_reports": { up: (db) => reports(db, dialect) },
    "0005_alerts": { up: (db) => alerts(db, dialect) },
  };
  return { getMigrations: async () => migrations };
}
