import { decline, type Decline, type DeclineReason } from '../../src/domain/decline.js';

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
};

/** A code the table does not know maps to the safe default: `unknown`, which never cascades. */
export function stripeDecline(declineCode: string | undefined, code: string | undefined): Decline {
  const providerCode = declineCode ?? code ?? 'card_declined';
  return decline(REASONS[providerCode] ?? 'unknown', providerCode);
}
