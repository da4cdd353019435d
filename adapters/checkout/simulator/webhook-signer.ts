import { createHash, createHmac } from 'node:crypto';
import type { WebhookRequest } from '../../testkit/contract.js';
import type { WebhookSigner } from '../../testkit/simulator.js';
import { toCheckoutAmount } from '../amounts.js';
import { CHECKOUT_EVENT_TYPES } from '../webhooks.js';
import { newId } from './ids.js';
import type { ActionRecord, PaymentRecord } from './state.js';

/** A webhook event as Checkout.com posts it (the fields the router reads, and their neighbours). */
export interface CheckoutEvent {
  id: string;
  type: string;
  version: string;
  created_on: string;
  data: Record<string, unknown>;
  _links: Record<string, { href: string }>;
}

export function paymentEvent(type: string, payment: PaymentRecord, action: ActionRecord | null, baseUrl: string, at: Date): CheckoutEvent {
  const isAuthorization = action === null || action.type === 'Authorization';
  return {
    id: newId('evt'),
    type,
    version: '1.0.33',
    created_on: at.toISOString(),
    data: {
      id: payment.id,
      ...(action ? { action_id: action.id } : {}),
      amount: action?.amount ?? payment.amount,
      currency: payment.currency,
      // An action's own reference (a capture's, a refund's); the payment's for the authorization.
      ...((isAuthorization ? payment.reference : action?.reference) ? { reference: isAuthorization ? payment.reference : action!.reference } : {}),
      ...(type === 'payment_approved' && payment.schemeId ? { scheme_id: payment.schemeId } : {}),
      response_code: action?.responseCode ?? payment.responseCode,
      response_summary: action?.responseSummary ?? payment.responseSummary,
      processed_on: action?.processedOn ?? at.toISOString(),
      metadata: payment.metadata,
    },
    _links: { payment: { href: `${baseUrl}/payments/${payment.id}` } },
  };
}

/** The request Checkout.com sends: the event as JSON, `Cko-Signature` the hex HMAC-SHA256 of that body with the webhook's key. */
export function signedRequest(event: unknown, secret: string): WebhookRequest {
  const rawBody = JSON.stringify(event);
  return { headers: { 'content-type': 'application/json', 'cko-signature': createHmac('sha256', secret).update(rawBody).digest('hex') }, rawBody };
}

/**
 * Events as Checkout.com sends them, for verification tests: the action id is derived from
 * `eventId` when given, so the same event signs the same way. Checkout.com signs no timestamp.
 */
export function checkoutWebhookSigner(secret: string): WebhookSigner {
  return {
    signsTimestamp: false,
    async sign(event, options = {}) {
      const type = CHECKOUT_EVENT_TYPES[event.type];
      if (type === null) throw new RangeError(`Checkout.com sends no event for ${event.type}.`);
      const value = toCheckoutAmount(event.amount, event.currency);
      if (!value.ok) throw new RangeError(value.detail);
      const eventId = event.eventId ?? newId('evt');
      const actionId = `act_${createHash('sha256').update(eventId).digest('hex').slice(0, 26)}`;
      const at = options.timestamp ?? new Date();
      const body: CheckoutEvent = {
        id: eventId,
        type,
        version: '1.0.33',
        created_on: at.toISOString(),
        data: {
          id: event.reference,
          action_id: actionId,
          amount: value.value,
          currency: event.currency,
          response_code: type === 'payment_declined' ? '20051' : '10000',
          processed_on: at.toISOString(),
        },
        _links: {},
      };
      return signedRequest(body, options.wrongSecret ? `${secret}-not-ours` : secret);
    },
    tamper(request) {
      const body = JSON.parse(request.rawBody) as CheckoutEvent;
      body.data['amount'] = Number(body.data['amount']) + 1;
      return { headers: { ...request.headers }, rawBody: JSON.stringify(body) };
    },
    unsigned(request) {
      const { 'cko-signature': _signature, ...headers } = request.headers;
      return { headers, rawBody: request.rawBody };
    },
  };
}
