/**
 * Writing the generated portfolio's rows fast, on either database: SQLite through the driver's own prepared statements
 * inside one big transaction per call, PostgreSQL through multi-row `insert … select * from unnest(…)` of several
 * thousand rows each. Rows are value arrays in the column order of each table below.
 */
import type { DatabaseHandle, Executor } from "@keyward/db/connect";
import type { Database } from "@keyward/db/schema";
import type SqliteDatabase from "better-sqlite3";
import { sql } from "kysely";

type PgType = "text" | "int" | "ts" | "json" | "date";

/** A table the generator writes, with its columns in insert order. */
export interface TableSpec {
  name: keyof Database & string;
  columns: readonly (readonly [string, PgType])[];
}

const t = (name: TableSpec["name"], columns: string): TableSpec => ({
  name,
  columns: columns
    .trim()
    .split(/\s+/)
    .map((c) => {
      const [column = "", type = "text"] = c.split(":");
      return [column, type as PgType] as const;
    }),
});

const STAMPS = "created_at:ts updated_at:ts";

/** Every table the generator writes, in an order that satisfies the foreign keys. */
export const TABLES = {
  organizations: t("organizations", `id name settings:json ${STAMPS}`),
  regions: t("regions", `id organization_id name status ${STAMPS}`),
  properties: t(
    "properties",
    `id organization_id region_id name code time_zone address max_offline_minutes:int max_copies_per_unit:int status ${STAMPS}`,
  ),
  buildings: t("buildings", `id organization_id property_id name code status ${STAMPS}`),
  units: t("units", `id organization_id property_id building_id number kind occupancy floor notes status ${STAMPS}`),
  key_sets: t("key_sets", `id organization_id property_id unit_id name max_copies:int status ${STAMPS}`),
  cabinets: t(
    "cabinets",
    `id organization_id property_id name location capabilities:json factor_policy modules:int hooks_per_module:int status device_public_key ${STAMPS}`,
  ),
  hooks: t("hooks", "id organization_id property_id cabinet_id number:int module:int status"),
  keys: t(
    "keys",
    `id organization_id property_id key_set_id unit_id kind label tag_code status cabinet_id hook_number:int restricted:int ${STAMPS}`,
  ),
  people: t(
    "people",
    `id organization_id home_property_id kind first_name last_name employee_number company email phone status start_date:date end_date:date deactivated_at:ts ${STAMPS}`,
  ),
  credentials: t(
    "credentials",
    `id organization_id person_id kind badge_number pin_hash pin_activation_hash pin_activation_expires_at:ts fingerprint_ref consent_at:ts consent_text status ${STAMPS} pin_failures:int pin_last_failure_at:ts`,
  ),
  users: t(
    "users",
    `id organization_id person_id email password_hash totp_secret totp_pending_secret totp_last_step:int totp_enabled_at:ts status last_login_at:ts ${STAMPS}`,
  ),
  role_assignments: t("role_assignments", `id organization_id person_id role scope_type scope_id status ${STAMPS}`),
  holiday_calendars: t("holiday_calendars", `id organization_id property_id name dates:json status ${STAMPS}`),
  access_profiles: t(
    "access_profiles",
    `id organization_id property_id name description key_scope:json windows:json holiday_calendar_id valid_from:date valid_until:date max_keys_out:int max_duration_minutes:int curfew_time conditions:json status ${STAMPS}`,
  ),
  profile_assignments: t(
    "profile_assignments",
    `id organization_id property_id person_id access_profile_id valid_from:date valid_until:date status ${STAMPS}`,
  ),
  reason_codes: t(
    "reason_codes",
    `id organization_id code label requires_work_order:int default_due_minutes:int sort_order:int status ${STAMPS}`,
  ),
  cabinet_devices: t(
    "cabinet_devices",
    "id organization_id property_id cabinet_id public_key status agent_version enrolled_at:ts retired_at:ts last_seq:int last_hash",
  ),
  cabinet_states: t(
    "cabinet_states",
    "cabinet_id organization_id property_id door last_contact_at:ts last_event_at:ts snapshot_version:int open_alarms:int last_alarm last_alarm_at:ts updated_at:ts",
  ),
  snapshot_versions: t("snapshot_versions", "property_id organization_id version:int changed_at:ts"),
  events: t(
    "events",
    "id organization_id property_id occurred_at:ts action entity_type entity_id actor_type actor_id actor:json before:json after:json source",
  ),
  cabinet_events: t(
    "cabinet_events",
    "device_id seq:int organization_id property_id cabinet_id type occurred_at:ts received_at:ts prev_hash hash data:json event_id head_signature",
  ),
  audit_pending: t("audit_pending", "organization_id event_id"),
  checkouts: t(
    "checkouts",
    "id organization_id property_id key_id unit_id person_id authorized:int cabinet_id hook_out:int reason_code_id work_order out_at:ts due_at:ts status returned_at:ts returned_by return_cabinet_id hook_in:int out_event_id in_event_id created_at:ts updated_at:ts",
  ),
} as const satisfies Record<string, TableSpec>;

