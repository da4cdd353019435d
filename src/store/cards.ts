import { and, count, eq, gte, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { attempts, cardNetworkBlocks, payments } from './schema.js';
import { placeholdersOf, runShaped, statementCache } from './statement-cache.js';

const statements = statementCache();

/** What the network retry guard needs to know about a card, across all merchants and gateways, by its network key. */
export function cardRepository(db: Database) {
  return {
    /** Whether the card is blocked, and how often it was declined since `since`: one read. */
    async guard(cardNetworkKey: string, since: Date): Promise<{ blockReason: string | null; declinedSince: number }> {
      const [row] = await runShaped(db, statements.get('guard', () => guardSql(db)), { c: { key: cardNetworkKey, since } });
      return { blockReason: (row?.block_reason as string | null) ?? null, declinedSince: Number(row?.declined_since ?? 0) };
    },

    async block(cardNetworkKey: string, reason: string): Promise<void> {
      await db.insert(cardNetworkBlocks).values({ cardNetworkKey, reason }).onConflictDoNothing();
    },
  };
}

/** The guard's one read, built once (statement-cache.ts): it runs for every payment. */
function guardSql(db: Database) {
  const c = placeholdersOf('c', { key: '', since: new Date(0) });
  const declined = db
    .select({ n: count() })
    .from(attempts)
    .innerJoin(payments, eq(payments.id, attempts.paymentId))
    .where(and(eq(payments.cardNetworkKey, c.key), gte(payments.createdAt, c.since), eq(attempts.outcome, 'declined')));
  const blocked = db.select({ reason: cardNetworkBlocks.reason }).from(cardNetworkBlocks).where(eq(cardNetworkBlocks.cardNetworkKey, c.key));
  return sql`select (${blocked}) as block_reason, (${declined}) as declined_since`;
}
