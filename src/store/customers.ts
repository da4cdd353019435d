import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import type { Database } from './database.js';
import { customers } from './schema.js';

export type CustomerRow = typeof customers.$inferSelect;

export interface CustomerChanges {
  email?: string | null;
  name?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
  defaultPaymentMethodId?: string | null;
}

export function customerRepository(db: Database) {
  const live = (merchantId: string, id: string) => and(eq(customers.id, id), eq(customers.merchantId, merchantId), isNull(customers.deletedAt));
  return {
    async create(row: typeof customers.$inferInsert): Promise<CustomerRow> {
      const [created] = await db.insert(customers).values(row).returning();
      return created!;
    },

    async get(merchantId: string, id: string): Promise<CustomerRow | null> {
      const [row] = await db.select().from(customers).where(live(merchantId, id));
      return row ?? null;
    },

    /** The customer's row, locked until the transaction ends: attaching and choosing a default do not interleave. */
    async lock(merchantId: string, id: string): Promise<CustomerRow | null> {
      const [row] = await db.select().from(customers).where(live(merchantId, id)).for('update');
      return row ?? null;
    },

    async update(merchantId: string, id: string, changes: CustomerChanges, now: Date): Promise<CustomerRow | null> {
      const [row] = await db.update(customers).set({ ...changes, updatedAt: now }).where(live(merchantId, id)).returning();
      return row ?? null;
    },

    async delete(merchantId: string, id: string, now: Date): Promise<CustomerRow | null> {
      const [row] = await db.update(customers).set({ deletedAt: now, defaultPaymentMethodId: null, updatedAt: now }).where(live(merchantId, id)).returning();
      return row ?? null;
    },

    /** Newest first, one more than `limit` so the caller can tell `has_more`. */
    async list(merchantId: string, options: { limit: number; startingAfter?: string; email?: string }): Promise<CustomerRow[]> {
      return db
        .select()
        .from(customers)
        .where(
          and(
            eq(customers.merchantId, merchantId),
            isNull(customers.deletedAt),
            options.email === undefined ? undefined : eq(customers.email, options.email),
            options.startingAfter === undefined ? undefined : lt(customers.id, options.startingAfter),
          ),
        )
        .orderBy(desc(customers.id))
        .limit(options.limit + 1);
    },
  };
}
