/** The last step of a pipeline: shapes a presented record by its response schema, dropping any field it does not name. */
import type { z } from "zod";

/** Parses a presented value with the route's response schema. */
export function shape<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  return schema.parse(value);
}