/** A cell value as both drivers take it. */
export type Cell = string | number | null;

/** Where rows go: straight into the open transaction (SQLite) or into batches flushed in foreign-key order. */
export interface RowSink {
  add(table: TableSpec, values: readonly Cell[]): void;
  /** Writes the buffered batches once they are big enough (PostgreSQL); a no-op on SQLite. */
  maybeFlush(): Promise<void>;
  /** Writes whatever is buffered (PostgreSQL); a no-op on SQLite. */
  flush(): Promise<void>;
}

/** Rows per PostgreSQL statement. */
const PG_BATCH = 5_000;

const PG_ARRAY: Record<PgType, string> = {
  text: "text[]",
  int: "int[]",
  ts: "timestamptz[]",
  json: "jsonb[]",
  date: "date[]",
};

function sqliteSink(sqlite: SqliteDatabase.Database): RowSink {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    add(table, values) {
      let statement = statements.get(table.name);
      if (!statement) {
        const columns = table.columns.map(([c]) => c);
        statement = sqlite.prepare(
          `insert into ${table.name} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
        );
        statements.set(table.name, statement);
      }
      statement.run(values);
    },
    maybeFlush: async () => {},
    flush: async () => {},
  };
}

interface PgBuffer {
  table: TableSpec;
  columns: Cell[][];
  rows: number;
}

function postgresSink(tx: Executor): RowSink {
  const order = Object.values(TABLES).map((table) => table.name);
  const buffers = new Map<string, PgBuffer>();
  let buffered = 0;
  const write = async (entry: PgBuffer) => {
    if (entry.rows === 0) {
      return;
    }
    const { table, columns } = entry;
    entry.columns = table.columns.map(() => []);
    entry.rows = 0;
    const names = sql.join(table.columns.map(([c]) => sql.ref(c)));
    const arrays = sql.join(
      columns.map((values, i) => sql`${values}::${sql.raw(PG_ARRAY[table.columns[i]?.[1] ?? "text"])}`),
    );
    await sql`insert into ${sql.table(table.name)} (${names}) select * from unnest(${arrays})`.execute(tx);
  };
  const flush = async () => {
    buffered = 0;
    // why: the batches go in foreign-key order, so a checkout never arrives before its key
    for (const name of order) {
      const entry = buffers.get(name);
      if (entry) {
        await write(entry);
      }
    }
  };
  return {
    add(table, values) {
      let entry = buffers.get(table.name);
      if (!entry) {
        entry = { table, columns: table.columns.map(() => []), rows: 0 };
        buffers.set(table.name, entry);
      }
      for (let i = 0; i < table.columns.length; i++) {
        entry.columns[i]?.push(values[i] ?? null);
      }
      entry.rows++;
      buffered++;
    },
    maybeFlush: async () => {
      if (buffered >= PG_BATCH) {
        await flush();
      }
    },
    flush,
  };
}

/**
 * Runs `work` in one transaction with a sink for its rows. On SQLite the driver's connection is the one Kysely uses, so
 * queries through `tx` inside `work` see the rows already added.
 */
export async function inGeneratorTransaction(
  handle: DatabaseHandle,
  work: (tx: Executor, sink: RowSink) => Promise<void>,
): Promise<void> {
  const raw = handle.sqlite;
  if (handle.dialect === "sqlite" && raw) {
    raw.exec("begin");
    try {
      await work(handle.db, sqliteSink(raw));
      raw.exec("commit");
    } catch (error) {
      raw.exec("rollback");
      throw error;
    }
    return;
  }
  await handle.db.transaction().execute(async (tx) => {
    const sink = postgresSink(tx);
    await work(tx, sink);
    await sink.flush();
  });
}
