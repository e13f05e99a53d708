/**
 * Remote release: a manager opens a cabinet's door from afar. The command travels down the cabinet's stream, expires
 * two minutes after it was asked for, and is marked executed when the cabinet's `cabinet.remote_release_executed`
 * event arrives.
 */
import { randomUUID } from "node:crypto";
import type { CabinetCommand } from "@keyward/contracts/cabinet-sync";
import type { RemoteRelease } from "@keyward/contracts/custody";
import type { Executor } from "@keyward/db/connect";
import type { CabinetCommandTable } from "@keyward/db/schema";
import type { Selectable } from "kysely";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { loadControllableCabinet, loadReadableCabinet } from "../cabinet/load-cabinet.ts";
import { conflict, notFound } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { afterCommit } from "../live/after-commit.ts";
import type { CommandContext } from "../resources/definition.ts";

/** How long a remote release may wait for its cabinet: a door must not open minutes after it was asked. */
export const REMOTE_RELEASE_TTL_SECONDS = 120;

type CommandRow = Selectable<CabinetCommandTable>;

/** The command as the cabinet receives it. */
export function presentCommand(row: CommandRow): CabinetCommand {
  return {
    id: row.id,
    kind: "remote_release",
    reason: row.reason,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    params: JSON.parse(row.params) as CabinetCommand["params"],
  };
}

/** The command as the dashboard follows it. */
export function presentRemoteRelease(row: CommandRow, now: Date): RemoteRelease {
  const status = row.status === "executed" ? "executed" : row.expires_at <= now.toISOString() ? "expired" : "pending";
  return {
    commandId: row.id,
    cabinetId: row.cabinet_id,
    status,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    executedAt: row.executed_at,
  };
}

/** A cabinet's pending, unexpired commands, oldest first (or the one named, if it still is). */
export async function pendingCommands(
  db: Executor,
  device: { organizationId: string; cabinetId: string },
  now: Date,
  commandId?: string,
): Promise<CommandRow[]> {
  let q = db
    .selectFrom("cabinet_commands")
    .selectAll()
    .where("organization_id", "=", device.organizationId)
    .where("cabinet_id", "=", device.cabinetId)
    .where("status", "=", "pending")
    .where("expires_at", ">", now.toISOString());
  if (commandId) {
    q = q.where("id", "=", commandId);
  }
  return q.orderBy("requested_at").execute();
}

/** @throws not_found, forbidden, conflict (no enrolled device to send it to). */
export async function requestRemoteRelease(
  ctx: CommandContext,
  cabinetId: string,
  input: { reason: string; seconds: number },
): Promise<RemoteRelease> {
  const { tx, actor, now } = ctx;
  const cabinet = await loadControllableCabinet(tx, actor, cabinetId);
  const device = await tx
    .selectFrom("cabinet_devices")
    .select("id")
    .where("organization_id", "=", actor.organizationId)
    .where("cabinet_id", "=", cabinet.id)
    .where("status", "=", "active")
    .executeTakeFirst();
  if (!device) {
    throw conflict("cabinetId", "This cabinet has no enrolled agent to receive the release. Enrol it first.");
  }
  const row: CommandRow = {
    id: randomUUID(),
    organization_id: actor.organizationId,
    property_id: cabinet.property_id,
    cabinet_id: cabinet.id,
    kind: "remote_release",
    params: JSON.stringify({ seconds: input.seconds }),
    reason: input.reason,
    requested_by: actor.name,
    requested_at: now.toISOString(),
    expires_at: new Date(now.getTime() + REMOTE_RELEASE_TTL_SECONDS * 1000).toISOString(),
    status: "pending",
    executed_at: null,
  };
  await tx.insertInto("cabinet_commands").values(row).execute();
  await recordEvent(tx, {
    organizationId: actor.organizationId,
    propertyId: cabinet.property_id,
    action: "cabinet.remote_release_requested",
    entityType: "cabinet",
    entityId: cabinet.id,
    actor: snapshotOf(actor),
    after: { commandId: row.id, reason: input.reason, seconds: input.seconds, expiresAt: row.expires_at },
    now,
  });
  afterCommit(tx, {
    channel: "command",
    organizationId: actor.organizationId,
    cabinetId: cabinet.id,
    commandId: row.id,
  });
  afterCommit(tx, {
    channel: "live",
    organizationId: actor.organizationId,
    message: { topics: ["cabinets", "events"], propertyId: cabinet.property_id, at: now.toISOString() },
  });
  return presentRemoteRelease(row, now);
}

/** @throws not_found for a cabinet the actor cannot see or a command not of this cabinet. */
export async function getRemoteRelease(
  db: Executor,
  actor: AuthenticatedActor,
  cabinetId: string,
  commandId: string,
  now: Date,
): Promise<RemoteRelease> {
  const cabinet = await loadReadableCabinet(db, actor, cabinetId);
  const row = await db
    .selectFrom("cabinet_commands")
    .selectAll()
    .where("organization_id", "=", actor.organizationId)
    .where("cabinet_id", "=", cabinet.id)
    .where("id", "=", commandId)
    .executeTakeFirst();
  if (!row) {
    throw notFound("remote release");
  }
  return presentRemoteRelease(row, now);
}
