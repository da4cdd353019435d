/** Canonical decline reasons: every provider code maps to one of these (principle 3). */
export const DECLINE_REASONS = [
  'insufficient_funds',
  'do_not_honor',
  'generic_decline',
  'expired_card',
  'invalid_number',
  'invalid_cvc',
  'lost_or_stolen',
  'suspected_fraud',
  'authentication_required',
  'issuer_unavailable',
  'velocity_exceeded',
  'restricted_card',
  'processing_error',
  /** Bank debits: the account cannot be debited (closed, invalid details, debits blocked). */
  'invalid_account',
  /** Bank debits: the mandate is cancelled, expired or was refused by the payer's bank. */
  'mandate_invalid',
  /** Crypto: the payment request (a BitPay invoice) expired before the payer paid it. */
  'payment_expired',
  /** Crypto: the payer sent less than the amount due before the request expired; the provider returns what came. */
  'underpaid',
  'unknown',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

/** never: a hard decline; later: the same data may succeed later; with_new_data: only with updated card data. */
export type RetryAdvice = 'never' | 'later' | 'with_new_data';

export interface Decline {
  reason: DeclineReason;
  /** The provider's own code, kept for support and for the mapping tables. */
  providerCode: string;
  /** Safe and worthwhile to try another gateway now. */
  cascade: boolean;
  retry: RetryAdvice;
  /** The card network's merchant advice code when the provider passes it on (Mastercard MAC '01'…'40'). */
  adviceCode: string | null;
  message: string;
}

const CLASSIFICATION: Record<DeclineReason, { cascade: boolean; retry: RetryAdvice; message: string }> = {
  insufficient_funds: { cascade: false, retry: 'later', message: 'The card has insufficient funds.' },
  do_not_honor: { cascade: true, retry: 'later', message: 'The issuer declined the payment.' },
  generic_decline: { cascade: true, retry: 'later', message: 'The card was declined.' },
  expired_card: { cascade: false, retry: 'with_new_data', message: 'The card has expired.' },
  invalid_number: { cascade: false, retry: 'never', message: 'The card number is invalid.' },
  invalid_cvc: { cascade: false, retry: 'with_new_data', message: 'The card security code is incorrect.' },
  lost_or_stolen: { cascade: false, retry: 'never', message: 'The card was declined.' },
  suspected_fraud: { cascade: false, retry: 'never', message: 'The card was declined.' },
  authentication_required: { cascade: false, retry: 'with_new_data', message: 'The issuer requires cardholder authentication.' },
  issuer_unavailable: { cascade: true, retry: 'later', message: 'The issuer could not be reached.' },
  velocity_exceeded: { cascade: false, retry: 'later', message: 'The card exceeded its usage limits.' },
  restricted_card: { cascade: false, retry: 'never', message: 'The card cannot be used for this payment.' },
  processing_error: { cascade: true, retry: 'later', message: 'The gateway could not process the card.' },
  invalid_account: { cascade: false, retry: 'with_new_data', message: 'The bank account cannot be debited.' },
  mandate_invalid: { cascade: false, retry: 'with_new_data', message: 'The debit mandate is not valid: the payer must accept a new one.' },
  payment_expired: { cascade: false, retry: 'later', message: 'The payment request expired before the payer paid it.' },
  underpaid: { cascade: false, retry: 'with_new_data', message: 'The payer sent less than the amount due; the provider returns it to them.' },
  unknown: { cascade: false, retry: 'later', message: 'The card was declined.' },
};

/**
 * Mastercard merchant advice codes after which the card must never be tried again, on any
 * gateway: 03 (do not try again) and 21 (payment cancellation / stop recurring).
 */
const NEVER_AGAIN_ADVICE = new Set(['03', '21']);

export function decline(reason: DeclineReason, providerCode: string, adviceCode: string | null = null): Decline {
  const base = { reason, providerCode, adviceCode, ...CLASSIFICATION[reason] };
  return adviceCode !== null && NEVER_AGAIN_ADVICE.has(adviceCode) ? { ...base, cascade: false, retry: 'never' } : base;
}

const unmapped = new Map<string, number>();

/**
 * The safe default for a provider code a mapping table does not know: `unknown`, which never
 * cascades. The code is counted (per provider) so the table can be completed; it never throws.
 */
export function unmappedDecline(provider: string, providerCode: string, adviceCode: string | null = null): Decline {
  const key = `${provider}:${providerCode}`;
  unmapped.set(key, (unmapped.get(key) ?? 0) + 1);
  return decline('unknown', providerCode, adviceCode);
}

/** How often each unmapped `provider:code` was seen since start. */
export function unmappedDeclineCounts(): ReadonlyMap<string, number> {
  return new Map(unmapped);
}
