import type { WebhookSigner } from '../../testkit/simulator.js';
import { toStripeAmount } from '../amounts.js';
import { docUrl } from './errors.js';
import { newId, randomToken, unixSeconds } from './ids.js';
import { newPaymentIntent } from './payment-intents.js';
import { renderPaymentIntent, renderRefund } from './resources.js';
import { SimulatorState, type PaymentIntentRecord } from './state.js';
import { signedWebhook, stripeEvent, type StripeEventType } from './webhooks.js';

type Json = Record<string, unknown>;
type CanonicalEvent = Parameters<WebhookSigner['sign']>[0];

/**
 * Builds webhook requests as Stripe sends them, signed with `secret`, for verification tests:
 * each canonical event becomes the Stripe event that announces it. Stripe has no event for a
 * failed capture or cancel (both fail synchronously) nor for settlement: signing one throws. A
 * returned debit is a SEPA dispute, lost from the start.
 * The event's canonical amount is written in Stripe's units (5 ISK as 500).
 */
export function stripeWebhookSigner(secret: string): WebhookSigner {
  return {
    signsTimestamp: true,
    async sign(event, options = {}) {
      const amount = toStripeAmount(event.amount, event.currency);
      if (!amount.ok) throw new RangeError(amount.detail);
      const { type, object } = stripeNotification({ ...event, amount: amount.value });
      const at = (options.timestamp ?? new Date()).getTime();
      const envelope = stripeEvent(type, object, { id: event.eventId, createdMs: at, origin: { requestId: newId('req'), idempotencyKey: null } });
      return signedWebhook(envelope, options.wrongSecret ? `whsec_${randomToken(32)}` : secret, at);
    },
    tamper(request) {
      const event = JSON.parse(request.rawBody) as { data: { object: Json } };
      const object = event.data.object;
      for (const [name, value] of Object.entries(object)) {
        if (name.startsWith('amount') && typeof value === 'number' && value > 0) object[name] = value * 10;
      }
      return { headers: { ...request.headers }, rawBody: JSON.stringify(event, null, 2) };
    },
    unsigned(request) {
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'stripe-signature'));
      return { headers, rawBody: request.rawBody };
    },
  };
}

function stripeNotification(event: CanonicalEvent): { type: StripeEventType; object: Json } {
  const intent = (fields: Partial<PaymentIntentRecord>) =>
    renderPaymentIntent(
      new SimulatorState(),
      newPaymentIntent({
        id: event.reference,
        created: unixSeconds(Date.now()),
        amount: event.amount,
        currency: event.currency.toLowerCase(),
        captureMethod: 'manual',
        status: 'requires_capture',
        ...fields,
      }),
    );
  switch (event.type) {
    case 'authorization.succeeded':
      return { type: 'payment_intent.amount_capturable_updated', object: intent({ amountCapturable: event.amount, authorized: event.amount }) };
    case 'authorization.failed':
      return {
        type: 'payment_intent.payment_failed',
        object: intent({
          status: 'requires_payment_method',
          lastPaymentError: {
            type: 'card_error',
            code: 'card_declined',
            decline_code: 'generic_decline',
            message: 'Your card was declined.',
            doc_url: docUrl('card_declined'),
          },
        }),
      };
    case 'capture.succeeded':
      return { type: 'payment_intent.succeeded', object: intent({ status: 'succeeded', amountReceived: event.amount }) };
    case 'cancel.succeeded':
      return { type: 'payment_intent.canceled', object: intent({ status: 'canceled', canceledAt: unixSeconds(Date.now()) }) };
    case 'refund.succeeded':
      return { type: 'refund.created', object: refund(event) };
    case 'refund.failed':
      return { type: 'refund.failed', object: { ...refund(event), status: 'failed', failure_reason: 'declined' } };
    case 'debit.returned':
      return {
        type: 'charge.dispute.created',
        object: {
          id: newId('du'),
          object: 'dispute',
          amount: event.amount,
          charge: newId('py'),
          created: unixSeconds(Date.now()),
          currency: event.currency.toLowerCase(),
          is_charge_refundable: false,
          livemode: false,
          metadata: {},
          payment_intent: event.reference,
          payment_method_details: { type: 'sepa_debit' },
          reason: 'debit_not_authorized',
          status: 'lost',
        },
      };
    case 'capture.failed':
    case 'cancel.failed':
    case 'settlement.succeeded':
    case 'authorization.voided':
      throw new Error(`Stripe sends no webhook for ${event.type}`);
  }
}

function refund(event: CanonicalEvent): Json {
  return renderRefund(new SimulatorState(), {
    id: newId('re'),
    created: unixSeconds(Date.now()),
    amount: event.amount,
    currency: event.currency.toLowerCase(),
    paymentIntentId: event.reference,
    chargeId: newId('ch'),
    reason: null,
    metadata: {},
    status: 'succeeded',
  });
}
