import type { AuthorizationOutcome } from '../domain/outcome.js';
import type { Repositories } from '../store/index.js';
import type { PaymentRow } from '../store/payments.js';

/**
 * What a saved card's payment teaches the vault, whichever path brought the gateway's final answer
 * (the request, a provider webhook, the reconciler, a 3-D Secure confirmation): the network
 * transaction id of the card's first approved, customer-initiated payment (merchant-initiated
 * payments cite it; a later one never replaces it), and a flag on a card declined as expired or
 * never to be tried again. A payment without a saved card teaches nothing.
 */
export async function recordSavedCardOutcome(
  repositories: Repositories,
  payment: Pick<PaymentRow, 'merchantId' | 'paymentMethodId' | 'initiator'>,
  outcome: AuthorizationOutcome,
  now: Date,
): Promise<void> {
  const id = payment.paymentMethodId;
  if (id === null) return;
  if (outcome.kind === 'approved' && payment.initiator === 'customer' && outcome.networkTransactionId) {
    await repositories.vault.keepNetworkTransactionId(id, outcome.networkTransactionId, now);
  }
  if (outcome.kind === 'declined' && (outcome.decline.reason === 'expired_card' || outcome.decline.retry === 'never')) {
    await repositories.vault.update(payment.merchantId, id, { flaggedReason: outcome.decline.reason, flaggedAt: now }, now);
  }
}
