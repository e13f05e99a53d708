/** Signs out: the session ends on the server and the sign-out is recorded, in one transaction. */
import type { Db } from "@keyward/db/connect";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { tokenDigest } from "../auth/passwords.ts";
import { endSession } from "../auth/sessions.ts";
import { recordEvent } from "../events.ts";

/**
 * Ends the session of a cookie token.
 * @param actor the session's actor, when it was still live (an expired session ends without an event).
 */
export async function logOut(db: Db, token: string, actor: AuthenticatedActor | null, now: Date): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await endSession(tx, tokenDigest(token), "logout", now);
    if (actor) {
      await recordEvent(tx, {
        organizationId: actor.organizationId,
        propertyId: null,
        action: "auth.logout",
        entityType: "user",
        entityId: actor.userId,
        actor: snapshotOf(actor),
        now,
      });
    }
  });
}
