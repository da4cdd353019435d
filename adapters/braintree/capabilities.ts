import type { Capabilities } from '../testkit/contract.js';

/**
 * What Braintree can do with cards, and Apple Pay and Google Pay nonces (made by its client SDK in
 * the app; never the wallet's own token, which only the client SDK can exchange), through its
 * transaction API. An account narrows
 * `currencies` to those it has merchant accounts for (Braintree fixes one currency per merchant
 * account); see `createBraintreeAdapter`.
 *
 * - One capture per sale: several would need `submitForPartialSettlement`, which is not used.
 * - No idempotency key: the REST API keeps none (`apiRequestKey` is limited to selected
 *   merchants), so a sale is never resent; an attempt is found by its order id instead.
 * - Captures, voids and refunds answer at once; nothing waits for a notification.
 * - No 3-D Secure: Braintree runs it only on a nonce its client SDK (Drop-in, Hosted Fields)
 *   produced in the shopper's browser; a server-side integration sending raw card data cannot
 *   produce one, so routing never sends this adapter a payment that requires 3-D Secure.
 * - Amounts: Braintree refuses amounts longer than 10 characters ("9999999.99", error 81528).
 */
export const BRAINTREE_CAPABILITIES: Capabilities = {
  paymentMethods: ['card', 'apple_pay', 'google_pay'],
  cardNetworks: ['visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay', 'maestro'],
  currencies: '*',
  countries: '*',
  captureMethods: ['automatic', 'manual'],
  partialCapture: true,
  multipleCapture: false,
  voids: true,
  refunds: true,
  partialRefund: true,
  multipleRefunds: true,
  idempotency: false,
  syncWithoutReference: true,
  asyncModifications: false,
  threeDSecure: false,
  amountLimits: { min: 1, max: 999_999_999 },
  // Decimal strings in ISO 4217 decimals: every canonical amount is one.
  amountSteps: {},
};
