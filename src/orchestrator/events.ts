import type { InternalEventType, MerchantEventType } from '../domain/events.js';
import { newId } from '../domain/ids.js';
import type { StampedEvent } from '../store/events.js';
import type { Repositories } from '../store/index.js';
import type { ScheduleJob } from '../store/jobs.js';
import type { PaymentRow, RefundRow } from '../store/payments.js';

export type EventSpec =
  // Alert events belong to no payment.
  | { type: MerchantEventType; merchantId: string; paymentId: string | null; refundId?: string | null; data: Record<string, unknown> }
  | { type: InternalEventType; merchantId: string; paymentId: string; refundId?: string | null; data: Record<string, unknown> };

/** The job that turns a merchant event into one delivery per subscribed endpoint. */
export const FANOUT_JOB = 'events.fanout';

/**
 * Records events in the caller's transaction; each merchant event gets its fan-out job in the
 * same transaction, so an event is never stored without being delivered, nor delivered without
 * being stored. Answers whether any job was scheduled (so the caller can wake the engine).
 */
export async function emit(repos: Repositories, now: Date, specs: readonly EventSpec[]): Promise<boolean> {
  const writes = eventWrites(specs, now);
  await repos.events.record(writes.events);
  for (const job of writes.jobs) await repos.jobs.schedule(job, now);
  return writes.jobs.length > 0;
}

/** The rows `emit` writes: the events, and a fan-out job for each merchant event. */
export function eventWrites(specs: readonly EventSpec[], now: Date): { events: StampedEvent[]; jobs: ScheduleJob[] } {
  // Ids are time-ordered: events of one change keep their order.
  const events = specs.map((spec) => ({
    id: newId('evt'),
    merchantId: spec.merchantId,
    type: spec.type,
    visibility: spec.type.startsWith('reconciler.') ? 'internal' : 'merchant',
    paymentId: spec.paymentId,
    refundId: spec.refundId ?? null,
    data: spec.data,
    createdAt: now,
  }));
  const jobs = events
    .filter((row) => row.visibility === 'merchant')
    .map((row) => ({ kind: FANOUT_JOB, key: `event:${row.id}`, merchantId: row.merchantId, payload: { event_id: row.id }, runAt: now }));
  return { events, jobs };
}

/** A payment as its events carry it: its state at that moment, without attempts or the decision. */
export function paymentSnapshot(p: PaymentRow): Record<string, unknown> {
  return {
    id: p.id,
    object: 'payment',
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    capture_method: p.captureMethod,
    amount_capturable: p.amountCapturable,
    amount_captured: p.amountCaptured,
    amount_refunded: p.amountRefunded,
    failure: p.failureCode ? { code: p.failureCode, message: p.failureMessage ?? '' } : null,
    next_action: p.nextAction ?? null,
    gateway_account_id: p.gatewayAccountId,
    gateway_reference: p.gatewayReference,
    pending_operation: p.pendingOperation ? { type: p.pendingOperation, amount: p.pendingAmount, state: p.operationState } : null,
    review: p.reviewReason ? { reason: p.reviewReason, since: p.reviewAt?.toISOString() ?? null } : null,
    metadata: p.metadata,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

export function refundSnapshot(r: RefundRow): Record<string, unknown> {
  return {
    id: r.id,
    object: 'refund',
    payment_id: r.paymentId,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    reason: r.reason,
    failure_code: r.failureCode,
    gateway_reference: r.gatewayReference,
    review: r.reviewReason ? { reason: r.reviewReason } : null,
    metadata: r.metadata,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}
