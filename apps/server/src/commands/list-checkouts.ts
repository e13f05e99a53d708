/**
 * Checkouts as the dashboard reads them: the keys-out board (`status=open`), a key's or a person's history, filtered
 * to the properties the actor may read.
 *
 * Order: the open board lists the oldest checkout first (the key out longest is the one to chase); every other list
 * is newest first. `sort=since` or `sort=-since` chooses explicitly. Pages continue from an opaque cursor.
 */
import type { Checkout } from "@keyward/contracts/custody";
import type { Executor } from "@keyward/db/connect";
import { propertiesWhere } from "@keyward/domain/permissions";
import type { AuthenticatedActor } from "../auth/actor.ts";
import { forbidden, invalidInput } from "../errors.ts";
import { decodeCursor, encodeCursor, searchAny } from "../resources/records.ts";

export interface CheckoutFilter {
  limit: number;
  cursor?: string | undefined;
  sort?: string | undefined;
  status?: "open" | "returned" | undefined;
  propertyId?: string | undefined;
  keyId?: string | undefined;
  unitId?: string | undefined;
  personId?: string | undefined;
  cabinetId?: string | undefined;
  overdue?: boolean | undefined;
  /** Part of the key's label, the unit's number, the holder's name or the work order. */
  q?: string | undefined;
}

/**
 * @returns one page and the cursor of the next.
 * @throws forbidden when the actor may read checkouts nowhere; a property they may not read lists nothing.
 */
export async function listCheckouts(
  db: Executor,
  actor: AuthenticatedActor,
  filter: CheckoutFilter,
  now: Date,
): Promise<{ items: Checkout[]; nextCursor: string | null }> {
  const scope = propertiesWhere(actor, "read", "checkout");
  if (scope !== "all" && scope.length === 0) {
    throw forbidden("see checkouts");
  }
  const properties =
    scope === "all"
      ? filter.propertyId
        ? [filter.propertyId]
        : "all"
      : filter.propertyId
        ? scope.filter((p) => p === filter.propertyId)
        : scope;
  if (properties !== "all" && properties.length === 0) {
    return { items: [], nextCursor: null };
  }
  if (filter.sort !== undefined && filter.sort !== "since" && filter.sort !== "-since") {
    throw invalidInput("sort", "checkouts sort by since (oldest first) or -since (newest first)");
  }
  const ascending = filter.sort ? filter.sort === "since" : filter.status === "open";
  const nowIso = now.toISOString();

  let q = db
    .selectFrom("checkouts as c")
    .innerJoin("keys as k", "k.id", "c.key_id")
    .leftJoin("units as u", "u.id", "c.unit_id")
    .leftJoin("people as h", "h.id", "c.person_id")
    .leftJoin("people as rb", "rb.id", "c.returned_by")
    .leftJoin("reason_codes as r", "r.id", "c.reason_code_id")
    .leftJoin("cabinets as co", "co.id", "c.cabinet_id")
    .leftJoin("cabinets as ci", "ci.id", "c.return_cabinet_id")
    .select([
      "c.id",
      "c.property_id",
      "c.status",
      "c.key_id",
      "k.label as keyLabel",
      "k.kind as keyKind",
      "c.unit_id",
      "u.number as unitNumber",
      "c.person_id",
      "h.first_name as holderFirst",
      "h.last_name as holderLast",
      "c.authorized",
      "c.cabinet_id",
      "co.name as cabinetName",
      "c.hook_out",
      "c.reason_code_id",
      "r.code as reasonCode",
      "r.label as reasonLabel",
      "c.work_order",
      "c.out_at",
      "c.due_at",
      "c.returned_at",
      "c.returned_by",
      "rb.first_name as returnerFirst",
      "rb.last_name as returnerLast",
      "c.return_cabinet_id",
      "ci.name as returnCabinetName",
      "c.hook_in",
    ])
    .where("c.organization_id", "=", actor.organizationId);
  if (properties !== "all") {
    q = q.where("c.property_id", "in", properties);
  }
  if (filter.status) {
    q = q.where("c.status", "=", filter.status);
  }
  if (filter.keyId) {
    q = q.where("c.key_id", "=", filter.keyId);
  }
  if (filter.unitId) {
    q = q.where("c.unit_id", "=", filter.unitId);
  }
  if (filter.personId) {
    q = q.where("c.person_id", "=", filter.personId);
  }
  if (filter.cabinetId) {
    q = q.where("c.cabinet_id", "=", filter.cabinetId);
  }
  if (filter.overdue === true) {
    q = q.where("c.status", "=", "open").where("c.due_at", "<", nowIso);
  } else if (filter.overdue === false) {
    q = q.where((eb) =>
      eb.or([eb("c.status", "<>", "open"), eb("c.due_at", "is", null), eb("c.due_at", ">=", nowIso)]),
    );
  }
  if (filter.q) {
    q = q.where(searchAny(["k.label", "u.number", "h.first_name", "h.last_name", "c.work_order"], filter.q));
  }
  if (filter.cursor) {
    const at = decodeCursor(filter.cursor);
    if (!at) {
      throw invalidInput("cursor", "is not a cursor of this list; start again without it");
    }
    const [since, id] = [String(at[0]), at[1]];
    const op = ascending ? ">" : "<";
    q = q.where((eb) => eb.or([eb("c.out_at", op, since), eb.and([eb("c.out_at", "=", since), eb("c.id", op, id)])]));
  }
  const direction = ascending ? "asc" : "desc";
  const rows = await q
    .orderBy("c.out_at", direction)
    .orderBy("c.id", direction)
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  const lastRow = page[page.length - 1];
  const nextCursor = rows.length > filter.limit && lastRow ? encodeCursor(lastRow.out_at, lastRow.id) : null;
  const named = (id: string | null, first: string | null, last: string | null) =>
    id ? { id, name: `${first ?? ""} ${last ?? ""}`.trim() } : null;
  return {
    items: page.map((c) => ({
      id: c.id,
      propertyId: c.property_id,
      status: c.status === "open" ? "open" : "returned",
      key: { id: c.key_id, label: c.keyLabel, kind: c.keyKind },
      unit: c.unit_id && c.unitNumber !== null ? { id: c.unit_id, number: c.unitNumber } : null,
      holder: named(c.person_id, c.holderFirst, c.holderLast),
      authorized: c.authorized === 1,
      cabinet: c.cabinet_id ? { id: c.cabinet_id, name: c.cabinetName ?? "" } : null,
      hookOut: c.hook_out,
      reason:
        c.reason_code_id && c.reasonCode !== null
          ? { id: c.reason_code_id, code: c.reasonCode, label: c.reasonLabel ?? "" }
          : null,
      workOrder: c.work_order,
      since: c.out_at,
      dueAt: c.due_at,
      overdue: c.status === "open" && c.due_at !== null && c.due_at < nowIso,
      returnedAt: c.returned_at,
      returnedBy: named(c.returned_by, c.returnerFirst, c.returnerLast),
      returnCabinet: c.return_cabinet_id ? { id: c.return_cabinet_id, name: c.returnCabinetName ?? "" } : null,
      hookIn: c.hook_in,
    })),
    nextCursor,
  };
}
