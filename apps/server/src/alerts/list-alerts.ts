/**
 * Alerts as the dashboard and integrations read them (`GET /api/v1/alerts?status=open`): newest first, filtered to
 * what the actor may read, a page at a time, with the counts the bell shows.
 */
import type { AlertListQuery, AlertPage } from "@keyward/contracts/alerts";
import type { Executor } from "@keyward/db/connect";
import { propertiesWhere } from "@keyward/domain/permissions";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { forbidden, invalidInput } from "../errors.ts";
import { decodeCursor, encodeCursor } from "../resources/records.ts";
import { presentAlerts } from "./present-alert.ts";

/**
 * One page of alerts, ordered by when they opened (newest first, then id), and how many alerts in the actor's whole
 * reach are open and acknowledged — whatever the filters, so the bell counts the same on every page.
 * @throws forbidden when the actor may read alerts nowhere; invalid_input for a cursor that is not this list's.
 */
export async function listAlerts(db: Executor, actor: AuthenticatedActor, query: AlertListQuery): Promise<AlertPage> {
  const reach = propertiesWhere(actor, "read", "alert");
  if (reach !== "all" && reach.length === 0) {
    throw forbidden("see alerts");
  }
  // why: "all" comes only from an organization role, the one kind of actor who also reads the organization's own
  // alerts (no property); a property's staff reads its properties' alerts and never those
  const scoped = () => {
    const q = db.selectFrom("alerts").where("organization_id", "=", actor.organizationId);
    return reach === "all" ? q : q.where("property_id", "in", reach);
  };

  let q = scoped().selectAll();
  if (query.status === "active") {
    q = q.where("status", "<>", "resolved");
  } else if (query.status !== "all") {
    q = q.where("status", "=", query.status);
  }
  if (query.propertyId) {
    q = q.where("property_id", "=", query.propertyId);
  }
  if (query.kind) {
    q = q.where("kind", "=", query.kind);
  }
  if (query.severity) {
    q = q.where("severity", "=", query.severity);
  }
  if (query.cursor) {
    const at = decodeCursor(query.cursor);
    if (!at) {
      throw invalidInput("cursor", "is not a cursor of this list; start again without it");
    }
    const [openedAt, id] = [String(at[0]), at[1]];
    q = q.where((eb) =>
      eb.or([eb("opened_at", "<", openedAt), eb.and([eb("opened_at", "=", openedAt), eb("id", "<", id)])]),
    );
  }
  const rows = await q
    .orderBy("opened_at", "desc")
    .orderBy("id", "desc")
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > query.limit && last ? encodeCursor(last.opened_at, last.id) : null;

  const counted = await scoped()
    .select(["status", (eb) => eb.fn.countAll<string | number>().as("n")])
    .where("status", "in", ["open", "acknowledged"])
    .groupBy("status")
    .execute();
  const count = (status: string) => Number(counted.find((c) => c.status === status)?.n ?? 0);

  return {
    items: await presentAlerts(db, actor.organizationId, page),
    nextCursor,
    counts: { open: count("open"), acknowledged: count("acknowledged") },
  };
}
