/**
 * BitPay's Instant Payment Notifications (extended format, `extendedNotifications: true`):
 * `{ event: { code, name }, data: { id, status, orderId, ... } }`, POSTed as JSON to the invoice's
 * notificationURL, with no signature. Only the invoice id is taken from the body: the adapter reads
 * the invoice from BitPay and makes events from BitPay's own answer (`invoiceEvents`).
 */
import type { WebhookEvent } from '../../src/domain/webhook.js';
import type { WebhookVerification } from '../testkit/contract.js';
import { invoiceOutcome, type InvoiceAnswer } from './invoices.js';

const INVOICE_ID = /^[A-Za-z0-9]{10,40}$/;

export function readNotification(rawBody: string): { ok: true; invoiceId: string } | Extract<WebhookVerification, { ok: false }> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  // The extended format nests the invoice in `data`; the standard one is the invoice itself.
  const data = (body as { data?: unknown } | null)?.data ?? body;
  const id = (data as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || !INVOICE_ID.test(id)) return { ok: false, reason: 'malformed' };
  return { ok: true, invoiceId: id };
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
