import { and, asc, count, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { merchants, webhookDeliveries, webhookEndpoints } from './schema.js';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
/** `pending` (will be tried), `delivered`, `failed` (gave up after the last retry), `canceled` (its endpoint was deleted). */
export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'canceled';
export type DeliveryWithEndpoint = WebhookDeliveryRow & { url: string };

export interface NewWebhookEndpoint {
  id: string;
  merchantId: string;
  url: string;
  description: string | null;
  enabledEvents: string[];
  secretCiphertext: string;
  createdAt: Date;
}

/** A merchant's webhook endpoints (soft-deleted rows stay for their deliveries' history). */
export function webhookEndpointRepository(db: Database) {
  const live = (merchantId: string) => and(eq(webhookEndpoints.merchantId, merchantId), isNull(webhookEndpoints.deletedAt));
  return {
    /**
     * Adds an endpoint unless the merchant already has `max` live ones. Run it in a transaction:
     * the merchant's row is locked, so two creations cannot both pass the count.
     */
    async create(endpoint: NewWebhookEndpoint, max: number): Promise<WebhookEndpointRow | 'limit_reached'> {
      await db.select({ id: merchants.id }).from(merchants).where(eq(merchants.id, endpoint.merchantId)).for('update');
      const [existing] = await db.select({ n: count() }).from(webhookEndpoints).where(live(endpoint.merchantId));
      if ((existing?.n ?? 0) >= max) return 'limit_reached';
      const [row] = await db.insert(webhookEndpoints).values(endpoint).returning();
      return row!;
    },

    /** Live endpoints, newest first; one row more than asked tells `has_more`. */
    async list(merchantId: string, page: { limit: number; startingAfter?: string }): Promise<WebhookEndpointRow[]> {
      return db
        .select()
        .from(webhookEndpoints)
        .where(and(live(merchantId), page.startingAfter ? lt(webhookEndpoints.id, page.startingAfter) : undefined))
        .orderBy(desc(webhookEndpoints.id))
        .limit(page.limit + 1);
    },

    /** Every live endpoint of the merchant, oldest first. */
    async live(merchantId: string): Promise<WebhookEndpointRow[]> {
      return db.select().from(webhookEndpoints).where(live(merchantId)).orderBy(asc(webhookEndpoints.id));
    },

    /** A live endpoint of this merchant. */
    async get(merchantId: string, id: string): Promise<WebhookEndpointRow | null> {
      const [row] = await db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), live(merchantId)));
      return row ?? null;
    },

    /** Any endpoint by id, deleted or not (for a delivery under way). */
    async byId(id: string): Promise<WebhookEndpointRow | null> {
      const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
      return row ?? null;
    },

    /** Marks a live endpoint deleted; null when there was none. */
    async softDelete(merchantId: string, id: string, now: Date): Promise<WebhookEndpointRow | null> {
      const [row] = await db
        .update(webhookEndpoints)
        .set({ deletedAt: now })
        .where(and(eq(webhookEndpoints.id, id), live(merchantId)))
        .returning();
      return row ?? null;
    },
  };
}

/**
 * One row per (event, endpoint). Writes after an HTTP attempt are compare-and-set on the attempt
 * count and the `pending` state, so a redelivery or a deletion made meanwhile is never overwritten.
 */
export function webhookDeliveryRepository(db: Database) {
  const pk = (eventId: string, endpointId: string) => and(eq(webhookDeliveries.eventId, eventId), eq(webhookDeliveries.endpointId, endpointId));
  return {
    /** Creates pending deliveries; answers only those that did not exist yet. */
    async createMissing(eventId: string, endpointIds: readonly string[], now: Date): Promise<WebhookDeliveryRow[]> {
      if (endpointIds.length === 0) return [];
      return db
        .insert(webhookDeliveries)
        .values(endpointIds.map((endpointId) => ({ eventId, endpointId, state: 'pending', nextAttemptAt: now, createdAt: now, updatedAt: now })))
        .onConflictDoNothing()
        .returning();
    },

    /** Starts over: pending, no attempts, due now (a redelivery). Creates the rows that do not exist. */
    async restart(eventId: string, endpointIds: readonly string[], now: Date): Promise<WebhookDeliveryRow[]> {
      if (endpointIds.length === 0) return [];
      return db
        .insert(webhookDeliveries)
        .values(endpointIds.map((endpointId) => ({ eventId, endpointId, state: 'pending', nextAttemptAt: now, createdAt: now, updatedAt: now })))
        .onConflictDoUpdate({
          target: [webhookDeliveries.eventId, webhookDeliveries.endpointId],
          set: { state: 'pending', attempts: 0, lastStatus: null, lastError: null, nextAttemptAt: now, deliveredAt: null, updatedAt: now },
        })
        .returning();
    },

    async get(eventId: string, endpointId: string): Promise<WebhookDeliveryRow | null> {
      const [row] = await db.select().from(webhookDeliveries).where(pk(eventId, endpointId));
      return row ?? null;
    },

    /** An event's deliveries with their endpoints' URLs, in the order they were made. */
    async forEvent(eventId: string): Promise<DeliveryWithEndpoint[]> {
      const rows = await db
        .select({ delivery: webhookDeliveries, url: webhookEndpoints.url })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .where(eq(webhookDeliveries.eventId, eventId))
        .orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.endpointId));
      return rows.map((r) => ({ ...r.delivery, url: r.url }));
    },

    /** Counts an attempt about to be made; false when the delivery changed since it was read. */
    async beginAttempt(eventId: string, endpointId: string, seenAttempts: number, now: Date): Promise<boolean> {
      const rows = await db
        .update(webhookDeliveries)
        .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, updatedAt: now })
        .where(and(pk(eventId, endpointId), eq(webhookDeliveries.state, 'pending'), eq(webhookDeliveries.attempts, seenAttempts)))
        .returning({ eventId: webhookDeliveries.eventId });
      return rows.length > 0;
    },

    /** Records how attempt number `attempt` ended; false when a redelivery or deletion came meanwhile. */
    async recordAttempt(
      eventId: string,
      endpointId: string,
      attempt: number,
      result: { state: 'pending' | 'delivered' | 'failed'; status: number | null; error: string | null; nextAttemptAt: Date | null },
      now: Date,
    ): Promise<boolean> {
      const rows = await db
        .update(webhookDeliveries)
        .set({
          state: result.state,
          lastStatus: result.status,
          lastError: result.error,
          nextAttemptAt: result.nextAttemptAt,
          deliveredAt: result.state === 'delivered' ? now : null,
          updatedAt: now,
        })
        .where(and(pk(eventId, endpointId), eq(webhookDeliveries.state, 'pending'), eq(webhookDeliveries.attempts, attempt)))
        .returning({ eventId: webhookDeliveries.eventId });
      return rows.length > 0;
    },

    /** Stops the pending deliveries to an endpoint (it was deleted); answers their event ids. */
    async cancelPending(endpointId: string, now: Date): Promise<string[]> {
      const rows = await db
        .update(webhookDeliveries)
        .set({ state: 'canceled', nextAttemptAt: null, updatedAt: now })
        .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.state, 'pending')))
        .returning({ eventId: webhookDeliveries.eventId });
      return rows.map((r) => r.eventId);
    },

    /** Marks one pending delivery canceled (found by its job after the endpoint was deleted). */
    async cancel(eventId: string, endpointId: string, now: Date): Promise<void> {
      await db
        .update(webhookDeliveries)
        .set({ state: 'canceled', nextAttemptAt: null, updatedAt: now })
        .where(and(pk(eventId, endpointId), inArray(webhookDeliveries.state, ['pending'])));
    },
  };
}
