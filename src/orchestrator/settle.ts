import { after } from '../domain/clock.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import { afterAuthorization, afterCancel, afterCapture, afterReturn, type PaymentStatus } from '../domain/payment.js';
import type { BankDebitType } from '../domain/payment-method.js';
import type { Repositories } from '../store/index.js';
import {
  OPEN_ATTEMPT_STATUSES,
  stateColumns,
  stateOf,
  type AttemptResult,
  type AttemptRow,
  type PaymentPatch,
  type PaymentRow,
} from '../store/payments.js';
import { emit, paymentSnapshot, type EventSpec } from './events.js';

/** How long each step may take and how the reconciler spaces its tries. */
export interface SettlementPolicy {
  /** How long the request that starts a step (an authorization, a capture) owns the payment before the reconciler may act. */
  requestLeaseMs: number;
  /** The reconciler's tries after the first: then it flags the payment for review. */
  retryDelaysMs: readonly number[];
  /** A gateway's "no such attempt" proves it was never made only once the attempt is this old (search indexes lag). */
  notFoundAfterMs: number;
  /** A `requires_action` payment fails with `authentication_abandoned` after this long. */
  actionTtlMs: number;
  /**
   * A bank debit the gateway accepted (`pending`) is looked up on this schedule, the last delay
   * repeating, until its settlement window ends: webhooks usually settle it first.
   */
  settlementDelaysMs: readonly number[];
  /**
   * Per bank debit scheme, how long after the attempt the gateway must have said whether the money
   * came: then the payment is flagged for review (it stays `processing`; a late answer still settles it).
   */
  settlementWindowMs: Readonly<Record<BankDebitType, number>>;
}

export const DEFAULT_SETTLEMENT_POLICY: SettlementPolicy = {
  requestLeaseMs: 90_000,
  retryDelaysMs: [30_000, 120_000, 600_000, 3_600_000, 21_600_000, 86_400_000],
  notFoundAfterMs: 600_000,
  actionTtlMs: 3_600_000,
  settlementDelaysMs: [3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000],
  // The longest a debit can take to settle: a first collection on a new mandate is charged up to
  // 5 business days out (SEPA Core pre-notification; GoCardless' first-payment lead time), then
  // collected, then the bank's interbank return window (SEPA R-transactions before settlement,
  // ACH's two banking days) runs; with weekends and bank holidays, 14 days for SEPA and 10 for ACH.
  settlementWindowMs: { sepa_debit: 14 * 86_400_000, ach_debit: 10 * 86_400_000 },
};

export const PAYMENT_JOB = 'payment.settle';
export const REFUND_JOB = 'refund.settle';
export const paymentJobKey = (paymentId: string) => `payment:${paymentId}`;
export const refundJobKey = (refundId: string) => `refund:${refundId}`;

/** One write to a payment, with what goes with it in the same transaction. */
export interface PaymentStep {
  set: PaymentPatch;
  /** An attempt's result: written only while the attempt is still open. */
  attempt?: { id: string; result: AttemptResult };
  /** The payment's settlement job: no longer needed, or due then. */
  job?: 'cancel' | { runAt: Date };
  /** Timeline entries of the reconciler. */
  notes?: readonly EventSpec[];
}

/**
 * Writes a step compare-and-set on the row's version, in the transaction `repos` is bound to
 * (or its own), with the events its changes make. Answers the new row, or null when another
 * writer moved the payment first: the caller re-reads and decides again.
 */
export async function writeStep(repos: Repositories, row: PaymentRow, step: PaymentStep, now: Date): Promise<PaymentRow | null> {
  const updated = await repos.payments.update(row.id, row.version, step.set, now);
  if (!updated) return null;
  if (step.attempt) await repos.payments.updateAttempt(step.attempt.id, step.attempt.result);
  if (step.job === 'cancel') await repos.jobs.cancel(paymentJobKey(row.id), now);
  else if (step.job) await repos.jobs.schedule({ kind: PAYMENT_JOB, key: paymentJobKey(row.id), merchantId: row.merchantId, payload: { payment_id: row.id }, runAt: step.job.runAt }, now);
  await emit(repos, now, [...(step.notes ?? []), ...changeEvents(row, updated)]);
  return updated;
}

