import type { CardBrand } from '../domain/card.js';
import type { RoutingTransaction } from '../routing/rules/transaction.js';
import type { PaymentRow } from '../store/payments.js';

/**
 * A stored payment's facts for the learner's segment (method, network, currency, issuer
 * country, amount), so late webhook feedback lands where the attempt's would have. Card type
 * and issuer country need a BIN table the router does not have yet: unknown here as at
 * decision time. The initiator is not stored and does not segment the learner.
 */
export function routingFacts(payment: PaymentRow): RoutingTransaction {
  return {
    paymentId: payment.id,
    amount: payment.amount,
    currency: payment.currency,
    paymentMethod: 'card',
    card: { network: payment.card.brand as CardBrand, type: null, bin: payment.card.bin, issuerCountry: null },
    billingCountry: payment.customer?.country ?? null,
    captureMethod: payment.captureMethod as RoutingTransaction['captureMethod'],
    initiator: 'customer',
    metadata: payment.metadata,
  };
}
