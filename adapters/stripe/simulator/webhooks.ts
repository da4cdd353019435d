import Stripe from 'stripe';
import type { WebhookRequest } from '../../testkit/contract.js';
import type { WebhookDispatcher } from '../../testkit/webhook-dispatcher.js';
import { newId, unixSeconds } from './ids.js';
import { API_VERSION } from './resources.js';

/** The events the simulator sends (a subset of Stripe's: those about payments and refunds it models). */
export type StripeEventType =
  | 'payment_intent.succeeded'
  | 'payment_intent.amount_capturable_updated'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled'
  | 'payment_intent.processing'
  | 'charge.dispute.created'
  | 'charge.refunded'
  | 'refund.created'
  | 'refund.failed';

type Json = Record<string, unknown>;

export interface EventOrigin {
  /** The API request that caused the event; null for the 3D Secure page (a customer action). */
  requestId: string | null;
  idempotencyKey: string | null;
}

/** A Stripe event envelope (`object: "event"`) around a snapshot of `object`. */
export function stripeEvent(type: StripeEventType, object: Json, options: { id?: string | undefined; createdMs: number; origin: EventOrigin }): Json {
  return {
    id: options.id ?? newId('evt'),
    object: 'event',
    api_version: API_VERSION,
    created: unixSeconds(options.createdMs),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: options.origin.requestId, idempotency_key: options.origin.idempotencyKey },
    type,
  };
}

/**
 * The request Stripe would POST: the event pretty-printed as Stripe sends it, signed with
 * `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
 */
export async function signedWebhook(event: Json, secret: string, timestampMs: number): Promise<WebhookRequest> {
  const rawBody = JSON.stringify(event, null, 2);
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload: rawBody, secret, timestamp: unixSeconds(timestampMs) });
  return {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'stripe-signature': signature,
    },
    rawBody,
  };
}

/**
 * Collects the events an operation causes and hands them to the webhook dispatcher once the
 * operation is done, naming the request. Handlers `add` while an operation runs; the server
 * `flush`es. The dispatcher signs each attempt when it is sent (as Stripe does, so a retry
 * hours later carries a fresh timestamp), retries on Stripe's schedule and applies webhook faults.
 */
export class WebhookOutbox {
  private pending: { type: StripeEventType; object: Json }[] = [];

  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly now: () => number,
  ) {}

  add(type: StripeEventType, object: Json): void {
    this.pending.push({ type, object });
  }

  flush(origin: EventOrigin): void {
    for (const { type, object } of this.pending.splice(0)) {
      const event = stripeEvent(type, object, { createdMs: this.now(), origin });
      this.dispatcher.enqueue({ type, reference: paymentIntentOf(object), payload: event });
    }
  }
}

/** The PaymentIntent an event's object belongs to: its own id, or the one it names. */
function paymentIntentOf(object: Json): string | null {
  if (object['object'] === 'payment_intent' && typeof object['id'] === 'string') return object['id'];
  const named = object['payment_intent'];
  return typeof named === 'string' ? named : null;
}
