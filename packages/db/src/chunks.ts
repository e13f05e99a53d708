/** Ids or rows per statement: well under SQLite's and PostgreSQL's limits on bound parameters. */
export const STATEMENT_LIST_MAX = 500;

/** Splits a list into consecutive slices of at most `size` items, one statement each. */
export function chunked<T>(items: readonly T[], size = STATEMENT_LIST_MAX): T[][] {
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    slices.push(items.slice(i, i + size));
  }
  return slices;
}
