/**
 * Counts what a router sends to PostgreSQL, from postgres.js's per-statement hook: statements
 * (transaction control left out) and commits, an explicit COMMIT or a statement sent outside a
 * transaction (PostgreSQL commits each of those on its own, reads included).
 *
 * The API-key and gateway-account cache's reads are counted apart (`lookupReads`, each one
 * statement sent outside a transaction): they happen when an entry is first needed or dropped,
 * not per payment, so per-payment figures leave them out and show them beside. So are the
 * notifications sent outside any transaction (`notifies`: the batched hints that events were
 * committed, runtime/node/event-hints.ts), one per batch of payments, not one per payment.
 */
export interface StatementCounts {
  statements: number;
  commits: number;
  lookupReads: number;
  notifies: number;
}

const CONTROL = /^\s*(begin|commit|rollback|savepoint|release|start transaction)\b/i;
const NOTIFY = /^\s*select pg_notify\(/i;

export function statementCounter() {
  const counts: StatementCounts = { statements: 0, commits: 0, lookupReads: 0, notifies: 0 };
  const inTransaction = new Set<number>();
  return {
    counts: (): StatementCounts => ({ ...counts }),
    /** One read by the lookup cache reached the database. */
    lookupRead(): void {
      counts.lookupReads++;
    },
    onQuery(connection: number, query: string): void {
      const control = CONTROL.exec(query)?.[1]?.toLowerCase();
      if (control === undefined) {
        if (NOTIFY.test(query) && !inTransaction.has(connection)) {
          counts.notifies++;
          return;
        }
        counts.statements++;
        if (!inTransaction.has(connection)) counts.commits++;
      } else if (control === 'begin' || control === 'start transaction') {
        inTransaction.add(connection);
      } else if (control === 'commit') {
        counts.commits++;
        inTransaction.delete(connection);
      } else if (control === 'rollback' && !/^\s*rollback\s+to\b/i.test(query)) {
        inTransaction.delete(connection);
      }
    },
  };
}
