/**
 * The one authorization resolver. Every dashboard and API act is decided by `can(actor, action, resource)`
 * over the typed matrix below; routes never compare role names themselves.
 */

/** Roles, persisted as stable string keys. */
export const ROLES = [
  "administrator",
  "executive",
  "regional_manager",
  "property_manager",
  "office_staff",
  "maintenance_supervisor",
  "technician",
  "vendor",
  "auditor",
] as const;
export type Role = (typeof ROLES)[number];

/** What a role assignment is scoped to. */
export const SCOPE_TYPES = ["organization", "region", "property"] as const;
export type ScopeType = (typeof SCOPE_TYPES)[number];

/** Everything the admin plane manages. */
export const ENTITIES = [
  "organization",
  "region",
  "property",
  "building",
  "unit",
  "keySet",
  "key",
  "cabinet",
  "person",
  "credential",
  "user",
  "roleAssignment",
  "accessProfile",
  "profileAssignment",
  "holidayCalendar",
  "reasonCode",
  "event",
  "import",
  /** Custody records opened and closed by cabinet events; read only (no role creates or edits one by hand). */
  "checkout",
  /** Operating a cabinet from afar: issuing its enrolment code ("create") and releasing its door remotely. */
  "cabinetControl",
  /**
   * The organization's tamper-evident audit trail: its log, checkpoints, offsite copies and verifications. Reading it
   * includes re-verifying it (a check changes nothing). Organization-wide, so only organization-scoped roles reach it.
   */
  "auditTrail",
  /** Running reports (read). What a report shows is limited to the properties where the actor may read reports. */
  "report",
  /** Reports delivered by e-mail on a schedule. */
  "reportSchedule",
  /** Alerts: reading them, and acknowledging or resolving them ("update"). */
  "alert",
  /** The rules that raise alerts at a property (or, with no property, the organization's audit-trail rules). */
  "alertRule",
  /** Webhook endpoints and their delivery log: organization-wide, they receive every property's alerts. */
  "webhookEndpoint",
] as const;
export type Entity = (typeof ENTITIES)[number];

export const ACTIONS = ["read", "create", "update"] as const;
export type Action = (typeof ACTIONS)[number];

const ALL: Action[] = ["read", "create", "update"];
const READ: Action[] = ["read"];
const NONE: Action[] = [];

type Matrix = Record<Role, Record<Entity, Action[]>>;

function everything(actions: Action[]): Record<Entity, Action[]> {
  return Object.fromEntries(ENTITIES.map((e) => [e, actions])) as Record<Entity, Action[]>;
}

// why: a property-level manager runs the property's keys, cabinets, people and permissions, but changes neither
// the organization nor its regions; the typed Record makes a forgotten entity a compile error.
const propertyManagement: Record<Entity, Action[]> = {
  organization: READ,
  region: READ,
  property: ["read", "update"],
  building: ALL,
  unit: ALL,
  keySet: ALL,
  key: ALL,
  cabinet: ALL,
  person: ALL,
  credential: ALL,
  user: ALL,
  roleAssignment: ALL,
  accessProfile: ALL,
  profileAssignment: ALL,
  holidayCalendar: ALL,
  reasonCode: READ,
  event: READ,
  import: ["create"],
  checkout: READ,
  cabinetControl: ["read", "create"],
  auditTrail: READ,
  report: READ,
  reportSchedule: ALL,
  alert: ["read", "update"],
  alertRule: ["read", "update"],
  webhookEndpoint: NONE,
};

