/**
 * Table types for Kysely. Every table carries `organization_id` so that a distributed PostgreSQL can shard by
 * organization without redesign. Timestamps travel as ISO-8601 UTC strings, dates as YYYY-MM-DD, JSON as text and
 * flags as 0/1 on both dialects (see `connect.ts` for the PostgreSQL type parsers that make this true).
 */
import type { Generated } from "kysely";

type Ts = string;
type Flag = number;
type Json = string;

interface Audited {
  created_at: Ts;
  updated_at: Ts;
}

export interface OrganizationTable extends Audited {
  id: string;
  name: string;
  /** JSON: organization policy, see `OrganizationSettings` in contracts. */
  settings: Json;
}

export interface RegionTable extends Audited {
  id: string;
  organization_id: string;
  name: string;
  status: string;
}

export interface PropertyTable extends Audited {
  id: string;
  organization_id: string;
  region_id: string | null;
  name: string;
  code: string;
  time_zone: string;
  address: string | null;
  max_offline_minutes: number;
  max_copies_per_unit: number;
  status: string;
}

export interface BuildingTable extends Audited {
  id: string;
  organization_id: string;
  property_id: string;
  name: string;
  code: string | null;
  status: string;
}

export interface UnitTable extends Audited {
  id: string;
  organization_id: string;
  property_id: string;
  building_id: string | null;
  number: string;
  kind: string;
  occupancy: string;
  floor: string | null;
  notes: string | null;
  status: string;
}

export interface KeySetTable extends Audited {
  id: string;
  organization_id: string;
  property_id: string;
  unit_id: string | null;
  name: string;
  max_copies: number | null;
  status: string;
}

export interface KeyTable extends Audited {
  id: string;
  organization_id: string;
  property_id: string;
  key_set_id: string | null;
  unit_id: string | null;
  kind: string;
  label: string;
  tag_code: string;
  status: string;
  cabinet_id: string | null;
  hook_number: number | null;
  restricted: Flag;
}

export interface CabinetTable extends Audited {
  id: string;
  organization_id: string;
  property_id: string;
  name: string;
  location: string | null;
  /** JSON: `CabinetCapabilities`. */
  capabilities: Json;
  factor_policy: string;
  modules: number;
  hooks_per_module: number;
  status: string;
  device_public_key: string | null;
}

export interface HookTable {
  id: string;
  organization_id: string;
  property_id: string;
  cabinet_id: string;
  number: number;
  module: number;
  status: string;
}

export interface PersonTable extends Audited {
  id: string;
  organization_id: string;
  home_property_id: string | null;
  kind: string;
  first_name: string;
  last_name: string;
  employee_number: string | null;
  company: string | null;
  email: string | null;
  phone: string | null;
  status: string;
  start_date: string | null;
  end_date: string | null;
  deactivated_at: Ts | null;
}

export interface CredentialTable extends Audited {
  id: string;
  organization_id: string;
  person_id: string;
  kind: string;
  badge_number: string | null;
  pin_hash: string | null;
  pin_activation_hash: string | null;
  pin_activation_expires_at: Ts | null;
  fingerprint_ref: string | null;
  consent_at: Ts | null;
  consent_text: string | null;
  status: string;
  /** A PIN's consecutive failures as its cabinets reported them (0 for other kinds, and after a reset or a new PIN). */
  pin_failures: Generated<number>;
  /** When the last of those failures happened; null with no failures. */
  pin_last_failure_at: Ts | null;
}

export interface UserTable extends Audited {
  id: string;
  organization_id: string;
  person_id: string;
  email: string;
  password_hash: string;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_last_step: number | null;
  totp_enabled_at: Ts | null;
  status: string;
  last_login_at: Ts | null;
}

export interface SessionTable {
  id: string;
  organization_id: string;
  user_id: string;
  created_at: Ts;
  last_seen_at: Ts;
  expires_at: Ts;
  ended_at: Ts | null;
  end_reason: string | null;
}

export interface RoleAssignmentTable extends Audited {
  id: string;
  organization_id: string;
  person_id: string;
  role: string;
  scope_type: string;
  /** Region or property id; null for organization scope. */
  scope_id: string | null;
  status: string;
}

