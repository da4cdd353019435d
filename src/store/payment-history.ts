import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { Database } from './database.js';
import type { AttemptRow, PaymentRow } from './payments.js';
import { attempts, payments } from './schema.js';

/** Recorded payments read back for analysis (a backtest): never on a payment's own path. */
export function paymentHistoryRepository(db: Database) {
  return {
    /** The merchant's payments created in [from, to), oldest first, at most `limit`, each with its first attempt. */
    async window(merchantId: string, from: Date, to: Date, limit: number): Promise<{ payment: PaymentRow; firstAttempt: AttemptRow | null }[]> {
      const rows = await db
        .select({ payment: payments, firstAttempt: attempts })
        .from(payments)
        .leftJoin(attempts, and(eq(attempts.paymentId, payments.id), eq(attempts.number, 1)))
        .where(and(eq(payments.merchantId, merchantId), gte(payments.createdAt, from), lt(payments.createdAt, to)))
        .orderBy(asc(payments.createdAt), asc(payments.id))
        .limit(limit);
      return rows;
    },
  };
}
