import { and, asc, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { invoices, plans, subscriptions } from './schema.js';

export type PlanRow = typeof plans.$inferSelect;
export type SubscriptionRow = typeof subscriptions.$inferSelect;
export type InvoiceRow = typeof invoices.$inferSelect;

export type SubscriptionChanges = Partial<Pick<SubscriptionRow, 'status' | 'cycle' | 'currentPeriodStart' | 'currentPeriodEnd' | 'cancelAtPeriodEnd' | 'canceledAt' | 'endedAt'>>;
export type InvoiceChanges = Partial<Pick<InvoiceRow, 'status' | 'attemptCount' | 'firstAttemptAt' | 'nextPaymentAttempt' | 'paymentIds' | 'lastFailureCode' | 'paidAt'>>;

interface Page {
  limit: number;
  startingAfter?: string | undefined;
}

/** Plans, subscriptions and invoices. Changes to a subscription or an invoice are compare-and-set on its version. */
export function billingRepository(db: Database) {
  return {
    async createPlan(row: typeof plans.$inferInsert): Promise<PlanRow> {
      const [created] = await db.insert(plans).values(row).returning();
      return created!;
    },

    async plan(merchantId: string, id: string): Promise<PlanRow | null> {
      const [row] = await db.select().from(plans).where(and(eq(plans.id, id), eq(plans.merchantId, merchantId)));
      return row ?? null;
    },

    async archivePlan(merchantId: string, id: string, now: Date): Promise<PlanRow | null> {
      const [row] = await db
        .update(plans)
        .set({ archivedAt: sql`coalesce(${plans.archivedAt}, ${now.toISOString()}::timestamptz)`, updatedAt: now })
        .where(and(eq(plans.id, id), eq(plans.merchantId, merchantId)))
        .returning();
      return row ?? null;
    },

    /** Newest first, one more than `limit` for `has_more`; archived plans only when asked. */
    async plans(merchantId: string, page: Page & { archived: boolean }): Promise<PlanRow[]> {
      return db
        .select()
        .from(plans)
        .where(
          and(
            eq(plans.merchantId, merchantId),
            page.archived ? undefined : isNull(plans.archivedAt),
            page.startingAfter === undefined ? undefined : lt(plans.id, page.startingAfter),
          ),
        )
        .orderBy(desc(plans.id))
        .limit(page.limit + 1);
    },

    async createSubscription(row: typeof subscriptions.$inferInsert): Promise<SubscriptionRow> {
      const [created] = await db.insert(subscriptions).values(row).returning();
      return created!;
    },

    async subscription(merchantId: string, id: string): Promise<SubscriptionRow | null> {
      const [row] = await db.select().from(subscriptions).where(and(eq(subscriptions.id, id), eq(subscriptions.merchantId, merchantId)));
      return row ?? null;
    },

    async subscriptionById(id: string): Promise<SubscriptionRow | null> {
      const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
      return row ?? null;
    },

    async updateSubscription(id: string, version: number, changes: SubscriptionChanges, now: Date): Promise<SubscriptionRow | null> {
      const [row] = await db
        .update(subscriptions)
        .set({ ...changes, version: version + 1, updatedAt: now })
        .where(and(eq(subscriptions.id, id), eq(subscriptions.version, version)))
        .returning();
      return row ?? null;
    },

    async subscriptions(merchantId: string, page: Page & { customerId?: string | undefined; status?: string | undefined }): Promise<SubscriptionRow[]> {
      return db
        .select()
        .from(subscriptions)
        .where(
          and(
            eq(subscriptions.merchantId, merchantId),
            page.customerId === undefined ? undefined : eq(subscriptions.customerId, page.customerId),
            page.status === undefined ? undefined : eq(subscriptions.status, page.status),
            page.startingAfter === undefined ? undefined : lt(subscriptions.id, page.startingAfter),
          ),
        )
        .orderBy(desc(subscriptions.id))
        .limit(page.limit + 1);
    },

    /** The invoice of a cycle, created unless it exists (answers whether this call created it). */
    async createInvoice(row: typeof invoices.$inferInsert): Promise<{ invoice: InvoiceRow; created: boolean }> {
      const [created] = await db.insert(invoices).values(row).onConflictDoNothing({ target: [invoices.subscriptionId, invoices.cycle] }).returning();
      if (created) return { invoice: created, created: true };
      const [existing] = await db.select().from(invoices).where(and(eq(invoices.subscriptionId, row.subscriptionId), eq(invoices.cycle, row.cycle)));
      return { invoice: existing!, created: false };
    },

    async invoice(merchantId: string, id: string): Promise<InvoiceRow | null> {
      const [row] = await db.select().from(invoices).where(and(eq(invoices.id, id), eq(invoices.merchantId, merchantId)));
      return row ?? null;
    },

    async invoiceById(id: string): Promise<InvoiceRow | null> {
      const [row] = await db.select().from(invoices).where(eq(invoices.id, id));
      return row ?? null;
    },

    async updateInvoice(id: string, version: number, changes: InvoiceChanges, now: Date): Promise<InvoiceRow | null> {
      const [row] = await db
        .update(invoices)
        .set({ ...changes, version: version + 1, updatedAt: now })
        .where(and(eq(invoices.id, id), eq(invoices.version, version)))
        .returning();
      return row ?? null;
    },

    /** A subscription's invoices, newest cycle first, or a merchant's, newest first. */
    async invoices(merchantId: string, page: Page & { subscriptionId?: string | undefined }): Promise<InvoiceRow[]> {
      return db
        .select()
        .from(invoices)
        .where(
          and(
            eq(invoices.merchantId, merchantId),
            page.subscriptionId === undefined ? undefined : eq(invoices.subscriptionId, page.subscriptionId),
            page.startingAfter === undefined ? undefined : lt(invoices.id, page.startingAfter),
          ),
        )
        .orderBy(desc(invoices.id))
        .limit(page.limit + 1);
    },

    /** A subscription's invoices still open, oldest first. */
    async openInvoices(subscriptionId: string): Promise<InvoiceRow[]> {
      return db
        .select()
        .from(invoices)
        .where(and(eq(invoices.subscriptionId, subscriptionId), eq(invoices.status, 'open')))
        .orderBy(asc(invoices.cycle));
    },
  };
}
