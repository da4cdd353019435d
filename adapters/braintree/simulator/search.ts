import type { ApiResponse, Json } from './api.js';
import type { TransactionRecord, TransactionStore } from './state.js';
import { searchIdsXml, searchResultsXml } from './xml.js';

/**
 * `transaction.search` in two steps, as the SDK drives it: `advanced_search_ids` answers the
 * matching ids and a page size, then `advanced_search` answers each page of transactions (the
 * same criteria plus `ids: [...]`). Text criteria `id` and `order_id` take is, is_not,
 * starts_with, ends_with and contains; the multiple-value criteria `ids`, `type` (sale, credit)
 * and `status` take a list (the SDK's `in(...)` and `is(...)`); anything else is refused rather
 * than silently ignored.
 */

type Matcher = (transaction: TransactionRecord) => boolean;

const TEXT_FIELDS: Readonly<Record<string, (t: TransactionRecord) => string | null>> = {
  id: (t) => t.id,
  order_id: (t) => t.orderId,
};

/** Multiple-value criteria: the SDK sends a list of accepted values. */
const LIST_FIELDS: Readonly<Record<string, (t: TransactionRecord) => string>> = {
  ids: (t) => t.id,
  type: (t) => t.type,
  status: (t) => t.status,
};

const TEXT_OPERATORS: Readonly<Record<string, (actual: string, wanted: string) => boolean>> = {
  is: (actual, wanted) => actual === wanted,
  is_not: (actual, wanted) => actual !== wanted,
  starts_with: (actual, wanted) => actual.startsWith(wanted),
  ends_with: (actual, wanted) => actual.endsWith(wanted),
  contains: (actual, wanted) => actual.includes(wanted),
};

function matchers(criteria: Json): Matcher[] | string {
  const result: Matcher[] = [];
  for (const [field, criterion] of Object.entries(criteria)) {
    const listed = LIST_FIELDS[field];
    if (listed && Array.isArray(criterion)) {
      const accepted = new Set(criterion.map(String));
      result.push((t) => accepted.has(listed(t)));
      continue;
    }
    const read = TEXT_FIELDS[field];
    if (!read || typeof criterion !== 'object' || criterion === null) return `unsupported search criterion ${field}`;
    for (const [operator, wanted] of Object.entries(criterion)) {
      const test = TEXT_OPERATORS[operator];
      if (!test) return `unsupported operator ${operator} on ${field}`;
      result.push((t) => {
        const actual = read(t);
        return actual !== null && test(actual, String(wanted));
      });
    }
  }
  return result;
}

function matching(store: TransactionStore, criteria: Json): TransactionRecord[] | ApiResponse {
  const tests = matchers(criteria);
  if (typeof tests === 'string') return { status: 400, body: tests };
  return store
    .all()
    .filter((t) => tests.every((test) => test(t)))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

export function searchIds(store: TransactionStore, criteria: Json): ApiResponse {
  const found = matching(store, criteria);
  return Array.isArray(found) ? { status: 200, body: searchIdsXml(found.map((t) => t.id)) } : found;
}

export function searchTransactions(store: TransactionStore, criteria: Json): ApiResponse {
  const found = matching(store, criteria);
  return Array.isArray(found) ? { status: 200, body: searchResultsXml(found) } : found;
}
