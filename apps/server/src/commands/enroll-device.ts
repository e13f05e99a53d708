/**
 * A cabinet's agent registers its key pair with a one-time code: the code is spent, any earlier device of the cabinet
 * is retired, and the new device starts an empty chain.
 */
import { randomUUID } from "node:crypto";
import type { EnrollRequest, EnrollResponse } from "@keyward/contracts/cabinet-sync";
import type { Tx } from "@keyward/db/connect";
import { GENESIS_HASH } from "@keyward/domain/event-chain";
import { SyncError } from "../cabinet/sync-errors.ts";
import { recordEvent } from "../events.ts";
import { enrollmentCodeDigest } from "./issue-enrollment-code.ts";

const invalid = () =>
  new SyncError(
    "enrollment_code_invalid",
    "This enrolment code is not valid: it may be mistyped, already used or expired. Issue a new one in the dashboard.",
  );

/**
 * @param serverPublicKey the key the agent will trust for snapshots.
 * @throws enrollment_code_invalid for an unknown, spent or expired code (one answer for all three).
 */
export async function enrollDevice(
  tx: Tx,
  input: EnrollRequest,
  serverPublicKey: string,
  now: Date,
): Promise<EnrollResponse> {
  const iso = now.toISOString();
  const code = await tx
    .selectFrom("cabinet_enrollment_codes")
    .select(["id", "organization_id", "property_id", "cabinet_id", "expires_at", "used_at"])
    .where("code_hash", "=", enrollmentCodeDigest(input.code))
    .executeTakeFirst();
  if (!code || code.used_at !== null || code.expires_at <= iso) {
    throw invalid();
  }
  // why: spent by a conditional update, so two agents racing with one code cannot both enrol
  const spent = await tx
    .updateTable("cabinet_enrollment_codes")
    .set({ used_at: iso })
    .where("id", "=", code.id)
    .where("used_at", "is", null)
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) {
    throw invalid();
  }
  const cabinet = await tx
    .selectFrom("cabinets")
    .select(["id", "name", "status"])
    .where("organization_id", "=", code.organization_id)
    .where("id", "=", code.cabinet_id)
    .executeTakeFirstOrThrow();
  // why: archiving a cabinet takes it out of service; a code issued before must not bring it back
  if (cabinet.status === "archived") {
    throw invalid();
  }
  // why: updating the cabinet row first locks it (PostgreSQL), so two enrolments of one cabinet with two codes run one
  // after the other and the second retires the first's device; SQLite serializes writers anyway
  await tx
    .updateTable("cabinets")
    .set({ status: "active", device_public_key: input.publicKey, updated_at: iso })
    .where("id", "=", cabinet.id)
    .execute();
  const retired = await tx
    .updateTable("cabinet_devices")
    .set({ status: "retired", retired_at: iso })
    .where("cabinet_id", "=", cabinet.id)
    .where("status", "=", "active")
    .returning("id")
    .execute();
  const deviceId = randomUUID();
  await tx
    .insertInto("cabinet_devices")
    .values({
      id: deviceId,
      organization_id: code.organization_id,
      property_id: code.property_id,
      cabinet_id: cabinet.id,
      public_key: input.publicKey,
      status: "active",
      agent_version: input.agentVersion,
      enrolled_at: iso,
      retired_at: null,
      last_seq: 0,
      last_hash: GENESIS_HASH,
    })
    .execute();
  await tx
    .insertInto("cabinet_states")
    .values({
      cabinet_id: cabinet.id,
      organization_id: code.organization_id,
      property_id: code.property_id,
      door: "unknown",
      last_contact_at: iso,
      last_event_at: null,
      snapshot_version: null,
      open_alarms: 0,
      last_alarm: null,
      last_alarm_at: null,
      updated_at: iso,
    })
    .onConflict((oc) =>
      oc
        .column("cabinet_id")
        .doUpdateSet({ door: "unknown", snapshot_version: null, last_contact_at: iso, updated_at: iso }),
    )
    .execute();
  await recordEvent(tx, {
    organizationId: code.organization_id,
    propertyId: code.property_id,
    action: "cabinet.enrolled",
    entityType: "cabinet",
    entityId: cabinet.id,
    actor: { type: "cabinet", id: cabinet.id, name: cabinet.name },
    before: { status: cabinet.status, retiredDevices: retired.map((d) => d.id) },
    after: { status: "active", deviceId, agentVersion: input.agentVersion, publicKey: input.publicKey },
    source: "cabinet",
    now,
  });
  return {
    deviceId,
    cabinetId: cabinet.id,
    organizationId: code.organization_id,
    propertyId: code.property_id,
    cabinetName: cabinet.name,
    serverPublicKey,
  };
}
