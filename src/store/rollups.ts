import { and, asc, eq, gt, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { FoldAttempt, FoldDelta, FoldedState, FoldPayment } from '../analytics/fold.js';
import type { Granularity } from '../analytics/buckets.js';
import { addHistograms } from '../analytics/latency.js';
import type { Database } from './database.js';
import { attempts, gatewayAccounts, payments, rollupAttempts, rollupDeclines, rollupFolded, rollupPayments, rollupWatermarks } from './schema.js';

const WATERMARK = 'payments';
/** Rows per multi-row upsert: well under PostgreSQL's 65 535 parameters. */
const CHUNK = 500;

/** One fold step's window: payments changed in (from, to]. */
export interface FoldWindow {
  from: Date;
  to: Date;
}

export interface RollupWindow {
  merchantId: string;
  granularity: Granularity;
  from: Date;
  to: Date;
}

const added = (column: PgColumn) => sql`${column} + excluded.${sql.identifier(column.name)}`;

export function rollupRepository(db: Database) {
  const bucketIn = (table: typeof rollupAttempts | typeof rollupDeclines | typeof rollupPayments, w: RollupWindow): SQL =>
    and(eq(table.merchantId, w.merchantId), eq(table.granularity, w.granularity), gte(table.bucket, w.from), lt(table.bucket, w.to))!;

  return {
    /**
     * Locks the watermark row (made on first use) for the rest of the transaction: whoever holds
     * it is the only fold running, on any instance.
     */
    async lockWatermark(): Promise<Date> {
      await db.insert(rollupWatermarks).values({ name: WATERMARK, foldedTo: new Date(0) }).onConflictDoNothing();
      const [row] = await db.select().from(rollupWatermarks).where(eq(rollupWatermarks.name, WATERMARK)).for('update');
      return row!.foldedTo;
    },

    async setWatermark(to: Date): Promise<void> {
      await db.update(rollupWatermarks).set({ foldedTo: to }).where(eq(rollupWatermarks.name, WATERMARK));
    },

    /**
     * The end of the next window after `from`, up to `limit`: the `updated_at` of the limit-th
     * payment changed after `from` (all payments sharing it belong to the window), or `until`.
     */
    async windowEnd(from: Date, until: Date, limit: number): Promise<Date> {
      const [row] = await db
        .select({ at: payments.updatedAt })
        .from(payments)
        .where(and(gt(payments.updatedAt, from), lte(payments.updatedAt, until)))
        .orderBy(asc(payments.updatedAt))
        .offset(limit - 1)
        .limit(1);
      return row?.at ?? until;
    },

    /** The payments changed in the window, with their attempts, and what earlier folds counted of them. */
    async changed(window: FoldWindow): Promise<{ payments: FoldPayment[]; folded: Map<string, FoldedState> }> {
      const rows = await db
        .select({
          id: payments.id,
          merchantId: payments.merchantId,
          status: payments.status,
          amount: payments.amount,
          currency: payments.currency,
          card: payments.card,
          wallet: payments.wallet,
          paymentMethod: payments.paymentMethodType,
          createdAt: payments.createdAt,
          updatedAt: payments.updatedAt,
        })
        .from(payments)
        .where(and(gt(payments.updatedAt, window.from), lte(payments.updatedAt, window.to)));
      if (rows.length === 0) return { payments: [], folded: new Map() };
      const ids = rows.map((r) => r.id);
      const attemptRows = await db
        .select({
          paymentId: attempts.paymentId,
          number: attempts.number,
          gatewayAccountId: attempts.gatewayAccountId,
          accountName: gatewayAccounts.name,
          provider: attempts.provider,
          status: attempts.status,
          outcome: attempts.outcome,
          declineReason: attempts.declineReason,
          latencyMs: attempts.latencyMs,
          completedAt: attempts.completedAt,
        })
        .from(attempts)
        .innerJoin(gatewayAccounts, eq(gatewayAccounts.id, attempts.gatewayAccountId))
        .where(inArray(attempts.paymentId, ids))
        .orderBy(asc(attempts.paymentId), asc(attempts.number));
      const byPayment = new Map<string, FoldAttempt[]>();
      for (const { paymentId, ...a } of attemptRows) {
        const list = byPayment.get(paymentId) ?? [];
        list.push(a);
        byPayment.set(paymentId, list);
      }
      const markers = await db.select().from(rollupFolded).where(inArray(rollupFolded.paymentId, ids));
      return {
        payments: rows.map((r) => ({
          id: r.id,
          merchantId: r.merchantId,
          status: r.status,
          amount: r.amount,
          currency: r.currency,
          paymentMethod: r.paymentMethod,
          network: r.card?.brand ?? r.wallet?.network ?? 'unknown',
          cardType: r.card?.funding ?? r.wallet?.funding ?? null,
          issuerCountry: r.card?.issuer_country ?? null,
          createdAt: r.createdAt,
          updatedAt: r.updatedAt,
          attempts: byPayment.get(r.id) ?? [],
        })),
        folded: new Map(markers.map(({ paymentId, createdAt: _, ...state }) => [paymentId, state])),
      };
    },

    /** Adds a fold's increments to the rollups and records what is now counted of each payment. */
    async apply(delta: FoldDelta, createdAt: ReadonlyMap<string, Date>): Promise<void> {
      for (const rows of chunks(delta.attempts)) {
        const t = rollupAttempts;
        await db
          .insert(t)
          .values(rows)
          .onConflictDoUpdate({
            target: [t.merchantId, t.granularity, t.bucket, t.gatewayAccountId, t.network, t.currency],
            set: {
              attempts: added(t.attempts),
              approved: added(t.approved),
              declined: added(t.declined),
              technicalFailures: added(t.technicalFailures),
              latencyCount: added(t.latencyCount),
              latencySumMs: added(t.latencySumMs),
              latencyBuckets: sql`array(select coalesce(a, 0) + coalesce(b, 0) from unnest(${t.latencyBuckets}, excluded.latency_buckets) with ordinality as u(a, b, i) order by i)`,
              approvedAmount: added(t.approvedAmount),
              fees: added(t.fees),
              unpriced: added(t.unpriced),
            },
          });
      }
      for (const rows of chunks(delta.declines)) {
        const t = rollupDeclines;
        await db
          .insert(t)
          .values(rows)
          .onConflictDoUpdate({ target: [t.merchantId, t.granularity, t.bucket, t.gatewayAccountId, t.network, t.currency, t.reason], set: { count: added(t.count) } });
      }
      for (const rows of chunks(delta.payments)) {
        const t = rollupPayments;
        await db
          .insert(t)
          .values(rows)
          .onConflictDoUpdate({
            target: [t.merchantId, t.granularity, t.bucket, t.network, t.currency],
            set: {
              created: added(t.created),
              attempted: added(t.attempted),
              authorized: added(t.authorized),
              captured: added(t.captured),
              recoveredAfterDecline: added(t.recoveredAfterDecline),
              recoveredAfterFailure: added(t.recoveredAfterFailure),
            },
          });
      }
      const markers = [...delta.folded].map(([paymentId, state]) => ({ paymentId, createdAt: createdAt.get(paymentId)!, ...state }));
      for (const rows of chunks(markers)) {
        const t = rollupFolded;
        await db
          .insert(t)
          .values(rows)
          .onConflictDoUpdate({
            target: t.paymentId,
            set: { attempts: sql`excluded.attempts`, attempted: sql`excluded.attempted`, authorized: sql`excluded.authorized`, captured: sql`excluded.captured` },
          });
      }
    },

    /** Forgets minute rows older than `minutesBefore`, and fold records of payments created before `foldedBefore`. */
    async purge(minutesBefore: Date, foldedBefore: Date): Promise<number> {
      let purged = 0;
      for (const t of [rollupAttempts, rollupDeclines, rollupPayments]) {
        const rows = await db
          .delete(t)
          .where(and(eq(t.granularity, 'minute'), lt(t.bucket, minutesBefore)))
          .returning({ one: sql<number>`1` });
        purged += rows.length;
      }
      const rows = await db.delete(rollupFolded).where(lt(rollupFolded.createdAt, foldedBefore)).returning({ one: sql<number>`1` });
      return purged + rows.length;
    },

    /** Attempts and their latency histogram per gateway account and bucket (the segments added up). */
    async approvals(w: RollupWindow, gatewayAccountId?: string) {
      const t = rollupAttempts;
      const rows = await db
        .select({
          gatewayAccountId: t.gatewayAccountId,
          provider: t.provider,
          bucket: t.bucket,
          attempts: t.attempts,
          approved: t.approved,
          declined: t.declined,
          technicalFailures: t.technicalFailures,
          latencyBuckets: t.latencyBuckets,
        })
        .from(t)
        .where(gatewayAccountId === undefined ? bucketIn(t, w) : and(bucketIn(t, w), eq(t.gatewayAccountId, gatewayAccountId)))
        .orderBy(asc(t.gatewayAccountId), asc(t.bucket));
      const merged = new Map<string, (typeof rows)[number]>();
      for (const r of rows) {
        const key = `${r.gatewayAccountId} ${r.bucket.getTime()}`;
        const into = merged.get(key);
        if (!into) {
          merged.set(key, { ...r, latencyBuckets: r.latencyBuckets.map(Number) });
          continue;
        }
        into.attempts += r.attempts;
        into.approved += r.approved;
        into.declined += r.declined;
        into.technicalFailures += r.technicalFailures;
        addHistograms(into.latencyBuckets, r.latencyBuckets.map(Number));
      }
      return [...merged.values()];
    },

    async funnel(w: RollupWindow) {
      const t = rollupPayments;
      const [row] = await db
        .select({
          created: sum(t.created),
          attempted: sum(t.attempted),
          authorized: sum(t.authorized),
          captured: sum(t.captured),
          recoveredAfterDecline: sum(t.recoveredAfterDecline),
          recoveredAfterFailure: sum(t.recoveredAfterFailure),
        })
        .from(t)
        .where(bucketIn(t, w));
      return row!;
    },

    /** Declines by reason, most frequent first, and their total. */
    async declines(w: RollupWindow, limit: number) {
      const t = rollupDeclines;
      const rows = await db
        .select({ reason: t.reason, count: sum(t.count) })
        .from(t)
        .where(bucketIn(t, w))
        .groupBy(t.reason)
        .orderBy(sql`2 desc`, asc(t.reason));
      return { total: rows.reduce((a, r) => a + r.count, 0), top: rows.slice(0, limit) };
    },

    async costs(w: RollupWindow) {
      const t = rollupAttempts;
      return db
        .select({
          gatewayAccountId: t.gatewayAccountId,
          provider: t.provider,
          currency: t.currency,
          attempts: sum(t.attempts),
          approved: sum(t.approved),
          approvedAmount: sum(t.approvedAmount),
          fees: sum(t.fees),
          unpriced: sum(t.unpriced),
        })
        .from(t)
        .where(bucketIn(t, w))
        .groupBy(t.gatewayAccountId, t.provider, t.currency)
        .orderBy(asc(t.gatewayAccountId), asc(t.currency));
    },

    /** Payments created per hour bucket that has any. */
    async createdPerHour(merchantId: string, from: Date, to: Date): Promise<{ bucket: Date; created: number }[]> {
      const t = rollupPayments;
      return db
        .select({ bucket: t.bucket, created: sum(t.created) })
        .from(t)
        .where(bucketIn(t, { merchantId, granularity: 'hour', from, to }))
        .groupBy(t.bucket)
        .orderBy(asc(t.bucket));
    },

    /** The earliest hour bucket of the merchant's payments, if any. */
    async firstHour(merchantId: string): Promise<Date | null> {
      const t = rollupPayments;
      const [row] = await db
        .select({ bucket: sql<string | Date | null>`min(${t.bucket})` })
        .from(t)
        .where(and(eq(t.merchantId, merchantId), eq(t.granularity, 'hour')));
      return row?.bucket ? new Date(row.bucket) : null;
    },
  };
}

/** A bigint sum as a number (counts and minor units stay far below 2^53). */
function sum(column: PgColumn) {
  return sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number);
}

function* chunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += CHUNK) yield rows.slice(i, i + CHUNK);
}
