/**
 * The refusals of the cabinet protocol: a closed set of codes (`SYNC_ERROR_CODES`), each with its HTTP status and a
 * message an installer can act on. The error handler answers them as `SyncErrorBody`.
 */
import type { SyncErrorBody, SyncErrorCode } from "@keyward/contracts/cabinet-sync";

const STATUS: Record<SyncErrorCode, number> = {
  malformed_upload: 400,
  unknown_device: 401,
  device_retired: 401,
  bad_signature: 401,
  stale_request: 401,
  sequence_gap: 409,
  chain_fork: 409,
  bad_hash: 400,
  enrollment_code_invalid: 400,
};

/** A refusal of the cabinet protocol. */
export class SyncError extends Error {
  readonly code: SyncErrorCode;
  readonly status: number;
  readonly expectedSeq: number | undefined;
  readonly headHash: string | undefined;

  constructor(code: SyncErrorCode, message: string, head?: { expectedSeq: number; headHash: string }) {
    super(message);
    this.code = code;
    this.status = STATUS[code];
    this.expectedSeq = head?.expectedSeq;
    this.headHash = head?.headHash;
  }

  /** The response body. */
  toBody(): SyncErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.expectedSeq !== undefined ? { expectedSeq: this.expectedSeq } : {}),
      ...(this.headHash !== undefined ? { headHash: this.headHash } : {}),
    };
  }
}
