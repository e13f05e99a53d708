/** Issues a cabinet's one-time enrolment code: shown once, stored as its SHA-256, good for 24 hours. */
import { randomInt, randomUUID } from "node:crypto";
import type { EnrollmentCode } from "@keyward/contracts/cabinet-sync";
import { sha256Hex } from "@keyward/domain/event-chain";
import { snapshotOf } from "../auth/actor.ts";
import { loadControllableCabinet } from "../cabinet/load-cabinet.ts";
import { conflict } from "../errors.ts";
import { recordEvent } from "../events.ts";
import type { CommandContext } from "../resources/definition.ts";

/** How long an enrolment code stays good. */
export const ENROLLMENT_CODE_HOURS = 24;

// why: RFC 4648 base32 has no 0/1/8/9, so nobody mistakes O for 0 or I for 1 while typing it at the cabinet
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Upper case, without the dashes and spaces a person may type. */
export function normalizeEnrollmentCode(code: string): string {
  return code.replace(/[\s-]/g, "").toUpperCase();
}

/** The stored digest of a code. */
export function enrollmentCodeDigest(code: string): string {
  return sha256Hex(`keyward-enrollment/v1\n${normalizeEnrollmentCode(code)}`);
}

function newCode(): string {
  const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** @throws not_found (a cabinet the actor cannot see), forbidden (they may see it but not enrol it). */
export async function issueEnrollmentCode(ctx: CommandContext, cabinetId: string): Promise<EnrollmentCode> {
  const { tx, actor, now } = ctx;
  const cabinet = await loadControllableCabinet(tx, actor, cabinetId);
  if (cabinet.status === "archived") {
    throw conflict("status", "This cabinet is archived; restore it before enrolling its agent.");
  }
  const code = newCode();
  const expiresAt = new Date(now.getTime() + ENROLLMENT_CODE_HOURS * 3_600_000).toISOString();
  await tx
    .insertInto("cabinet_enrollment_codes")
    .values({
      id: randomUUID(),
      organization_id: actor.organizationId,
      property_id: cabinet.property_id,
      cabinet_id: cabinet.id,
      code_hash: enrollmentCodeDigest(code),
      expires_at: expiresAt,
      used_at: null,
      created_by: actor.userId,
      created_at: now.toISOString(),
    })
    .execute();
  // why: the event says a code exists and until when, never the code: the trail is readable by many
  await recordEvent(tx, {
    organizationId: actor.organizationId,
    propertyId: cabinet.property_id,
    action: "cabinet.enrollment_code_issued",
    entityType: "cabinet",
    entityId: cabinet.id,
    actor: snapshotOf(actor),
    after: { expiresAt },
    now,
  });
  return { cabinetId: cabinet.id, code, expiresAt };
}
