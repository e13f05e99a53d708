/**
 * A manager acknowledges a cabinet's open alarms (a wrong hook, a key removed with no session, the door held open or
 * forced) once they have looked into them: the count goes back to zero and the note stays in the history. The alarms
 * themselves stay in the cabinet's events; acknowledging changes no fact.
 */
import type { AlarmsAcknowledged } from "@keyward/contracts/custody";
import { snapshotOf } from "../auth/actor.ts";
import { loadControllableCabinet } from "../cabinet/load-cabinet.ts";
import { recordEvent } from "../events.ts";
import { afterCommit } from "../live/after-commit.ts";
import type { CommandContext } from "../resources/definition.ts";

/** @throws not_found (a cabinet the actor cannot see), forbidden (they may see it but not control it). */
export async function acknowledgeAlarms(
  ctx: CommandContext,
  cabinetId: string,
  input: { note: string },
): Promise<AlarmsAcknowledged> {
  const { tx, actor, now } = ctx;
  const cabinet = await loadControllableCabinet(tx, actor, cabinetId);
  const at = now.toISOString();
  const state = await tx
    .selectFrom("cabinet_states")
    .select("open_alarms")
    .where("organization_id", "=", actor.organizationId)
    .where("cabinet_id", "=", cabinet.id)
    .executeTakeFirst();
  const open = state?.open_alarms ?? 0;
  if (open === 0) {
    return { cabinetId: cabinet.id, acknowledged: 0, at };
  }
  // why: only the alarms counted when the manager looked are acknowledged; one arriving meanwhile stays open
  await tx
    .updateTable("cabinet_states")
    .set((eb) => ({ open_alarms: eb("open_alarms", "-", open), updated_at: at }))
    .where("organization_id", "=", actor.organizationId)
    .where("cabinet_id", "=", cabinet.id)
    .execute();
  await recordEvent(tx, {
    organizationId: actor.organizationId,
    propertyId: cabinet.property_id,
    action: "cabinet.alarms_acknowledged",
    entityType: "cabinet",
    entityId: cabinet.id,
    actor: snapshotOf(actor),
    before: { openAlarms: open },
    after: { openAlarms: 0, acknowledged: open, note: input.note },
    now,
  });
  afterCommit(tx, {
    channel: "live",
    organizationId: actor.organizationId,
    message: { topics: ["cabinets", "events"], propertyId: cabinet.property_id, at },
  });
  return { cabinetId: cabinet.id, acknowledged: open, at };
}