export interface AccessProfileTable extends Audited {
  id: string;
  organization_id: string;
  property_id: string;
  name: string;
  description: string | null;
  /** JSON: `KeyScope`. */
  key_scope: Json;
  /** JSON: `WeeklyWindow[]`. */
  windows: Json;
  holiday_calendar_id: string | null;
  valid_from: string | null;
  valid_until: string | null;
  max_keys_out: number | null;
  max_duration_minutes: number | null;
  curfew_time: string | null;
  /** JSON: `ProfileConditions`. */
  conditions: Json;
  status: string;
}

export interface ProfileAssignmentTable extends Audited {
  id: string;
  organization_id: string;
  property_id: string;
  person_id: string;
  access_profile_id: string;
  valid_from: string | null;
  valid_until: string | null;
  status: string;
}

export interface HolidayCalendarTable extends Audited {
  id: string;
  organization_id: string;
  property_id: string | null;
  name: string;
  /** JSON: `{date, name}[]`. */
  dates: Json;
  status: string;
}

export interface ReasonCodeTable extends Audited {
  id: string;
  organization_id: string;
  code: string;
  label: string;
  requires_work_order: Flag;
  default_due_minutes: number | null;
  sort_order: number;
  status: string;
}

export interface EventTable {
  /** Monotonic per database; gives a total order for cursors. */
  seq: Generated<number>;
  id: string;
  organization_id: string;
  property_id: string | null;
  occurred_at: Ts;
  action: string;
  entity_type: string;
  entity_id: string | null;
  actor_type: string;
  actor_id: string | null;
  /** JSON: who acted, as they were at that moment. */
  actor: Json;
  before: Json | null;
  after: Json | null;
  source: string;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  first_failure_at: Ts;
  last_failure_at: Ts;
  locked_until: Ts | null;
}

export interface ServerKeyTable {
  id: string;
  algorithm: string;
  public_key: string;
  private_key: string;
  created_at: Ts;
}

/** One row per property whose snapshot content ever changed; a property without a row is at version 1. */
export interface SnapshotVersionTable {
  property_id: string;
  organization_id: string;
  version: number;
  changed_at: Ts;
}

export interface CabinetEnrollmentCodeTable {
  id: string;
  organization_id: string;
  property_id: string;
  cabinet_id: string;
  /** SHA-256 of the one-time code; the code itself is shown once. */
  code_hash: string;
  expires_at: Ts;
  used_at: Ts | null;
  created_by: string | null;
  created_at: Ts;
}

export interface CabinetDeviceTable {
  id: string;
  organization_id: string;
  property_id: string;
  cabinet_id: string;
  /** Ed25519 public key, base64url of the raw 32 bytes. */
  public_key: string;
  status: string;
  agent_version: string | null;
  enrolled_at: Ts;
  retired_at: Ts | null;
  last_seq: number;
  last_hash: string;
}

export interface CabinetEventTable {
  device_id: string;
  seq: number;
  organization_id: string;
  property_id: string;
  cabinet_id: string;
  type: string;
  /** The device's clock. */
  occurred_at: Ts;
  /** The server's clock. */
  received_at: Ts;
  prev_hash: string;
  hash: string;
  /** JSON: the event's data as the device signed it. */
  data: Json;
  /** The organization event it was appended as. */
  event_id: string;
  /** On the last event of each upload: the device's signature over its chain head there (`chainHeadMessage`). */
  head_signature: string | null;
}

/** One organization's audit log: an RFC 6962 Merkle tree over its events, in the order they were appended. */
export interface AuditLogTable {
  organization_id: string;
  /** The log's name in its checkpoints (C2SP origin). */
  origin: string;
  size: number;
  /** Hex MTH of the current tree. */
  root_hash: string;
  /** JSON array of hex hashes: the complete subtrees of the current tree, left to right (a compact range). */
  edge: Json;
  /** Size of the latest signed checkpoint (0 before the first). */
  checkpoint_size: number;
  checkpoint_at: Ts | null;
  /** When the first entry not yet covered by a checkpoint was appended. */
  first_unsigned_at: Ts | null;
  updated_at: Ts;
}

/** Leaf `idx` of an organization's log is the event `event_id`. Append-only. */
export interface AuditLeafTable {
  organization_id: string;
  idx: number;
  event_id: string;
  sequenced_at: Ts;
}

/** Up to 256 consecutive hashes of tree level `level` (a multiple of 8), starting at node `idx × 256`. */
export interface AuditTileTable {
  organization_id: string;
  level: number;
  idx: number;
  hashes: Uint8Array;
}

