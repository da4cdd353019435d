import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import type { IdempotentResource } from './idempotency.js';
import { jobValues, upsertJobSql, type ScheduleJob } from './jobs.js';
import { merchantsOf, type EventsWritten, type StampedEvent } from './events.js';
import type { AttemptResult, AttemptRow, PaymentPatch, PaymentRow } from './payments.js';
import { OPEN_ATTEMPT_STATUSES } from './payments.js';
import { attempts, idempotencyKeys, jobs, payments } from './schema.js';
import { keysOf, placeholdersOf, runShaped, statementCache } from './statement-cache.js';

/**
 * The payment hot path's writes, each one statement (data-modifying CTEs), so a payment costs
 * its database one round trip per step instead of one per row. Each is built once per shape
 * (statement-cache.ts): a call only fills in its values.
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
  events: readonly StampedEvent[];
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

const statements = statementCache();

export function paymentWriteRepository(db: Database, eventsWritten: EventsWritten = () => {}) {
  return {
    /** Inserts the payment, its attempt and its job, and links the key, in one statement. */
    async open(o: OpenPayment): Promise<void> {
      const values = {
        p: o.payment,
        a: o.attempt,
        j: jobValues(o.job, o.payment.createdAt),
        ...(o.link ? { k: { merchantId: o.link.merchantId, key: o.link.key, type: o.link.resource.type, id: o.link.resource.id } } : {}),
      };
      const shape = `open|${keysOf(o.payment)}|${keysOf(o.attempt)}|${o.link ? 'k' : ''}`;
      await runShaped(db, statements.get(shape, () => openSql(db, o)), values);
    },

    /** One step after a gateway call: the payment, its attempt, its job, its events and the stored answer, in one statement. */
    async settle(w: SettleWrite): Promise<SettleWritten> {
      const values: Record<string, object> = { p: { id: w.id, version: w.version, now: w.now }, s: w.set };
      if (w.attempt) values.a = { id: w.attempt.id, ...w.attempt.result };
      if (w.cancelJob) values.j = { key: w.cancelJob };
      w.events.forEach((event, i) => (values[`e${i}`] = eventValues(event)));
      w.jobs.forEach((job, i) => (values[`f${i}`] = jobValues(job, w.now)));
      if (w.response) values.k = w.response;
      const shape = `settle|${keysOf(w.set)}|${w.attempt ? keysOf(w.attempt.result) : '-'}|${w.cancelJob ? 'j' : ''}|${w.events.length}|${w.jobs.length}|${w.response ? 'k' : ''}`;
      const [row] = (await runShaped(db, statements.get(shape, () => settleSql(db, w)), values)) as { written: boolean; attempt: boolean; job: boolean; response: boolean }[];
      const merchants = row!.written ? merchantsOf(w.events) : [];
      if (merchants.length > 0) eventsWritten(merchants);
      return { written: row!.written, attemptWritten: row!.written && row!.attempt, jobCanceled: row!.written && row!.job, responseStored: row!.response };
    },
  };
}

/** `open`'s statement for the shape of `o`, with placeholders for its values. */
function openSql(db: Database, o: OpenPayment): SQL {
  const parts: SQL[] = [
    sql`p as (${db.insert(payments).values(placeholdersOf('p', o.payment)).returning({ id: payments.id }).getSQL()})`,
    sql`a as (${db.insert(attempts).values(placeholdersOf('a', o.attempt)).returning({ id: attempts.id }).getSQL()})`,
    sql`j as (${upsertJobSql(placeholdersOf('j', jobValues(o.job, o.payment.createdAt)), null)})`,
  ];
  if (o.link) {
    const k = placeholdersOf('k', { merchantId: '', key: '', type: '', id: '' });
    parts.push(
      sql`k as (${db
        .update(idempotencyKeys)
        .set({ resourceType: k.type, resourceId: k.id })
        .where(and(eq(idempotencyKeys.merchantId, k.merchantId), eq(idempotencyKeys.key, k.key), eq(idempotencyKeys.state, 'in_progress'))).getSQL()})`,
    );
  }
  return sql`with ${sql.join(parts, sql`, `)} select 1`;
}

/** `settle`'s statement for the shape of `w`, with placeholders for its values. */
function settleSql(db: Database, w: SettleWrite): SQL {
  const written = sql`exists (select 1 from p)`;
  const p = placeholdersOf('p', { id: '', version: 0, now: new Date(0) });
  const parts: SQL[] = [
    sql`p as (${db
      .update(payments)
      .set({ ...placeholdersOf('s', w.set), version: sql`${payments.version} + 1`, updatedAt: p.now })
      .where(and(eq(payments.id, p.id), eq(payments.version, p.version)))
      .returning({ id: payments.id }).getSQL()})`,
  ];
  if (w.attempt) {
    const { id, ...result } = placeholdersOf('a', { id: w.attempt.id, ...w.attempt.result });
    parts.push(
      sql`a as (${db
        .update(attempts)
        .set(result)
        .where(and(eq(attempts.id, id), inArray(attempts.status, [...OPEN_ATTEMPT_STATUSES]), written))
        .returning({ id: attempts.id }).getSQL()})`,
    );
  } else {
    parts.push(sql`a as (select 1)`);
  }
  parts.push(
    w.cancelJob
      ? sql`j as (${db
          .update(jobs)
          .set({ state: 'done', updatedAt: p.now })
          .where(and(eq(jobs.key, sql.placeholder('j.key')), eq(jobs.state, 'scheduled'), written))
          .returning({ id: jobs.id }).getSQL()})`
      : sql`j as (select 1)`,
  );
  w.events.forEach((event, i) => parts.push(sql`${sql.identifier(`e${i}`)} as (${insertEvent(placeholdersOf(`e${i}`, eventValues(event)), written)})`));
  w.jobs.forEach((job, i) => parts.push(sql`${sql.identifier(`f${i}`)} as (${upsertJobSql(placeholdersOf(`f${i}`, jobValues(job, w.now)), written)})`));
  if (w.response) {
    const k = placeholdersOf('k', w.response);
    parts.push(
      sql`k as (${db
        .update(idempotencyKeys)
        .set({ state: 'completed', responseStatus: k.status, responseBody: k.body, lockedUntil: null })
        .where(and(eq(idempotencyKeys.merchantId, k.merchantId), eq(idempotencyKeys.key, k.key), written, sql`exists (select 1 from a)`, sql`exists (select 1 from j)`))
        .returning({ key: idempotencyKeys.key }).getSQL()})`,
    );
  } else {
    parts.push(sql`k as (select 1 where false)`);
  }
  return sql`with ${sql.join(parts, sql`, `)} select ${written} as written, exists (select 1 from a) as attempt, exists (select 1 from j) as job, exists (select 1 from k) as response`;
}

/** An event's row as `insertEvent` sends it (the data as JSON text, the time as ISO text). */
function eventValues(event: StampedEvent) {
  return {
    id: event.id,
    merchantId: event.merchantId,
    type: event.type,
    visibility: event.visibility,
    paymentId: event.paymentId ?? null,
    refundId: event.refundId ?? null,
    data: JSON.stringify(event.data),
    createdAt: event.createdAt.toISOString(),
  };
}

function insertEvent(e: Record<keyof ReturnType<typeof eventValues>, unknown>, guard: SQL): SQL {
  return sql`insert into events (id, merchant_id, type, visibility, payment_id, refund_id, data, created_at)
    select ${e.id}, ${e.merchantId}, ${e.type}, ${e.visibility}, ${e.paymentId}, ${e.refundId}, ${e.data}::jsonb, ${e.createdAt}::timestamptz
    where ${guard}`;
}
