import type { CardFunding } from './card.js';
import type { Decline } from './decline.js';

export interface NextAction {
  type: 'redirect';
  url: string;
}

/**
 * What one authorization attempt at one gateway led to. `not_processed` is certain (the
 * gateway never acted: connection refused, rate limited, rejected our request); `unknown`
 * is ambiguous (a timeout or 5xx: it may have charged) and must be resolved, never retried
 * elsewhere (principle 2). `pending` is certain too: the gateway accepted a bank debit and
 * will say days later whether the money came (a webhook, or a lookup by `reference`); the payment
 * stays `processing`, is never sent to another gateway and never voided meanwhile.
 */
export type AuthorizationOutcome =
  /** `networkTransactionId`: the card network's id for this payment, which merchant-initiated payments on a saved card cite later. */
  | { kind: 'approved'; reference: string; captured: boolean; card?: CardReport; networkTransactionId?: string; crypto?: CryptoQuote; payer?: PayerReport }
  | { kind: 'requires_action'; reference: string; nextAction: NextAction | null }
  | { kind: 'pending'; reference: string; payer?: PayerReport }
  | { kind: 'declined'; reference: string | null; decline: Decline; card?: CardReport; crypto?: CryptoQuote }
  | { kind: 'not_processed'; reason: NotProcessedReason; detail: string }
  | { kind: 'unknown'; reason: UnknownReason; detail: string };

/**
 * What a crypto payment was quoted and paid, as the provider reports it: the coin, the amount due
 * and the amount paid in its smallest unit (satoshis), and the rate (fiat major units per coin).
 * `overpaid` is the part paid above the amount due (the provider returns it to the payer).
 */
export interface CryptoQuote {
  currency: string;
  amountDue: number;
  amountPaid: number;
  overpaid: number;
  rate: number | null;
}

/**
 * Who paid, as the provider names them once it has the payment: what ops and the merchant recognise
 * the payer by (a PayPal account, a debit mandate as the bank statement shows it). Never a
 * credential, a token or an account number.
 */
export type PayerReport =
  /** PayPal's `payer.payer_id` and `payer.email_address` of a completed order. */
  | { kind: 'paypal'; payerId: string; email: string | null }
  /** The debit mandate's id at the provider, and its `reference`: the mandate reference on the payer's bank statement. */
  | { kind: 'mandate'; mandateId: string; reference: string | null };

/**
 * What the gateway said about the card it saw (Stripe's funding and country, Adyen's
 * additionalData, Braintree's debit/prepaid/country of issuance); absent when it said nothing.
 * Routing remembers it per BIN.
 */
export interface CardReport {
  type: CardFunding | null;
  /** ISO 3166-1 alpha-2, upper case. */
  issuerCountry: string | null;
}

export type NotProcessedReason = 'connection_refused' | 'rate_limited' | 'rejected' | 'authentication_failed' | 'breaker_open';
/**
 * Why an outcome is unknown. `not_found`: the gateway was asked and has no record of the
 * attempt yet. Search indexes lag and a request may still be in flight, so this is not proof
 * the attempt was never made: only the caller, who knows the attempt's age, may conclude that.
 */
export type UnknownReason = 'timeout' | 'server_error' | 'connection_lost' | 'malformed_response' | 'pending_at_gateway' | 'not_found';

/**
 * Result of capture, cancel or refund at a gateway. `pending`: the gateway accepted it and
 * will confirm by webhook (Adyen's modifications); `reference` names the modification.
 */
export type ModificationOutcome =
  | { kind: 'succeeded'; reference: string; amount: number }
  | { kind: 'pending'; reference: string; amount: number }
  | { kind: 'rejected'; code: string; detail: string }
  | { kind: 'not_processed'; reason: NotProcessedReason; detail: string }
  | { kind: 'unknown'; reason: UnknownReason; detail: string };

/** The public name of an outcome, as attempts show it. */
export type OutcomeName = AuthorizationOutcome['kind'];