/** Events written but not yet appended to their organization's log (a transactional outbox). */
export interface AuditPendingTable {
  id: Generated<number>;
  organization_id: string;
  event_id: string;
}

/** A signed checkpoint (C2SP signed note). Append-only. */
export interface AuditCheckpointTable {
  organization_id: string;
  size: number;
  root_hash: string;
  note: string;
  key_name: string;
  signed_at: Ts;
}

/** How far an organization's log has been copied to one offsite target. */
export interface AuditOffsiteTable {
  organization_id: string;
  /** The target's description (`dir:/…`, `s3://bucket/prefix`). */
  target: string;
  copied_size: number;
  last_success_at: Ts | null;
  last_attempt_at: Ts | null;
  last_error: string | null;
  /** Consecutive failed attempts. */
  failures: number;
  next_attempt_at: Ts | null;
  /** Whether the current run of failures has raised its alarm event. */
  alarm_raised: Flag;
}

/** The result of one run of the audit verifier. */
export interface AuditVerificationTable {
  id: string;
  /** Null when the run covered every organization. */
  organization_id: string | null;
  started_at: Ts;
  finished_at: Ts;
  /** `ok`, `anomalies` or `tampered`. */
  status: string;
  /** `scheduled` or `cli`. */
  trigger: string;
  report: Json;
}

/** Who runs a scheduled job now, until when. */
export interface JobLeaseTable {
  name: string;
  holder: string;
  expires_at: Ts;
  last_run_at: Ts | null;
}

export interface CheckoutTable {
  id: string;
  organization_id: string;
  property_id: string;
  key_id: string;
  unit_id: string | null;
  person_id: string | null;
  authorized: Flag;
  cabinet_id: string | null;
  hook_out: number | null;
  reason_code_id: string | null;
  work_order: string | null;
  out_at: Ts;
  due_at: Ts | null;
  status: string;
  returned_at: Ts | null;
  returned_by: string | null;
  return_cabinet_id: string | null;
  hook_in: number | null;
  out_event_id: string;
  in_event_id: string | null;
  created_at: Ts;
  updated_at: Ts;
}

export interface CabinetStateTable {
  cabinet_id: string;
  organization_id: string;
  property_id: string;
  door: string;
  last_contact_at: Ts | null;
  last_event_at: Ts | null;
  snapshot_version: number | null;
  open_alarms: number;
  last_alarm: string | null;
  last_alarm_at: Ts | null;
  updated_at: Ts;
}

export interface ReportScheduleTable {
  id: string;
  organization_id: string;
  property_id: string | null;
  report: string;
  name: string;
  /** JSON: the report's filters. */
  params: Json;
  frequency: string;
  weekday: number | null;
  month_day: number | null;
  /** "HH:MM" on the wall clock of `time_zone`. */
  local_time: string;
  time_zone: string;
  /** JSON: `{ roles, userIds, emails }`. */
  recipients: Json;
  /** JSON: the attachments' formats. */
  formats: Json;
  status: string;
  next_run_at: Ts;
  last_run_at: Ts | null;
  created_by: string | null;
  created_at: Ts;
  updated_at: Ts;
}

export interface ReportDeliveryTable {
  id: string;
  organization_id: string;
  schedule_id: string;
  due_at: Ts;
  status: string;
  attempts: number;
  next_attempt_at: Ts | null;
  claimed_by: string | null;
  claimed_until: Ts | null;
  last_error: string | null;
  /** JSON `{ sent, skipped }`: the addresses it went to and the logins left out (an array of addresses in early rows). */
  recipients: Json | null;
  message_id: string | null;
  sent_at: Ts | null;
  created_at: Ts;
  updated_at: Ts;
}

export interface CabinetCommandTable {
  id: string;
  organization_id: string;
  property_id: string;
  cabinet_id: string;
  kind: string;
  /** JSON: the command's parameters. */
  params: Json;
  reason: string;
  requested_by: string | null;
  requested_at: Ts;
  expires_at: Ts;
  status: string;
  executed_at: Ts | null;
}

/** A property's (or the organization's) choices for one kind of alert. */
export interface AlertRuleTable extends Audited {
  id: string;
  organization_id: string;
  property_id: string | null;
  /** The property's id, or "organization". */
  scope_key: string;
  kind: string;
  /** JSON: `StoredAlertRule`. */
  settings: Json;
  updated_by: string | null;
}