/** The matrix: what each role may do to each entity within the scope of its assignment. */
export const PERMISSIONS: Matrix = {
  // why: checkouts are projections of cabinet events; not even an administrator writes one through the API
  administrator: { ...everything(ALL), checkout: READ },
  executive: { ...propertyManagement, region: ALL, property: ALL, reasonCode: ALL, webhookEndpoint: ALL },
  regional_manager: { ...propertyManagement, property: ["read", "update"] },
  property_manager: propertyManagement,
  office_staff: {
    organization: READ,
    region: READ,
    property: READ,
    building: READ,
    unit: ["read", "update"],
    keySet: READ,
    key: ["read", "update"],
    cabinet: READ,
    person: ["read", "update"],
    credential: READ,
    user: NONE,
    roleAssignment: READ,
    accessProfile: READ,
    profileAssignment: READ,
    holidayCalendar: READ,
    reasonCode: READ,
    event: READ,
    import: NONE,
    checkout: READ,
    cabinetControl: READ,
    auditTrail: NONE,
    report: READ,
    reportSchedule: NONE,
    // why: the front desk is often first to see an alert and can say "on it"; changing rules is a manager's call
    alert: ["read", "update"],
    alertRule: READ,
    webhookEndpoint: NONE,
  },
  maintenance_supervisor: {
    organization: READ,
    region: READ,
    property: READ,
    building: READ,
    unit: READ,
    keySet: ALL,
    key: ALL,
    cabinet: READ,
    person: ["read", "update"],
    credential: ALL,
    user: NONE,
    roleAssignment: READ,
    accessProfile: READ,
    profileAssignment: ALL,
    holidayCalendar: READ,
    reasonCode: READ,
    event: READ,
    import: NONE,
    checkout: READ,
    cabinetControl: READ,
    auditTrail: NONE,
    report: READ,
    reportSchedule: READ,
    alert: ["read", "update"],
    alertRule: READ,
    webhookEndpoint: NONE,
  },
  technician: {
    organization: READ,
    region: NONE,
    property: READ,
    building: READ,
    unit: READ,
    keySet: READ,
    key: READ,
    cabinet: READ,
    person: NONE,
    credential: NONE,
    user: NONE,
    roleAssignment: NONE,
    accessProfile: NONE,
    profileAssignment: NONE,
    holidayCalendar: READ,
    reasonCode: READ,
    event: NONE,
    import: NONE,
    checkout: READ,
    cabinetControl: READ,
    auditTrail: NONE,
    report: NONE,
    reportSchedule: NONE,
    alert: NONE,
    alertRule: NONE,
    webhookEndpoint: NONE,
  },
  vendor: {
    ...everything(NONE),
    organization: READ,
    property: READ,
    reasonCode: READ,
  },
  auditor: { ...everything(READ), import: NONE },
};

/** Roles whose holders manage people and permissions: organization policy may require TOTP for them. */
export const PEOPLE_MANAGING_ROLES: readonly Role[] = ROLES.filter(
  (role) => PERMISSIONS[role].roleAssignment.includes("create") || PERMISSIONS[role].credential.includes("create"),
);

/** Role a granter may hand out: never above their own, and only an administrator makes administrators. */
const RANK: Record<Role, number> = {
  administrator: 100,
  executive: 90,
  regional_manager: 80,
  property_manager: 70,
  maintenance_supervisor: 50,
  office_staff: 40,
  auditor: 40,
  technician: 20,
  vendor: 10,
};

/**
 * The actor as the resolver sees it: the organization it acts in and its roles, already expanded from
 * region assignments to the properties in those regions.
 */
export interface Actor {
  userId: string;
  personId: string | null;
  organizationId: string;
  /** Roles held across the whole organization. */
  organizationRoles: readonly Role[];
  /** Roles held at particular properties (region assignments expanded). */
  propertyRoles: Readonly<Record<string, readonly Role[]>>;
  /** Region assignments, kept for display and for region-level resources. */
  regionRoles: Readonly<Record<string, readonly Role[]>>;
}

/** A resource as the resolver needs to see it. `propertyId: null` means an organization-level resource. */
export interface Resource {
  entity: Entity;
  organizationId: string;
  propertyId: string | null;
  regionId?: string | null;
}

/**
 * Entities whose organization-level records (no property: `propertyId: null`) only organization-wide roles may read.
 * Other organization-level records (reason codes, regions, the organization itself) are readable by any role that
 * may read the entity somewhere. The people, logins, credentials and role grants of organization-wide staff, and
 * organization-level events (sign-in failures with client addresses, organization-wide grants), are not a property's
 * business: a badge number is one of the two factors that open a cabinet.
 */
