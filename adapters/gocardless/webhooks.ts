import { parse } from 'gocardless-nodejs';
import type { WebhookEvent } from '../../src/domain/webhook.js';
import type { WebhookAck, WebhookRequest, WebhookVerification } from '../testkit/contract.js';
import { failureDecline } from './outcomes.js';

export const GOCARDLESS_WEBHOOK_ACK: WebhookAck = { status: 200, contentType: 'text/plain; charset=utf-8', body: '' };

interface GoCardlessEvent {
  id?: unknown;
  created_at?: unknown;
  resource_type?: unknown;
  action?: unknown;
  links?: Record<string, unknown>;
  details?: { cause?: unknown; reason_code?: unknown };
}

/**
 * Verifies `Webhook-Signature` with the SDK's `parse` (hex HMAC-SHA256 of the raw body under the
 * endpoint secret) and answers the events the router acts on. GoCardless signs no timestamp, so a
 * replay is caught by the event ids, which the router records.
 */
export function parseGoCardlessWebhook(request: WebhookRequest, secret: string): WebhookVerification {
  const signature = request.headers['webhook-signature'];
  if (!signature) return { ok: false, reason: 'missing_signature' };
  if (!/^[0-9a-f]{64}$/i.test(signature)) return { ok: false, reason: 'invalid_signature' };
  let events: GoCardlessEvent[];
  try {
    events = parse(request.rawBody, secret, signature) as unknown as GoCardlessEvent[];
  } catch (error) {
    return { ok: false, reason: (error as { name?: string }).name === 'InvalidSignatureError' ? 'invalid_signature' : 'malformed' };
  }
  if (!Array.isArray(events)) return { ok: false, reason: 'malformed' };
  const canonical: WebhookEvent[] = [];
  for (const event of events) {
    if (typeof event !== 'object' || event === null || typeof event.id !== 'string') return { ok: false, reason: 'malformed' };
    const mapped = canonicalEvent(event);
    if (mapped) canonical.push(mapped);
  }
  return { ok: true, events: canonical };
}

function canonicalEvent(event: GoCardlessEvent): WebhookEvent | null {
  const links = event.links ?? {};
  const payment = typeof links['payment'] === 'string' ? links['payment'] : null;
  if (!payment) return null;
  const cause = typeof event.details?.cause === 'string' ? event.details.cause : 'unknown';
  const reasonCode = typeof event.details?.reason_code === 'string' ? event.details.reason_code : null;
  const base = {
    eventId: String(event.id),
    reference: payment,
    merchantReference: null,
    modificationReference: null,
    modificationKey: null,
    amount: null,
    currency: null,
    decline: null,
    occurredAt: typeof event.created_at === 'string' && !Number.isNaN(Date.parse(event.created_at)) ? new Date(event.created_at) : new Date(0),
  };
  if (event.resource_type === 'payments') {
    switch (event.action) {
      case 'confirmed':
        return { ...base, type: 'authorization.succeeded' };
      case 'failed':
        return { ...base, type: 'authorization.failed', decline: failureDecline(cause) };
      case 'cancelled':
        return { ...base, type: 'authorization.failed', decline: failureDecline(cause === 'unknown' ? 'mandate_cancelled' : cause) };
      case 'charged_back':
      case 'late_failure_settled':
        return { ...base, type: 'debit.returned', returnCode: reasonCode ?? cause };
      case 'paid_out':
        return { ...base, type: 'settlement.succeeded' };
      default:
        // created, submitted, customer_approval_granted: nothing the router's state waits for.
        return null;
    }
  }
  if (event.resource_type === 'refunds') {
    const refund = typeof links['refund'] === 'string' ? links['refund'] : null;
    if (event.action === 'paid') return { ...base, type: 'refund.succeeded', modificationReference: refund };
    if (event.action === 'failed' || event.action === 'bounced' || event.action === 'cancelled') return { ...base, type: 'refund.failed', modificationReference: refund };
  }
  return null;
}
