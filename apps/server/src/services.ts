/** What every route and command is given: the database, the clock and the configuration. */

import { type OrganizationSettings, OrganizationSettings as SettingsSchema } from "@keyward/contracts/resources";
import type { DatabaseHandle, Db, Executor } from "@keyward/db/connect";
import type { NoteKey } from "@keyward/domain/signed-note";
import type { OffsiteTarget } from "./audit/offsite/target.ts";
import type { AuditSigner } from "./audit/signer.ts";
import type { Config } from "./config.ts";
import type { Notifier } from "./live/notifier.ts";

/** The audit trail's signer, the keys its checkpoints verify with, and where copies go. */
export interface AuditServices {
  /** Null where no key is configured (the `verify` command): the log is kept, nothing is signed. */
  signer: AuditSigner | null;
  verifierKeys: NoteKey[];
  offsite: OffsiteTarget[];
}

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
  audit: AuditServices;
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
