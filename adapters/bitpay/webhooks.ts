/**
 * BitPay's Instant Payment Notifications (extended format): `{ event: { code, name }, data }`, POSTed
 * as JSON with no signature. Invoice IPNs (`invoice_*`, to the invoice's notificationURL; with
 * `extendedNotifications: true`) carry the invoice in `data`; refund IPNs (`refund_*`, extended by
 * default) carry the refund, its invoice in `data.invoice`. Only the resource's id is taken from the
 * body: the adapter reads the invoice or refund from BitPay and makes events from BitPay's own answer.
 */
import type { WebhookEvent } from '../../src/domain/webhook.js';
import type { WebhookVerification } from '../testkit/contract.js';
import { fromBitPayPrice } from './amounts.js';
import { invoiceOutcome, type InvoiceAnswer } from './invoices.js';
import type { RefundAnswer } from './outcomes.js';

const RESOURCE_ID = /^[A-Za-z0-9]{10,40}$/;

export type Notification = { ok: true; resource: 'invoice' | 'refund'; id: string };

export function readNotification(rawBody: string): Notification | Extract<WebhookVerification, { ok: false }> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  // The extended format nests the resource in `data`; the standard one is the invoice itself.
  const data = (body as { data?: unknown } | null)?.data ?? body;
  const id = (data as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || !RESOURCE_ID.test(id)) return { ok: false, reason: 'malformed' };
  const name = (body as { event?: { name?: unknown } } | null)?.event?.name;
  return { ok: true, resource: typeof name === 'string' && name.startsWith('refund_') ? 'refund' : 'invoice', id };
}

/**
 * The invoice as BitPay holds it now, as events: confirmed or complete is the attempt's success,
 * expired or invalid its failure; `new` and `paid` say nothing final yet. One event per final state,
 * so a notification repeated (BitPay resends until answered 200) is applied once.
 */
export function invoiceEvents(invoice: InvoiceAnswer, amount: number | null, now: Date): WebhookEvent[] {
  const outcome = invoiceOutcome(invoice);
  if (outcome.kind !== 'approved' && outcome.kind !== 'declined') return [];
  const id = outcome.reference!;
  return [
    {
      eventId: `${id}:${outcome.kind}`,
      type: outcome.kind === 'approved' ? 'authorization.succeeded' : 'authorization.failed',
      reference: id,
      merchantReference: typeof invoice.orderId === 'string' ? invoice.orderId : null,
      modificationReference: null,
      modificationKey: null,
      amount,
      currency: typeof invoice.currency === 'string' ? invoice.currency : null,
      decline: outcome.kind === 'declined' ? outcome.decline : null,
      crypto: outcome.crypto ?? null,
      occurredAt: now,
    },
  ];
}

/** A refund as BitPay answers it, with the invoice it returns and the guid it was requested under. */
export interface RefundRecordAnswer extends RefundAnswer {
  invoice?: unknown;
  guid?: unknown;
}

/**
 * The refund as BitPay holds it now, as events: `success` is sent (refund.succeeded), `failure` and
 * `canceled` end it unsent (refund.failed); `preview`, `created` and `pending` (waiting for the
 * payer's refund address) say nothing final. The event names the invoice (the payment's reference),
 * the refund's id and the guid we requested it under; one event per final state.
 */
export function refundEvents(refund: RefundRecordAnswer, now: Date): WebhookEvent[] {
  if (typeof refund.id !== 'string' || typeof refund.invoice !== 'string') return [];
  const type = refund.status === 'success' ? 'refund.succeeded' : refund.status === 'failure' || refund.status === 'canceled' ? 'refund.failed' : null;
  if (type === null) return [];
  const currency = typeof refund.currency === 'string' ? refund.currency : null;
  return [
    {
      eventId: `${refund.id}:${String(refund.status)}`,
      type,
      reference: refund.invoice,
      merchantReference: null,
      modificationReference: refund.id,
      modificationKey: typeof refund.guid === 'string' ? refund.guid : null,
      amount: currency === null ? null : fromBitPayPrice(refund.amount, currency),
      currency,
      decline: null,
      occurredAt: now,
    },
  ];
}
