import Stripe from 'stripe';
import type { WebhookRequest } from '../../testkit/contract.js';
import { newId, unixSeconds } from './ids.js';
import { API_VERSION } from './resources.js';

/** The events the simulator sends (a subset of Stripe's: those about payments and refunds it models). */
export type StripeEventType =
  | 'payment_intent.succeeded'
  | 'payment_intent.amount_capturable_updated'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled'
  | 'charge.refunded'
  | 'refund.created'
  | 'refund.failed';

type Json = Record<string, unknown>;

/** How long one delivery may take before the simulator gives up on it and sends the next. */
const DELIVERY_TIMEOUT_MS = 10_000;

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

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

/**
 * Sends the events an operation caused to the configured endpoint, signed, one at a time in the
 * order they happened. Handlers `add` while an operation runs; the server `flush`es once it is
 * done, naming the request. A delivery that fails or takes over 10 s is not retried (Stripe
 * retries for days).
 */
export class WebhookOutbox {
  private pending: { type: StripeEventType; object: Json }[] = [];
  private deliveries: Promise<void> = Promise.resolve();
  private readonly stopped = new AbortController();

  constructor(
    private readonly endpoint: WebhookEndpoint,
    private readonly now: () => number,
  ) {}

  add(type: StripeEventType, object: Json): void {
    this.pending.push({ type, object });
  }

  flush(origin: EventOrigin): void {
    for (const { type, object } of this.pending.splice(0)) {
      const event = stripeEvent(type, object, { createdMs: this.now(), origin });
      this.deliveries = this.deliveries.then(() => this.deliver(event));
    }
  }

  /** Stops sending: queued events are dropped, one being sent is aborted. */
  async close(): Promise<void> {
    this.pending = [];
    this.stopped.abort();
    await this.deliveries;
  }

  private async deliver(event: Json): Promise<void> {
    if (this.stopped.signal.aborted) return;
    try {
      const request = await signedWebhook(event, this.endpoint.secret, this.now());
      const signal = AbortSignal.any([this.stopped.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]);
      const response = await fetch(this.endpoint.url, { method: 'POST', headers: request.headers, body: request.rawBody, signal });
      await response.arrayBuffer();
    } catch {
      // The endpoint is down or the simulator is closing: the event is lost, as after Stripe's last retry.
    }
  }
}
