import { and, count, eq, gte } from 'drizzle-orm';
import type { Database } from './database.js';
import { attempts, cardBlocks, payments } from './schema.js';

/** What the network retry guard needs to know about a card, across all gateways. */
export function cardRepository(db: Database) {
  return {
    async declinedAttemptsSince(merchantId: string, cardFingerprint: string, since: Date): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(attempts)
        .innerJoin(payments, eq(payments.id, attempts.paymentId))
        .where(
          and(
            eq(payments.merchantId, merchantId),
            eq(payments.cardFingerprint, cardFingerprint),
            gte(payments.createdAt, since),
            eq(attempts.outcome, 'declined'),
          ),
        );
      return row?.n ?? 0;
    },

    async block(merchantId: string, cardFingerprint: string, reason: string): Promise<void> {
      await db.insert(cardBlocks).values({ merchantId, cardFingerprint, reason }).onConflictDoNothing();
    },

    async blockReason(merchantId: string, cardFingerprint: string): Promise<string | null> {
      const [row] = await db
        .select({ reason: cardBlocks.reason })
        .from(cardBlocks)
        .where(and(eq(cardBlocks.merchantId, merchantId), eq(cardBlocks.cardFingerprint, cardFingerprint)));
      return row?.reason ?? null;
    },
  };
}
