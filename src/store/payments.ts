import { and, asc, desc, eq, gte, inArray, isNotNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import { attempts, jobs, payments, refunds } from './schema.js';
import type { PaymentState, PaymentStatus } from '../domain/payment.js';

export type PaymentRow = typeof payments.$inferSelect;
export type AttemptRow = typeof attempts.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;
export type NewPayment = typeof payments.$inferInsert;
export type NewAttempt = typeof attempts.$inferInsert;
export type NewRefund = typeof refunds.$inferInsert;
export type AttemptResult = Partial<Omit<AttemptRow, 'id' | 'paymentId' | 'number' | 'createdAt'>>;
/** The payment columns a step may write; `version` and `updatedAt` are the store's. */
export type PaymentPatch = Partial<Omit<PaymentRow, 'id' | 'merchantId' | 'version' | 'createdAt'>>;
export type RefundPatch = Partial<Pick<RefundRow, 'status' | 'gatewayReference' | 'failureCode' | 'reviewReason'>>;

/** Attempts whose outcome is not final yet: only these may still be written. */
export const OPEN_ATTEMPT_STATUSES = ['pending', 'unknown', 'requires_action'] as const;

export interface PaymentRecord {
  payment: PaymentRow;
  attempts: AttemptRow[];
}

export interface PaymentFilter {
  limit: number;
  startingAfter?: string;
  status?: PaymentStatus;
  createdGte?: Date;
  createdLte?: Date;
  /** Only payments the reconciler flagged for a human. */
  review?: boolean;
}

export function stateOf(row: PaymentRow): PaymentState {
  return {
    status: row.status as PaymentStatus,
    amount: row.amount,
    captureMethod: row.captureMethod as PaymentState['captureMethod'],
    amountCapturable: row.amountCapturable,
    amountCaptured: row.amountCaptured,
    amountRefunded: row.amountRefunded,
    failure: row.failureCode ? { code: row.failureCode, message: row.failureMessage ?? '' } : null,
    nextAction: row.nextAction ?? null,
    gatewayReference: row.gatewayReference,
  };
}

/** The payment columns a state-machine step writes. */
export function stateColumns(state: PaymentState): PaymentPatch {
  return {
    status: state.status,
    amountCapturable: state.amountCapturable,
    amountCaptured: state.amountCaptured,
    amountRefunded: state.amountRefunded,
    failureCode: state.failure?.code ?? null,
    failureMessage: state.failure?.message ?? null,
    nextAction: state.nextAction,
    gatewayReference: state.gatewayReference,
  };
}

export function paymentRepository(db: Database) {
  return {
    async create(payment: NewPayment): Promise<PaymentRow> {
      const [row] = await db.insert(payments).values(payment).returning();
      return row!;
    },

    /**
     * Compare-and-set: writes `patch` only if the payment is still at `version`, and answers the
     * new row, or null when another writer (a webhook, the reconciler) moved it first.
     */
    async update(id: string, version: number, patch: PaymentPatch, now: Date): Promise<PaymentRow | null> {
      const [row] = await db
        .update(payments)
        .set({ ...patch, version: sql`${payments.version} + 1`, updatedAt: now })
        .where(and(eq(payments.id, id), eq(payments.version, version)))
        .returning();
      return row ?? null;
    },

    /** The payment under a row lock, for writers that read and write in one transaction. */
    async lock(id: string, merchantId?: string): Promise<PaymentRow | null> {
      const [row] = await db
        .select()
        .from(payments)
        .where(merchantId === undefined ? eq(payments.id, id) : and(eq(payments.id, id), eq(payments.merchantId, merchantId)))
        .for('update');
      return row ?? null;
    },

    async addAttempt(attempt: NewAttempt): Promise<AttemptRow> {
      const [row] = await db.insert(attempts).values(attempt).returning();
      return row!;
    },

    /** Records an attempt's result while it is still open; answers false when a final result was already written. */
    async updateAttempt(id: string, result: AttemptResult): Promise<boolean> {
      const rows = await db
        .update(attempts)
        .set(result)
        .where(and(eq(attempts.id, id), inArray(attempts.status, [...OPEN_ATTEMPT_STATUSES])))
        .returning({ id: attempts.id });
      return rows.length > 0;
    },

    async get(merchantId: string, id: string): Promise<PaymentRecord | null> {
      const [payment] = await db
        .select()
        .from(payments)
        .where(and(eq(payments.id, id), eq(payments.merchantId, merchantId)));
      if (!payment) return null;
      return { payment, attempts: await this.attempts(id) };
    },

    /** Any merchant's payment: for background work, which acts on ids it scheduled itself. */
    async byId(id: string): Promise<PaymentRecord | null> {
      const [payment] = await db.select().from(payments).where(eq(payments.id, id));
      if (!payment) return null;
      return { payment, attempts: await this.attempts(id) };
    },

    async attempts(paymentId: string): Promise<AttemptRow[]> {
      return db.select().from(attempts).where(eq(attempts.paymentId, paymentId)).orderBy(asc(attempts.number));
    },

    /** Newest first; `startingAfter` is the last id of the previous page. Answers one row more than asked to tell `has_more`. */
    async list(merchantId: string, filter: PaymentFilter): Promise<PaymentRecord[]> {
      const where: SQL[] = [eq(payments.merchantId, merchantId)];
      if (filter.startingAfter) where.push(lt(payments.id, filter.startingAfter));
      if (filter.status) where.push(eq(payments.status, filter.status));
      if (filter.createdGte) where.push(gte(payments.createdAt, filter.createdGte));
      if (filter.createdLte) where.push(lte(payments.createdAt, filter.createdLte));
      if (filter.review) where.push(isNotNull(payments.reviewReason));
      const rows = await db
        .select()
        .from(payments)
        .where(and(...where))
        .orderBy(desc(payments.id))
        .limit(filter.limit + 1);
      if (rows.length === 0) return [];
      const attemptRows = await db
        .select()
        .from(attempts)
        .where(inArray(attempts.paymentId, rows.map((r) => r.id)))
        .orderBy(asc(attempts.number));
      return rows.map((payment) => ({ payment, attempts: attemptRows.filter((a) => a.paymentId === payment.id) }));
    },

    /** The payment a gateway reference belongs to, through any of its attempts (or the attempt's idempotency key). */
    async findByGateway(
      gatewayAccountId: string,
      reference: string,
      attemptKey: string | null,
    ): Promise<{ payment: PaymentRow; attempt: AttemptRow } | null> {
      const byReference = and(eq(attempts.gatewayAccountId, gatewayAccountId), eq(attempts.gatewayReference, reference));
      const match = attemptKey ? or(byReference, and(eq(attempts.gatewayAccountId, gatewayAccountId), eq(attempts.idempotencyKey, attemptKey))) : byReference;
      const [row] = await db
        .select({ payment: payments, attempt: attempts })
        .from(attempts)
        .innerJoin(payments, eq(payments.id, attempts.paymentId))
        .where(match)
        .orderBy(desc(attempts.number))
        .limit(1);
      return row ?? null;
    },

    async insertRefund(refund: NewRefund): Promise<RefundRow> {
      const [row] = await db.insert(refunds).values(refund).returning();
      return row!;
    },

    /** What refunds not yet settled hold back from the refundable amount. */
    async pendingRefundTotal(paymentId: string): Promise<number> {
      const [row] = await db
        .select({ total: sql<string>`coalesce(sum(${refunds.amount}), 0)` })
        .from(refunds)
        .where(and(eq(refunds.paymentId, paymentId), eq(refunds.status, 'pending')));
      return Number(row?.total ?? 0);
    },

    async refund(id: string): Promise<RefundRow | null> {
      const [row] = await db.select().from(refunds).where(eq(refunds.id, id));
      return row ?? null;
    },

    /** A refund of the payment by the gateway's reference, or by the key we sent it under. */
    async refundByGateway(paymentId: string, reference: string | null, refundId: string | null): Promise<RefundRow | null> {
      const matches: SQL[] = [];
      if (reference) matches.push(eq(refunds.gatewayReference, reference));
      if (refundId) matches.push(eq(refunds.id, refundId));
      if (matches.length === 0) return null;
      const [row] = await db
        .select()
        .from(refunds)
        .where(and(eq(refunds.paymentId, paymentId), or(...matches)));
      return row ?? null;
    },

    /**
     * Moves a pending refund (a status guard: a late duplicate confirmation cannot count twice);
     * a success adds to the payment's refunded amount in the same statement's transaction.
     * Answers the refund after the write, or null when it was no longer pending.
     */
    async settleRefund(id: string, patch: RefundPatch, now: Date): Promise<RefundRow | null> {
      const [refund] = await db
        .update(refunds)
        .set({ ...patch, updatedAt: now })
        .where(and(eq(refunds.id, id), eq(refunds.status, 'pending')))
        .returning();
      if (!refund) return null;
      if (patch.status === 'succeeded') {
        await db
          .update(payments)
          .set({ amountRefunded: sql`${payments.amountRefunded} + ${refund.amount}`, version: sql`${payments.version} + 1`, updatedAt: now })
          .where(eq(payments.id, refund.paymentId));
      }
      return refund;
    },

    /**
     * Payments and refunds left unsettled with no reconciler job to settle them (rows from before the
     * job engine, or written by hand): the startup sweep schedules one for each.
     */
    async unsettledWithoutJob(limit: number): Promise<{ payments: { id: string; merchantId: string }[]; refunds: { id: string; merchantId: string }[] }> {
      const liveJob = (key: SQL) => sql`exists (select 1 from ${jobs} where ${jobs.key} = ${key} and ${jobs.state} in ('scheduled', 'running'))`;
      const openPayments = await db
        .select({ id: payments.id, merchantId: payments.merchantId })
        .from(payments)
        .where(
          and(
            or(inArray(payments.status, ['processing', 'requires_action']), isNotNull(payments.pendingOperation)),
            sql`not ${liveJob(sql`'payment:' || ${payments.id}`)}`,
          ),
        )
        .limit(limit);
      const openRefunds = await db
        .select({ id: refunds.id, merchantId: refunds.merchantId })
        .from(refunds)
        .where(and(eq(refunds.status, 'pending'), sql`not ${liveJob(sql`'refund:' || ${refunds.id}`)}`))
        .limit(limit);
      return { payments: openPayments, refunds: openRefunds };
    },

    async refunds(merchantId: string, paymentId: string): Promise<RefundRow[]> {
      return db
        .select()
        .from(refunds)
        .where(and(eq(refunds.paymentId, paymentId), eq(refunds.merchantId, merchantId)))
        .orderBy(desc(refunds.id));
    },
  };
}
