import { and, asc, desc, eq, gt, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { paymentMethods } from './schema.js';

export type PaymentMethodRow = typeof paymentMethods.$inferSelect;
export type NewPaymentMethod = typeof paymentMethods.$inferInsert;

export interface PaymentMethodChanges {
  expMonth?: number;
  expYear?: number;
  flaggedReason?: string | null;
  flaggedAt?: Date | null;
}

/** The vault's rows: sealed cards and their wrapped data keys (src/vault/ seals and opens them). */
export function vaultRepository(db: Database) {
  return {
    /** Inserts the card, unless the merchant has it already (same fingerprint): then the stored one is answered, `created: false`. */
    async insert(row: NewPaymentMethod): Promise<{ row: PaymentMethodRow; created: boolean }> {
      const [inserted] = await db.insert(paymentMethods).values(row).onConflictDoNothing({ target: [paymentMethods.merchantId, paymentMethods.fingerprint] }).returning();
      if (inserted) return { row: inserted, created: true };
      const [existing] = await db.select().from(paymentMethods).where(and(eq(paymentMethods.merchantId, row.merchantId), eq(paymentMethods.fingerprint, row.fingerprint)));
      return { row: existing!, created: false };
    },

    async get(merchantId: string, id: string): Promise<PaymentMethodRow | null> {
      const [row] = await db.select().from(paymentMethods).where(and(eq(paymentMethods.id, id), eq(paymentMethods.merchantId, merchantId)));
      return row ?? null;
    },

    /** Newest first, one more than `limit` so the caller can tell `has_more`. */
    async list(merchantId: string, options: { customerId?: string; limit: number; startingAfter?: string }): Promise<PaymentMethodRow[]> {
      return db
        .select()
        .from(paymentMethods)
        .where(
          and(
            eq(paymentMethods.merchantId, merchantId),
            options.customerId === undefined ? undefined : eq(paymentMethods.customerId, options.customerId),
            options.startingAfter === undefined ? undefined : lt(paymentMethods.id, options.startingAfter),
          ),
        )
        .orderBy(desc(paymentMethods.id))
        .limit(options.limit + 1);
    },

    async update(merchantId: string, id: string, changes: PaymentMethodChanges, now: Date): Promise<PaymentMethodRow | null> {
      const [row] = await db
        .update(paymentMethods)
        .set({ ...changes, updatedAt: now })
        .where(and(eq(paymentMethods.id, id), eq(paymentMethods.merchantId, merchantId)))
        .returning();
      return row ?? null;
    },

    /** Attaches to a customer (null: detaches). Answers null when the card is attached to another customer already. */
    async setCustomer(merchantId: string, id: string, customerId: string | null, now: Date): Promise<PaymentMethodRow | null> {
      const [row] = await db
        .update(paymentMethods)
        .set({ customerId, updatedAt: now })
        .where(
          and(
            eq(paymentMethods.id, id),
            eq(paymentMethods.merchantId, merchantId),
            customerId === null ? undefined : sql`(${paymentMethods.customerId} is null or ${paymentMethods.customerId} = ${customerId})`,
          ),
        )
        .returning();
      return row ?? null;
    },

    /** Detaches every card of a customer (the customer is deleted). */
    async detachAll(merchantId: string, customerId: string, now: Date): Promise<void> {
      await db
        .update(paymentMethods)
        .set({ customerId: null, updatedAt: now })
        .where(and(eq(paymentMethods.merchantId, merchantId), eq(paymentMethods.customerId, customerId)));
    },

    /** Keeps the network transaction id of the first consented payment; a later one never replaces it. */
    async keepNetworkTransactionId(id: string, networkTransactionId: string, now: Date): Promise<void> {
      await db
        .update(paymentMethods)
        .set({ networkTransactionId, updatedAt: now })
        .where(and(eq(paymentMethods.id, id), isNull(paymentMethods.networkTransactionId)));
    },

    /** Up to `limit` records whose data key is wrapped by another KEK than `kekId`, by id after `after`. */
    async wrappedElsewhere(kekId: string, limit: number, after: string | null): Promise<Pick<PaymentMethodRow, 'id' | 'merchantId' | 'wrappedKey' | 'kekId'>[]> {
      return db
        .select({ id: paymentMethods.id, merchantId: paymentMethods.merchantId, wrappedKey: paymentMethods.wrappedKey, kekId: paymentMethods.kekId })
        .from(paymentMethods)
        .where(and(ne(paymentMethods.kekId, kekId), after === null ? undefined : gt(paymentMethods.id, after)))
        .orderBy(asc(paymentMethods.id))
        .limit(limit);
    },

    /** Replaces a wrapped data key, only if it is still the one read (compare-and-set on it): a concurrent rotation wins once. */
    async rewrap(id: string, from: string, to: { wrappedKey: string; kekId: string }): Promise<boolean> {
      const rows = await db
        .update(paymentMethods)
        .set(to)
        .where(and(eq(paymentMethods.id, id), eq(paymentMethods.wrappedKey, from)))
        .returning({ id: paymentMethods.id });
      return rows.length === 1;
    },

    /** How many records each KEK wraps: what a rotation leaves to do. */
    async countByKek(): Promise<Map<string, number>> {
      const rows = await db.select({ kekId: paymentMethods.kekId, count: sql<number>`count(*)::int` }).from(paymentMethods).groupBy(paymentMethods.kekId);
      return new Map(rows.map((r) => [r.kekId, Number(r.count)]));
    },
  };
}