/** The merchant events a change makes: the status it moved to, and the review flag set or cleared. */
export function changeEvents(before: PaymentRow, after: PaymentRow): EventSpec[] {
  const events: EventSpec[] = [];
  const base = { merchantId: after.merchantId, paymentId: after.id, data: paymentSnapshot(after) };
  if (before.status !== after.status) events.push({ ...base, type: `payment.${after.status as PaymentStatus}` });
  if (!before.reviewReason && after.reviewReason) events.push({ ...base, type: 'payment.review_required' });
  if (before.reviewReason && !after.reviewReason) events.push({ ...base, type: 'payment.review_resolved' });
  return events;
}

/** A timeline entry of the reconciler. */
export function note(row: PaymentRow, type: 'reconciler.checked' | 'reconciler.resolved' | 'reconciler.gave_up', data: Record<string, unknown>, refundId?: string): EventSpec {
  return { type, merchantId: row.merchantId, paymentId: row.id, refundId: refundId ?? null, data };
}

export function isOpen(attempt: AttemptRow): boolean {
  return (OPEN_ATTEMPT_STATUSES as readonly string[]).includes(attempt.status);
}

/**
 * Whether an attempt's final authorization outcome may still change the payment: the attempt is
 * open, no capture or cancel is under way, and the payment is waiting for it (processing, a
 * 3-D Secure challenge, or failed as abandoned, which a late completion reopens: the money moved).
 */
export function awaitsAuthorization(payment: PaymentRow, attempt: AttemptRow): boolean {
  if (!isOpen(attempt) || payment.pendingOperation) return false;
  return (
    payment.status === 'processing' ||
    payment.status === 'requires_action' ||
    (payment.status === 'failed' && payment.failureCode === 'authentication_abandoned')
  );
}

export type FinalAuthorization = Extract<AuthorizationOutcome, { kind: 'approved' | 'declined' | 'requires_action' }>;

/** The step that applies an attempt's final answer, or null when it changes nothing. */
export function authorizationStep(
  payment: PaymentRow,
  attempt: AttemptRow,
  outcome: FinalAuthorization,
  result: AttemptResult,
  now: Date,
  policy: SettlementPolicy,
): PaymentStep | null {
  if (!awaitsAuthorization(payment, attempt)) return null;
  if (outcome.kind === 'requires_action' && payment.status === 'requires_action') return null;
  const state = afterAuthorization(stateOf(payment), outcome);
  const set: PaymentPatch = { ...stateColumns(state), gatewayAccountId: attempt.gatewayAccountId, leaseUntil: null, reviewReason: null, reviewAt: null };
  if (outcome.kind !== 'requires_action') {
    return { set: { ...set, actionExpiresAt: null }, attempt: { id: attempt.id, result }, job: 'cancel' };
  }
  const expiresAt = after(now, policy.actionTtlMs);
  const check = after(now, policy.retryDelaysMs[0] ?? policy.actionTtlMs);
  return {
    set: { ...set, actionExpiresAt: expiresAt },
    attempt: { id: attempt.id, result },
    job: { runAt: check < expiresAt ? check : expiresAt },
  };
}

/**
 * The gateway voided whatever it held under an attempt whose answer was lost (a technical cancel):
 * nothing was charged, so the payment fails, if it was still waiting for that attempt. When the
 * attempt's late approval arrived first (the void was asked for while the payment still looked
 * unanswered), the authorization it reported is gone: the uncaptured payment is canceled, or a
 * cancel under way is done.
 */
export function voidedStep(payment: PaymentRow, attempt: AttemptRow, at: Date): PaymentStep | null {
  if (heldBy(payment, attempt)) {
    if (payment.pendingOperation === 'cancel') return operationDoneStep(payment, 'cancel', null);
    if (payment.pendingOperation === null && payment.status === 'requires_capture') {
      return { set: { ...stateColumns(afterCancel(stateOf(payment))), leaseUntil: null, reviewReason: null, reviewAt: null }, job: 'cancel' };
    }
    return null;
  }
  if (!awaitsAuthorization(payment, attempt) || payment.status !== 'processing') return null;
  return {
    set: {
      status: 'failed',
      failureCode: 'authorization_voided',
      failureMessage: "The gateway's answer was lost, so the attempt was voided at the gateway: nothing was charged.",
      leaseUntil: null,
      reviewReason: null,
      reviewAt: null,
    },
    attempt: { id: attempt.id, result: { status: 'failed', outcome: 'not_processed', outcomeReason: 'voided_at_gateway', completedAt: at } },
    job: 'cancel',
  };
}

