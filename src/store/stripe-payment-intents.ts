import { and, asc, desc, eq, gt, gte, lt, lte, type SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import { stripePaymentIntents } from './schema.js';

export type StripeIntentRow = typeof stripePaymentIntents.$inferSelect;
export type StripeIntentPatch = Partial<Pick<StripeIntentRow, 'amount' | 'currency' | 'captureMethod' | 'description' | 'metadata' | 'returnUrl' | 'paymentMethod' | 'customer' | 'setupFutureUsage' | 'paymentId' | 'cancellationReason' | 'canceledAt'>>;

export interface StripeIntentFilter {
  limit: number;
  /** Newer than this id (a page back), answered newest first like every page. */
  endingBefore?: string | undefined;
  /** Older than this id (the next page). */
  startingAfter?: string | undefined;
  createdGt?: Date | undefined;
  createdGte?: Date | undefined;
  createdLt?: Date | undefined;
  createdLte?: Date | undefined;
}

/** The Stripe-compatible API's PaymentIntents (their payments are the canonical ones). */
export function stripePaymentIntentRepository(db: Database) {
  return {
    async insert(row: typeof stripePaymentIntents.$inferInsert): Promise<StripeIntentRow> {
      const [inserted] = await db.insert(stripePaymentIntents).values(row).returning();
      return inserted!;
    },

    async get(merchantId: string, id: string): Promise<StripeIntentRow | null> {
      const [row] = await db.select().from(stripePaymentIntents).where(and(eq(stripePaymentIntents.merchantId, merchantId), eq(stripePaymentIntents.id, id)));
      return row ?? null;
    },

    async byPayment(merchantId: string, paymentId: string): Promise<StripeIntentRow | null> {
      const [row] = await db.select().from(stripePaymentIntents).where(and(eq(stripePaymentIntents.merchantId, merchantId), eq(stripePaymentIntents.paymentId, paymentId)));
      return row ?? null;
    },

    /** Compare-and-set on `version`: null when another request changed the intent first. */
    async update(id: string, version: number, patch: StripeIntentPatch, now: Date): Promise<StripeIntentRow | null> {
      const [row] = await db
        .update(stripePaymentIntents)
        .set({ ...patch, version: version + 1, updatedAt: now })
        .where(and(eq(stripePaymentIntents.id, id), eq(stripePaymentIntents.version, version)))
        .returning();
      return row ?? null;
    },

    /** Newest first, one row more than asked (to tell `has_more`). */
    async list(merchantId: string, filter: StripeIntentFilter): Promise<StripeIntentRow[]> {
      const where: SQL[] = [eq(stripePaymentIntents.merchantId, merchantId)];
      if (filter.startingAfter) where.push(lt(stripePaymentIntents.id, filter.startingAfter));
      if (filter.endingBefore) where.push(gt(stripePaymentIntents.id, filter.endingBefore));
      if (filter.createdGt) where.push(gt(stripePaymentIntents.createdAt, filter.createdGt));
      if (filter.createdGte) where.push(gte(stripePaymentIntents.createdAt, filter.createdGte));
      if (filter.createdLt) where.push(lt(stripePaymentIntents.createdAt, filter.createdLt));
      if (filter.createdLte) where.push(lte(stripePaymentIntents.createdAt, filter.createdLte));
      // A page back is the one just newer than the cursor: read upward from it, answer newest first.
      const backward = Boolean(filter.endingBefore) && !filter.startingAfter;
      const rows = await db
        .select()
        .from(stripePaymentIntents)
        .where(and(...where))
        .orderBy(backward ? asc(stripePaymentIntents.id) : desc(stripePaymentIntents.id))
        .limit(filter.limit + 1);
      if (!backward) return rows;
      const page = rows.slice(0, filter.limit).reverse();
      return rows.length > filter.limit ? [...page, rows[filter.limit]!] : page;
    },
  };
}