const ORGANIZATION_ROLE_READS: ReadonlySet<Entity> = new Set<Entity>([
  "event",
  "person",
  "credential",
  "user",
  "roleAssignment",
  // why: the log holds every property's events; seeing its state is an organization role's business
  "auditTrail",
  // why: the organization's own alerts (the audit trail failing) and its webhooks are organization business
  "alert",
  "alertRule",
  "webhookEndpoint",
]);

function rolesAllow(roles: readonly Role[], action: Action, entity: Entity): boolean {
  return roles.some((role) => PERMISSIONS[role][entity].includes(action));
}

/** Roles that apply to a property: organization-wide ones plus those held there. */
export function rolesAt(actor: Actor, propertyId: string): Role[] {
  return [...actor.organizationRoles, ...(actor.propertyRoles[propertyId] ?? [])];
}

/** Every role the actor holds anywhere in its organization. */
export function allRoles(actor: Actor): Role[] {
  return [
    ...actor.organizationRoles,
    ...Object.values(actor.propertyRoles).flat(),
    ...Object.values(actor.regionRoles).flat(),
  ];
}

/**
 * Decides whether the actor may perform the action on the resource.
 *
 * - Another organization's resource: never.
 * - A property-level resource: the roles held organization-wide or at that property.
 * - An organization-level resource: reading needs the permission in any role the actor holds; changing it needs an
 *   organization-wide role (a property manager reads reason codes but does not rewrite them for everyone).
 */
export function can(actor: Actor, action: Action, resource: Resource): boolean {
  if (resource.organizationId !== actor.organizationId) {
    return false;
  }
  if (resource.propertyId !== null) {
    return rolesAllow(rolesAt(actor, resource.propertyId), action, resource.entity);
  }
  if (action === "read" && !ORGANIZATION_ROLE_READS.has(resource.entity)) {
    return rolesAllow(allRoles(actor), action, resource.entity);
  }
  if (resource.entity === "region" && resource.regionId) {
    return rolesAllow(
      [...actor.organizationRoles, ...(actor.regionRoles[resource.regionId] ?? [])],
      action,
      resource.entity,
    );
  }
  return rolesAllow(actor.organizationRoles, action, resource.entity);
}

/** Properties where the actor may perform the action on the entity; `"all"` when an organization role allows it. */
export function propertiesWhere(actor: Actor, action: Action, entity: Entity): "all" | string[] {
  if (rolesAllow(actor.organizationRoles, action, entity)) {
    return "all";
  }
  return Object.entries(actor.propertyRoles)
    .filter(([, roles]) => rolesAllow(roles, action, entity))
    .map(([propertyId]) => propertyId);
}

/**
 * Whether the actor may grant `role` at the given scope. A granter never hands out a role ranked above their own
 * best role at that scope, and only administrators create administrators.
 */
export function canGrantRole(
  actor: Actor,
  role: Role,
  scope: { type: ScopeType; propertyIds: readonly string[] },
): boolean {
  const relevant =
    scope.type === "organization"
      ? [...actor.organizationRoles]
      : scope.propertyIds.length === 0
        ? [...actor.organizationRoles]
        : // why: for a region grant the granter must hold a sufficient role at every property it covers
          intersectRoles(scope.propertyIds.map((id) => rolesAt(actor, id)));
  const granters = relevant.filter((r) => PERMISSIONS[r].roleAssignment.includes("create"));
  if (granters.length === 0) {
    return false;
  }
  if (role === "administrator") {
    return granters.includes("administrator");
  }
  const best = Math.max(...granters.map((r) => RANK[r]));
  return RANK[role] <= best;
}

function intersectRoles(lists: Role[][]): Role[] {
  const [first, ...rest] = lists;
  if (!first) {
    return [];
  }
  // A role counts only where it holds everywhere; take the weakest best-role across properties instead.
  const bestRank = Math.min(
    ...lists.map((roles) =>
      Math.max(0, ...roles.filter((r) => PERMISSIONS[r].roleAssignment.includes("create")).map((r) => RANK[r])),
    ),
  );
  return first.concat(...rest).filter((r) => RANK[r] <= bestRank && PERMISSIONS[r].roleAssignment.includes("create"));
}
