/** The rows of a `db.execute` result: postgres.js answers the rows, PGlite an object holding them. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  return ((result as { rows?: unknown[] }).rows ?? (result as unknown[])) as Record<string, unknown>[];
}
