/**
 * The closed set of API errors: each factory carries a stable code, an HTTP status and a message a person can act
 * on. Anything else that escapes a route is answered as `internal` and logged.
 */
import type { ErrorBody, ErrorCode } from "@keyward/contracts/common";

/** An error the API answers with as-is. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly details: ErrorBody["details"];

  constructor(
    code: ErrorCode,
    status: number,
    message: string,
    options: { field?: string; details?: ErrorBody["details"]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = status;
    this.field = options.field;
    this.details = options.details;
  }

  /** The response body. */
  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.field ? { field: this.field } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const invalidInput = (field: string, message: string, details?: ErrorBody["details"]) =>
  new ApiError("invalid_input", 400, `${field}: ${message}`, { field, details });

export const unauthenticated = (message = "Sign in to continue.") => new ApiError("unauthenticated", 401, message);

/** The one answer to any failed sign-in, whatever failed: the same body for an unknown e-mail and a wrong password. */
export const badCredentials = () => new ApiError("unauthenticated", 401, "The e-mail or password is not correct.");

export const totpRequired = () =>
  new ApiError("totp_required", 401, "Enter the 6-digit code from your authenticator app.", { field: "totp" });

export const totpEnrollmentRequired = () =>
  new ApiError(
    "totp_enrollment_required",
    403,
    "Your organization requires two-step sign-in for your role: set up an authenticator app to continue.",
  );

export const forbidden = (what: string) =>
  new ApiError("forbidden", 403, `You do not have permission to ${what}. Ask an administrator if you need it.`);

export const notFound = (what: string) => new ApiError("not_found", 404, `No ${what} with that id exists here.`);

export const conflict = (field: string, message: string) => new ApiError("conflict", 409, message, { field });

export const tooManyAttempts = (retryAfterSeconds: number) =>
  new ApiError(
    "too_many_attempts",
    429,
    `Too many failed attempts. Wait ${Math.ceil(retryAfterSeconds / 60)} minute(s) and try again, or ask an administrator.`,
  );

export const importFailed = (details: NonNullable<ErrorBody["details"]>) =>
  new ApiError(
    "import_failed",
    422,
    `The file has ${details.length} problem(s); nothing was imported. Fix the rows listed and try again.`,
    { details },
  );

export const setupComplete = () =>
  new ApiError("setup_complete", 409, "This Keyward is already set up. Sign in instead.");
