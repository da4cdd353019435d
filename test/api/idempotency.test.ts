import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DRIVERS } from '../support/databases.js';
import { paymentBody, startHarness, type Harness } from '../support/harness.js';

describe.each(DRIVERS)('Idempotency-Key on %s', (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(driver);
  });
  afterAll(() => h.close());
  beforeEach(() => h.reset());

  const post = (key: string, body: unknown = paymentBody(), apiKey?: string) =>
    h.request('POST', '/v1/payments', { body, headers: { 'Idempotency-Key': key }, ...(apiKey ? { key: apiKey } : {}) });

  it('replays the stored response byte for byte, without a second charge', async () => {
    const first = await post('order-1');
    const firstBody = await first.text();
    const second = await post('order-1');
    expect(second.status).toBe(first.status);
    expect(await second.text()).toBe(firstBody);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.headers.get('request-id')).not.toBe(first.headers.get('request-id'));
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(h.stripe.ledger.charges()).toBe(1);
    expect((await (await h.request('GET', '/v1/payments')).json()).data).toHaveLength(1);
  });

  it('treats the same JSON with its keys in another order as the same request', async () => {
    await post('order-1', paymentBody());
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(paymentBody()).reverse()));
    const res = await post('order-1', reordered);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 422 for the same key with a different body, and changes nothing', async () => {
    await post('order-1');
    const res = await post('order-1', paymentBody({ amount: 2000 }));
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'idempotency_key_reused', param: 'Idempotency-Key' });
    expect(h.stripe.ledger.charges()).toBe(1);
  });

  it('answers 422 for the same key on another endpoint', async () => {
    const payment = await (await post('order-1', paymentBody({ capture_method: 'manual' }))).json();
    const res = await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: {}, headers: { 'Idempotency-Key': 'order-1' } });
    expect(res.status).toBe(422);
  });

  it('executes exactly one of 50 concurrent requests with one key', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => post('order-concurrent')));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    const created = responses.map((r, i) => ({ status: r.status, body: bodies[i]! }));
    const successes = created.filter((r) => r.status === 201);
    const conflicts = created.filter((r) => r.status === 409);
    expect(successes.length + conflicts.length).toBe(50);
    expect(successes.length).toBeGreaterThanOrEqual(1);
    expect(new Set(successes.map((r) => r.body)).size).toBe(1);
    for (const conflict of conflicts) expect(JSON.parse(conflict.body)).toMatchObject({ code: 'idempotency_key_in_use' });
    expect(h.stripe.ledger.requestCount('/v1/payment_intents')).toBe(1);
    expect(h.stripe.ledger.charges()).toBe(1);
    expect((await (await h.request('GET', '/v1/payments')).json()).data).toHaveLength(1);

    const retry = await post('order-concurrent');
    expect(retry.status).toBe(201);
    expect(await retry.text()).toBe(successes[0]!.body);
  });

  it('scopes keys per merchant', async () => {
    await post('shared-key');
    const other = await post('shared-key', paymentBody(), h.otherKey);
    expect(other.status).toBe(201);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(h.stripe.ledger.charges()).toBe(2);
  });

  it('does not use up a key on a request that failed validation', async () => {
    const bad = await post('order-1', paymentBody({ amount: -1 }));
    expect(bad.status).toBe(400);
    const good = await post('order-1', paymentBody());
    expect(good.status).toBe(201);
    expect(good.headers.get('idempotent-replayed')).toBeNull();
  });

  it('does not store a conflict, so a retry after the state changes runs', async () => {
    const payment = await (await post('pay-1', paymentBody({ capture_method: 'manual' }))).json();
    const refund = () => h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: {}, headers: { 'Idempotency-Key': 'refund-1' } });
    expect((await refund()).status).toBe(409);
    await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: {} });
    expect((await refund()).status).toBe(201);
  });

  it('replays captures and refunds without repeating them at the gateway', async () => {
    const payment = await (await post('pay-1', paymentBody({ capture_method: 'manual', amount: 1000 }))).json();
    const capture = () => h.request('POST', `/v1/payments/${payment.id}/capture`, { body: { amount: 800 }, headers: { 'Idempotency-Key': 'cap-1' } });
    const c1 = await capture();
    const c2 = await capture();
    expect(await c2.text()).toBe(await c1.text());
    const refund = () => h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 300 }, headers: { 'Idempotency-Key': 'ref-1' } });
    const r1 = await refund();
    const r2 = await refund();
    expect(r2.headers.get('idempotent-replayed')).toBe('true');
    expect(await r2.text()).toBe(await r1.text());
    expect(h.stripe.ledger.paymentIntent(payment.gateway_reference)).toMatchObject({ captured: 800, refunded: 300 });
  });
});
