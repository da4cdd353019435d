import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from './database.js';
import { attempts, payments, refunds } from './schema.js';
import type { PaymentState, PaymentStatus } from '../domain/payment.js';

export type PaymentRow = typeof payments.$inferSelect;
export type AttemptRow = typeof attempts.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;
export type NewPayment = typeof payments.$inferInsert;
export type NewAttempt = typeof attempts.$inferInsert;
export type AttemptResult = Partial<Omit<AttemptRow, 'id' | 'paymentId' | 'number' | 'createdAt'>>;

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
export function stateColumns(state: PaymentState) {
  return {
    status: state.status,
    amountCapturable: state.amountCapturable,
    amountCaptured: state.amountCaptured,
    amountRefunded: state.amountRefunded,
    failureCode: state.failure?.code ?? null,
    failureMessage: state.failure?.message ?? null,
    nextAction: state.nextAction,
    gatewayReference: state.gatewayReference,
    updatedAt: new Date(),
  };
}

export function paymentRepository(db: Database) {
  async function lockPayment(tx: Database, merchantId: string, id: string): Promise<PaymentRow | undefined> {
    const [row] = await tx
      .select()
      .from(payments)
      .where(and(eq(payments.id, id), eq(payments.merchantId, merchantId)))
      .for('update');
    return row;
  }

  return {
    async create(payment: NewPayment): Promise<void> {
      await db.insert(payments).values(payment);
    },

    async addAttempt(attempt: NewAttempt, gatewayAccountId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.insert(attempts).values(attempt);
        await tx.update(payments).set({ gatewayAccountId, updatedAt: new Date() }).where(eq(payments.id, attempt.paymentId));
      });
    },

    /** Records one attempt's result and, in the same transaction, the payment state it leads to. */
    async recordAttempt(attemptId: string, result: AttemptResult, paymentId: string, state: PaymentState | null): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.update(attempts).set(result).where(eq(attempts.id, attemptId));
        if (state) await tx.update(payments).set(stateColumns(state)).where(eq(payments.id, paymentId));
      });
    },

    async get(merchantId: string, id: string): Promise<PaymentRecord | null> {
      const [payment] = await db
        .select()
        .from(payments)
        .where(and(eq(payments.id, id), eq(payments.merchantId, merchantId)));
      if (!payment) return null;
      const rows = await db.select().from(attempts).where(eq(attempts.paymentId, id)).orderBy(asc(attempts.number));
      return { payment, attempts: rows };
    },

    /** Newest first; `startingAfter` is the last id of the previous page. Answers one row more than asked to tell `has_more`. */
    async list(merchantId: string, filter: PaymentFilter): Promise<PaymentRecord[]> {
      const where: SQL[] = [eq(payments.merchantId, merchantId)];
      if (filter.startingAfter) where.push(lt(payments.id, filter.startingAfter));
      if (filter.status) where.push(eq(payments.status, filter.status));
      if (filter.createdGte) where.push(gte(payments.createdAt, filter.createdGte));
      if (filter.createdLte) where.push(lte(payments.createdAt, filter.createdLte));
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

    /**
     * Marks a capture or cancel as under way after `check` approved the locked row, so a
     * second one cannot start until the first is settled. Answers null for an unknown payment.
     */
    async beginOperation<T>(
      merchantId: string,
      id: string,
      operation: 'capture' | 'cancel',
      check: (row: PaymentRow) => T,
    ): Promise<{ row: PaymentRow; plan: T } | null> {
      return db.transaction(async (tx) => {
        const row = await lockPayment(tx, merchantId, id);
        if (!row) return null;
        const plan = check(row);
        await tx.update(payments).set({ pendingOperation: operation, updatedAt: new Date() }).where(eq(payments.id, id));
        return { row, plan };
      });
    },

    /** Ends an operation: writes the new state when it took effect, and frees the payment either way. */
    async finishOperation(id: string, state: PaymentState | null): Promise<void> {
      await db
        .update(payments)
        .set({ ...(state ? stateColumns(state) : {}), pendingOperation: null, statusBeforeOperation: null, pendingAmount: null })
        .where(eq(payments.id, id));
    },

    /** The gateway accepted a capture or cancel and will confirm it by webhook: the payment is `processing` until then. */
    async awaitOperation(row: PaymentRow, amount: number): Promise<void> {
      await db
        .update(payments)
        .set({ status: 'processing', statusBeforeOperation: row.status, pendingAmount: amount, updatedAt: new Date() })
        .where(eq(payments.id, row.id));
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

    async refundByGatewayReference(paymentId: string, reference: string): Promise<RefundRow | null> {
      const [row] = await db
        .select()
        .from(refunds)
        .where(and(eq(refunds.paymentId, paymentId), eq(refunds.gatewayReference, reference)));
      return row ?? null;
    },

    /**
     * Reserves a refund: under the payment's row lock, refunds not yet settled count as
     * spent, so concurrent refunds can never exceed what was captured.
     */
    async reserveRefund(
      merchantId: string,
      paymentId: string,
      plan: (row: PaymentRow, pending: number) => Omit<typeof refunds.$inferInsert, 'paymentId' | 'merchantId'>,
    ): Promise<{ payment: PaymentRow; refund: RefundRow } | null> {
      return db.transaction(async (tx) => {
        const payment = await lockPayment(tx, merchantId, paymentId);
        if (!payment) return null;
        const [pending] = await tx
          .select({ total: sql<string>`coalesce(sum(${refunds.amount}), 0)` })
          .from(refunds)
          .where(and(eq(refunds.paymentId, paymentId), eq(refunds.status, 'pending')));
        const values = plan(payment, Number(pending?.total ?? 0));
        const [refund] = await tx.insert(refunds).values({ ...values, paymentId, merchantId }).returning();
        return { payment, refund: refund! };
      });
    },

    /** Settles a refund; a success adds to the payment's refunded amount in the same transaction. */
    async settleRefund(
      refundId: string,
      update: { status: 'succeeded' | 'failed' | 'pending'; gatewayReference?: string | null; failureCode?: string | null },
    ): Promise<RefundRow> {
      return db.transaction(async (tx) => {
        // Only a pending refund moves, so a late duplicate confirmation cannot count twice.
        const [refund] = await tx
          .update(refunds)
          .set({ ...update, updatedAt: new Date() })
          .where(and(eq(refunds.id, refundId), eq(refunds.status, 'pending')))
          .returning();
        if (!refund) {
          const [current] = await tx.select().from(refunds).where(eq(refunds.id, refundId));
          return current!;
        }
        if (update.status === 'succeeded') {
          await tx
            .update(payments)
            .set({ amountRefunded: sql`${payments.amountRefunded} + ${refund.amount}`, updatedAt: new Date() })
            .where(eq(payments.id, refund.paymentId));
        }
        return refund;
      });
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
