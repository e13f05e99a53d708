/**
 * Credentials: badges, PINs and fingerprint enrolments. A PIN is never set by a manager: issuing or resetting one
 * yields a one-time activation code with which its owner chooses the PIN at a cabinet.
 */
import { randomInt, randomUUID } from "node:crypto";
import { snapshotOf } from "../auth/actor.ts";
import { hashSecret } from "../auth/passwords.ts";
import { conflict, invalidInput } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { authorize } from "../http/pipeline.ts";
import type { CommandContext } from "../resources/definition.ts";
import { credentials, people } from "../resources/definitions.ts";
import { presentRow } from "../resources/present.ts";
import type { Row } from "../resources/records.ts";
import { assertMayManagePerson } from "./grant-role.ts";
import { loadForChange } from "./load-for-change.ts";

/** How long an activation code stays usable. */
export const ACTIVATION_DAYS = 7;

export type CredentialInput =
  | { kind: "badge"; badgeNumber: string }
  | { kind: "pin" }
  | { kind: "fingerprint"; fingerprintRef: string; consent: true; consentText?: string | undefined };

export interface IssuedCredential {
  credential: Record<string, unknown>;
  activationCode: string | null;
  activationExpiresAt: string | null;
}

function newActivationCode(): string {
  // why: typed on a cabinet keypad, so digits only; 10 digits and a 7-day expiry, checked against an argon2 hash
  return Array.from({ length: 10 }, () => randomInt(10)).join("");
}

/** Issues a credential to a person. */
export async function issueCredential(
  ctx: CommandContext,
  personId: string,
  input: CredentialInput,
): Promise<IssuedCredential> {
  const { row: person, propertyId } = await loadForChange(ctx, people, personId, "read");
  const organizationId = ctx.actor.organizationId;
  // why: the right to issue credentials is the credential's own, checked where the person lives
  authorize(ctx.actor, "create", { entity: "credential", organizationId, propertyId }, "credential");
  await assertMayManagePerson(ctx, personId, "issue credentials to");
  if (person.status !== "active") {
    throw invalidInput("personId", "this person is inactive; reactivate them before issuing credentials");
  }
  const iso = ctx.now.toISOString();
  const row: Row = {
    id: randomUUID(),
    organization_id: organizationId,
    person_id: personId,
    kind: input.kind,
    badge_number: null,
    pin_hash: null,
    pin_activation_hash: null,
    pin_activation_expires_at: null,
    fingerprint_ref: null,
    consent_at: null,
    consent_text: null,
    status: "active",
    created_at: iso,
    updated_at: iso,
  };
  let activationCode: string | null = null;
  if (input.kind === "badge") {
    const taken = await ctx.tx
      .selectFrom("credentials")
      .select("person_id")
      .where("organization_id", "=", organizationId)
      .where("badge_number", "=", input.badgeNumber)
      .where("status", "<>", "revoked")
      .executeTakeFirst();
    if (taken) {
      throw conflict(
        "badgeNumber",
        `Badge ${input.badgeNumber} is already issued${taken.person_id === personId ? " to this person" : " to another person"}; revoke it first.`,
      );
    }
    row.badge_number = input.badgeNumber;
  } else if (input.kind === "pin") {
    const existing = await ctx.tx
      .selectFrom("credentials")
      .select("id")
      .where("organization_id", "=", organizationId)
      .where("person_id", "=", personId)
      .where("kind", "=", "pin")
      .where("status", "<>", "revoked")
      .executeTakeFirst();
    if (existing) {
      throw conflict("kind", "This person already has a PIN; reset it to issue a new activation code.");
    }
    activationCode = newActivationCode();
    row.pin_activation_hash = await hashSecret(activationCode);
    row.pin_activation_expires_at = new Date(ctx.now.getTime() + ACTIVATION_DAYS * 86_400_000).toISOString();
  } else {
    row.fingerprint_ref = input.fingerprintRef;
    row.consent_at = iso;
    row.consent_text =
      input.consentText ?? "The person agreed to fingerprint enrolment; the template stays in the reader.";
  }
  await ctx.tx
    .insertInto("credentials")
    .values(row as never)
    .execute();
  const presented = await presentRow(credentials, ctx.tx, row);
  await recordEvent(ctx.tx, {
    organizationId,
    propertyId,
    action: "credential.issued",
    entityType: "credential",
    entityId: String(row.id),
    actor: snapshotOf(ctx.actor),
    // why: the audit log keeps every event forever, while a fingerprint's enrolment reference must be erasable with
    // the person's consent; the event says one was enrolled, never which
    after: { ...presented, fingerprintRef: presented.fingerprintRef ? "(enrolled)" : null },
    now: ctx.now,
  });
  return {
    credential: presented,
    activationCode,
    activationExpiresAt: row.pin_activation_expires_at as string | null,
  };
}

