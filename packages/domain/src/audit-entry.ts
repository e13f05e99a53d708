/**
 * An audit log entry: the bytes of one leaf of an organization's log. It is the event as stored — every column — and,
 * for an event a cabinet reported, the device's signed record (its chain link and the signature over the head of the
 * upload that carried it) with the server's receipt time beside it. The bytes are RFC 8785 canonical JSON, so anyone
 * can rebuild them from the values and get the same hash. Pure and portable: the evidence-packet verifier uses it.
 */
import { canonicalJson } from "./event-chain.ts";

/** Version of the entry layout, inside every entry. */
export const AUDIT_ENTRY_VERSION = 1;

/** The event row, as stored. */
export interface AuditEventPart {
  id: string;
  organizationId: string;
  propertyId: string | null;
  occurredAt: string;
  action: string;
  entityType: string;
  entityId: string | null;
  actorType: string;
  actorId: string | null;
  actor: unknown;
  before: unknown;
  after: unknown;
  source: string;
}

/** A cabinet's record of the event, as the device chained it, with the server's receipt time. */
export interface AuditCabinetPart {
  cabinetId: string;
  device: string;
  seq: number;
  prevHash: string;
  hash: string;
  /** The device's clock. */
  occurredAt: string;
  type: string;
  data: unknown;
  /** The device's signature over its chain head at this event, when this event ended an upload. */
  headSignature: string | null;
  /** The server's clock when the upload arrived. */
  receivedAt: string;
}

export interface AuditEntry {
  v: typeof AUDIT_ENTRY_VERSION;
  event: AuditEventPart;
  cabinet?: AuditCabinetPart;
}

/** The entry's leaf bytes (as text): its canonical JSON. */
export function auditEntryText(entry: AuditEntry): string {
  return canonicalJson(entry);
}

/** Reads an entry back from its text; throws on anything that is not an entry of a known version. */
export function parseAuditEntry(text: string): AuditEntry {
  const value = JSON.parse(text) as Partial<AuditEntry> | null;
  if (!value || typeof value !== "object" || value.v !== AUDIT_ENTRY_VERSION || typeof value.event !== "object") {
    throw new TypeError("not a Keyward audit entry (version 1)");
  }
  return value as AuditEntry;
}
