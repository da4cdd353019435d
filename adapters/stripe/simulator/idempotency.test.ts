import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from './index.js';
import { cardData, rejectionOf, sdkFor, sleep } from './test-support.js';

describe('Stripe simulator: idempotency keys', () => {
  let sim: StripeSimulator;
  let stripe: Stripe;
  let clock = Date.now();
  beforeAll(async () => {
    sim = await startStripeSimulator({ now: () => clock, apiKeys: ['sk_test_account_a', 'sk_test_account_b'] });
    stripe = sdkFor(sim, { key: 'sk_test_account_a' });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    clock = Date.now();
    sim.ledger.reset();
    sim.faults.clear();
  });

  const params = (amount = 1000): Stripe.PaymentIntentCreateParams => ({
    amount,
    currency: 'usd',
    confirm: true,
    payment_method_data: cardData('4242424242424242'),
    metadata: { order: 'o-1' },
  });

  it('replays the first answer with Idempotent-Replayed and charges once', async () => {
    const first = await stripe.paymentIntents.create(params(), { idempotencyKey: 'order-1' });
    const second = await stripe.paymentIntents.create(params(), { idempotencyKey: 'order-1' });
    expect(second).toEqual(first);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(second.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
    expect(second.lastResponse.headers['idempotency-key']).toBe('order-1');
    expect(sim.ledger.charges()).toBe(1);
    expect(sim.ledger.paymentIntents()).toHaveLength(1);
    expect(sim.ledger.requestCount('/v1/payment_intents')).toBe(2);
    expect(sim.ledger.requests().map((r) => r.replayed)).toEqual([false, true]);
  });

  it('replays the saved body even after the object changed', async () => {
    const created = await stripe.paymentIntents.create({ ...params(), capture_method: 'manual' }, { idempotencyKey: 'order-1' });
    await stripe.paymentIntents.capture(created.id);
    const replay = await stripe.paymentIntents.create({ ...params(), capture_method: 'manual' }, { idempotencyKey: 'order-1' });
    expect(replay.status).toBe('requires_capture');
    expect(sim.ledger.paymentIntent(created.id)?.status).toBe('succeeded');
  });

  it('replays a decline as the same 402 without a second attempt', async () => {
    const declining = { ...params(), payment_method_data: cardData('4000000000009995') };
    const first = await rejectionOf(stripe.paymentIntents.create(declining, { idempotencyKey: 'd-1' }));
    const second = await rejectionOf(stripe.paymentIntents.create(declining, { idempotencyKey: 'd-1' }));
    expect(second).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(second.raw).toMatchObject({ decline_code: 'insufficient_funds' });
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    expect((second.payment_intent as Stripe.PaymentIntent).id).toBe((first.payment_intent as Stripe.PaymentIntent).id);
    expect(sim.ledger.paymentIntents()).toHaveLength(1);
    expect(sim.ledger.paymentIntents()[0]?.declines).toBe(1);
  });

  it('replays captures and refunds without repeating them', async () => {
    const pi = await stripe.paymentIntents.create({ ...params(), capture_method: 'manual' });
    await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 800 }, { idempotencyKey: 'cap-1' });
    const again = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 800 }, { idempotencyKey: 'cap-1' });
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 300 }, { idempotencyKey: 'ref-1' });
    const r2 = await stripe.refunds.create({ payment_intent: pi.id, amount: 300 }, { idempotencyKey: 'ref-1' });
    expect(r2.id).toBe(r1.id);
    expect(sim.ledger.paymentIntent(pi.id)).toMatchObject({ captured: 800, refunded: 300 });
    expect(sim.ledger.refunds()).toHaveLength(1);
  });

  it('rejects the same key with other parameters: StripeIdempotencyError', async () => {
    await stripe.paymentIntents.create(params(1000), { idempotencyKey: 'order-1' });
    const error = await rejectionOf(stripe.paymentIntents.create(params(2000), { idempotencyKey: 'order-1' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
    expect(error.message).toContain('same parameters');
    expect(sim.ledger.charges()).toBe(1);
  });

  it('rejects the same key on another endpoint: StripeIdempotencyError', async () => {
    const pi = await stripe.paymentIntents.create({ ...params(), capture_method: 'manual' }, { idempotencyKey: 'order-1' });
    const error = await rejectionOf(stripe.paymentIntents.capture(pi.id, {}, { idempotencyKey: 'order-1' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.message).toContain('same endpoint');
    expect(sim.ledger.paymentIntent(pi.id)?.captured).toBe(0);
  });

  it('answers 409 while the first request with the key is still running (SDK: StripeAPIError)', async () => {
    sim.faults.set({ kind: 'latency', ms: 300 }, { times: 1, pathPrefix: '/v1/payment_intents' });
    const first = stripe.paymentIntents.create(params(), { idempotencyKey: 'slow-1' });
    await sleep(50);
    const error = await rejectionOf(stripe.paymentIntents.create(params(), { idempotencyKey: 'slow-1' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(error).toMatchObject({ statusCode: 409, rawType: 'idempotency_error', code: 'idempotency_key_in_use' });
    expect((await first).status).toBe('succeeded');
    expect(sim.ledger.charges()).toBe(1);
    const replay = await stripe.paymentIntents.create(params(), { idempotencyKey: 'slow-1' });
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
  });

  it('does not use up a key on a request that failed parameter validation', async () => {
    const bad = await rejectionOf(stripe.paymentIntents.create({ amount: 1000 } as Stripe.PaymentIntentCreateParams, { idempotencyKey: 'v-1' }));
    expect(bad.code).toBe('parameter_missing');
    const good = await stripe.paymentIntents.create(params(), { idempotencyKey: 'v-1' });
    expect(good.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(good.status).toBe('succeeded');
  });

  it('scopes keys per API key', async () => {
    const other = sdkFor(sim, { key: 'sk_test_account_b' });
    await stripe.paymentIntents.create(params(), { idempotencyKey: 'shared' });
    const second = await other.paymentIntents.create(params(), { idempotencyKey: 'shared' });
    expect(second.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(sim.ledger.charges()).toBe(2);
  });

  it('keeps keys for 24 hours', async () => {
    await stripe.paymentIntents.create(params(), { idempotencyKey: 'day-1' });
    clock += 23 * 3600_000;
    const within = await stripe.paymentIntents.create(params(), { idempotencyKey: 'day-1' });
    expect(within.lastResponse.headers['idempotent-replayed']).toBe('true');
    clock += 2 * 3600_000;
    const after = await stripe.paymentIntents.create(params(), { idempotencyKey: 'day-1' });
    expect(after.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(sim.ledger.charges()).toBe(2);
  });

  it('gives every POST without a key its own SDK-generated key', async () => {
    await stripe.paymentIntents.create(params());
    await stripe.paymentIntents.create(params());
    expect(sim.ledger.charges()).toBe(2);
    const keys = sim.ledger.requests().map((r) => r.idempotencyKey);
    expect(keys[0]).toMatch(/^stripe-node-retry-/);
    expect(keys[1]).not.toBe(keys[0]);
  });
});
