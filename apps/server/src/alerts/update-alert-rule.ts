/**
 * Changing one alert rule of a property (or of the organization): the fields given are merged into what is stored,
 * `reset: true` starts again from the kind's defaults, and the rule as it would then apply must hold together.
 */
import { randomUUID } from "node:crypto";
import type { AlertRuleUpdate, AlertRuleView } from "@keyward/contracts/alerts";
import type { Executor } from "@keyward/db/connect";
import {
  ALERT_KIND_SPECS,
  type AlertKind,
  effectiveAlertRule,
  type StoredAlertRule,
  validateAlertRule,
} from "@keyward/domain/alerts";
import { canonicalJson } from "@keyward/domain/event-chain";
import type { z } from "zod";
import { type AuthenticatedActor, snapshotOf } from "../auth/actor.ts";
import { invalidInput } from "../errors.ts";
import { recordEvent } from "../events.ts";
import { ORGANIZATION_SCOPE } from "./alert-rules.ts";
import { loadRuleScope, presentAlertRule } from "./list-alert-rules.ts";

type Input = z.output<typeof AlertRuleUpdate>;

/**
 * Sets (or, with `reset`, replaces) a kind's stored rule at a property — or, with no property, the organization's —
 * and writes `alert_rule.updated` with the rule as it applied before and after. `reset: true` alone deletes the
 * stored rule: the kind's defaults apply again. Nothing changes, and nothing is recorded, when the stored choices
 * stay the same.
 * @throws invalid_input for a kind of the other scope (a property's kind without `propertyId`, the organization's
 *   with one), a threshold on a kind without one (or none on a kind with one), a rule `validateAlertRule` refuses (each
 *   problem in `details` with its field), or a user who is not a login of the organization; not_found / forbidden as
 *   `loadRuleScope`.
 */
export async function updateAlertRule(
  tx: Executor,
  actor: AuthenticatedActor,
  kind: AlertKind,
  propertyId: string | undefined,
  input: Input,
  now: Date,
): Promise<AlertRuleView> {
  const spec = ALERT_KIND_SPECS[kind];
  if (spec.scope === "property" && propertyId === undefined) {
    throw invalidInput("propertyId", `"${spec.title}" is a property's rule: name the property (propertyId)`);
  }
  if (spec.scope === "organization" && propertyId !== undefined) {
    throw invalidInput(
      "propertyId",
      `"${spec.title}" is the organization's rule, not a property's: leave propertyId out`,
    );
  }
  const { reset, ...fields } = input;
  if (fields.threshold !== undefined && (fields.threshold === null) !== (spec.threshold === null)) {
    throw invalidInput(
      "threshold",
      spec.threshold
        ? `this rule needs a threshold: ${spec.threshold.label.toLowerCase()}, from ${spec.threshold.min} to ${spec.threshold.max}`
        : "this rule has no threshold; leave it out",
    );
  }
  const scope = await loadRuleScope(tx, actor, "update", propertyId);
  const scopeKey = scope.propertyId ?? ORGANIZATION_SCOPE;
  const row = await tx
    .selectFrom("alert_rules")
    .select(["id", "settings", "updated_at"])
    .where("organization_id", "=", scope.organizationId)
    .where("scope_key", "=", scopeKey)
    .where("kind", "=", kind)
    .executeTakeFirst();
  const stored: StoredAlertRule = row ? (JSON.parse(row.settings) as StoredAlertRule) : {};
  const next: StoredAlertRule = { ...(reset ? {} : stored), ...withoutRepeats(fields) };
  const rule = effectiveAlertRule(kind, next);
  const problems = validateAlertRule(rule);
  if (problems.length > 0) {
    throw invalidInput(
      problems.length === 1 ? (problems[0]?.field ?? "rule") : "rule",
      problems.map((p) => p.message).join(" "),
      problems,
    );
  }
  await checkUsers(tx, scope.organizationId, "recipientUserIds", rule.recipientUserIds);
  await checkUsers(tx, scope.organizationId, "escalationUserIds", rule.escalationUserIds);

  const customized = Object.keys(next).length > 0;
  if (canonicalJson(next) === canonicalJson(stored)) {
    return presentAlertRule(rule, customized, row?.updated_at ?? null);
  }
  const iso = now.toISOString();
  const id = row?.id ?? randomUUID();
  if (!customized) {
    await tx
      .deleteFrom("alert_rules")
      .where("organization_id", "=", scope.organizationId)
      .where("id", "=", id)
      .execute();
  } else if (row) {
    await tx
      .updateTable("alert_rules")
      .set({ settings: JSON.stringify(next), updated_by: actor.userId, updated_at: iso })
      .where("organization_id", "=", scope.organizationId)
      .where("id", "=", id)
      .execute();
  } else {
    await tx
      .insertInto("alert_rules")
      .values({
        id,
        organization_id: scope.organizationId,
        property_id: scope.propertyId,
        scope_key: scopeKey,
        kind,
        settings: JSON.stringify(next),
        updated_by: actor.userId,
        created_at: iso,
        updated_at: iso,
      })
      .execute();
  }
  await recordEvent(tx, {
    organizationId: scope.organizationId,
    propertyId: scope.propertyId,
    action: "alert_rule.updated",
    entityType: "alertRule",
    entityId: id,
    actor: snapshotOf(actor),
    before: { ...effectiveAlertRule(kind, stored), customized: row !== undefined },
    after: { ...rule, customized },
    now,
  });
  return presentAlertRule(rule, customized, customized ? iso : null);
}

/** The fields given (absent ones left out), each list without repeats: a role named twice is told once anyway. */
function withoutRepeats(fields: Omit<Input, "reset">): StoredAlertRule {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) {
      out[key] = Array.isArray(value) ? [...new Set<unknown>(value)] : value;
    }
  }
  return out as StoredAlertRule;
}

/** Refuses a user id that is not a login of the organization. */
async function checkUsers(tx: Executor, organizationId: string, field: string, userIds: readonly string[]) {
  if (userIds.length === 0) {
    return;
  }
  const found = await tx
    .selectFrom("users")
    .select("id")
    .where("organization_id", "=", organizationId)
    .where("id", "in", [...userIds])
    .execute();
  if (found.length !== new Set(userIds).size) {
    throw invalidInput(field, "every user must be a login of this organization");
  }
}
