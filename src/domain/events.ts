/**
 * The events a merchant can receive: every payment status a payment moves to, every refund
 * status, the review flag, and what recurring billing does to subscriptions and invoices, and its alerts firing and resolving. Internal events (what the reconciler tried) are not listed here:
 * they appear only on a payment's timeline.
 */
export const MERCHANT_EVENT_TYPES = [
  'payment.processing',
  'payment.requires_action',
  'payment.requires_capture',
  'payment.succeeded',
  'payment.failed',
  'payment.canceled',
  'payment.returned',
  'payment.review_required',
  'payment.review_resolved',
  'refund.pending',
  'refund.succeeded',
  'refund.failed',
  'subscription.created',
  'subscription.updated',
  'subscription.canceled',
  'invoice.created',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.uncollectible',
  'invoice.voided',
  'alert.firing',
  'alert.resolved',
] as const;
export type MerchantEventType = (typeof MERCHANT_EVENT_TYPES)[number];

/** What the reconciler records on a payment's timeline. */
export type InternalEventType = 'reconciler.checked' | 'reconciler.resolved' | 'reconciler.gave_up';

export function isMerchantEventType(type: string): type is MerchantEventType {
  return (MERCHANT_EVENT_TYPES as readonly string[]).includes(type);
}
