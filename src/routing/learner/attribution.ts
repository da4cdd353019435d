import type { DeclineReason } from '../../domain/decline.js';
import type { AuthorizationOutcome } from '../../domain/outcome.js';

export type Attribution = 'success' | 'failure' | 'technical' | 'ignored';

/** Failures where the gateway gave no answer at all: they say it may be down, not that it declines. */
const TECHNICAL: ReadonlySet<string> = new Set(['connection_refused', 'rate_limited', 'timeout', 'server_error', 'connection_lost', 'malformed_response']);

/**
 * Declines where the issuer judged the card or cardholder: every gateway would have got the
 * same answer, so they say nothing about the gateway and must not move its success rate.
 */
const ISSUER_SIDE: ReadonlySet<DeclineReason> = new Set<DeclineReason>([
  'insufficient_funds',
  // The payer's account or mandate, whichever gateway collects.
  'invalid_account',
  'mandate_invalid',
  // The crypto payer let the request expire or sent too little: their doing, not the gateway's.
  'payment_expired',
  'underpaid',
  'expired_card',
  'invalid_number',
  'invalid_cvc',
  'lost_or_stolen',
  'suspected_fraud',
  'restricted_card',
  'velocity_exceeded',
  'authentication_required',
]);

/**
 * What an authorization outcome teaches the learner about the gateway that handled it.
 * Soft declines (do_not_honor, generic_decline, issuer_unavailable, processing_error, unknown)
 * count as failures: a gateway with worse approval rates shows it exactly there. A pending
 * 3-D Secure challenge or a bank debit awaiting settlement is not an answer yet; its final outcome arrives later as another update.
 * Refused connections, time-outs and 5xx are `technical`: failures that also feed the gateway's
 * up/down filter. An open breaker's refusal never reached the gateway and says nothing of it.
 */
export function attribution(outcome: AuthorizationOutcome): Attribution {
  switch (outcome.kind) {
    case 'approved':
      return 'success';
    case 'requires_action':
    case 'pending':
      return 'ignored';
    case 'declined':
      return ISSUER_SIDE.has(outcome.decline.reason) ? 'ignored' : 'failure';
    case 'not_processed':
      if (outcome.reason === 'breaker_open') return 'ignored';
      return TECHNICAL.has(outcome.reason) ? 'technical' : 'failure';
    case 'unknown':
      return TECHNICAL.has(outcome.reason) ? 'technical' : 'failure';
  }
}
