/**
 * The alert rules of a property (or of the organization): every kind of that scope, each as it applies — the stored
 * choices over the kind's defaults — and whether anything is stored.
 */
import type { AlertRuleList, AlertRuleView } from "@keyward/contracts/alerts";
import type { Executor } from "@keyward/db/connect";
import { ALERT_KIND_SPECS, ALERT_KINDS, type AlertKind, type AlertRule } from "@keyward/domain/alerts";
import { type Action, can } from "@keyward/domain/permissions";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { forbidden, notFound } from "../errors.ts";
import { loadAlertRules, ORGANIZATION_SCOPE } from "./alert-rules.ts";

/** Where a set of rules lives: a property (in its zone) or the organization (UTC). */
export interface RuleScope {
  organizationId: string;
  propertyId: string | null;
  timeZone: string;
}

/**
 * The scope of the rules the actor acts on.
 * @throws not_found for a property not in the organization or whose rules the actor may not read; forbidden when they
 *   may read them but not change them, and for the organization's own rules without an organization role (those
 *   plainly exist).
 */
export async function loadRuleScope(
  db: Executor,
  actor: AuthenticatedActor,
  action: Action,
  propertyId: string | undefined,
): Promise<RuleScope> {
  const organizationId = actor.organizationId;
  const resource = { entity: "alertRule" as const, organizationId, propertyId: propertyId ?? null };
  if (propertyId === undefined) {
    if (!can(actor, action, resource)) {
      throw forbidden(
        action === "read" ? "see the organization's alert rules" : "change the organization's alert rules",
      );
    }
    return { organizationId, propertyId: null, timeZone: "UTC" };
  }
  const property = await db
    .selectFrom("properties")
    .select("time_zone")
    .where("organization_id", "=", organizationId)
    .where("id", "=", propertyId)
    .executeTakeFirst();
  if (!property || !can(actor, "read", resource)) {
    throw notFound("property");
  }
  if (!can(actor, action, resource)) {
    throw forbidden("change this property's alert rules");
  }
  return { organizationId, propertyId, timeZone: property.time_zone };
}

/** The kinds whose rules live at a scope: a property's, or (null) the organization's. */
export function kindsOf(propertyId: string | null): AlertKind[] {
  const scope = propertyId === null ? "organization" : "property";
  return ALERT_KINDS.filter((kind) => ALERT_KIND_SPECS[kind].scope === scope);
}

/** A rule as the API shows it. */
export function presentAlertRule(rule: AlertRule, customized: boolean, updatedAt: string | null): AlertRuleView {
  const spec = ALERT_KIND_SPECS[rule.kind];
  return {
    ...rule,
    title: spec.title,
    description: spec.description,
    scope: spec.scope,
    thresholdSpec: spec.threshold ? { ...spec.threshold } : null,
    customized,
    updatedAt,
  };
}

/** When each kind's stored rule at a scope last changed. */
export async function ruleStamps(db: Executor, scope: RuleScope): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom("alert_rules")
    .select(["kind", "updated_at"])
    .where("organization_id", "=", scope.organizationId)
    .where("scope_key", "=", scope.propertyId ?? ORGANIZATION_SCOPE)
    .execute();
  return new Map(rows.map((r) => [r.kind, r.updated_at]));
}

/** The rules at a scope, every kind of it. */
export async function listAlertRules(
  db: Executor,
  actor: AuthenticatedActor,
  propertyId: string | undefined,
): Promise<AlertRuleList> {
  const scope = await loadRuleScope(db, actor, "read", propertyId);
  const rules = await loadAlertRules(db, scope.organizationId, [scope.propertyId]);
  const stamps = await ruleStamps(db, scope);
  return {
    propertyId: scope.propertyId,
    timeZone: scope.timeZone,
    rules: kindsOf(scope.propertyId).map((kind) =>
      presentAlertRule(
        rules.ruleFor(kind, scope.propertyId),
        rules.customized(kind, scope.propertyId),
        stamps.get(kind) ?? null,
      ),
    ),
  };
}
