import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { paymentBody, startHarness, type Harness } from '../support/harness.js';

/**
 * Principle 2: never charge twice, never lose a payment. An ambiguous answer is resolved with
 * the same gateway under the same idempotency key; what stays unknown stays `processing`.
 */
describe('gateway failures', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite', { gatewayTimeoutMs: 300 });
  });
  afterAll(() => h.close());
  beforeEach(() => h.reset());

  async function pay(body = paymentBody()) {
    const res = await h.request('POST', '/v1/payments', { body });
    expect(res.status).toBe(201);
    return res.json();
  }

  it('a gateway that charges and then times out: the charge is found, once', async () => {
    h.stripe.faults.set({ kind: 'charge_then_hang' }, { times: 1 });
    const payment = await pay();
    expect(payment).toMatchObject({ status: 'succeeded', amount_captured: 1999 });
    expect(payment.attempts).toHaveLength(1);
    expect(payment.attempts[0]).toMatchObject({ outcome: 'approved', outcome_reason: 'resolved_by_sync' });
    expect(h.stripe.ledger.charges()).toBe(1);
  });

  it('a gateway that charges and then answers 500: the charge is found, once', async () => {
    h.stripe.faults.set({ kind: 'charge_then_500' }, { times: 1 });
    const payment = await pay();
    expect(payment).toMatchObject({ status: 'succeeded' });
    expect(h.stripe.ledger.charges()).toBe(1);
    const keys = h.stripe.ledger.requests().map((r) => r.idempotencyKey);
    expect(new Set(keys)).toEqual(new Set([`${payment.id}:attempt:1`]));
  });

  it('a 503 that did nothing: the resend under the same key charges once', async () => {
    h.stripe.faults.set({ kind: 'http_error', status: 503 }, { times: 1 });
    const payment = await pay();
    expect(payment).toMatchObject({ status: 'succeeded' });
    expect(h.stripe.ledger.charges()).toBe(1);
  });

  it('a gateway that never answers: the payment stays processing, uncharged and unlost', async () => {
    h.stripe.faults.set({ kind: 'hang' });
    const payment = await pay();
    expect(payment).toMatchObject({ status: 'processing', amount_captured: 0, failure: null });
    expect(payment.attempts[0]).toMatchObject({ status: 'unknown', outcome: 'unknown', outcome_reason: 'timeout' });
    expect(h.stripe.ledger.charges()).toBe(0);
    const listed = await (await h.request('GET', '/v1/payments?status=processing')).json();
    expect(listed.data.map((p: { id: string }) => p.id)).toEqual([payment.id]);
  });

  it('a gateway that keeps answering 500: processing, not failed', async () => {
    h.stripe.faults.set({ kind: 'http_error', status: 500 });
    const payment = await pay();
    expect(payment).toMatchObject({ status: 'processing' });
    expect(payment.attempts[0]).toMatchObject({ outcome: 'unknown', outcome_reason: 'server_error' });
  });

  it('a rate-limited gateway: failed as unreachable, nothing charged', async () => {
    h.stripe.faults.set({ kind: 'http_error', status: 429 });
    const payment = await pay();
    expect(payment).toMatchObject({ status: 'failed', failure: { code: 'gateway_unavailable' } });
    expect(payment.attempts[0]).toMatchObject({ outcome: 'not_processed', outcome_reason: 'rate_limited' });
    expect(h.stripe.ledger.charges()).toBe(0);
  });

  it('a capture that times out answers 502, and its retry captures exactly once', async () => {
    const payment = await pay(paymentBody({ capture_method: 'manual', amount: 1000 }));
    h.stripe.faults.set({ kind: 'charge_then_hang' }, { times: 1, pathPrefix: `/v1/payment_intents/${payment.gateway_reference}/capture` });
    const first = await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: { amount: 600 } });
    expect(first.status).toBe(502);
    expect(await first.json()).toMatchObject({ code: 'gateway_outcome_unknown' });
    const retry = await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: { amount: 600 } });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ status: 'succeeded', amount_captured: 600 });
    expect(h.stripe.ledger.paymentIntent(payment.gateway_reference)).toMatchObject({ captured: 600 });
  });

  it('a refund the gateway did not confirm stays pending and keeps its amount reserved', async () => {
    const payment = await pay(paymentBody({ amount: 1000 }));
    h.stripe.faults.set({ kind: 'hang' }, { pathPrefix: '/v1/refunds' });
    const refund = await (await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 800 } })).json();
    expect(refund).toMatchObject({ status: 'pending', amount: 800 });
    h.stripe.faults.clear();
    const more = await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 300 } });
    expect(more.status).toBe(409);
    expect(await more.json()).toMatchObject({ code: 'amount_exceeds_refundable' });
  });

  it('a refund refused by the gateway is recorded as failed and frees its amount', async () => {
    const payment = await pay(paymentBody({ amount: 1000 }));
    h.stripe.faults.set({ kind: 'http_error', status: 429 }, { pathPrefix: '/v1/refunds' });
    const refund = await (await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 1000 } })).json();
    expect(refund).toMatchObject({ status: 'failed', failure_code: 'gateway_unavailable' });
    h.stripe.faults.clear();
    const again = await (await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 1000 } })).json();
    expect(again).toMatchObject({ status: 'succeeded' });
  });
});

describe('a gateway that refuses connections', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite', { gatewayTimeoutMs: 300 });
    await h.stripe.close();
  });
  afterAll(() => h.close());

  it('fails the payment as unreachable: it certainly was not charged', async () => {
    const res = await h.request('POST', '/v1/payments', { body: paymentBody() });
    const payment = await res.json();
    expect(payment).toMatchObject({ status: 'failed', failure: { code: 'gateway_unavailable' } });
    expect(payment.attempts[0]).toMatchObject({ outcome: 'not_processed', outcome_reason: 'connection_refused' });
  });
});

describe('an operation cut off by a crash', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h.close());

  it('blocks a second capture while the first holds its lease, and lets a retry resume it once the lease has run out', async () => {
    const payment = await (await h.request('POST', '/v1/payments', { body: paymentBody({ capture_method: 'manual', amount: 1000 }) })).json();
    // What a process that died mid-capture leaves behind: the operation marked, its lease running.
    await h.database.db.execute(
      sql`update payments set pending_operation = 'capture', operation_state = 'sending', status_before_operation = status, pending_amount = 1000, lease_until = now() + interval '90 seconds' where id = ${payment.id}`,
    );
    const blocked = await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: {} });
    expect(blocked.status).toBe(409);
    expect(await blocked.json()).toMatchObject({ code: 'payment_operation_in_progress' });

    await h.database.db.execute(sql`update payments set lease_until = now() - interval '1 second' where id = ${payment.id}`);
    const other = await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: { amount: 400 } });
    expect(other.status).toBe(409);
    const retried = await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: {} });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ status: 'succeeded', amount_captured: 1000, pending_operation: null });
    expect(h.stripe.ledger.paymentIntent(payment.gateway_reference)).toMatchObject({ captured: 1000 });
  });
});
