import type { GatewayAdapter } from '../../adapters/testkit/contract.js';
import { after, type Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import type { ModificationOutcome } from '../domain/outcome.js';
import { gatewayKeys, planRefund } from '../domain/payment.js';
import { problems } from '../domain/problem.js';
import type { Repositories } from '../store/index.js';
import { stateOf, type RefundPatch, type RefundRow } from '../store/payments.js';
import { emit, refundSnapshot, type EventSpec } from './events.js';
import type { GatewayRegistry } from './gateways.js';
import type { RequestContext } from './payments.js';
import { REFUND_JOB, refundJobKey, type SettlementPolicy } from './settle.js';

export interface NewRefundInput {
  amount: number | undefined;
  reason: string | null;
  metadata: Record<string, string>;
}

export interface RefundServiceDeps {
  repositories: Repositories;
  gateways: GatewayRegistry;
  logger: Logger;
  clock: Clock;
  policy: SettlementPolicy;
}

/** What a gateway's answer does to a pending refund: settle it (`final`), or keep it pending, with what was learned. */
export interface RefundStep {
  patch: RefundPatch;
  final: boolean;
}

export function refundStep(outcome: ModificationOutcome): RefundStep {
  switch (outcome.kind) {
    case 'succeeded':
      return { patch: { status: 'succeeded', gatewayReference: outcome.reference }, final: true };
    case 'pending':
      return { patch: { gatewayReference: outcome.reference }, final: false };
    case 'rejected':
      return { patch: { status: 'failed', failureCode: outcome.code }, final: true };
    case 'not_processed':
    case 'unknown':
      return { patch: {}, final: false };
  }
}

/**
 * Writes a refund step with its event and its job in one transaction: a final one settles the
 * refund (a success counts toward the payment's refunded amount) and ends its job; one still
 * pending keeps its reserve and is looked at again at `nextCheck`. `nextCheck` null: the caller
 * is the refund's own job (the reconciler), whose outcome sets the next run on the policy's
 * schedule; scheduling the running job again would make it run again at once, tries from zero.
 */
export async function writeRefundStep(repos: Repositories, refund: RefundRow, step: RefundStep, now: Date, nextCheck: Date | null, notes: readonly EventSpec[] = []): Promise<RefundRow | null> {
  // The payment's row first, then the refund's (settling one adds to the payment's refunded
  // amount): the order a provider's webhook takes them in, so the two never deadlock.
  await repos.payments.lock(refund.paymentId);
  const written = await repos.payments.settleRefund(refund.id, step.patch, now);
  if (!written) return null;
  const events: EventSpec[] = [...notes];
  if (step.final) {
    await repos.jobs.cancel(refundJobKey(refund.id), now);
    events.push({ type: written.status === 'succeeded' ? 'refund.succeeded' : 'refund.failed', merchantId: written.merchantId, paymentId: written.paymentId, refundId: written.id, data: refundSnapshot(written) });
  } else if (nextCheck) {
    await repos.jobs.schedule({ kind: REFUND_JOB, key: refundJobKey(refund.id), merchantId: refund.merchantId, payload: { refund_id: refund.id }, runAt: nextCheck }, now);
  }
  await emit(repos, now, events);
  return written;
}

export function refundService(deps: RefundServiceDeps) {
  const { repositories, gateways, logger, clock, policy } = deps;

  /**
   * Reserves the amount under the payment's row lock (with the refund's settlement job, and the
   * Idempotency-Key's link to it), asks the gateway, then settles. A refund the gateway did not
   * confirm stays `pending`, its amount reserved, until the gateway's webhook or the reconciler
   * settles it.
   */
  async function create(merchantId: string, paymentId: string, input: NewRefundInput, context: RequestContext = {}): Promise<RefundRow> {
    const now = clock.now();
    const reserved = await repositories.transaction(async (repos) => {
      const payment = await repos.payments.lock(paymentId, merchantId);
      if (!payment) return null;
      const amount = planRefund(stateOf(payment), input.amount, await repos.payments.pendingRefundTotal(paymentId));
      const refund = await repos.payments.insertRefund({
        id: newId('re'),
        paymentId,
        merchantId,
        amount,
        currency: payment.currency,
        status: 'pending',
        reason: input.reason,
        metadata: input.metadata,
        createdAt: now,
        updatedAt: now,
      });
      if (context.idempotencyKey) await repos.idempotency.link(merchantId, context.idempotencyKey, { type: 'refund', id: refund.id });
      await repos.jobs.schedule(
        { kind: REFUND_JOB, key: refundJobKey(refund.id), merchantId, payload: { refund_id: refund.id }, runAt: after(now, policy.requestLeaseMs) },
        now,
      );
      return { payment, refund };
    });
    if (!reserved) throw problems.notFound('payment');
    const { payment, refund } = reserved;

    const adapter = await adapterFor(payment.gatewayAccountId);
    const outcome: ModificationOutcome =
      !adapter || !payment.gatewayReference
        ? { kind: 'not_processed', reason: 'rejected', detail: 'The gateway account of this payment is no longer configured.' }
        : await adapter.refund({ reference: payment.gatewayReference, amount: refund.amount, currency: refund.currency, idempotencyKey: gatewayKeys.refund(refund.id) });
    if (outcome.kind === 'unknown') logger.warn('refund.outcome_unknown', { refund_id: refund.id, payment_id: paymentId, reason: outcome.reason });

    // Nothing was sent, so nothing can have been refunded.
    const step: RefundStep =
      outcome.kind === 'not_processed' ? { patch: { status: 'failed', failureCode: outcome.reason === 'rejected' ? 'gateway_rejected' : 'gateway_unavailable' }, final: true } : refundStep(outcome);
    const done = clock.now();
    const written = await repositories.transaction(async (repos) => {
      const next = await writeRefundStep(repos, refund, step, done, after(done, policy.retryDelaysMs[0] ?? 0));
      if (next && next.status === 'pending') {
        await emit(repos, done, [{ type: 'refund.pending', merchantId, paymentId, refundId: refund.id, data: refundSnapshot(next) }]);
      }
      return next;
    });
    return written ?? (await repositories.payments.refund(refund.id))!;
  }

  async function list(merchantId: string, paymentId: string): Promise<RefundRow[]> {
    const payment = await repositories.payments.get(merchantId, paymentId);
    if (!payment) throw problems.notFound('payment');
    return repositories.payments.refunds(merchantId, paymentId);
  }

  async function adapterFor(accountId: string | null): Promise<GatewayAdapter | null> {
    const account = accountId ? await repositories.merchants.gatewayAccount(accountId) : null;
    return account ? gateways.adapterFor(account) : null;
  }

  return { create, list };
}
