import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import { rowsOf } from './rows.js';
import type { IdempotentResource } from './idempotency.js';
import { scheduleJobSql, type ScheduleJob } from './jobs.js';
import type { NewEvent } from './events.js';
import type { AttemptResult, AttemptRow, PaymentPatch, PaymentRow } from './payments.js';
import { OPEN_ATTEMPT_STATUSES } from './payments.js';
import { attempts, idempotencyKeys, jobs, payments } from './schema.js';

/**
 * The payment hot path's writes, each one statement (data-modifying CTEs), so a payment costs
 * its database one round trip per step instead of one per row.
 */

/** A new payment with its first attempt and the reconciler's lease job, and the Idempotency-Key that created it. */
export interface OpenPayment {
  payment: PaymentRow;
  attempt: AttemptRow;
  /** Runs when the request's lease on the payment ends, should the request not settle it first. */
  job: ScheduleJob;
  link?: { merchantId: string; key: string; resource: IdempotentResource };
}

/** A step's write, compare-and-set on `version`: the rest happens only if the payment was still at it. */
export interface SettleWrite {
  id: string;
  version: number;
  set: PaymentPatch;
  now: Date;
  attempt?: { id: string; result: AttemptResult };
  /** The payment's reconciler job, done. */
  cancelJob?: string;
  events: readonly NewEvent[];
  jobs: readonly ScheduleJob[];
  /** The answer to the request's Idempotency-Key, kept only if the attempt and the job were written as well. */
  response?: { merchantId: string; key: string; status: number; body: string };
}

export interface SettleWritten {
  /** False: another writer moved the payment first; nothing was written. */
  written: boolean;
  attemptWritten: boolean;
  jobCanceled: boolean;
  responseStored: boolean;
}

export function paymentWriteRepository(db: Database) {
  return {
    /** Inserts the payment, its attempt and its job, and links the key, in one statement. */
    async open(o: OpenPayment): Promise<void> {
      const parts: SQL[] = [
        sql`p as (${db.insert(payments).values(o.payment).returning({ id: payments.id }).getSQL()})`,
        sql`a as (${db.insert(attempts).values(o.attempt).returning({ id: attempts.id }).getSQL()})`,
        sql`j as (${scheduleJobSql(o.job, o.payment.createdAt, null)})`,
      ];
      if (o.link) {
        const { merchantId, key, resource } = o.link;
        parts.push(
          sql`k as (${db
            .update(idempotencyKeys)
            .set({ resourceType: resource.type, resourceId: resource.id })
            .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.state, 'in_progress'))).getSQL()})`,
        );
      }
      await db.execute(sql`with ${sql.join(parts, sql`, `)} select 1`);
    },

    /** One step after a gateway call: the payment, its attempt, its job, its events and the stored answer, in one statement. */
    async settle(w: SettleWrite): Promise<SettleWritten> {
      const written = sql`exists (select 1 from p)`;
      const parts: SQL[] = [
        sql`p as (${db
          .update(payments)
          .set({ ...w.set, version: sql`${payments.version} + 1`, updatedAt: w.now })
          .where(and(eq(payments.id, w.id), eq(payments.version, w.version)))
          .returning({ id: payments.id }).getSQL()})`,
      ];
      parts.push(
        w.attempt
          ? sql`a as (${db
              .update(attempts)
              .set(w.attempt.result)
              .where(and(eq(attempts.id, w.attempt.id), inArray(attempts.status, [...OPEN_ATTEMPT_STATUSES]), written))
              .returning({ id: attempts.id }).getSQL()})`
          : sql`a as (select 1)`,
      );
      parts.push(
        w.cancelJob
          ? sql`j as (${db
              .update(jobs)
              .set({ state: 'done', updatedAt: w.now })
              .where(and(eq(jobs.key, w.cancelJob), eq(jobs.state, 'scheduled'), written))
              .returning({ id: jobs.id }).getSQL()})`
          : sql`j as (select 1)`,
      );
      w.events.forEach((event, i) => parts.push(sql`${sql.identifier(`e${i}`)} as (${insertEvent(event, written)})`));
      w.jobs.forEach((job, i) => parts.push(sql`${sql.identifier(`f${i}`)} as (${scheduleJobSql(job, w.now, written)})`));
      if (w.response) {
        const { merchantId, key, status, body } = w.response;
        parts.push(
          sql`k as (${db
            .update(idempotencyKeys)
            .set({ state: 'completed', responseStatus: status, responseBody: body, lockedUntil: null })
            .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key), written, sql`exists (select 1 from a)`, sql`exists (select 1 from j)`))
            .returning({ key: idempotencyKeys.key }).getSQL()})`,
        );
      } else {
        parts.push(sql`k as (select 1 where false)`);
      }
      const result = await db.execute(
        sql`with ${sql.join(parts, sql`, `)} select ${written} as written, exists (select 1 from a) as attempt, exists (select 1 from j) as job, exists (select 1 from k) as response`,
      );
      const row = rowsOf(result)[0] as { written: boolean; attempt: boolean; job: boolean; response: boolean };
      return { written: row.written, attemptWritten: row.written && row.attempt, jobCanceled: row.written && row.job, responseStored: row.response };
    },
  };
}

function insertEvent(event: NewEvent, guard: SQL): SQL {
  return sql`insert into events (id, merchant_id, type, visibility, payment_id, refund_id, data, created_at)
    select ${event.id}, ${event.merchantId}, ${event.type}, ${event.visibility}, ${event.paymentId ?? null}, ${event.refundId ?? null}, ${JSON.stringify(event.data)}::jsonb, ${(event.createdAt ?? new Date()).toISOString()}::timestamptz
    where ${guard}`;
}
