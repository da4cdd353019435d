import { and, asc, desc, eq, gt, inArray, like, lt, type SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import { events } from './schema.js';

export type EventRow = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;
export type EventVisibility = 'merchant' | 'internal';

export interface EventFilter {
  limit: number;
  startingAfter?: string;
  /** An exact type, or a prefix ending in `.*` (`payment.*`). */
  type?: string;
  paymentId?: string;
}

export function eventRepository(db: Database) {
  return {
    async record(rows: NewEvent[]): Promise<void> {
      if (rows.length > 0) await db.insert(events).values(rows);
    },

    async get(merchantId: string, id: string): Promise<EventRow | null> {
      const [row] = await db
        .select()
        .from(events)
        .where(and(eq(events.id, id), eq(events.merchantId, merchantId), eq(events.visibility, 'merchant')));
      return row ?? null;
    },

    /** The merchant's events, newest first; one row more than asked tells `has_more`. */
    async list(merchantId: string, filter: EventFilter): Promise<EventRow[]> {
      const where: SQL[] = [eq(events.merchantId, merchantId), eq(events.visibility, 'merchant')];
      if (filter.startingAfter) where.push(lt(events.id, filter.startingAfter));
      if (filter.paymentId) where.push(eq(events.paymentId, filter.paymentId));
      if (filter.type) where.push(filter.type.endsWith('.*') ? like(events.type, `${filter.type.slice(0, -1)}%`) : eq(events.type, filter.type));
      return db
        .select()
        .from(events)
        .where(and(...where))
        .orderBy(desc(events.id))
        .limit(filter.limit + 1);
    },

    /** Merchant events by id (any merchant's: the live stream sorts them out), in no particular order. */
    async byIds(ids: readonly string[]): Promise<EventRow[]> {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(events)
        .where(and(inArray(events.id, [...ids]), eq(events.visibility, 'merchant')));
    },

    /** The merchant's events after `id`, oldest first, at most `limit`. */
    async after(merchantId: string, id: string, limit: number): Promise<EventRow[]> {
      return db
        .select()
        .from(events)
        .where(and(eq(events.merchantId, merchantId), eq(events.visibility, 'merchant'), gt(events.id, id)))
        .orderBy(asc(events.id))
        .limit(limit);
    },

    /** Everything that happened to a payment and its refunds, oldest first, the reconciler's tries included. */
    async timeline(merchantId: string, paymentId: string): Promise<EventRow[]> {
      return db
        .select()
        .from(events)
        .where(and(eq(events.merchantId, merchantId), eq(events.paymentId, paymentId)))
        .orderBy(asc(events.id));
    },
  };
}
