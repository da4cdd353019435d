import { and, asc, desc, eq, gt, inArray, like, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import { rowsOf } from './rows.js';
import { events } from './schema.js';

export type EventRow = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;
/** An event as the payment path writes it: stamped by the caller's clock, never the database's. */
export type StampedEvent = NewEvent & { createdAt: Date };
export type EventVisibility = 'merchant' | 'internal';

export interface EventFilter {
  limit: number;
  startingAfter?: string;
  /** An exact type, or a prefix ending in `.*` (`payment.*`). */
  type?: string;
  paymentId?: string;
}

/**
 * Told which merchants' events a write stored: at once outside a transaction, after the commit of
 * the outermost one inside (store/index.ts), never for a write rolled back.
 */
export type EventsWritten = (merchantIds: readonly string[]) => void;

/** A point in PostgreSQL's commit history: a `pg_snapshot` as text (`xmin:xmax:xip,…`). */
export type CommitSnapshot = string;

/**
 * Where a stream's client is (the SSE id it last got, src/api/routes/events-stream.ts): it has
 * every event `from` saw committed, and of those `to` saw committed and `from` did not (the read
 * that delivered it, sent in id order), the ones up to `id`.
 */
export interface StreamCursor {
  id: string;
  from: CommitSnapshot;
  to: CommitSnapshot;
}

/** Events `snapshot` did not see committed: its transactions from xmax on, and those then in progress (`xmin:xmax:xip,…`). */
function unseenBy(snapshot: CommitSnapshot): SQL {
  const [, xmax, xip] = snapshot.split(':');
  return or(sql`${events.tx} >= ${xmax}::xid8`, sql`${events.tx} = any(${`{${xip ?? ''}}`}::xid8[])`)!;
}

/** The distinct merchants of the merchant events among `rows`. */
export function merchantsOf(rows: readonly NewEvent[]): string[] {
  return [...new Set(rows.filter((row) => row.visibility === 'merchant').map((row) => row.merchantId))];
}

export function eventRepository(db: Database, written: EventsWritten = () => {}) {
  return {
    async record(rows: NewEvent[]): Promise<void> {
      if (rows.length === 0) return;
      await db.insert(events).values(rows);
      const merchants = merchantsOf(rows);
      if (merchants.length > 0) written(merchants);
    },

    /** Now, in commit history: what `committedSince` will later read from. */
    async snapshot(): Promise<CommitSnapshot> {
      const [row] = rowsOf(await db.execute(sql`select pg_current_snapshot()::text as snapshot`));
      return row!.snapshot as string;
    },

    /**
     * The merchants' merchant events that `since` did not see committed and are committed now,
     * oldest id first, and the snapshot they were read at (the next call's `since`): one
     * statement, so the rows and the snapshot agree, and no event is read by two calls nor
     * skipped between them.
     */
    async committedSince(since: CommitSnapshot, merchantIds: readonly string[]): Promise<{ snapshot: CommitSnapshot; events: EventRow[] }> {
      const rows = await db
        .select({ snapshot: sql<string>`pg_current_snapshot()::text`, event: events })
        .from(sql`(select 1) as one`)
        .leftJoin(events, and(inArray(events.merchantId, [...merchantIds]), eq(events.visibility, 'merchant'), unseenBy(since)));
      const found = rows.flatMap((row) => (row.event ? [row.event] : []));
      return { snapshot: rows[0]!.snapshot, events: found.sort((a, b) => (a.id < b.id ? -1 : 1)) };
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

    /** The merchant's events after `id`, oldest first, at most `limit`. */
    async after(merchantId: string, id: string, limit: number): Promise<EventRow[]> {
      return db
        .select()
        .from(events)
        .where(and(eq(events.merchantId, merchantId), eq(events.visibility, 'merchant'), gt(events.id, id)))
        .orderBy(asc(events.id))
        .limit(limit);
    },

    /**
     * What a stream's client had not got at `cursor`, committed now, at most `limit`: first the
     * rest of the read it was in (`to` saw them committed: `inTo`), then what `to` had not seen
     * committed, each part oldest id first; and the snapshot they were read at (one statement).
     */
    async replay(merchantId: string, cursor: StreamCursor, limit: number): Promise<{ snapshot: CommitSnapshot; events: { event: EventRow; inTo: boolean }[] }> {
      const unseenByTo = unseenBy(cursor.to);
      const inTo = sql<boolean>`not coalesce(${unseenByTo}, false)`;
      const missed = and(eq(events.merchantId, merchantId), eq(events.visibility, 'merchant'), unseenBy(cursor.from), or(unseenByTo, gt(events.id, cursor.id)));
      const rows = await db
        .select({ snapshot: sql<string>`pg_current_snapshot()::text`, event: events, inTo })
        .from(sql`(select 1) as one`)
        .leftJoin(events, missed)
        .orderBy(desc(inTo), asc(events.id))
        .limit(limit);
      return { snapshot: rows[0]!.snapshot, events: rows.flatMap((row) => (row.event ? [{ event: row.event, inTo: row.inTo }] : [])) };
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
