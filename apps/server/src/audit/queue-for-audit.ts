/**
 * The audit log's outbox: an event joins its organization's log after its transaction commits, in a batch the
 * sequencer appends (`append-pending.ts`). Writing the pending row in the event's own transaction means no event is
 * ever committed without being queued, and the writers never wait on the log.
 */
import { chunked } from "@keyward/db/chunks";
import type { Executor } from "@keyward/db/connect";
import { afterCommit } from "../live/after-commit.ts";

/** Queues events for the organization's audit log and asks for a sequencing pass after the commit. */
export async function queueForAudit(tx: Executor, organizationId: string, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) {
    return;
  }
  for (const part of chunked(eventIds)) {
    await tx
      .insertInto("audit_pending")
      .values(part.map((event_id) => ({ organization_id: organizationId, event_id })))
      .execute();
  }
  afterCommit(tx, { channel: "audit", organizationId });
}
