import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import { gatewayKeys, planRefund } from '../domain/payment.js';
import { problems } from '../domain/problem.js';
import type { Repositories } from '../store/index.js';
import { stateOf, type RefundRow } from '../store/payments.js';
import type { GatewayRegistry } from './gateways.js';

export interface NewRefundInput {
  amount: number | undefined;
  reason: string | null;
  metadata: Record<string, string>;
}

export function refundService(deps: { repositories: Repositories; gateways: GatewayRegistry; logger: Logger }) {
  const { repositories, gateways, logger } = deps;

  /**
   * Reserves the amount, asks the gateway, then settles. A refund the gateway did not confirm
   * stays `pending` and keeps its amount reserved until it is reconciled.
   */
  async function create(merchantId: string, paymentId: string, input: NewRefundInput): Promise<RefundRow> {
    const reserved = await repositories.payments.reserveRefund(merchantId, paymentId, (payment, pending) => ({
      id: newId('re'),
      amount: planRefund(stateOf(payment), input.amount, pending),
      currency: payment.currency,
      status: 'pending',
      reason: input.reason,
      metadata: input.metadata,
    }));
    if (!reserved) throw problems.notFound('payment');
    const { payment, refund } = reserved;

    const accounts = await repositories.merchants.gatewayAccounts(merchantId);
    const account = accounts.find((a) => a.id === payment.gatewayAccountId);
    const adapter = account ? gateways.adapterFor(account) : null;
    if (!adapter || !payment.gatewayReference) {
      return repositories.payments.settleRefund(refund.id, { status: 'failed', failureCode: 'gateway_unavailable' });
    }
    const outcome = await adapter.refund({
      reference: payment.gatewayReference,
      amount: refund.amount,
      currency: refund.currency,
      idempotencyKey: gatewayKeys.refund(refund.id),
    });
    switch (outcome.kind) {
      case 'succeeded':
        return repositories.payments.settleRefund(refund.id, { status: 'succeeded', gatewayReference: outcome.reference });
      case 'pending':
        // Accepted; the provider confirms it by webhook, which settles it by this reference.
        return repositories.payments.settleRefund(refund.id, { status: 'pending', gatewayReference: outcome.reference });
      case 'rejected':
        return repositories.payments.settleRefund(refund.id, { status: 'failed', failureCode: outcome.code });
      case 'not_processed':
        return repositories.payments.settleRefund(refund.id, { status: 'failed', failureCode: 'gateway_unavailable' });
      case 'unknown':
        logger.warn('refund.outcome_unknown', { refund_id: refund.id, payment_id: paymentId, reason: outcome.reason });
        return refund;
    }
  }

  async function list(merchantId: string, paymentId: string): Promise<RefundRow[]> {
    const payment = await repositories.payments.get(merchantId, paymentId);
    if (!payment) throw problems.notFound('payment');
    return repositories.payments.refunds(merchantId, paymentId);
  }

  return { create, list };
}
