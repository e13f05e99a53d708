/** Shapes shared by every route: errors, pagination, identifiers. */
import { z } from "zod";

/** The closed set of error codes the API answers with. Stable: clients switch on them. */
export const ERROR_CODES = [
  "invalid_input",
  "unauthenticated",
  "totp_required",
  "totp_enrollment_required",
  "forbidden",
  "not_found",
  "conflict",
  "too_many_attempts",
  "import_failed",
  "setup_complete",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBody = z
  .object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    /** The input field at fault, as a dotted path, when one is. */
    field: z.string().optional(),
    /** Row-and-column problems of an import, or every invalid field. */
    details: z
      .array(z.object({ row: z.number().optional(), field: z.string().optional(), message: z.string() }))
      .optional(),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Id = z.string().min(1).max(64);
export const IdParams = z.object({ id: Id });

/** Cursor-paginated list query: `sort` is a field name, `-field` for descending. */
export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
  sort: z.string().max(64).optional(),
  q: z.string().max(200).optional(),
});

/** A page of a list, with the cursor of the next page when there is one. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const Timestamp = z.string().describe("ISO-8601 instant, UTC");
export const LocalDate = z.iso.date().describe("Local date, YYYY-MM-DD");
export const Status = z.enum(["active", "archived"]);

export const Ok = z.object({ ok: z.literal(true) });

type WithoutDefault<S> = S extends z.ZodDefault<infer Inner> ? Inner : S;
type PatchShape<T extends z.ZodRawShape> = { [K in keyof T]: z.ZodOptional<WithoutDefault<T[K]>> };

/**
 * The PATCH schema of a create schema: every field optional and no defaults — in Zod 4 a default inside an optional
 * still applies, which would silently reset fields the caller did not name.
 */
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>): z.ZodObject<PatchShape<T>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
    shape[key] = inner.optional();
  }
  return z.object(shape) as unknown as z.ZodObject<PatchShape<T>>;
}
