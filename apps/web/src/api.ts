/**
 * The dashboard's API client: JSON over fetch with the session cookie, and one typed error for every failure so that
 * screens can show the server's message and put field errors next to their fields.
 */
import type { ErrorBody, ErrorCode } from "@keyward/contracts/common";

/** One problem the server attached to an error: an import's row and column, or one invalid field. */
export interface ErrorDetail {
  row?: number | undefined;
  field?: string | undefined;
  message: string;
}

/** An API call that did not succeed, carrying the server's stable code and, where known, the field at fault. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | "network";
  readonly field: string | undefined;
  readonly details: ErrorDetail[];

  constructor(
    status: number,
    code: ErrorCode | "network",
    message: string,
    field?: string | undefined,
    details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details;
  }
}

/** A page of a list and the cursor of the next one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Query parameters; undefined, null and empty values are left out. */
export type Query = Record<string, string | number | boolean | null | undefined>;

/** Builds an /api/v1 URL with its query string. */
export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") {
      params.set(key, String(value));
    }
  }
  const qs = params.toString();
  return `/api/v1/${path.replace(/^\//, "")}${qs ? `?${qs}` : ""}`;
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

/**
 * Calls the API and returns the parsed JSON body.
 * @throws ApiError for any non-2xx answer, and with code "network" when the server cannot be reached.
 */
export async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  let response: Response;
  try {
    response = await fetch(apiUrl(path, query), {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "Keyward cannot be reached. Check your connection and try again.");
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) {
    if (isErrorBody(parsed)) {
      throw new ApiError(response.status, parsed.code, parsed.message, parsed.field, parsed.details ?? []);
    }
    throw new ApiError(response.status, "internal", `The server answered ${response.status}. Try again.`);
  }
  return parsed as T;
}

/** The typed verbs. */
export const api = {
  get: <T>(path: string, query?: Query) => request<T>("GET", path, undefined, query),
  post: <T>(path: string, body: unknown = {}) => request<T>("POST", path, body),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  put: <T>(path: string, body: unknown, query?: Query) => request<T>("PUT", path, body, query),
  list: <T>(path: string, query?: Query) => request<Page<T>>("GET", path, undefined, query),
};

/**
 * Reads every page of a list, up to `cap` records. Used for short lists (a property's cabinets);
 * `complete` says whether the cap was reached, so a screen can say "at least".
 */
export async function listAll<T>(path: string, query: Query, cap: number): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await api.list<T>(path, { ...query, limit: 500, cursor: cursor ?? undefined });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < cap);
  return { items, complete: !cursor };
}
