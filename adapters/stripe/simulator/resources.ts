import type { BankDebitDetails, ChargeRecord, PaymentIntentRecord, PaymentMethodRecord, RefundRecord, SimulatorState } from './state.js';

/** Renders records as the JSON objects Stripe returns. Nothing here ever sees a card number. */

/** The API version the objects are rendered in: the one stripe-node 23 pins. */
export const API_VERSION = '2026-10-28.endive';

type Json = Record<string, unknown>;

export function renderPaymentMethod(pm: PaymentMethodRecord): Json {
  const { card, bankDebit } = pm;
  const type = bankDebit ? bankDebit.type : 'card';
  return {
    id: pm.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: pm.billing.email,
      name: pm.billing.name,
      phone: pm.billing.phone,
    },
    ...(card
      ? {
          card: {
            brand: card.brand,
            checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: card.cvcCheck },
            country: card.country,
            display_brand: card.brand,
            exp_month: card.expMonth,
            exp_year: card.expYear,
            fingerprint: card.fingerprint,
            funding: card.funding,
            generated_from: null,
            last4: card.last4,
            networks: { available: [card.brand], preferred: null },
            three_d_secure_usage: { supported: true },
            wallet: null,
          },
        }
      : {}),
    ...(bankDebit ? { [bankDebit.type]: bankAccountView(bankDebit, null) } : {}),
    created: pm.created,
    customer: null,
    livemode: false,
    metadata: {},
    type,
  };
}

/** A SEPA debit's account as Stripe shows it on the PaymentMethod and the charge: never the number. */
function bankAccountView(bank: BankDebitDetails, mandate: string | null | undefined): Json {
  const charged = mandate === undefined ? {} : { mandate };
  return { bank_code: bank.bankCode, branch_code: '', country: bank.country, fingerprint: bank.fingerprint, generated_from: { charge: null, setup_attempt: null }, last4: bank.last4, ...charged };
}

function chargeOutcome(charge: ChargeRecord): Json {
  if (charge.status === 'pending') {
    return { network_status: 'approved_by_network', reason: null, risk_level: 'not_assessed', risk_score: null, seller_message: 'Payment pending.', type: 'authorized' };
  }
  if (charge.status === 'succeeded') {
    return {
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: 'Payment complete.',
      type: 'authorized',
    };
  }
  if (charge.declineCode === 'fraudulent') {
    return {
      network_status: 'not_sent_to_network',
      reason: 'highest_risk_level',
      risk_level: 'highest',
      risk_score: 95,
      seller_message: 'Stripe blocked this payment as too risky.',
      type: 'blocked',
    };
  }
  return {
    network_status: 'declined_by_network',
    reason: charge.declineCode,
    risk_level: 'normal',
    risk_score: 20,
    seller_message: 'The bank did not return any further details with this decline.',
    type: 'issuer_declined',
  };
}

export function renderCharge(state: SimulatorState, charge: ChargeRecord, expand: readonly string[] = []): Json {
  const pm = state.paymentMethods.get(charge.paymentMethodId);
  const pi = state.paymentIntents.get(charge.paymentIntentId);
  return {
    id: charge.id,
    object: 'charge',
    amount: charge.amount,
    amount_captured: charge.amountCaptured,
    amount_refunded: charge.amountRefunded,
    balance_transaction: null,
    billing_details: pm ? renderPaymentMethod(pm).billing_details : null,
    captured: charge.captured,
    created: charge.created,
    currency: charge.currency,
    description: pi?.description ?? null,
    failure_code: charge.failureCode,
    failure_message: charge.failureMessage,
    livemode: false,
    metadata: pi?.metadata ?? {},
    outcome: chargeOutcome(charge),
    paid: charge.status === 'succeeded',
    payment_intent: expand.includes('payment_intent') && pi ? renderPaymentIntent(state, pi) : charge.paymentIntentId,
    payment_method: charge.paymentMethodId,
    payment_method_details: pm?.card
      ? {
          type: 'card',
          card: {
            amount_authorized: charge.status === 'succeeded' ? charge.amount : null,
            brand: pm.card.brand,
            checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: pm.card.cvcCheck },
            country: pm.card.country,
            exp_month: pm.card.expMonth,
            exp_year: pm.card.expYear,
            fingerprint: pm.card.fingerprint,
            funding: pm.card.funding,
            last4: pm.card.last4,
            network: pm.card.brand,
            network_transaction_id: charge.networkTransactionId ?? null,
          },
        }
      : pm?.bankDebit
        ? { type: pm.bankDebit.type, [pm.bankDebit.type]: bankAccountView(pm.bankDebit, charge.mandate ?? null) }
        : null,
    disputed: Boolean(charge.dispute),
    refunded: charge.amountCaptured > 0 && charge.amountRefunded >= charge.amountCaptured,
    status: charge.status,
  };
}

export function renderPaymentIntent(state: SimulatorState, pi: PaymentIntentRecord, expand: readonly string[] = []): Json {
  const charge = pi.latestChargeId ? state.charges.get(pi.latestChargeId) : undefined;
  const pm = pi.paymentMethodId ? state.paymentMethods.get(pi.paymentMethodId) : undefined;
  return {
    id: pi.id,
    object: 'payment_intent',
    allowed_payment_method_types: pi.allowedPaymentMethodTypes,
    amount: pi.amount,
    amount_capturable: pi.amountCapturable,
    amount_details: { tip: {} },
    amount_received: pi.amountReceived,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: pi.automaticPaymentMethods,
    canceled_at: pi.canceledAt,
    cancellation_reason: pi.cancellationReason,
    capture_method: pi.captureMethod,
    client_secret: pi.clientSecret,
    confirmation_method: 'automatic',
    created: pi.created,
    currency: pi.currency,
    customer: null,
    description: pi.description,
    excluded_payment_method_types: null,
    last_payment_error: pi.lastPaymentError,
    latest_charge: expand.includes('latest_charge') && charge ? renderCharge(state, charge) : pi.latestChargeId,
    livemode: false,
    metadata: pi.metadata,
    next_action: pi.nextAction,
    on_behalf_of: null,
    payment_method: expand.includes('payment_method') && pm ? renderPaymentMethod(pm) : pi.paymentMethodId,
    payment_method_options: {
      ...(pi.paymentMethodTypes.includes('card')
        ? { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: pi.requestThreeDSecure ?? 'automatic' } }
        : {}),
      ...(pi.paymentMethodTypes.includes('sepa_debit') ? { sepa_debit: {} } : {}),
    },
    payment_method_types: pi.paymentMethodTypes,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function renderRefund(state: SimulatorState, refund: RefundRecord, expand: readonly string[] = []): Json {
  const charge = state.charges.get(refund.chargeId);
  const pi = state.paymentIntents.get(refund.paymentIntentId);
  return {
    id: refund.id,
    object: 'refund',
    amount: refund.amount,
    balance_transaction: null,
    charge: expand.includes('charge') && charge ? renderCharge(state, charge) : refund.chargeId,
    created: refund.created,
    currency: refund.currency,
    destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
    metadata: refund.metadata,
    payment_intent: expand.includes('payment_intent') && pi ? renderPaymentIntent(state, pi) : refund.paymentIntentId,
    reason: refund.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: refund.status,
    transfer_reversal: null,
  };
}
