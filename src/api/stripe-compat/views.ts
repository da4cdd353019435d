import { fromStripeAmount, toStripeAmount } from '../../../adapters/stripe/amounts.js';
import { currencyExponent, rescaleMinor } from '../../domain/currency.js';
import type { DeclineReason } from '../../domain/decline.js';
import type { CustomerRow } from '../../store/customers.js';
import type { PaymentMethodRow } from '../../store/vault.js';
import type { PaymentRecord, RefundRow } from '../../store/payments.js';
import type { StripeIntentRow } from '../../store/stripe-payment-intents.js';
import type { StripeErrorBody } from './errors.js';

/*
 * Amounts on this API are in Stripe's units, which differ from ISO 4217 for a few currencies
 * (ISK in two decimals, MGA in none: adapters/stripe/amounts.ts), so a merchant's existing
 * Stripe code sends and reads the numbers it always did.
 */

/** A canonical amount in Stripe's units. Every amount here came in through this API, so it converts exactly. */
export function stripeAmount(minor: number, currency: string): number {
  const converted = toStripeAmount(minor, currency);
  if (converted.ok) return converted.value;
  return rescaleMinor(minor, currencyExponent(currency) ?? 2, 2) ?? minor;
}

/** A Stripe amount in canonical minor units, or null when ISO 4217 cannot hold it exactly. */
export function canonicalAmount(value: number, currency: string): number | null {
  return fromStripeAmount(value, currency);
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** A canonical decline reason as Stripe's `code` and `decline_code`. */
const DECLINE_CODES: Record<DeclineReason, { code: string; decline_code: string }> = {
  insufficient_funds: { code: 'card_declined', decline_code: 'insufficient_funds' },
  do_not_honor: { code: 'card_declined', decline_code: 'do_not_honor' },
  generic_decline: { code: 'card_declined', decline_code: 'generic_decline' },
  expired_card: { code: 'expired_card', decline_code: 'expired_card' },
  invalid_number: { code: 'incorrect_number', decline_code: 'incorrect_number' },
  invalid_cvc: { code: 'incorrect_cvc', decline_code: 'incorrect_cvc' },
  // Lost and stolen are one canonical reason; Stripe's word for "reported lost or stolen" is pickup_card.
  lost_or_stolen: { code: 'card_declined', decline_code: 'pickup_card' },
  suspected_fraud: { code: 'card_declined', decline_code: 'fraudulent' },
  authentication_required: { code: 'card_declined', decline_code: 'authentication_required' },
  issuer_unavailable: { code: 'card_declined', decline_code: 'issuer_not_available' },
  velocity_exceeded: { code: 'card_declined', decline_code: 'card_velocity_exceeded' },
  restricted_card: { code: 'card_declined', decline_code: 'restricted_card' },
  processing_error: { code: 'processing_error', decline_code: 'processing_error' },
  // Stripe's codes for a debit it could not collect.
  invalid_account: { code: 'payment_method_not_available', decline_code: 'account_closed' },
  mandate_invalid: { code: 'payment_method_not_available', decline_code: 'debit_not_authorized' },
  payment_expired: { code: 'payment_intent_payment_attempt_expired', decline_code: 'payment_expired' },
  underpaid: { code: 'payment_intent_payment_attempt_failed', decline_code: 'underpaid' },
  unknown: { code: 'card_declined', decline_code: 'generic_decline' },
};

/**
 * Why the latest confirmation failed, as Stripe's `last_payment_error`: a card decline with
 * Stripe's codes; a failure before or beside the card (no gateway reachable, a routing block, the
 * network retry guard) keeps Switchyard's own code, with no decline_code.
 */
export function paymentError(record: PaymentRecord): StripeErrorBody | null {
  const { payment } = record;
  if (payment.status !== 'failed') return null;
  const message = payment.failureMessage ?? 'The payment failed.';
  const declined = record.attempts.findLast((a) => a.declineReason !== null);
  if (declined && payment.failureCode === declined.declineReason) {
    const codes = DECLINE_CODES[declined.declineReason as DeclineReason] ?? DECLINE_CODES.unknown;
    return { type: 'card_error', code: codes.code, decline_code: codes.decline_code, message };
  }
  return { type: 'card_error', code: payment.failureCode ?? 'processing_error', message };
}

export type IntentStatus = 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';

export function intentStatus(intent: StripeIntentRow, record: PaymentRecord | null): IntentStatus {
  if (intent.canceledAt) return 'canceled';
  if (!record) return intent.paymentMethod ? 'requires_confirmation' : 'requires_payment_method';
  switch (record.payment.status) {
    case 'failed':
      // A failed confirmation leaves the intent waiting for another payment method, as Stripe's does.
      return 'requires_payment_method';
    case 'requires_action':
    case 'requires_capture':
    case 'succeeded':
    case 'canceled':
    case 'processing':
      return record.payment.status;
    case 'returned':
      // Stripe keeps a returned debit's intent succeeded (its charge shows the return).
      return 'succeeded';
    default:
      return 'processing';
  }
}

/** A PaymentIntent as Stripe answers it; `latest_charge` is the canonical payment (`GET /v1/payments/:id` on the main API shows its attempts). */
export function intentView(intent: StripeIntentRow, record: PaymentRecord | null, livemode: boolean) {
  const status = intentStatus(intent, record);
  const payment = record?.payment ?? null;
  const currency = intent.currency;
  const canceledAt = intent.canceledAt ?? (payment?.status === 'canceled' ? payment.updatedAt : null);
  return {
    id: intent.id,
    object: 'payment_intent' as const,
    amount: stripeAmount(intent.amount, currency),
    amount_capturable: payment ? stripeAmount(payment.amountCapturable, currency) : 0,
    amount_received: payment ? stripeAmount(payment.amountCaptured, currency) : 0,
    canceled_at: canceledAt ? seconds(canceledAt) : null,
    cancellation_reason: intent.cancellationReason ?? (payment?.status === 'canceled' ? (payment.failureCode === 'authentication_abandoned' ? 'abandoned' : 'requested_by_customer') : null),
    capture_method: intent.captureMethod,
    client_secret: null,
    confirmation_method: 'automatic' as const,
    created: seconds(intent.createdAt),
    currency: currency.toLowerCase(),
    customer: intent.customer,
    description: intent.description,
    last_payment_error: record && status === 'requires_payment_method' ? paymentError(record) : null,
    latest_charge: payment?.id ?? null,
    livemode,
    metadata: intent.metadata,
    next_action:
      status === 'requires_action' && payment?.nextAction
        ? { type: 'redirect_to_url' as const, redirect_to_url: { url: payment.nextAction.url, return_url: payment.returnUrl } }
        : null,
    payment_method: intent.paymentMethod,
    payment_method_types: intent.paymentMethodTypes,
    receipt_email: payment?.customer?.email ?? null,
    setup_future_usage: intent.setupFutureUsage,
    status,
  };
}

export type IntentView = ReturnType<typeof intentView>;

export function refundView(refund: RefundRow, intentId: string | null) {
  return {
    id: refund.id,
    object: 'refund' as const,
    amount: stripeAmount(refund.amount, refund.currency),
    charge: refund.paymentId,
    created: seconds(refund.createdAt),
    currency: refund.currency.toLowerCase(),
    failure_reason: refund.failureCode,
    metadata: refund.metadata,
    payment_intent: intentId,
    reason: refund.reason,
    status: refund.status,
  };
}

/** A customer as Stripe answers it; `invoice_settings.default_payment_method` is the card a payment with only `customer` pays with. */
export function customerView(row: CustomerRow, livemode: boolean) {
  return {
    id: row.id,
    object: 'customer' as const,
    created: seconds(row.createdAt),
    description: row.description,
    email: row.email,
    invoice_settings: { default_payment_method: row.defaultPaymentMethodId },
    livemode,
    metadata: row.metadata,
    name: row.name,
  };
}

/** A saved card as Stripe answers it: never its number. */
export function paymentMethodView(row: PaymentMethodRow, livemode: boolean) {
  return {
    id: row.id,
    object: 'payment_method' as const,
    billing_details: { address: null, email: null, name: null, phone: null },
    card: { brand: row.brand, exp_month: row.expMonth, exp_year: row.expYear, fingerprint: row.fingerprint, last4: row.last4 },
    created: seconds(row.createdAt),
    customer: row.customerId,
    livemode,
    metadata: {},
    type: 'card' as const,
  };
}
