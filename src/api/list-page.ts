/**
 * A cursor-paginated list answer from the rows a repository read: repositories read one row more
 * than `limit`, and that row only tells `has_more`.
 */
export function listPage<Row, View>(rows: readonly Row[], limit: number, view: (row: Row) => View) {
  return { object: 'list' as const, data: rows.slice(0, limit).map(view), has_more: rows.length > limit };
}
