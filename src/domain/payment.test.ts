import { describe, expect, it } from 'vitest';
import { decline } from './decline.js';
import {
  afterAuthorization,
  afterCapture,
  afterCaptureFailed,
  afterRefund,
  newPaymentState,
  planCancel,
  planCapture,
  planRefund,
} from './payment.js';
import { Problem } from './problem.js';

const base = newPaymentState(1000, 'manual');
const authorized = afterAuthorization(base, { kind: 'approved', reference: 'r', captured: false });
const captured = afterCapture(authorized, 1000);

function conflict(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof Problem && error.status === 409) return error.code;
    throw error;
  }
  throw new Error('expected a 409 problem');
}

describe('payment state machine', () => {
  it('authorizes, captures in part and releases the rest', () => {
    expect(authorized).toMatchObject({ status: 'requires_capture', amountCapturable: 1000 });
    expect(planCapture(authorized, 400)).toBe(400);
    expect(afterCapture(authorized, 400)).toMatchObject({ status: 'succeeded', amountCaptured: 400, amountCapturable: 0 });
  });

  it('fails with the canonical decline reason', () => {
    expect(afterAuthorization(base, { kind: 'declined', reference: null, decline: decline('expired_card', 'x') })).toMatchObject({
      status: 'failed',
      failure: { code: 'expired_card' },
    });
  });

  it('refuses captures that the state does not allow', () => {
    expect(conflict(() => planCapture(authorized, 1001))).toBe('amount_exceeds_capturable');
    expect(conflict(() => planCapture(captured, undefined))).toBe('payment_not_capturable');
    expect(conflict(() => planCapture({ ...authorized, status: 'canceled' }, undefined))).toBe('payment_not_capturable');
  });

  it('cancels only what is not captured', () => {
    expect(() => planCancel(authorized)).not.toThrow();
    expect(conflict(() => planCancel(captured))).toBe('payment_not_cancelable');
  });

  it('counts refunds in flight against what is refundable', () => {
    expect(planRefund(captured, undefined, 300)).toBe(700);
    expect(conflict(() => planRefund(captured, 701, 300))).toBe('amount_exceeds_refundable');
    expect(conflict(() => planRefund(afterRefund(captured, 1000), 1, 0))).toBe('payment_fully_refunded');
    expect(conflict(() => planRefund(authorized, 1, 0))).toBe('payment_not_refundable');
  });

  it('makes a capture reported failed after the fact capturable again, unless refunded', () => {
    expect(afterCaptureFailed(captured, 1000)).toMatchObject({ status: 'requires_capture', amountCaptured: 0, amountCapturable: 1000 });
    expect(afterCaptureFailed(afterRefund(captured, 100), 1000)).toBeNull();
    expect(afterCaptureFailed(authorized, 1000)).toBeNull();
  });
});
