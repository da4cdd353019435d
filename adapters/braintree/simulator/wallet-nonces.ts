import type { ValidationError } from './sandbox.js';

/** How a sale was paid: Braintree's `payment_instrument_type`. */
export type PaymentInstrument = 'credit_card' | 'apple_pay_card' | 'android_pay_card';

/**
 * Braintree's sandbox wallet nonces (braintree/lib/braintree/test_values/nonces.js; the Ruby SDK's
 * `Braintree::Test::Nonce`), each standing for a card of its network. The simulator uses the
 * number for the card's facts and keeps none of it. Any amount rule applies as to a card: the
 * amount steers the outcome (2000.00–2999.99 decline with that code, 3000.00 fails).
 */
const WALLET_NONCES: Readonly<Record<string, { instrument: Exclude<PaymentInstrument, 'credit_card'>; number: string }>> = {
  'fake-apple-pay-visa-nonce': { instrument: 'apple_pay_card', number: '4111111111111111' },
  'fake-apple-pay-mastercard-nonce': { instrument: 'apple_pay_card', number: '5555555555554444' },
  'fake-apple-pay-amex-nonce': { instrument: 'apple_pay_card', number: '378282246310005' },
  'fake-android-pay-visa-nonce': { instrument: 'android_pay_card', number: '4111111111111111' },
  'fake-android-pay-mastercard-nonce': { instrument: 'android_pay_card', number: '5555555555554444' },
  'fake-android-pay-amex-nonce': { instrument: 'android_pay_card', number: '378282246310005' },
  'fake-android-pay-discover-nonce': { instrument: 'android_pay_card', number: '6011000991300009' },
};

/** Braintree's test nonce for a nonce already used. */
const CONSUMED_NONCE = 'fake-consumed-nonce';

const nonceError = (code: string, message: string): ValidationError => ({ code, attribute: 'payment_method_nonce', message, scope: 'transaction' });

/** The wallet card a `payment_method_nonce` stands for, or the validation error Braintree answers. */
export function walletNonce(nonce: unknown): { instrument: Exclude<PaymentInstrument, 'credit_card'>; number: string } | ValidationError {
  if (nonce === CONSUMED_NONCE) return nonceError('91564', 'Cannot use a payment_method_nonce more than once.');
  const found = typeof nonce === 'string' ? WALLET_NONCES[nonce] : undefined;
  return found ?? nonceError('91565', 'Unknown or expired payment_method_nonce.');
}
