/**
 * A person chooses their PIN with the one-time activation code a manager handed them. The manager never sees,
 * sets or can read the PIN; the organization's PIN rules apply; wrong codes are throttled per credential.
 */

import type { Db, Tx } from "@keyward/db/connect";
import { checkPin, describePinProblem } from "@keyward/domain/pin-rules";
import { hashSecret, verifySecret } from "../auth/passwords.ts";
import { clearAttempts, countAttempt, LOCK_MINUTES, lockedFor } from "../auth/throttle.ts";
import { invalidInput, tooManyAttempts } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { inTransaction } from "../http/pipeline.ts";
import type { Notifier } from "../live/notifier.ts";
import { organizationSettings } from "../services.ts";

/** Wrong activation codes a credential tolerates before it is locked for a while. */
export const ACTIVATION_FAILURE_CAP = 5;

const wrongCode = () =>
  invalidInput(
    "activationCode",
    "this activation code is not valid for this PIN, or it has expired; ask your manager for a new one",
  );

/**
 * Sets a PIN from an activation code.
 * @param notifier tells running cabinet streams of the new snapshot version (absent where nobody listens: the seed).
 * @throws invalid_input for a wrong or expired code (one answer for both) or a PIN the rules refuse;
 *   too_many_attempts after repeated wrong codes.
 */
export async function activatePin(
  db: Db,
  input: { credentialId: string; activationCode: string; pin: string },
  now: Date,
  notifier?: Notifier,
): Promise<void> {
  const throttleKey = `pin-activation:${input.credentialId}`;
  const wait = await lockedFor(db, throttleKey, now);
  if (wait > 0) {
    throw tooManyAttempts(wait);
  }
  // why: counted before the code is checked, in one statement, so parallel guesses cannot slip past the cap
  if ((await countAttempt(db, throttleKey, ACTIVATION_FAILURE_CAP, now)).refused) {
    throw tooManyAttempts(LOCK_MINUTES * 60);
  }
  const credential = await db
    .selectFrom("credentials")
    .selectAll()
    .where("id", "=", input.credentialId)
    .executeTakeFirst();
  // why: PIN events belong to the person's home property, where the managers who issued the code can see them
  const propertyId = credential
    ? ((
        await db
          .selectFrom("people")
          .select("home_property_id")
          .where("id", "=", credential.person_id)
          .executeTakeFirst()
      )?.home_property_id ?? null)
    : null;
  const usable =
    credential?.kind === "pin" &&
    credential.status === "active" &&
    credential.pin_activation_hash !== null &&
    credential.pin_activation_expires_at !== null &&
    Date.parse(credential.pin_activation_expires_at) > now.getTime();
  if (!credential || !usable || !(await verifySecret(credential.pin_activation_hash ?? "", input.activationCode))) {
    if (credential) {
      await recordEvent(db, {
        organizationId: credential.organization_id,
        propertyId,
        action: "credential.pin_activation_failed",
        entityType: "credential",
        entityId: credential.id,
        actor: { type: "system", id: null, name: "PIN activation" },
        now,
      });
    }
    throw wrongCode();
  }
  const settings = await organizationSettings(db, credential.organization_id);
  const problem = checkPin(input.pin, settings.pinMinLength);
  if (problem) {
    throw invalidInput("pin", describePinProblem(problem, settings.pinMinLength));
  }
  const pinHash = await hashSecret(input.pin);
  const work = async (tx: Tx) => {
    const iso = now.toISOString();
    // why: the code is single-use — clearing it in the same statement that stores the PIN
    await tx
      .updateTable("credentials")
      .set({
        pin_hash: pinHash,
        pin_activation_hash: null,
        pin_activation_expires_at: null,
        // why: a new PIN starts with a clean count, as it does in each cabinet's journal
        pin_failures: 0,
        pin_last_failure_at: null,
        updated_at: iso,
      })
      .where("id", "=", credential.id)
      .execute();
    await clearAttempts(tx, throttleKey);
    await recordEvent(tx, {
      organizationId: credential.organization_id,
      propertyId,
      action: "credential.pin_set",
      entityType: "credential",
      entityId: credential.id,
      actor: { type: "system", id: credential.person_id, name: "the credential's owner" },
      after: { pinState: "set" },
      now,
    });
  };
  // why: the PIN is in every cabinet's snapshot; its version bump must reach the streams once committed
  await (notifier ? inTransaction({ db, notifier }, work) : db.transaction().execute(work));
}
