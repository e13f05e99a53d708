/**
 * Loading alert rules: what each property (or the organization) stored over the kinds' defaults. A property with
 * nothing stored behaves as the defaults say, so a new property is protected from its first minute.
 */
import type { Executor } from "@keyward/db/connect";
import {
  ALERT_KIND_SPECS,
  ALERT_KINDS,
  type AlertKind,
  type AlertRule,
  effectiveAlertRule,
  type StoredAlertRule,
} from "@keyward/domain/alerts";

/** The scope key of the organization's own rules (the audit trail's). */
export const ORGANIZATION_SCOPE = "organization";

/** The scope key of a kind's rule at a property: the property, or the organization for organization kinds. */
export function scopeKeyOf(kind: AlertKind, propertyId: string | null): string {
  return ALERT_KIND_SPECS[kind].scope === "organization" || propertyId === null ? ORGANIZATION_SCOPE : propertyId;
}

/** Effective rules by scope key and kind, for the scopes asked for (every kind filled in). */
export class AlertRules {
  constructor(private readonly stored: ReadonlyMap<string, ReadonlyMap<AlertKind, StoredAlertRule>>) {}

  /** The rule of a kind at a property (organization kinds: the organization's). */
  ruleFor(kind: AlertKind, propertyId: string | null): AlertRule {
    return effectiveAlertRule(kind, this.stored.get(scopeKeyOf(kind, propertyId))?.get(kind));
  }

  /** Whether anything is stored for the kind at that scope. */
  customized(kind: AlertKind, propertyId: string | null): boolean {
    return this.stored.get(scopeKeyOf(kind, propertyId))?.has(kind) ?? false;
  }
}

function isKind(kind: string): kind is AlertKind {
  return (ALERT_KINDS as readonly string[]).includes(kind);
}

/**
 * Loads the stored rules of an organization's properties (and its own), one query.
 * @param propertyIds the properties to load; the organization's own rules always come along.
 */
export async function loadAlertRules(
  db: Executor,
  organizationId: string,
  propertyIds: readonly (string | null)[],
): Promise<AlertRules> {
  const scopes = [...new Set([ORGANIZATION_SCOPE, ...propertyIds.filter((p): p is string => p !== null)])];
  const rows = await db
    .selectFrom("alert_rules")
    .select(["scope_key", "kind", "settings"])
    .where("organization_id", "=", organizationId)
    .where("scope_key", "in", scopes)
    .execute();
  const stored = new Map<string, Map<AlertKind, StoredAlertRule>>();
  for (const row of rows) {
    if (!isKind(row.kind)) {
      continue;
    }
    const byKind = stored.get(row.scope_key) ?? new Map<AlertKind, StoredAlertRule>();
    byKind.set(row.kind, JSON.parse(row.settings) as StoredAlertRule);
    stored.set(row.scope_key, byKind);
  }
  return new AlertRules(stored);
}
