import { decline, unmappedDecline, type Decline, type DeclineReason } from '../../src/domain/decline.js';

/** Stripe `decline_code` (or error `code` when there is none) → canonical reason. */
const REASONS: Record<string, DeclineReason> = {
  generic_decline: 'generic_decline',
  card_declined: 'generic_decline',
  call_issuer: 'do_not_honor',
  do_not_honor: 'do_not_honor',
  insufficient_funds: 'insufficient_funds',
  expired_card: 'expired_card',
  incorrect_cvc: 'invalid_cvc',
  invalid_cvc: 'invalid_cvc',
  incorrect_number: 'invalid_number',
  invalid_number: 'invalid_number',
  invalid_account: 'invalid_number',
  lost_card: 'lost_or_stolen',
  stolen_card: 'lost_or_stolen',
  pickup_card: 'lost_or_stolen',
  fraudulent: 'suspected_fraud',
  merchant_blacklist: 'suspected_fraud',
  security_violation: 'suspected_fraud',
  authentication_required: 'authentication_required',
  // The customer failed 3D Secure (a PaymentIntent's last_payment_error after a failed challenge).
  payment_intent_authentication_failure: 'authentication_required',
  issuer_not_available: 'issuer_unavailable',
  try_again_later: 'issuer_unavailable',
  card_velocity_exceeded: 'velocity_exceeded',
  withdrawal_count_limit_exceeded: 'velocity_exceeded',
  restricted_card: 'restricted_card',
  card_not_supported: 'restricted_card',
  transaction_not_allowed: 'restricted_card',
  not_permitted: 'restricted_card',
  processing_error: 'processing_error',
  reenter_transaction: 'processing_error',
  // A SEPA debit's charge failure codes (the payer's bank answers days later).
  account_closed: 'invalid_account',
  no_account: 'invalid_account',
  invalid_account_number: 'invalid_account',
  bank_account_restricted: 'invalid_account',
  account_frozen: 'invalid_account',
  debit_not_authorized: 'mandate_invalid',
};

/**
 * The fields of a Stripe card error or of a PaymentIntent's `last_payment_error` that classify
 * a decline. The SDK gives an empty string for a field Stripe did not send.
 */
export interface StripeDeclineFields {
  code?: string | null | undefined;
  decline_code?: string | null | undefined;
  /** The card network's two-digit advice (Mastercard's merchant advice code), passed on as is. */
  network_advice_code?: string | null | undefined;
}

/** A code the table does not know maps to the safe default (`unknown`, which never cascades) and is counted. */
export function stripeDecline(fields: StripeDeclineFields): Decline {
  const providerCode = present(fields.decline_code) ?? present(fields.code) ?? 'card_declined';
  const adviceCode = present(fields.network_advice_code);
  const reason = REASONS[providerCode];
  return reason ? decline(reason, providerCode, adviceCode) : unmappedDecline('stripe', providerCode, adviceCode);
}

function present(value: string | null | undefined): string | null {
  return value ? value : null;
}
