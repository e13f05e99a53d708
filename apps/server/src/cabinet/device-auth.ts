/**
 * Authenticating a cabinet's requests: the device names itself, states its time and signs the method, the path with
 * its query, that time and the raw body (cabinet-sync.ts). Refusals of a known device are kept as
 * `cabinet.upload_refused` events; an unknown device only earns a log line (anyone can make one up).
 */
import { DEVICE_HEADERS, REQUEST_CLOCK_SKEW_SECONDS } from "@keyward/contracts/cabinet-sync";
import type { Executor } from "@keyward/db/connect";
import { requestMessage, verifyMessage } from "@keyward/domain/event-chain";
import type { FastifyRequest } from "fastify";
import { recordEvent } from "../events.ts";
import { SyncError } from "./sync-errors.ts";

/** A device that proved who it is. */
export interface AuthenticatedDevice {
  id: string;
  organizationId: string;
  propertyId: string;
  cabinetId: string;
  cabinetName: string;
  publicKey: string;
}

/** How often one device's refusals of one kind reach the trail; the rest go to the log only. */
const REFUSAL_EVENT_INTERVAL_MS = 60_000;
const lastRefusalEvent = new Map<string, number>();

/**
 * Whether this refusal should be written to the trail. why: anyone who learns a device id can send bad signatures;
 * without a limit they could fill an organization's audit trail with refusals.
 */
function refusalWorthAnEvent(deviceId: string, code: string, now: Date): boolean {
  const key = `${deviceId}:${code}`;
  const last = lastRefusalEvent.get(key);
  if (last !== undefined && now.getTime() - last < REFUSAL_EVENT_INTERVAL_MS && now.getTime() >= last) {
    return false;
  }
  if (lastRefusalEvent.size > 10_000) {
    lastRefusalEvent.clear();
  }
  lastRefusalEvent.set(key, now.getTime());
  return true;
}

/**
 * A device's refused request, kept in the organization's trail in a transaction of its own — at most one a minute per
 * device and kind of refusal; the others are logged.
 */
export async function recordRefusal(
  db: Executor,
  device: AuthenticatedDevice,
  error: SyncError,
  req: FastifyRequest,
  now: Date,
): Promise<void> {
  if (!refusalWorthAnEvent(device.id, error.code, now)) {
    req.log.warn({ deviceId: device.id, code: error.code, address: req.ip }, "cabinet request refused");
    return;
  }
  await recordEvent(db, {
    organizationId: device.organizationId,
    propertyId: device.propertyId,
    action: "cabinet.upload_refused",
    entityType: "cabinet",
    entityId: device.cabinetId,
    actor: { type: "cabinet", id: device.cabinetId, name: device.cabinetName },
    after: {
      deviceId: device.id,
      code: error.code,
      message: error.message,
      method: req.method,
      path: req.url.split("?")[0],
      address: req.ip,
    },
    source: "cabinet",
    now,
  });
}

function header(req: FastifyRequest, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" && value.length > 0 ? value : null;
}

/**
 * @param rawBody the body exactly as received ("" for none).
 * @throws unknown_device, device_retired, bad_signature, stale_request (known devices' refusals are recorded).
 */
export async function authenticateDevice(
  db: Executor,
  req: FastifyRequest,
  rawBody: string,
  now: Date,
): Promise<AuthenticatedDevice> {
  const deviceId = header(req, DEVICE_HEADERS.device);
  const row = deviceId
    ? await db
        .selectFrom("cabinet_devices")
        .innerJoin("cabinets", "cabinets.id", "cabinet_devices.cabinet_id")
        .select([
          "cabinet_devices.id",
          "cabinet_devices.organization_id",
          "cabinet_devices.property_id",
          "cabinet_devices.cabinet_id",
          "cabinet_devices.public_key",
          "cabinet_devices.status",
          "cabinets.name",
        ])
        .where("cabinet_devices.id", "=", deviceId.slice(0, 64))
        .executeTakeFirst()
    : undefined;
  if (!row) {
    req.log.warn({ deviceId, address: req.ip }, "request from an unknown cabinet device refused");
    throw new SyncError("unknown_device", "This device is not enrolled. Enrol it with a code from the dashboard.");
  }
  const device: AuthenticatedDevice = {
    id: row.id,
    organizationId: row.organization_id,
    propertyId: row.property_id,
    cabinetId: row.cabinet_id,
    cabinetName: row.name,
    publicKey: row.public_key,
  };
  const refuse = async (error: SyncError): Promise<never> => {
    await recordRefusal(db, device, error, req, now);
    throw error;
  };
  const time = header(req, DEVICE_HEADERS.time);
  const signature = header(req, DEVICE_HEADERS.signature);
  if (
    !time ||
    !signature ||
    !verifyMessage(row.public_key, requestMessage(req.method, req.url, time, rawBody), signature)
  ) {
    return refuse(new SyncError("bad_signature", "The request's signature does not verify with this device's key."));
  }
  if (row.status !== "active") {
    return refuse(
      new SyncError("device_retired", "This cabinet was enrolled again with another device; this one is retired."),
    );
  }
  const skew = Math.abs(Date.parse(time) - now.getTime());
  if (!Number.isFinite(skew) || skew > REQUEST_CLOCK_SKEW_SECONDS * 1000) {
    return refuse(
      new SyncError(
        "stale_request",
        `The device's clock (${time}) is more than ${REQUEST_CLOCK_SKEW_SECONDS} seconds from the server's; correct it from the server's Date header.`,
      ),
    );
  }
  return device;
}

/** Writes `last_contact_at` at most once per interval per device: every request counts, few cost a write. */
export class ContactTracker {
  private readonly written = new Map<string, number>();
  constructor(private readonly intervalMs = 5_000) {}

  async touch(db: Executor, device: AuthenticatedDevice, now: Date): Promise<void> {
    const last = this.written.get(device.id);
    if (last !== undefined && Math.abs(now.getTime() - last) < this.intervalMs) {
      return;
    }
    this.written.set(device.id, now.getTime());
    await db
      .updateTable("cabinet_states")
      .set({ last_contact_at: now.toISOString() })
      .where("organization_id", "=", device.organizationId)
      .where("cabinet_id", "=", device.cabinetId)
      .execute();
  }
}
