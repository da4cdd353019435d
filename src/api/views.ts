import type { z } from '@hono/zod-openapi';
import type { EventRow } from '../store/events.js';
import type { JobRow } from '../store/jobs.js';
import type { AttemptRow, PaymentRecord, PaymentRow, RefundRow } from '../store/payments.js';
import type { AttemptView, PaymentView, RefundView, TimelineEventView } from './schemas.js';

/** A payment as the API answers it; `settlement` is its reconciler job, when it has one. */
export function paymentView({ payment: p, attempts }: PaymentRecord, settlement: JobRow | null = null): z.infer<typeof PaymentView> {
  const lastAttempt = attempts.at(-1);
  return {
    id: p.id,
    object: 'payment',
    status: p.status as z.infer<typeof PaymentView>['status'],
    amount: p.amount,
    amount_capturable: p.amountCapturable,
    amount_captured: p.amountCaptured,
    amount_refunded: p.amountRefunded,
    currency: p.currency,
    capture_method: p.captureMethod as 'automatic' | 'manual',
    payment_method: paymentMethodView(p, attempts),
    customer: p.customer ?? null,
    description: p.description,
    metadata: p.metadata,
    gateway: p.gatewayAccountId && lastAttempt ? { account_id: p.gatewayAccountId, provider: lastAttempt.provider } : null,
    gateway_reference: p.gatewayReference,
    next_action: p.nextAction ?? null,
    action_expires_at: p.status === 'requires_action' ? (p.actionExpiresAt?.toISOString() ?? null) : null,
    return_url: p.returnUrl,
    three_d_secure: p.threeDSecure as 'automatic' | 'required',
    failure: p.failureCode ? { code: p.failureCode, message: p.failureMessage ?? '' } : null,
    pending_operation: p.pendingOperation
      ? { type: p.pendingOperation as 'capture' | 'cancel', amount: p.pendingAmount, state: (p.operationState ?? 'sending') as 'sending' | 'unknown' | 'accepted' }
      : null,
    settlement:
      settlement && (settlement.state === 'scheduled' || settlement.state === 'running')
        ? { state: settlement.state, next_try_at: settlement.runAt.toISOString(), tries: settlement.attempts, last_finding: settlement.lastError }
        : null,
    review: p.reviewReason ? { reason: p.reviewReason, since: (p.reviewAt ?? p.updatedAt).toISOString() } : null,
    attempts: attempts.map(attemptView),
    decision: p.decision ? decisionView(p.decision) : null,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

function attemptView(a: AttemptRow): z.infer<typeof AttemptView> {
  return {
    id: a.id,
    object: 'payment_attempt',
    number: a.number,
    gateway: { account_id: a.gatewayAccountId, provider: a.provider },
    gateway_reference: a.gatewayReference,
    status: a.status as z.infer<typeof AttemptView>['status'],
    outcome: a.outcome as z.infer<typeof AttemptView>['outcome'],
    outcome_reason: a.outcomeReason,
    decline_reason: a.declineReason,
    provider_code: a.providerCode,
    latency_ms: a.latencyMs,
    crypto: a.cryptoQuote
      ? { currency: a.cryptoQuote.currency, amount_due: a.cryptoQuote.amountDue, amount_paid: a.cryptoQuote.amountPaid, overpaid: a.cryptoQuote.overpaid, rate: a.cryptoQuote.rate }
      : null,
    created_at: a.createdAt.toISOString(),
    completed_at: a.completedAt?.toISOString() ?? null,
  };
}

export function refundView(r: RefundRow): z.infer<typeof RefundView> {
  return {
    id: r.id,
    object: 'refund',
    payment_id: r.paymentId,
    amount: r.amount,
    currency: r.currency,
    status: r.status as z.infer<typeof RefundView>['status'],
    reason: r.reason,
    failure_code: r.failureCode,
    gateway_reference: r.gatewayReference,
    metadata: r.metadata,
    review: r.reviewReason ? { reason: r.reviewReason } : null,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}

const DECISION_KEYS = ['source', 'ruleset_version', 'rule', 'action', 'objective', 'rescue', 'blocked', 'fallback', 'order', 'propensity', 'explore', 'probe', 'candidates'];
const CANDIDATE_KEYS = ['gateway', 'account_id', 'provider', 'eligible', 'reason', 'health', 'probability', 'samples', 'estimate_level', 'fee', 'score', 'first_probability', 'posterior'];

/** The stored decision in its documented field order (the database keeps JSON keys in its own order). */
function decisionView(decision: Record<string, unknown>): Record<string, unknown> {
  const ordered = (value: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.filter((k) => k in value).map((k) => [k, value[k]]));
  const view = ordered(decision, DECISION_KEYS);
  if (Array.isArray(decision.candidates)) view.candidates = decision.candidates.map((c) => ordered(c as Record<string, unknown>, CANDIDATE_KEYS));
  return view;
}

export function timelineEventView(e: EventRow): z.infer<typeof TimelineEventView> {
  return { id: e.id, object: 'event', type: e.type, refund_id: e.refundId, data: e.data, created_at: e.createdAt.toISOString() };
}

/**
 * What paid, as the payment shows it: a card's facts, a wallet's display facts (never its token), a
 * debited bank account's (never its number) with its mandate, the PayPal payer or the coin paid in,
 * as the gateway of the latest attempt that named them reported.
 */
export function paymentMethodView(p: PaymentRow, attempts: readonly AttemptRow[]): z.infer<typeof PaymentView>['payment_method'] {
  const payer = attempts.findLast((a) => a.payer)?.payer ?? null;
  if (p.paymentMethodType === 'paypal') {
    return { type: 'paypal', paypal: payer?.kind === 'paypal' ? { payer_id: payer.payerId, email: payer.email } : { payer_id: null, email: null } };
  }
  if (p.paymentMethodType === 'crypto') return { type: 'crypto', crypto: { currency: attempts.findLast((a) => a.cryptoQuote)?.cryptoQuote?.currency ?? null } };
  if ((p.paymentMethodType === 'sepa_debit' || p.paymentMethodType === 'ach_debit') && p.bankAccount) {
    const account = { ...p.bankAccount, mandate: payer?.kind === 'mandate' ? { id: payer.mandateId, reference: payer.reference } : null };
    return p.paymentMethodType === 'sepa_debit' ? { type: 'sepa_debit', sepa_debit: account } : { type: 'ach_debit', ach_debit: account };
  }
  if (p.paymentMethodType !== 'card' && p.wallet) {
    const wallet = { network: p.wallet.network, last4: p.wallet.last4, funding: p.wallet.funding };
    return p.paymentMethodType === 'apple_pay' ? { type: 'apple_pay', apple_pay: wallet } : { type: 'google_pay', google_pay: wallet };
  }
  const card = p.card!;
  return {
    type: 'card',
    card: {
      brand: card.brand,
      bin: card.bin,
      last4: card.last4,
      exp_month: card.exp_month,
      exp_year: card.exp_year,
      fingerprint: card.fingerprint,
      holder_name: card.holder_name,
      funding: card.funding ?? null,
      issuer_country: card.issuer_country ?? null,
    },
  };
}