/** An alert: open → acknowledged → resolved; one not resolved per cause. */
export interface AlertTable {
  id: string;
  organization_id: string;
  property_id: string | null;
  kind: string;
  cause_key: string;
  severity: string;
  status: string;
  subject_type: string;
  subject_id: string;
  cabinet_id: string | null;
  key_id: string | null;
  person_id: string | null;
  checkout_id: string | null;
  title: string;
  summary: string;
  /** JSON object. */
  details: Json;
  first_event_id: string | null;
  last_event_id: string | null;
  occurrences: number;
  opened_at: Ts;
  last_seen_at: Ts;
  acknowledged_at: Ts | null;
  acknowledged_by: string | null;
  acknowledged_by_name: string | null;
  acknowledgement_note: string | null;
  resolved_at: Ts | null;
  resolved_by: string | null;
  resolved_by_name: string | null;
  resolution_note: string | null;
  resolution: string | null;
  escalation_level: number;
  escalate_at: Ts | null;
  escalated_at: Ts | null;
  updated_at: Ts;
}

/** One message about an alert (or a digest) on one channel to one recipient or endpoint. */
export interface AlertDeliveryTable extends Audited {
  id: string;
  organization_id: string;
  alert_id: string | null;
  reason: string;
  channel: string;
  user_id: string | null;
  endpoint_id: string | null;
  target: string;
  dedupe_key: string | null;
  /** JSON, or null. */
  payload: Json | null;
  status: string;
  attempts: number;
  next_attempt_at: Ts | null;
  claimed_by: string | null;
  claimed_until: Ts | null;
  last_error: string | null;
  response_status: number | null;
  response_excerpt: string | null;
  provider_id: string | null;
  duration_ms: number | null;
  sent_at: Ts | null;
}

export interface WebhookEndpointTable extends Audited {
  id: string;
  organization_id: string;
  property_id: string | null;
  url: string;
  description: string | null;
  secret: string;
  /** JSON: alert kinds (empty: all). */
  kinds: Json;
  min_severity: string;
  status: string;
  created_by: string | null;
}

export interface NotificationPreferenceTable {
  user_id: string;
  organization_id: string;
  email: Flag;
  sms: Flag;
  phone: string | null;
  min_severity: string;
  digest: Flag;
  digest_time: string;
  time_zone: string;
  updated_at: Ts;
}

export interface Database {
  organizations: OrganizationTable;
  regions: RegionTable;
  properties: PropertyTable;
  buildings: BuildingTable;
  units: UnitTable;
  key_sets: KeySetTable;
  keys: KeyTable;
  cabinets: CabinetTable;
  hooks: HookTable;
  people: PersonTable;
  credentials: CredentialTable;
  users: UserTable;
  sessions: SessionTable;
  role_assignments: RoleAssignmentTable;
  access_profiles: AccessProfileTable;
  profile_assignments: ProfileAssignmentTable;
  holiday_calendars: HolidayCalendarTable;
  reason_codes: ReasonCodeTable;
  events: EventTable;
  report_schedules: ReportScheduleTable;
  report_deliveries: ReportDeliveryTable;
  login_throttle: LoginThrottleTable;
  server_keys: ServerKeyTable;
  snapshot_versions: SnapshotVersionTable;
  cabinet_enrollment_codes: CabinetEnrollmentCodeTable;
  cabinet_devices: CabinetDeviceTable;
  cabinet_events: CabinetEventTable;
  checkouts: CheckoutTable;
  cabinet_states: CabinetStateTable;
  cabinet_commands: CabinetCommandTable;
  audit_logs: AuditLogTable;
  audit_leaves: AuditLeafTable;
  audit_tiles: AuditTileTable;
  audit_pending: AuditPendingTable;
  audit_checkpoints: AuditCheckpointTable;
  audit_offsite: AuditOffsiteTable;
  audit_verifications: AuditVerificationTable;
  job_leases: JobLeaseTable;
  alert_rules: AlertRuleTable;
  alerts: AlertTable;
  alert_deliveries: AlertDeliveryTable;
  webhook_endpoints: WebhookEndpointTable;
  notification_preferences: NotificationPreferenceTable;
}

/** Names of tables whose rows belong to a property (scoped by `property_id`). */
export type PropertyScopedTable =
  | "buildings"
  | "units"
  | "key_sets"
  | "keys"
  | "cabinets"
  | "access_profiles"
  | "profile_assignments";
