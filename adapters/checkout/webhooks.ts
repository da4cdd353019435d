import type { WebhookAck, WebhookVerification, WebhookRequest } from '../testkit/contract.js';
import type { Decline } from '../../src/domain/decline.js';
import type { WebhookEvent, WebhookEventType } from '../../src/domain/webhook.js';
import { fromCheckoutAmount } from './amounts.js';
import { checkoutDecline } from './declines.js';

/** Checkout.com counts any 2xx as delivered; it reads no body. */
export const CHECKOUT_WEBHOOK_ACK: WebhookAck = { status: 200, contentType: 'text/plain', body: 'ok' };

/**
 * Checkout.com event `type` → canonical event. Events about anything else (`payment_pending`,
 * `card_verified`, disputes, ...) are accepted with no events.
 */
const EVENT_TYPES: Readonly<Record<string, WebhookEventType>> = {
  payment_approved: 'authorization.succeeded',
  payment_declined: 'authorization.failed',
  payment_authentication_failed: 'authorization.failed',
  payment_captured: 'capture.succeeded',
  payment_capture_declined: 'capture.failed',
  payment_voided: 'cancel.succeeded',
  payment_void_declined: 'cancel.failed',
  payment_refunded: 'refund.succeeded',
  payment_refund_declined: 'refund.failed',
};

/** The Checkout.com event type of a canonical one (the simulator's signer sends these). */
export const CHECKOUT_EVENT_TYPES: Readonly<Record<WebhookEventType, string | null>> = {
  'authorization.succeeded': 'payment_approved',
  'authorization.failed': 'payment_declined',
  'authorization.voided': null,
  'capture.succeeded': 'payment_captured',
  'capture.failed': 'payment_capture_declined',
  'cancel.succeeded': 'payment_voided',
  'cancel.failed': 'payment_void_declined',
  'refund.succeeded': 'payment_refunded',
  'refund.failed': 'payment_refund_declined',
  'settlement.succeeded': null,
  // This adapter takes no bank debits.
  'debit.returned': null,
};

export function importSignatureKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/**
 * `Cko-Signature`: the hex HMAC-SHA256 of the raw body with the webhook's secret key, checked in
 * constant time (Web Crypto's verify). Checkout.com signs no timestamp: a replay has the same
 * event id, which the router applies once.
 */
export async function verifyCheckoutWebhook(key: CryptoKey, request: WebhookRequest): Promise<WebhookVerification> {
  const signature = request.headers['cko-signature']?.trim();
  if (!signature) return { ok: false, reason: 'missing_signature' };
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return { ok: false, reason: 'invalid_signature' };
  const bytes = new Uint8Array(signature.match(/../g)!.map((pair) => parseInt(pair, 16)));
  const genuine = await crypto.subtle.verify('HMAC', key, bytes, new TextEncoder().encode(request.rawBody));
  if (!genuine) return { ok: false, reason: 'invalid_signature' };
  const events = canonicalEvents(request.rawBody);
  return events === null ? { ok: false, reason: 'malformed' } : { ok: true, events };
}

/** The event's canonical form, [] for a type we do not track, null when it is not a readable Checkout.com event. */
function canonicalEvents(rawBody: string): WebhookEvent[] | null {
  let envelope: unknown;
  try {
    envelope = JSON.parse(rawBody);
  } catch {
    return null;
  }
  if (!isRecord(envelope) || !isRecord(envelope['data'])) return null;
  const { id, type, created_on: createdOn } = envelope;
  const data = envelope['data'];
  if (typeof id !== 'string' || !id || typeof type !== 'string' || typeof createdOn !== 'string') return null;
  const occurredAt = new Date(createdOn);
  if (Number.isNaN(occurredAt.getTime())) return null;
  const canonical = EVENT_TYPES[type];
  if (canonical === undefined) return [];

  const reference = data['id'];
  if (typeof reference !== 'string' || !reference) return null;
  const amount = amountOf(data);
  if (amount === undefined) return null;
  const isAuthorization = canonical.startsWith('authorization.');
  const text = (value: unknown) => (typeof value === 'string' && value ? value : null);
  const decline: Decline | null =
    canonical === 'authorization.failed' ? checkoutDecline(type === 'payment_authentication_failed' ? '20151' : text(data['response_code'])) : null;
  return [
    {
      eventId: id,
      type: canonical,
      reference,
      // The payment's reference is the attempt's idempotency key; an action's is the key the capture, void or refund was sent under.
      merchantReference: isAuthorization ? text(data['reference']) : null,
      modificationReference: isAuthorization ? null : text(data['action_id']),
      modificationKey: isAuthorization ? null : text(data['reference']),
      amount: amount?.value ?? null,
      currency: amount?.currency ?? null,
      decline,
      ...(canonical === 'authorization.succeeded' && text(data['scheme_id']) ? { networkTransactionId: text(data['scheme_id']) } : {}),
      occurredAt,
    },
  ];
}

/** The event's amount in canonical units; null when it has none; undefined when it is not a valid one. */
function amountOf(data: Record<string, unknown>): { value: number; currency: string } | null | undefined {
  const { amount, currency } = data;
  if (amount === undefined && currency === undefined) return null;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0 || typeof currency !== 'string') return undefined;
  const value = fromCheckoutAmount(amount, currency);
  return value === null ? undefined : { value, currency: currency.toUpperCase() };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
