import { and, count, eq, gte, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { attempts, cardNetworkBlocks, payments } from './schema.js';

/** What the network retry guard needs to know about a card, across all merchants and gateways, by its network key. */
export function cardRepository(db: Database) {
  return {
    /** Whether the card is blocked, and how often it was declined since `since`: one read. */
    async guard(cardNetworkKey: string, since: Date): Promise<{ blockReason: string | null; declinedSince: number }> {
      const declined = db
        .select({ n: count() })
        .from(attempts)
        .innerJoin(payments, eq(payments.id, attempts.paymentId))
        .where(and(eq(payments.cardNetworkKey, cardNetworkKey), gte(payments.createdAt, since), eq(attempts.outcome, 'declined')));
      const blocked = db.select({ reason: cardNetworkBlocks.reason }).from(cardNetworkBlocks).where(eq(cardNetworkBlocks.cardNetworkKey, cardNetworkKey));
      const [row] = await db.select({ blockReason: sql<string | null>`(${blocked})`, declinedSince: sql<number>`(${declined})`.mapWith(Number) }).from(sql`(select 1) as one`);
      return { blockReason: row?.blockReason ?? null, declinedSince: row?.declinedSince ?? 0 };
    },

    async block(cardNetworkKey: string, reason: string): Promise<void> {
      await db.insert(cardNetworkBlocks).values({ cardNetworkKey, reason }).onConflictDoNothing();
    },
  };
}