/** Enables, disables or revokes a credential. Revocation is final. */
export async function changeCredentialStatus(
  ctx: CommandContext,
  credentialId: string,
  status: "active" | "disabled" | "revoked",
): Promise<Record<string, unknown>> {
  const { row, propertyId } = await loadForChange(ctx, credentials, credentialId);
  await assertMayManagePerson(ctx, String(row.person_id), "change the credentials of");
  if (row.status === "revoked") {
    throw invalidInput("status", "a revoked credential cannot be changed; issue a new one");
  }
  if (status === "active") {
    const person = await ctx.tx
      .selectFrom("people")
      .select("status")
      .where("id", "=", String(row.person_id))
      .executeTakeFirst();
    if (person?.status !== "active") {
      throw invalidInput("status", "this person is inactive; reactivate them first");
    }
  }
  if (row.status === status) {
    return presentRow(credentials, ctx.tx, row);
  }
  const iso = ctx.now.toISOString();
  // why: revoking ends a secret for good — a PIN's hash and a fingerprint's enrolment reference are erased (the
  // person's right to have biometric data removed); the events keep that it existed, never the secret itself
  const erase = status === "revoked" ? { pin_hash: null, pin_activation_hash: null, fingerprint_ref: null } : {};
  await ctx.tx
    .updateTable("credentials")
    .set({ status, updated_at: iso, ...erase })
    .where("id", "=", credentialId)
    .execute();
  await recordEvent(ctx.tx, {
    organizationId: ctx.actor.organizationId,
    propertyId,
    action: "credential.updated",
    entityType: "credential",
    entityId: credentialId,
    actor: snapshotOf(ctx.actor),
    before: { status: row.status },
    after: { status, ...(status === "revoked" && row.kind === "fingerprint" ? { fingerprintErased: true } : {}) },
    now: ctx.now,
  });
  return presentRow(credentials, ctx.tx, { ...row, status, updated_at: iso, ...erase });
}

/** Clears a PIN and issues a new one-time activation code. */
export async function resetPin(ctx: CommandContext, credentialId: string): Promise<IssuedCredential> {
  const { row, propertyId } = await loadForChange(ctx, credentials, credentialId);
  await assertMayManagePerson(ctx, String(row.person_id), "reset the PIN of");
  if (row.kind !== "pin") {
    throw invalidInput("id", "only a PIN can be reset");
  }
  if (row.status === "revoked") {
    throw invalidInput("status", "a revoked PIN cannot be reset; issue a new one");
  }
  const code = newActivationCode();
  const iso = ctx.now.toISOString();
  const expires = new Date(ctx.now.getTime() + ACTIVATION_DAYS * 86_400_000).toISOString();
  const changes = {
    pin_hash: null,
    pin_activation_hash: await hashSecret(code),
    pin_activation_expires_at: expires,
    // why: a manager's reset is what unlocks a PIN; the next snapshot carries the clean count to every cabinet
    pin_failures: 0,
    pin_last_failure_at: null,
    updated_at: iso,
  };
  await ctx.tx.updateTable("credentials").set(changes).where("id", "=", credentialId).execute();
  await recordEvent(ctx.tx, {
    organizationId: ctx.actor.organizationId,
    propertyId,
    action: "credential.pin_reset",
    entityType: "credential",
    entityId: credentialId,
    actor: snapshotOf(ctx.actor),
    after: { activationExpiresAt: expires },
    now: ctx.now,
  });
  return {
    credential: await presentRow(credentials, ctx.tx, { ...row, ...changes }),
    activationCode: code,
    activationExpiresAt: expires,
  };
}
