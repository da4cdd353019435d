import type { WebhookAck, WebhookRequest, WebhookVerification } from '../testkit/contract.js';
import type { WebhookEvent } from '../../src/domain/webhook.js';
import { fromPayPalValue } from './amounts.js';
import { paypalDecline } from './declines.js';

/** The headers PayPal signs a webhook delivery with (lower case, as received). */
export const SIGNATURE_HEADERS = {
  transmissionId: 'paypal-transmission-id',
  transmissionTime: 'paypal-transmission-time',
  transmissionSig: 'paypal-transmission-sig',
  certUrl: 'paypal-cert-url',
  authAlgo: 'paypal-auth-algo',
} as const;

/**
 * How far a delivery's signed transmission time may be from now. PayPal signs the time of each
 * delivery (a retry is a new transmission), so a delivery older than this is a replay.
 */
export const TRANSMISSION_TOLERANCE_MS = 10 * 60_000;

export const PAYPAL_WEBHOOK_ACK: WebhookAck = { status: 200, contentType: 'text/plain; charset=utf-8', body: '' };

/** The body of `POST /v1/notifications/verify-webhook-signature`. */
export interface VerificationRequest {
  auth_algo: string;
  cert_url: string;
  transmission_id: string;
  transmission_sig: string;
  transmission_time: string;
  webhook_id: string;
  webhook_event: Record<string, unknown>;
}

export type SignedDelivery = { ok: true; verification: Omit<VerificationRequest, 'webhook_id'>; event: Record<string, unknown> } | { ok: false; reason: 'missing_signature' | 'invalid_signature' | 'stale' | 'malformed' };

/**
 * Reads a delivery's signature headers and body, before asking PayPal: all five headers present, a
 * transmission time within the tolerance, a certificate URL under PayPal's own (`certUrlPrefix`;
 * PayPal's `verify-webhook-signature` fetches it, so a forged URL must never reach it), a JSON event.
 */
export function readDelivery(request: WebhookRequest, now: Date, certUrlPrefix: string): SignedDelivery {
  const h = request.headers;
  const values = Object.values(SIGNATURE_HEADERS).map((name) => h[name]?.trim() ?? '');
  if (values.some((v) => v === '')) return { ok: false, reason: 'missing_signature' };
  const [transmissionId, transmissionTime, transmissionSig, certUrl, authAlgo] = values as [string, string, string, string, string];
  const at = Date.parse(transmissionTime);
  if (Number.isNaN(at)) return { ok: false, reason: 'invalid_signature' };
  if (Math.abs(now.getTime() - at) > TRANSMISSION_TOLERANCE_MS) return { ok: false, reason: 'stale' };
  if (!certUrl.startsWith(certUrlPrefix) || authAlgo !== 'SHA256withRSA') return { ok: false, reason: 'invalid_signature' };
  let event: unknown;
  try {
    event = JSON.parse(request.rawBody);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isObject(event) || typeof event['id'] !== 'string' || typeof event['event_type'] !== 'string' || !isObject(event['resource'])) return { ok: false, reason: 'malformed' };
  return {
    ok: true,
    verification: { auth_algo: authAlgo, cert_url: certUrl, transmission_id: transmissionId, transmission_sig: transmissionSig, transmission_time: transmissionTime, webhook_event: event },
    event,
  };
}

/**
 * A verified PayPal event as canonical events. We key what PayPal echoes: an order's purchase unit
 * carries our attempt's key as `invoice_id` (PayPal copies it onto the order's capture or
 * authorization), an authorization's capture its own key as `invoice_id`, a refund the order id as
 * `custom_id` and its key as `invoice_id`. CHECKOUT.ORDER.APPROVED (the payer approved, nothing is
 * charged yet) has no canonical event: the router completes the order through `completeAction`.
 */
export function canonicalEvents(event: Record<string, unknown>): WebhookVerification {
  const resource = event['resource'] as Record<string, unknown>;
  const eventId = event['id'] as string;
  const occurredAt = new Date(typeof event['create_time'] === 'string' ? event['create_time'] : Date.now());
  const related = isObject(resource['supplementary_data']) && isObject(resource['supplementary_data']['related_ids']) ? resource['supplementary_data']['related_ids'] : {};
  const orderId = text(related['order_id']);
  const authorizationId = text(related['authorization_id']);
  const id = text(resource['id']);
  const invoiceId = text(resource['invoice_id']);
  const amountField = isObject(resource['amount']) ? resource['amount'] : null;
  const currency = amountField ? text(amountField['currency_code'])?.toUpperCase() ?? null : null;
  const amount = amountField && currency ? fromPayPalValue(String(amountField['value']), currency) : null;
  if (amountField && amount === null) return { ok: false, reason: 'malformed' };
  const base = { eventId, amount, currency, occurredAt, decline: null, merchantReference: null, modificationKey: null } as const;
  const one = (e: Omit<WebhookEvent, keyof typeof base> & Partial<WebhookEvent>): WebhookVerification => ({ ok: true, events: [{ ...base, ...e } as WebhookEvent] });

  switch (event['event_type']) {
    case 'PAYMENT.CAPTURE.COMPLETED':
    case 'PAYMENT.CAPTURE.DENIED': {
      if (!id || !orderId) return { ok: false, reason: 'malformed' };
      const denied = event['event_type'] === 'PAYMENT.CAPTURE.DENIED';
      if (authorizationId) return one({ type: denied ? 'capture.failed' : 'capture.succeeded', reference: orderId, modificationReference: id, modificationKey: invoiceId });
      return one({
        type: denied ? 'authorization.failed' : 'authorization.succeeded',
        reference: orderId,
        modificationReference: null,
        merchantReference: invoiceId,
        decline: denied ? paypalDecline('CAPTURE_DECLINED') : null,
      });
    }
    case 'PAYMENT.AUTHORIZATION.CREATED':
      if (!id || !orderId) return { ok: false, reason: 'malformed' };
      return one({ type: 'authorization.succeeded', reference: orderId, modificationReference: null, merchantReference: invoiceId });
    case 'PAYMENT.AUTHORIZATION.VOIDED':
      if (!id || !orderId) return { ok: false, reason: 'malformed' };
      return one({ type: 'cancel.succeeded', reference: orderId, modificationReference: id });
    case 'PAYMENT.CAPTURE.REFUNDED': {
      const order = text(resource['custom_id']);
      if (!id || !order) return { ok: false, reason: 'malformed' };
      return one({ type: 'refund.succeeded', reference: order, modificationReference: id, modificationKey: invoiceId });
    }
    default:
      return { ok: true, events: [] };
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
