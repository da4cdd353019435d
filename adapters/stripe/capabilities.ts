import { amountSteps, type Capabilities } from '../testkit/contract.js';
import { toStripeAmount } from './amounts.js';

/**
 * What a Stripe account can do through PaymentIntents.
 *
 * - Methods: cards, and Apple Pay tokens (made into a card token by `POST /v1/tokens`). Google Pay
 *   is not declared: a Google Pay token made for Stripe (`gateway: stripe`) is already a Stripe
 *   token minted by Google's call to Stripe with the merchant's publishable key, not the ECv2 token
 *   this router passes on. SEPA Direct Debit (EUR): a PaymentIntent answered `processing`, settled
 *   days later. Not ACH: Stripe verifies US account numbers typed in (microdeposits or Financial
 *   Connections) before it debits them, a step a one-call debit has no place for.
 * - Networks: the brands Stripe processes as its own (`card.brand`). Maestro is left out: Stripe
 *   has no Maestro brand and does not promise acceptance of every Maestro range.
 * - Currencies and issuer countries: any (Stripe settles 135+ currencies; which ones an account
 *   may present depends on its country, and Stripe refuses the rest with a 400 before charging).
 * - One capture per PaymentIntent: a partial capture releases the rest (multicapture is a
 *   separate, gated feature that is not modelled).
 * - Amount limits: Stripe's minimum is about 0.50 USD per currency (USD/EUR/CAD/AUD/CHF/JPY 50,
 *   GBP 30, HKD 400, MXN 1000, ...), which no single minor-unit bound states truthfully; 50 is the
 *   minimum of the major currencies. Below a currency's own minimum Stripe answers 400
 *   `amount_too_small` before charging, which the adapter reports as `not_processed`, so routing
 *   can move on safely. The maximum is Stripe's eight-digit amount field.
 */
export const STRIPE_CAPABILITIES: Capabilities = {
  paymentMethods: ['card', 'apple_pay', 'sepa_debit'],
  cardNetworks: ['visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay'],
  currencies: '*',
  countries: '*',
  captureMethods: ['automatic', 'manual'],
  partialCapture: true,
  multipleCapture: false,
  voids: true,
  refunds: true,
  partialRefund: true,
  multipleRefunds: true,
  // Stripe keeps an Idempotency-Key for 24 hours and answers a resend with the first result.
  idempotency: true,
  // An attempt without a PaymentIntent id is found by resending it under the same key while its
  // card data is at hand, and by a search on its metadata afterwards.
  syncWithoutReference: true,
  asyncModifications: false,
  // A `requires_action` PaymentIntent redirects the shopper; `request_three_d_secure: any` asks for it.
  threeDSecure: true,
  amountLimits: { min: 50, max: 99_999_999 },
  // Whole ariary for MGA (zero-decimal at Stripe), whole hundredths for its three-decimal currencies.
  amountSteps: amountSteps(toStripeAmount),
};
