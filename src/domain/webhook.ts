import type { Decline } from './decline.js';
import type { CryptoQuote, PayerReport } from './outcome.js';

/**
 * A provider notification in canonical form. `reference` is the provider's payment
 * reference (the one an attempt stores); `modificationReference` names the capture, refund or
 * cancel it confirms, when the provider gives one.
 */
export type WebhookEventType =
  | 'authorization.succeeded'
  | 'authorization.failed'
  /** Nothing under the attempt's reference is authorized any more (Adyen's technical cancel succeeded): it charged nothing. */
  | 'authorization.voided'
  | 'capture.succeeded'
  | 'capture.failed'
  | 'cancel.succeeded'
  | 'cancel.failed'
  | 'refund.succeeded'
  | 'refund.failed'
  | 'settlement.succeeded'
  /** The payer's bank returned a settled debit (SEPA R-transaction, ACH return, GoCardless chargeback or late failure): `returnCode` says why. */
  | 'debit.returned';

export interface WebhookEvent {
  /** The provider's own event id: applying an event twice must change nothing. */
  eventId: string;
  type: WebhookEventType;
  reference: string;
  /**
   * The reference we sent with the authorization (the attempt's idempotency key), when the
   * provider echoes it: it finds an attempt whose outcome was unknown, before we had `reference`.
   */
  merchantReference: string | null;
  modificationReference: string | null;
  /**
   * The idempotency key we sent the capture, cancel or refund under, when the provider echoes it
   * (Adyen's modification reference, the refund metadata we give Stripe, a Braintree credit's order
   * id): it finds a refund whose answer was lost, before we had the provider's reference.
   */
  modificationKey: string | null;
  amount: number | null;
  currency: string | null;
  decline: Decline | null;
  /** An approval's card network transaction id, when the provider sends it (merchant-initiated payments on the saved card cite it). */
  networkTransactionId?: string | null;
  occurredAt: Date;
  /** A crypto payment's quote and what was paid, as the provider reports it with the final state. */
  crypto?: CryptoQuote | null;
  /** An approval's payer as the provider names them (PayPal's payer of the order), when known. */
  payer?: PayerReport | null;
  /** A return's reason as the provider gives it (a SEPA reason code such as MD06, an ACH code such as R01, or the provider's own). */
  returnCode?: string | null;
}
