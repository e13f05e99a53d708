/**
 * Human words for the API's stable enum keys. Each map is typed by the contract's enum, so a value added to the API
 * without a label here is a compile error rather than a raw key on screen.
 */
import type { EventAction } from "@keyward/domain/event-actions";
import type { Entity, Role } from "@keyward/domain/permissions";
import type {
  CabinetStatus,
  CredentialKind,
  CredentialStatus,
  FactorPolicy,
  ImportKind,
  KeyKind,
  KeyStatus,
  Occupancy,
  PersonKind,
  UnitKind,
} from "./types.ts";

export const UNIT_KIND_LABELS: Record<UnitKind, string> = { apartment: "Apartment", common_area: "Common area" };

export const OCCUPANCY_LABELS: Record<Occupancy, string> = {
  occupied: "Occupied",
  vacant: "Vacant",
  notice: "On notice",
  model: "Model",
  down: "Down",
};

export const KEY_KIND_LABELS: Record<KeyKind, string> = {
  unit: "Unit",
  common_area: "Common area",
  master: "Master",
  sub_master: "Sub-master",
  vehicle: "Vehicle",
  other: "Other",
};

export const KEY_STATUS_LABELS: Record<KeyStatus, string> = {
  in: "In cabinet",
  out: "Out",
  lost: "Lost",
  retired: "Retired",
  with_resident: "With resident",
};

export const KEY_STATUS_COLORS: Record<KeyStatus, string> = {
  in: "green",
  out: "blue",
  lost: "red",
  retired: "gray",
  with_resident: "grape",
};

export const CABINET_STATUS_LABELS: Record<CabinetStatus, string> = {
  pending: "Awaiting enrolment",
  active: "Active",
  archived: "Archived",
};

export const FACTOR_POLICY_LABELS: Record<FactorPolicy, string> = {
  badge_pin: "Badge + PIN",
  fingerprint_pin: "Fingerprint + PIN",
  badge_fingerprint: "Badge + fingerprint",
};

export const PERSON_KIND_LABELS: Record<PersonKind, string> = { employee: "Employee", vendor: "Vendor / contractor" };

export const CREDENTIAL_KIND_LABELS: Record<CredentialKind, string> = {
  badge: "Badge",
  pin: "PIN",
  fingerprint: "Fingerprint",
};

export const CREDENTIAL_STATUS_LABELS: Record<CredentialStatus, string> = {
  active: "Active",
  disabled: "Disabled",
  revoked: "Revoked",
};

export const ROLE_LABELS: Record<Role, string> = {
  administrator: "Administrator",
  executive: "Executive",
  regional_manager: "Regional manager",
  property_manager: "Property manager",
  office_staff: "Office staff",
  maintenance_supervisor: "Maintenance supervisor",
  technician: "Technician",
  vendor: "Vendor",
  auditor: "Auditor",
};

export const IMPORT_KIND_LABELS: Record<ImportKind, string> = { units: "Units", keys: "Keys", people: "People" };

/** What each import or export kind reads or writes, for the resolver. */
export const IMPORT_KIND_ENTITY: Record<ImportKind, Entity> = { units: "unit", keys: "key", people: "person" };

export const WEEKDAY_LABELS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

/** Select options from a label map, in the map's order. */
export function optionsOf<K extends string>(labels: Record<K, string>): { value: K; label: string }[] {
  return (Object.entries(labels) as [K, string][]).map(([value, label]) => ({ value, label }));
}

/** The keys of a label map, typed. */
export function keysOf<K extends string>(labels: Record<K, string>): K[] {
  return Object.keys(labels) as K[];
}

/** A generic fallback for statuses shared by many records (active / archived / inactive / revoked). */
export function statusColor(status: string): string {
  switch (status) {
    case "active":
      return "green";
    case "pending":
    case "disabled":
      return "yellow";
    case "revoked":
    case "inactive":
      return "red";
    default:
      return "gray";
  }
}

/** "property_manager" → "Property manager", for keys that have no map of their own (event actions, fields). */
export function humanize(key: string): string {
  const spaced = key
    .replace(/[._]/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** Event actions whose words are not their key's. */
const ACTION_LABELS: Readonly<Record<string, string>> = {
  "cabinet.duress_signalled": "Duress PIN entered",
} satisfies Partial<Record<EventAction, string>>;

/** An event's action as a person reads it: its own words, or its key's ("door.forced" → "Door forced"). */
export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? humanize(action);
}

/**
 * Badge and text colours of the live screens. why: Mantine's orange.9 and green.9 give 4.3:1 on white, under WCAG
 * AA's 4.5:1 for small text; these darker tones pass (6.4:1 and 6.6:1), and red.9 / blue.9 already do (5.5, 6.1).
 */
export const TONES = { danger: "red.9", warning: "#a63c06", ok: "#1e6b30", info: "blue.9" } as const;
