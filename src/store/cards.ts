import { and, count, eq, gte } from 'drizzle-orm';
import type { Database } from './database.js';
import { attempts, cardNetworkBlocks, payments } from './schema.js';

/** What the network retry guard needs to know about a card, across all merchants and gateways, by its network key. */
export function cardRepository(db: Database) {
  return {
    async declinedAttemptsSince(cardNetworkKey: string, since: Date): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(attempts)
        .innerJoin(payments, eq(payments.id, attempts.paymentId))
        .where(and(eq(payments.cardNetworkKey, cardNetworkKey), gte(payments.createdAt, since), eq(attempts.outcome, 'declined')));
      return row?.n ?? 0;
    },

    async block(cardNetworkKey: string, reason: string): Promise<void> {
      await db.insert(cardNetworkBlocks).values({ cardNetworkKey, reason }).onConflictDoNothing();
    },

    async blockReason(cardNetworkKey: string): Promise<string | null> {
      const [row] = await db.select({ reason: cardNetworkBlocks.reason }).from(cardNetworkBlocks).where(eq(cardNetworkBlocks.cardNetworkKey, cardNetworkKey));
      return row?.reason ?? null;
    },
  };
}
