/**
 * Builds a cabinet's signed snapshot: everything its agent decides from, as of one snapshot version. Only verifiers
 * leave the server: badge numbers as salted digests, PINs as their hashes, fingerprints as reader references.
 */
import type { SignedSnapshot, SnapshotBody } from "@keyward/contracts/cabinet-sync";
import type { Executor } from "@keyward/db/connect";
import { canonicalJson, sha256Hex, signMessage, snapshotMessage } from "@keyward/domain/event-chain";
import { badgeSaltOf, type ServerKey } from "../cabinet/server-key.ts";
import { currentSnapshotVersion } from "../cabinet/snapshot-version.ts";
import { organizationSettings } from "../services.ts";

/** The device a snapshot is for. */
export interface SnapshotTarget {
  organizationId: string;
  propertyId: string;
  cabinetId: string;
}

function parse<T>(json: string | null, fallback: T): T {
  return json === null ? fallback : (JSON.parse(json) as T);
}

/**
 * Reads and signs the snapshot. Run it in a transaction that sees one moment (repeatable read on PostgreSQL; any
 * SQLite read transaction), so the version and the contents agree.
 */
export async function buildSnapshot(
  db: Executor,
  target: SnapshotTarget,
  key: ServerKey,
  now: Date,
): Promise<SignedSnapshot> {
  const { organizationId, propertyId, cabinetId } = target;
  const version = await currentSnapshotVersion(db, organizationId, propertyId);
  const cabinet = await db
    .selectFrom("cabinets")
    .innerJoin("properties", "properties.id", "cabinets.property_id")
    .select([
      "cabinets.id",
      "cabinets.name",
      "cabinets.factor_policy",
      "cabinets.modules",
      "cabinets.hooks_per_module",
      "cabinets.status",
      "properties.name as propertyName",
      "properties.time_zone",
      "properties.max_offline_minutes",
    ])
    .where("cabinets.organization_id", "=", organizationId)
    .where("cabinets.id", "=", cabinetId)
    .executeTakeFirstOrThrow();
  const disabledHooks = await db
    .selectFrom("hooks")
    .select("number")
    .where("organization_id", "=", organizationId)
    .where("cabinet_id", "=", cabinetId)
    .where("status", "<>", "active")
    .orderBy("number")
    .execute();
  const settings = await organizationSettings(db, organizationId);

  // why: only active people with an active assignment here may open this cabinet; a deactivated person vanishes
  const grantRows = await db
    .selectFrom("profile_assignments as a")
    .innerJoin("access_profiles as p", "p.id", "a.access_profile_id")
    .innerJoin("people", "people.id", "a.person_id")
    .select([
      "a.id as assignmentId",
      "a.person_id",
      "a.access_profile_id",
      "a.valid_from as assignmentFrom",
      "a.valid_until as assignmentUntil",
      "a.status as assignmentStatus",
      "p.property_id as profilePropertyId",
      "p.status as profileStatus",
      "p.key_scope",
      "p.windows",
      "p.holiday_calendar_id",
      "p.valid_from",
      "p.valid_until",
      "p.max_keys_out",
      "p.max_duration_minutes",
      "p.curfew_time",
      "p.conditions",
    ])
    .where("a.organization_id", "=", organizationId)
    .where("a.property_id", "=", propertyId)
    .where("a.status", "=", "active")
    .where("people.status", "=", "active")
    .orderBy("a.id")
    .execute();
  const personIds = [...new Set(grantRows.map((g) => g.person_id))].sort();
  const people =
    personIds.length === 0
      ? []
      : await db
          .selectFrom("people")
          .select(["id", "first_name", "last_name", "status", "start_date", "end_date"])
          .where("organization_id", "=", organizationId)
          .where("id", "in", personIds)
          .orderBy("id")
          .execute();
  const credentials =
    personIds.length === 0
      ? []
      : await db
          .selectFrom("credentials")
          .select([
            "id",
            "person_id",
            "kind",
            "badge_number",
            "pin_hash",
            "fingerprint_ref",
            "pin_failures",
            "pin_last_failure_at",
          ])
          .where("organization_id", "=", organizationId)
          .where("person_id", "in", personIds)
          .where("status", "=", "active")
          .orderBy("id")
          .execute();
  const open =
    personIds.length === 0
      ? []
      : await db
          .selectFrom("checkouts")
          .select(["person_id", "key_id"])
          .where("organization_id", "=", organizationId)
          .where("status", "=", "open")
          .where("person_id", "in", personIds)
          .orderBy("key_id")
          .execute();
  const calendarIds = [
    ...new Set(grantRows.map((g) => g.holiday_calendar_id).filter((id): id is string => id !== null)),
  ];
  const calendars =
    calendarIds.length === 0
      ? []
      : await db
          .selectFrom("holiday_calendars")
          .select(["id", "dates"])
          .where("organization_id", "=", organizationId)
          .where("id", "in", calendarIds)
          .where("status", "=", "active")
          .execute();
  const reasons = await db
    .selectFrom("reason_codes")
    .select(["id", "code", "label", "requires_work_order", "default_due_minutes"])
    .where("organization_id", "=", organizationId)
    .where("status", "=", "active")
    .orderBy("sort_order")
    .orderBy("code")
    .execute();
  const units = await db
    .selectFrom("units")
    .select(["id", "number", "building_id"])
    .where("organization_id", "=", organizationId)
    .where("property_id", "=", propertyId)
    .where("status", "=", "active")
    .orderBy("number")
    .execute();
  const keys = await db
    .selectFrom("keys")
    .leftJoin("units", "units.id", "keys.unit_id")
    .select([
      "keys.id",
      "keys.label",
      "keys.tag_code",
      "keys.kind",
      "keys.status",
      "keys.unit_id",
      "units.number as unitNumber",
      "units.building_id",
      "keys.key_set_id",
      "keys.restricted",
      "keys.cabinet_id",
      "keys.hook_number",
    ])
    .where("keys.organization_id", "=", organizationId)
    .where("keys.property_id", "=", propertyId)
    .orderBy("keys.id")
    .execute();

  const badgeSalt = badgeSaltOf(key, organizationId);
  const keysOut = new Map<string, string[]>();
  for (const c of open) {
    if (c.person_id) {
      keysOut.set(c.person_id, [...(keysOut.get(c.person_id) ?? []), c.key_id]);
    }
  }
  const body: SnapshotBody = {
    format: 1,
    version,
    issuedAt: now.toISOString(),
    organizationId,
    cabinet: {
      id: cabinet.id,
      name: cabinet.name,
      factorPolicy: cabinet.factor_policy as SnapshotBody["cabinet"]["factorPolicy"],
      modules: cabinet.modules,
      hooksPerModule: cabinet.hooks_per_module,
      disabledHooks: disabledHooks.map((h) => h.number),
      status: cabinet.status,
    },
    property: {
      id: propertyId,
      name: cabinet.propertyName,
      timeZone: cabinet.time_zone,
      maxOfflineMinutes: cabinet.max_offline_minutes,
    },
    settings: { doorHeldSeconds: settings.cabinetDoorHeldSeconds, language: settings.kioskLanguage },
    badgeSalt,
    people: people.map((p) => ({
      id: p.id,
      firstName: p.first_name,
      lastName: p.last_name,
      status: p.status === "active" ? "active" : "inactive",
      startDate: p.start_date,
      endDate: p.end_date,
      keysOut: keysOut.get(p.id) ?? [],
    })),
    credentials: credentials.map((c) => ({
      id: c.id,
      personId: c.person_id,
      kind: c.kind as "badge" | "pin" | "fingerprint",
      badgeDigest: c.kind === "badge" && c.badge_number ? sha256Hex(`${badgeSalt}:${c.badge_number}`) : null,
      pinHash: c.kind === "pin" ? c.pin_hash : null,
      fingerprintRef: c.kind === "fingerprint" ? c.fingerprint_ref : null,
      ...(c.kind === "pin"
        ? { pinLockout: { failures: Number(c.pin_failures), lastFailureAt: c.pin_last_failure_at } }
        : {}),
    })),
    // why: exactly the domain's PolicyGrant shape, so the agent hands them to decideCheckout untouched
    grants: grantRows.map((g) => ({
      assignment: {
        id: g.assignmentId,
        propertyId,
        personId: g.person_id,
        accessProfileId: g.access_profile_id,
        status: g.assignmentStatus,
        validFrom: g.assignmentFrom,
        validUntil: g.assignmentUntil,
      },
      profile: {
        id: g.access_profile_id,
        propertyId: g.profilePropertyId,
        status: g.profileStatus,
        keyScope: parse(g.key_scope, {}),
        windows: parse(g.windows, []),
        holidayCalendarId: g.holiday_calendar_id,
        validFrom: g.valid_from,
        validUntil: g.valid_until,
        maxKeysOut: g.max_keys_out,
        maxDurationMinutes: g.max_duration_minutes,
        curfewTime: g.curfew_time,
        conditions: parse(g.conditions, {}),
      },
    })),
    holidayCalendars: Object.fromEntries(
      calendars.map((c) => [c.id, parse<{ date: string }[]>(c.dates, []).map((d) => d.date)]),
    ),
    reasons: reasons.map((r) => ({
      id: r.id,
      code: r.code,
      label: r.label,
      requiresWorkOrder: r.requires_work_order === 1,
      defaultDueMinutes: r.default_due_minutes,
    })),
    units: units.map((u) => ({ id: u.id, number: u.number, buildingId: u.building_id })),
    keys: keys.map((k) => ({
      id: k.id,
      label: k.label,
      tagCode: k.tag_code,
      kind: k.kind,
      status: k.status,
      unitId: k.unit_id,
      unitNumber: k.unitNumber ?? null,
      buildingId: k.building_id ?? null,
      keySetId: k.key_set_id,
      restricted: k.restricted === 1,
      hookNumber: k.cabinet_id === cabinetId ? k.hook_number : null,
    })),
  };
  const text = canonicalJson(body);
  return { version, body: text, signature: signMessage(key.secretKey, snapshotMessage(text)) };
}