/** Whether the payment's uncaptured authorization is the one this attempt made. */
function heldBy(payment: PaymentRow, attempt: AttemptRow): boolean {
  return attempt.status === 'succeeded' && payment.gatewayAccountId === attempt.gatewayAccountId && payment.amountCaptured === 0 && payment.amountCapturable > 0;
}

/** The state a capture or cancel under way started from. */
function beforeOperation(payment: PaymentRow) {
  return { ...stateOf(payment), status: (payment.statusBeforeOperation ?? payment.status) as PaymentStatus };
}

const CLEAR_OPERATION: PaymentPatch = { pendingOperation: null, operationState: null, statusBeforeOperation: null, pendingAmount: null, leaseUntil: null };

/** A capture or cancel the gateway did: the new state, the operation cleared. */
export function operationDoneStep(payment: PaymentRow, operation: 'capture' | 'cancel', amount: number | null): PaymentStep | null {
  if (payment.pendingOperation !== operation) return null;
  const state =
    operation === 'capture' ? afterCapture(beforeOperation(payment), amount ?? payment.pendingAmount ?? payment.amountCapturable) : afterCancel(beforeOperation(payment));
  return { set: { ...stateColumns(state), ...CLEAR_OPERATION, reviewReason: null, reviewAt: null }, job: 'cancel' };
}

/** A capture or cancel that certainly did not happen: back to where it started. */
export function operationRevertStep(payment: PaymentRow, operation: 'capture' | 'cancel'): PaymentStep | null {
  if (payment.pendingOperation !== operation) return null;
  return { set: { status: payment.statusBeforeOperation ?? payment.status, ...CLEAR_OPERATION, reviewReason: null, reviewAt: null }, job: 'cancel' };
}

/** A capture or cancel waiting on the gateway: accepted (confirmed later by webhook) or with its answer lost. */
export function operationWaitStep(state: 'accepted' | 'unknown', runAt: Date | null): PaymentStep {
  return { set: { status: 'processing', operationState: state, leaseUntil: null }, ...(runAt ? { job: { runAt } } : {}) };
}

/**
 * The gateway holds the money and will say later whether it settled (`pending`): a bank debit it
 * accepted, or a payment the payer made on the gateway's page that awaits confirmation (crypto on
 * the chain). The attempt keeps its reference and stays open; the payment is `processing` (no longer
 * the shopper's to abandon) under the reconciler's settlement schedule. Null when the payment moved
 * on (an early webhook already settled it).
 */
export function settlingStep(payment: PaymentRow, attempt: AttemptRow, reference: string, result: AttemptResult, now: Date, policy: SettlementPolicy): PaymentStep | null {
  if (!awaitsAuthorization(payment, attempt) || (payment.status !== 'processing' && payment.status !== 'requires_action')) return null;
  const leavesAction: PaymentPatch = payment.status === 'requires_action' ? { status: 'processing', nextAction: null, actionExpiresAt: null } : {};
  return {
    set: { ...leavesAction, gatewayReference: reference, gatewayAccountId: attempt.gatewayAccountId, leaseUntil: null },
    attempt: { id: attempt.id, result },
    job: { runAt: after(now, policy.settlementDelaysMs[0] ?? 0) },
  };
}

/**
 * The bank returned a debit after it had settled (a SEPA R-transaction, an ACH return, a
 * GoCardless chargeback or late failure): the money went back to the payer. A succeeded payment
 * becomes `returned`; one whose success never reached us fails. Null when there is nothing to reverse.
 */
export function returnedStep(payment: PaymentRow, attempt: AttemptRow, code: string, at: Date): PaymentStep | null {
  const message = `The payer's bank returned the debit (${code}): the money went back to the payer.`;
  if (payment.status === 'succeeded' && !payment.pendingOperation) {
    return { set: { ...stateColumns(afterReturn(stateOf(payment), { code: 'debit_returned', message })), leaseUntil: null, reviewReason: null, reviewAt: null } };
  }
  if (!awaitsAuthorization(payment, attempt) || payment.status !== 'processing') return null;
  return {
    set: { status: 'failed', failureCode: 'debit_returned', failureMessage: message, gatewayReference: attempt.gatewayReference ?? payment.gatewayReference, leaseUntil: null, reviewReason: null, reviewAt: null },
    attempt: { id: attempt.id, result: { status: 'failed', outcome: 'declined', outcomeReason: 'returned_after_settlement', declineReason: 'debit_returned', providerCode: code, completedAt: at } },
    job: 'cancel',
  };
}
