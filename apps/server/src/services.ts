/** What every route and command is given: the database, the clock and the configuration. */

import { type OrganizationSettings, OrganizationSettings as SettingsSchema } from "@keyward/contracts/resources";
import type { DatabaseHandle, Db, Executor } from "@keyward/db/connect";
import type { Config } from "./config.ts";
import type { Notifier } from "./live/notifier.ts";

export interface Services {
  handle: DatabaseHandle;
  db: Db;
  config: Config;
  /** The clock: injected so tests can move time. */
  now: () => Date;
  /** Waits; the sign-in throttle's delays go through it so tests can observe them without waiting. */
  sleep: (ms: number) => Promise<void>;
  /** Tells open streams (cabinets, dashboards) of committed changes, across every server process. */
  notifier: Notifier;
}

/** Reads an organization's settings, defaults filled in. */
export async function organizationSettings(db: Executor, organizationId: string): Promise<OrganizationSettings> {
  const row = await db
    .selectFrom("organizations")
    .select("settings")
    .where("id", "=", organizationId)
    .executeTakeFirst();
  return SettingsSchema.parse(row ? JSON.parse(row.settings) : {});
}
