/**
 * Custody as the dashboard reads it: checkouts (open and past), each cabinet's live state, remote release, and the
 * live-update stream that tells the dashboard what to refetch.
 */
import { z } from "zod";
import { Id, ListQuery, page, Timestamp } from "./common.ts";

export const CHECKOUT_STATUSES = ["open", "returned"] as const;

const Named = z.object({ id: Id, name: z.string() });

/** One checkout: which key, which unit, who holds it since when and why, and when it is due. */
export const Checkout = z
  .object({
    id: Id,
    propertyId: Id,
    status: z.enum(CHECKOUT_STATUSES),
    key: z.object({ id: Id, label: z.string(), kind: z.string() }),
    unit: z.object({ id: Id, number: z.string() }).nullable(),
    /** Null when nobody was identified (a key removed with no session). */
    holder: Named.nullable(),
    /** False when the key left without being granted. */
    authorized: z.boolean(),
    cabinet: Named.nullable(),
    hookOut: z.number().int().nullable(),
    reason: z.object({ id: Id, code: z.string(), label: z.string() }).nullable(),
    workOrder: z.string().nullable(),
    since: Timestamp,
    dueAt: Timestamp.nullable(),
    overdue: z.boolean(),
    returnedAt: Timestamp.nullable(),
    returnedBy: Named.nullable(),
    returnCabinet: Named.nullable(),
    hookIn: z.number().int().nullable(),
  })
  .meta({ id: "Checkout" });
export type Checkout = z.infer<typeof Checkout>;

/** `GET /api/v1/checkouts`: `status=open` is the keys-out board, oldest first; other lists newest first; `sort=since` or `-since` overrides. */
export const CheckoutListQuery = ListQuery.extend({
  status: z.enum(CHECKOUT_STATUSES).optional(),
  propertyId: Id.optional(),
  keyId: Id.optional(),
  unitId: Id.optional(),
  personId: Id.optional(),
  cabinetId: Id.optional(),
  overdue: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});
export const CheckoutPage = page(Checkout);

/** A cabinet's live state. Online means the server heard from its agent within the last 90 seconds. */
export const CabinetState = z
  .object({
    cabinetId: Id,
    propertyId: Id,
    name: z.string(),
    enrolled: z.boolean(),
    online: z.boolean(),
    lastContactAt: Timestamp.nullable(),
    lastEventAt: Timestamp.nullable(),
    /** The snapshot the cabinet last applied, and the one it should have. */
    snapshotVersion: z.number().int().nullable(),
    currentSnapshotVersion: z.number().int(),
    door: z.enum(["closed", "open", "unknown"]),
    openAlarms: z.number().int(),
    lastAlarm: z.object({ action: z.string(), at: Timestamp }).nullable(),
    keysIn: z.number().int(),
    hookCount: z.number().int(),
  })
  .meta({ id: "CabinetState" });
export type CabinetState = z.infer<typeof CabinetState>;

export const CabinetStateQuery = z.object({ propertyId: Id.optional() });
export const CabinetStateList = z.object({ items: z.array(CabinetState) });

/** `POST /api/v1/cabinets/:id/remote-release`. */
export const RemoteReleaseRequest = z.object({
  reason: z.string().trim().min(3).max(500),
  seconds: z.number().int().min(1).max(120).default(10),
});
export const RemoteRelease = z
  .object({
    commandId: Id,
    cabinetId: Id,
    status: z.enum(["pending", "executed", "expired"]),
    requestedAt: Timestamp,
    expiresAt: Timestamp,
    executedAt: Timestamp.nullable(),
  })
  .meta({ id: "RemoteRelease" });
export type RemoteRelease = z.infer<typeof RemoteRelease>;

/** `POST /api/v1/cabinets/:id/alarms/acknowledge`: a manager has looked into the cabinet's open alarms. */
export const AcknowledgeAlarmsRequest = z.object({
  note: z.string().trim().min(3).max(500).describe("What was found or done, kept in the history"),
});
export const AlarmsAcknowledged = z
  .object({ cabinetId: Id, acknowledged: z.number().int(), at: Timestamp })
  .meta({ id: "AlarmsAcknowledged" });
export type AlarmsAcknowledged = z.infer<typeof AlarmsAcknowledged>;

/** Topics of the dashboard's live stream (`GET /api/v1/live`, Server-Sent Events). */
export const LIVE_TOPICS = ["checkouts", "keys", "cabinets", "events", "alerts"] as const;
export type LiveTopic = (typeof LIVE_TOPICS)[number];

/** One live message: something under these topics changed at this property; refetch what shows it. */
export const LiveMessage = z.object({
  topics: z.array(z.enum(LIVE_TOPICS)),
  propertyId: Id.nullable(),
  at: Timestamp,
});
export type LiveMessage = z.infer<typeof LiveMessage>;
