import type { GatewayAdapter } from '../../adapters/testkit/contract.js';
import { after, type Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../domain/outcome.js';
import { gatewayKeys } from '../domain/payment.js';
import { isBankDebit } from '../domain/payment-method.js';
import type { MerchantLearners } from '../routing/merchant-learners.js';
import type { Repositories } from '../store/index.js';
import type { GatewayAccount } from '../store/merchants.js';
import { type AttemptResult, type AttemptRow, type PaymentRow, type RefundRow } from '../store/payments.js';
import { emit } from './events.js';
import type { GatewayRegistry } from './gateways.js';
import { attemptResult, storedAttempt } from './payments.js';
import { refundStep, writeRefundStep } from './refunds.js';
import { routingFacts } from './routing-facts.js';
import { recordSavedCardOutcome } from './saved-card.js';
import {
  authorizationStep,
  isOpen,
  note,
  operationDoneStep,
  operationRevertStep,
  operationWaitStep,
  settlingStep,
  writeStep,
  type PaymentStep,
  type SettlementPolicy,
} from './settle.js';

/**
 * Where a payment or refund stands after the reconciler looked: nothing left to settle; still
 * owned by the request that started it (until then); or still open, to look at again (no later
 * than `deadline` when one applies, such as a 3-D Secure challenge's expiry).
 */
export type Reconciled =
  | { state: 'settled' }
  | { state: 'leased'; until: Date }
  | { state: 'open'; reason: string; deadline?: Date }
  /** A bank debit the gateway accepted and settles later: looked at on the settlement schedule until `overdueAt`, then flagged. */
  | { state: 'settling'; overdueAt: Date };

export interface ReconcilerDeps {
  repositories: Repositories;
  gateways: GatewayRegistry;
  learner: MerchantLearners;
  logger: Logger;
  clock: Clock;
  policy: SettlementPolicy;
}

const SETTLED: Reconciled = { state: 'settled' };

/**
 * Drives every non-terminal state to a terminal one by asking the gateway: an authorization
 * whose answer was lost, a payment no attempt was made for, a 3-D Secure challenge (and its
 * expiry), a capture, cancel or refund whose answer was lost or whose confirmation is late.
 * Every look is recorded on the payment's timeline; only answers the gateway gave reach the
 * learner. It never guesses: when its tries run out, `flagForReview` marks the payment for a human.
 */
export function reconciler(deps: ReconcilerDeps) {
  const { repositories, gateways, learner, logger, clock, policy } = deps;
  const payments = repositories.payments;

  async function payment(id: string): Promise<Reconciled> {
    const record = await payments.byId(id);
    if (!record) return SETTLED;
    const { payment: row, attempts } = record;
    const now = clock.now();
    if (row.leaseUntil && row.leaseUntil > now) return { state: 'leased', until: row.leaseUntil };
    if (row.pendingOperation) return operation(row);
    if (row.status === 'processing') return authorization(row, attempts, now);
    if (row.status === 'requires_action') return action(row, attempts, now);
    return SETTLED;
  }

  async function authorization(row: PaymentRow, attempts: AttemptRow[], now: Date): Promise<Reconciled> {
    const attempt = attempts.at(-1);
    if (!attempt || !isOpen(attempt)) {
      // The request died before its first attempt, or between a declined attempt and the next:
      // no attempt is open, so no gateway can have charged.
      const failure = attempt
        ? { code: 'payment_interrupted', message: `The payment was interrupted after attempt ${attempt.number} failed; it was not charged.` }
        : { code: 'payment_interrupted', message: 'The payment was interrupted before any gateway was asked; it was not charged.' };
      const written = await step(row, (p) =>
        p.status === 'processing' && !p.pendingOperation
          ? { set: { status: 'failed', failureCode: failure.code, failureMessage: failure.message, leaseUntil: null }, job: 'cancel', notes: [note(p, 'reconciler.resolved', { finding: 'no_open_attempt' })] }
          : null,
      );
      return written ? SETTLED : payment(row.id);
    }
    const { account, adapter } = await gatewayOf(attempt.gatewayAccountId);
    if (!adapter) return checked(row, 'gateway_not_configured', { attempt: attempt.number });
    const outcome = await adapter.sync({ reference: attempt.gatewayReference, attempt: storedAttempt(row, attempt), resend: null });
    if (outcome.kind === 'approved' || outcome.kind === 'declined' || outcome.kind === 'requires_action') {
      return resolveAttempt(row, attempt, account!, outcome, now);
    }
    if (outcome.kind === 'pending') return settling(row, attempt, outcome.reference, now);
    if (outcome.kind === 'unknown' && outcome.reason === 'not_found' && now.getTime() - attempt.createdAt.getTime() >= policy.notFoundAfterMs) {
      // The gateway looked long after the attempt and has no record of it: it was never made.
      const result: AttemptResult = { status: 'failed', outcome: 'not_processed', outcomeReason: 'not_found_at_gateway', completedAt: now };
      const written = await step(row, (p) =>
        p.status === 'processing' && !p.pendingOperation
          ? {
              set: { status: 'failed', failureCode: 'gateway_no_record', failureMessage: 'The gateway has no record of this payment; it was not charged.', leaseUntil: null },
              attempt: { id: attempt.id, result },
              job: 'cancel',
              notes: [note(p, 'reconciler.resolved', { attempt: attempt.number, finding: 'not_found_at_gateway' })],
            }
          : null,
      );
      return written ? SETTLED : payment(row.id);
    }
    const old = now.getTime() - attempt.createdAt.getTime() >= policy.notFoundAfterMs;
    if (outcome.kind === 'unknown' && outcome.reason === 'pending_at_gateway' && adapter.voidAttempt && old) {
      // No lookup without the card data, and no answer by now: void whatever the gateway may hold
      // (resent under the same key on each try until its webhook says so).
      const voided = await adapter.voidAttempt(storedAttempt(row, attempt));
      return checked(row, voided.kind === 'pending' ? 'void_requested' : `void_${voided.kind}`, { attempt: attempt.number });
    }
    return checked(row, outcome.kind === 'unknown' ? outcome.reason : `not_processed:${outcome.reason}`, { attempt: attempt.number, detail: outcome.detail });
  }

  async function resolveAttempt(row: PaymentRow, attempt: AttemptRow, account: GatewayAccount, outcome: Extract<AuthorizationOutcome, { kind: 'approved' | 'declined' | 'requires_action' }>, now: Date): Promise<Reconciled> {
    const result = attemptResult(outcome, attempt.latencyMs ?? 0, 'resolved_by_reconciler', now);
    const written = await step(row, (p, a) => {
      const found = a.find((x) => x.id === attempt.id);
      const settled = found ? authorizationStep(p, found, outcome, result, now, policy) : null;
      return settled ? { ...settled, notes: [note(p, 'reconciler.resolved', { attempt: attempt.number, outcome: outcome.kind })] } : null;
    });
    if (written) {
      learner.of(row.merchantId).record(account.id, routingFacts(row), outcome);
      await recordSavedCardOutcome(repositories, row, outcome, now);
    }
    return payment(row.id);
  }

  /**
   * A payment the gateway holds and has not settled yet: a bank debit, or a crypto payment awaiting
   * its confirmations. An attempt whose first answer was lost, or whose payer just finished on the
   * gateway's page, learns its reference here; the look is on the timeline. Its window runs from the attempt.
   */
  async function settling(row: PaymentRow, attempt: AttemptRow, reference: string, now: Date): Promise<Reconciled> {
    if (attempt.outcome !== 'pending') {
      const result = attemptResult({ kind: 'pending', reference }, attempt.latencyMs ?? 0, 'resolved_by_reconciler', now);
      const written = await step(row, (p, a) => {
        const found = a.find((x) => x.id === attempt.id);
        const settled = found ? settlingStep(p, found, reference, result, now, policy) : null;
        // The job's own outcome schedules the next look.
        return settled ? { set: settled.set, ...(settled.attempt ? { attempt: settled.attempt } : {}), notes: [note(p, 'reconciler.resolved', { attempt: attempt.number, outcome: 'pending' })] } : null;
      });
      if (!written) return payment(row.id);
    }
    const method = row.paymentMethodType;
    const windowMs = isBankDebit(method) ? policy.settlementWindowMs[method] : Math.max(...Object.values(policy.settlementWindowMs));
    await checked(row, 'awaiting_settlement', { attempt: attempt.number });
    return { state: 'settling', overdueAt: after(attempt.createdAt, windowMs) };
  }

  /** A 3-D Secure challenge: finished meanwhile (the webhook may be lost), still running, or expired. */
  async function action(row: PaymentRow, attempts: AttemptRow[], now: Date): Promise<Reconciled> {
    const attempt = attempts.findLast((a) => a.status === 'requires_action');
    if (!attempt) return SETTLED;
    const { account, adapter } = await gatewayOf(attempt.gatewayAccountId);
    const outcome: AuthorizationOutcome = adapter
      ? await adapter.completeAction({ reference: attempt.gatewayReference ?? row.gatewayReference!, attempt: storedAttempt(row, attempt), returnParams: {} })
      : { kind: 'unknown', reason: 'pending_at_gateway', detail: 'The gateway account is no longer configured.' };
    if (outcome.kind === 'approved' || outcome.kind === 'declined') return resolveAttempt(row, attempt, account!, outcome, now);
    // The payer did their part and the gateway holds the money until it settles: never abandoned.
    if (outcome.kind === 'pending') return settling(row, attempt, outcome.reference, now);
    const expiresAt = row.actionExpiresAt ?? now;
    if (now < expiresAt) return checked(row, 'awaiting_shopper', { attempt: attempt.number }, expiresAt);
    // Abandoned. Void it at the gateway so a late completion cannot charge; the attempt stays open,
    // so should one arrive anyway its webhook reopens the payment rather than being lost.
    if (adapter && attempt.gatewayReference) {
      await adapter.cancel({ reference: attempt.gatewayReference, amount: row.amount, currency: row.currency, idempotencyKey: gatewayKeys.cancel(row.id) }).catch(() => null);
    }
    await step(row, (p) =>
      p.status === 'requires_action'
        ? {
            set: { status: 'failed', failureCode: 'authentication_abandoned', failureMessage: 'The shopper did not complete authentication in time.', nextAction: null, actionExpiresAt: null },
            job: 'cancel',
            notes: [note(p, 'reconciler.resolved', { attempt: attempt.number, finding: 'authentication_abandoned' })],
          }
        : null,
    );
    return payment(row.id);
  }

  /** A capture or cancel whose request died, whose answer was lost, or whose confirmation is late. */
  async function operation(row: PaymentRow): Promise<Reconciled> {
    const op = row.pendingOperation as 'capture' | 'cancel';
    const { adapter } = await gatewayOf(row.gatewayAccountId);
    if (!adapter || !row.gatewayReference) return checked(row, 'gateway_not_configured', { operation: op });
    const outcome = await adapter.resumeModification({
      operation: op,
      reference: row.gatewayReference,
      modificationReference: null,
      amount: row.pendingAmount ?? row.amountCapturable,
      currency: row.currency,
      idempotencyKey: gatewayKeys[op](row.id),
    });
    const wait = (state: 'accepted' | 'unknown') => (p: PaymentRow): PaymentStep | null =>
      // The job's own outcome schedules the next look.
      p.pendingOperation === op && p.operationState !== state ? operationWaitStep(state, null) : null;
    switch (outcome.kind) {
      case 'succeeded':
        await step(row, (p) => withNote(operationDoneStep(p, op, outcome.amount || null), p, { operation: op, outcome: 'succeeded' }));
        return payment(row.id);
      case 'rejected':
        await step(row, (p) => withNote(operationRevertStep(p, op), p, { operation: op, outcome: 'rejected', code: outcome.code }));
        return payment(row.id);
      case 'pending':
        await step(row, wait('accepted'));
        return checked(row, 'awaiting_confirmation', { operation: op });
      default:
        await step(row, wait('unknown'));
        return checked(row, outcome.kind === 'unknown' ? outcome.reason : `not_processed:${outcome.reason}`, { operation: op });
    }
  }

  async function refund(id: string): Promise<Reconciled> {
    const row = await payments.refund(id);
    if (!row || row.status !== 'pending') return SETTLED;
    const now = clock.now();
    const leaseEnd = after(row.createdAt, policy.requestLeaseMs);
    if (leaseEnd > now) return { state: 'leased', until: leaseEnd };
    const parent = (await payments.byId(row.paymentId))!.payment;
    const { adapter } = await gatewayOf(parent.gatewayAccountId);
    if (!adapter || !parent.gatewayReference) return checkedRefund(parent, row, 'gateway_not_configured');
    const outcome: ModificationOutcome = await adapter.resumeModification({
      operation: 'refund',
      reference: parent.gatewayReference,
      modificationReference: row.gatewayReference,
      amount: row.amount,
      currency: row.currency,
      idempotencyKey: gatewayKeys.refund(row.id),
    });
    const next = refundStep(outcome);
    const written = await repositories.transaction((repos) =>
      // Still pending: the job's own outcome below schedules the next look (null: no rescheduling here).
      writeRefundStep(repos, row, next, now, null, [note(parent, next.final ? 'reconciler.resolved' : 'reconciler.checked', { refund: row.id, outcome: outcome.kind }, row.id)]),
    );
    if (!written || written.status !== 'pending') return SETTLED;
    return { state: 'open', reason: outcome.kind === 'pending' ? 'awaiting_confirmation' : outcome.kind };
  }

  /**
   * The reconciler's last try found no answer: the payment (and the refund, if it is one) is
   * flagged for a human, with the reason, an event and a timeline entry. A later webhook can
   * still settle it, which clears the flag.
   */
  async function flagForReview(target: { paymentId: string } | { refundId: string }, reason: string): Promise<void> {
    const now = clock.now();
    let refundId: string | undefined;
    let paymentId: string;
    if ('refundId' in target) {
      refundId = target.refundId;
      const written = await repositories.transaction(async (repos) => repos.payments.settleRefund(target.refundId, { reviewReason: reason }, now));
      if (!written) return;
      paymentId = written.paymentId;
    } else {
      paymentId = target.paymentId;
    }
    const record = await payments.byId(paymentId);
    if (!record) return;
    logger.warn('reconciler.gave_up', { payment_id: paymentId, refund_id: refundId, reason });
    await step(record.payment, (p) => ({
      set: { reviewReason: reason, reviewAt: now },
      notes: [note(p, 'reconciler.gave_up', { reason }, refundId)],
    }));
  }

  async function step(row: PaymentRow, decide: (payment: PaymentRow, attempts: AttemptRow[]) => PaymentStep | null): Promise<PaymentRow | null> {
    let current = row;
    let attempts: AttemptRow[] | null = null;
    for (;;) {
      attempts ??= await payments.attempts(current.id);
      const next = decide(current, attempts);
      if (!next) return null;
      const now = clock.now();
      const written = await repositories.transaction((repos) => writeStep(repos, current, next, now));
      if (written) return written;
      const fresh = (await payments.byId(row.id))!;
      current = fresh.payment;
      attempts = fresh.attempts;
    }
  }

  /** Records the look on the timeline; the payment stays open. */
  async function checked(row: PaymentRow, reason: string, data: Record<string, unknown>, deadline?: Date): Promise<Reconciled> {
    await repositories.transaction((repos) => emit(repos, clock.now(), [note(row, 'reconciler.checked', { ...data, finding: reason })]));
    return deadline ? { state: 'open', reason, deadline } : { state: 'open', reason };
  }

  async function checkedRefund(parent: PaymentRow, row: RefundRow, reason: string): Promise<Reconciled> {
    await repositories.transaction((repos) => emit(repos, clock.now(), [note(parent, 'reconciler.checked', { refund: row.id, finding: reason }, row.id)]));
    return { state: 'open', reason };
  }

  async function gatewayOf(accountId: string | null): Promise<{ account: GatewayAccount | null; adapter: GatewayAdapter | null }> {
    const account = accountId ? await repositories.merchants.gatewayAccount(accountId) : null;
    return { account, adapter: account ? gateways.adapterFor(account) : null };
  }

  return { payment, refund, flagForReview };
}

function withNote(step: PaymentStep | null, row: PaymentRow, data: Record<string, unknown>): PaymentStep | null {
  return step ? { ...step, notes: [note(row, 'reconciler.resolved', data)] } : null;
}

export type Reconciler = ReturnType<typeof reconciler>;
