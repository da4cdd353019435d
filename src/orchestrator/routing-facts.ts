import type { CardBrand } from '../domain/card.js';
import type { RoutingTransaction } from '../routing/rules/transaction.js';
import type { PaymentRow } from '../store/payments.js';

/**
 * A stored payment's facts for the learner's segment (method, network, currency, issuer
 * country, amount; a wallet's network as it showed it, without BIN or issuer country; a bank debit's bank country), so late webhook feedback lands where the attempt's would have. Card type
 * and issuer country are the BIN facts the decision used, stored with the card (unknown on
 * payments made before routing had them). The initiator is not stored and does not segment the learner.
 */
export function routingFacts(payment: PaymentRow): RoutingTransaction {
  return {
    paymentId: payment.id,
    amount: payment.amount,
    currency: payment.currency,
    paymentMethod: payment.paymentMethodType,
    card: payment.card
      ? { network: payment.card.brand as CardBrand, type: payment.card.funding ?? null, bin: payment.card.bin, issuerCountry: payment.card.issuer_country ?? null }
      : { network: payment.wallet?.network ?? 'unknown', type: payment.wallet?.funding ?? null, bin: null, issuerCountry: payment.bankAccount?.country ?? null },
    billingCountry: payment.customer?.country ?? null,
    captureMethod: payment.captureMethod as RoutingTransaction['captureMethod'],
    initiator: 'customer',
    metadata: payment.metadata,
  };
}
