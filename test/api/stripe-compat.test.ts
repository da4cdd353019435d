import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../support/capture-logger.js';
import { sandboxClient } from '../support/sandbox-client.js';

/** The official stripe SDK, changed only in host and port, against the Stripe-compatible API of the sandbox. */
describe('the Stripe-compatible API through the stripe SDK', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  let stripe: Stripe;
  const { logger, lines } = captureLogger();
  const sims = () => t.sandbox.simulators;

  beforeAll(async () => {
    t = await sandboxClient({ stripePort: 0, logger });
    // Deterministic routing: Stripe's simulator first, Adyen's when Stripe's declines softly.
    await t.activate('default: { route: [stripe, adyen] }\n');
    const { hostname, port } = new URL(t.sandbox.stripeUrl!);
    stripe = new Stripe(t.sandbox.apiKey, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0, timeout: 20_000 });
    // Three simulators, PGlite and a sign-in take long on a machine whose cores are busy.
  }, 180_000);
  afterAll(() => t?.close());
  beforeEach(() => sims().stripe!.setApprovalRates([]));

  const card = (number: string, cvc = '123') => ({ type: 'card', card: { number, exp_month: 12, exp_year: 2030, cvc } });
  /** Raw card data (Stripe's raw card API) is not in the SDK's types for payment_method_data. */
  const withCard = <T>(params: T, number: string): T => ({ ...params, payment_method_data: card(number) }) as T;
  const canonical = async (paymentId: string) => (await t.api('GET', `/v1/payments/${paymentId}`)).body;

  it('confirms a payment at creation: succeeded, with the canonical payment as latest_charge', async () => {
    const intent = await stripe.paymentIntents.create(withCard({ amount: 1999, currency: 'usd', confirm: true, metadata: { order: '6735' } }, '4242424242424242'));
    expect(intent).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 1999, amount_received: 1999, amount_capturable: 0, currency: 'usd', metadata: { order: '6735' }, livemode: false });
    expect(intent.id).toMatch(/^pi_/);
    expect(intent.latest_charge).toMatch(/^pay_/);
    expect(intent.lastResponse.headers['request-id']).toMatch(/^req_/);
    expect(await canonical(intent.latest_charge as string)).toMatchObject({ status: 'succeeded', amount_captured: 1999, gateway: { provider: 'stripe' } });
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({ id: intent.id, status: 'succeeded' });
  });

  it('creates, then confirms later', async () => {
    const created = await stripe.paymentIntents.create({ amount: 1200, currency: 'eur', description: 'Two books' });
    expect(created).toMatchObject({ status: 'requires_payment_method', latest_charge: null, description: 'Two books' });
    const confirmed = await stripe.paymentIntents.confirm(created.id, withCard({}, '5555555555554444'));
    expect(confirmed).toMatchObject({ id: created.id, status: 'succeeded', amount_received: 1200 });
    await expect(stripe.paymentIntents.confirm(created.id, withCard({}, '4242424242424242'))).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'payment_intent_unexpected_state',
    });
  });

  it('waits in requires_confirmation with a test PaymentMethod, and confirms with it', async () => {
    const created = await stripe.paymentIntents.create({ amount: 800, currency: 'usd', payment_method: 'pm_card_visa' });
    expect(created).toMatchObject({ status: 'requires_confirmation', payment_method: 'pm_card_visa' });
    expect(await stripe.paymentIntents.confirm(created.id)).toMatchObject({ status: 'succeeded' });
  });

  it('a decline throws StripeCardError with decline_code, and the intent takes another card', async () => {
    const error = await stripe.paymentIntents.create(withCard({ amount: 2500, currency: 'usd', confirm: true }, '4000000000009995')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    const declined = error as Stripe.errors.StripeCardError;
    expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'insufficient_funds' });
    const intent = declined.payment_intent!;
    expect(intent).toMatchObject({ status: 'requires_payment_method', last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' } });
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({ status: 'requires_payment_method', last_payment_error: { decline_code: 'insufficient_funds' } });

    const retried = await stripe.paymentIntents.confirm(intent.id, withCard({}, '4242424242424242'));
    expect(retried).toMatchObject({ id: intent.id, status: 'succeeded', last_payment_error: null });
    expect(retried.latest_charge).not.toBe(intent.latest_charge);
  });

  it('two confirmations at once: one payment, one charge', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 3100, currency: 'usd' });
    const ledger = sims().stripe!.ledger;
    const capturedBefore = ledger.totals().captured;
    const results = await Promise.allSettled([
      stripe.paymentIntents.confirm(intent.id, withCard({}, '4242424242424242')),
      stripe.paymentIntents.confirm(intent.id, withCard({}, '5555555555554444')),
    ]);
    const confirmed = results.filter((r) => r.status === 'fulfilled');
    expect(confirmed).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected')!.reason as Stripe.errors.StripeError;
    expect([409, 400]).toContain(refused.statusCode);
    expect(['lock_timeout', 'payment_intent_unexpected_state']).toContain(refused.code);
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({ status: 'succeeded', amount_received: 3100 });
    expect(ledger.totals().captured - capturedBefore).toBe(3100);
  });

  it('captures a manual-capture payment in part', async () => {
    const intent = await stripe.paymentIntents.create(withCard({ amount: 5000, currency: 'eur', capture_method: 'manual', confirm: true }, '4242424242424242'));
    expect(intent).toMatchObject({ status: 'requires_capture', amount_capturable: 5000, amount_received: 0 });
    const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 3500 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 3500, amount_capturable: 0 });
    expect(await canonical(intent.latest_charge as string)).toMatchObject({ amount_captured: 3500 });
  });

  it('captures in full, and refuses a capture beyond the capturable amount', async () => {
    const intent = await stripe.paymentIntents.create(withCard({ amount: 900, currency: 'usd', capture_method: 'manual', confirm: true }, '4242424242424242'));
    await expect(stripe.paymentIntents.capture(intent.id, { amount_to_capture: 901 })).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'amount_too_large', param: 'amount_to_capture' });
    expect(await stripe.paymentIntents.capture(intent.id)).toMatchObject({ status: 'succeeded', amount_received: 900 });
  });

  it('cancels an authorization, and an intent never confirmed', async () => {
    const authorized = await stripe.paymentIntents.create(withCard({ amount: 700, currency: 'usd', capture_method: 'manual', confirm: true }, '4242424242424242'));
    const canceled = await stripe.paymentIntents.cancel(authorized.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', amount_capturable: 0 });
    expect(await canonical(authorized.latest_charge as string)).toMatchObject({ status: 'canceled' });

    const waiting = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' });
    expect(await stripe.paymentIntents.cancel(waiting.id)).toMatchObject({ status: 'canceled', latest_charge: null });
    await expect(stripe.paymentIntents.confirm(waiting.id, withCard({}, '4242424242424242'))).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
  });

  it('refunds in part, reads and lists the refunds', async () => {
    const intent = await stripe.paymentIntents.create(withCard({ amount: 3000, currency: 'usd', confirm: true }, '4242424242424242'));
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1000, reason: 'requested_by_customer', metadata: { ticket: 'T-1' } });
    expect(refund).toMatchObject({ object: 'refund', amount: 1000, currency: 'usd', status: 'succeeded', payment_intent: intent.id, charge: intent.latest_charge, reason: 'requested_by_customer', metadata: { ticket: 'T-1' } });
    expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ id: refund.id, amount: 1000 });
    const second = await stripe.refunds.create({ payment_intent: intent.id });
    expect(second.amount).toBe(2000);
    const listed = await stripe.refunds.list({ payment_intent: intent.id, limit: 1 });
    expect(listed.data.map((r) => r.id)).toEqual([second.id]);
    expect(listed.has_more).toBe(true);
    expect((await stripe.refunds.list({ payment_intent: intent.id, starting_after: second.id })).data.map((r) => r.id)).toEqual([refund.id]);
    await expect(stripe.refunds.create({ payment_intent: intent.id, amount: 1 })).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'charge_already_refunded' });
  });

  it('lists intents newest first, by pages either way, and by creation time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await stripe.paymentIntents.create({ amount: 100 + i, currency: 'usd' })).id);
    const first = await stripe.paymentIntents.list({ limit: 2 });
    expect(first.data.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const next = await stripe.paymentIntents.list({ limit: 1, starting_after: ids[1] });
    expect(next.data.map((p) => p.id)).toEqual([ids[0]]);
    const back = await stripe.paymentIntents.list({ limit: 1, ending_before: ids[0] });
    expect(back.data.map((p) => p.id)).toEqual([ids[1]]);
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect((await stripe.paymentIntents.list({ created: { gte: future } })).data).toEqual([]);
  });

  it('replays the first answer for a repeated Idempotency-Key, and refuses it with other parameters', async () => {
    const params = withCard({ amount: 4100, currency: 'usd', confirm: true }, '4242424242424242');
    const ledger = sims().stripe!.ledger;
    const capturedBefore = ledger.totals().captured;
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-4100' });
    const again = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-4100' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(ledger.totals().captured - capturedBefore).toBe(4100);
    await expect(stripe.paymentIntents.create({ ...params, amount: 4200 }, { idempotencyKey: 'order-4100' })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('a declined answer is replayed too: the same key never charges twice', async () => {
    const params = withCard({ amount: 4300, currency: 'usd', confirm: true }, '4000000000009995');
    const first = (await stripe.paymentIntents.create(params, { idempotencyKey: 'order-4300' }).catch((e: unknown) => e)) as Stripe.errors.StripeCardError;
    const again = (await stripe.paymentIntents.create(params, { idempotencyKey: 'order-4300' }).catch((e: unknown) => e)) as Stripe.errors.StripeCardError;
    expect(again).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(again.payment_intent!.id).toBe(first.payment_intent!.id);
    expect(again.headers?.['idempotent-replayed']).toBe('true');
  });

  it('3-D Secure: requires_action with a redirect URL', async () => {
    const intent = await stripe.paymentIntents.create(
      withCard({ amount: 1999, currency: 'eur', confirm: true, return_url: 'https://shop.example/back', payment_method_options: { card: { request_three_d_secure: 'any' } } }, '4000002760003184'),
    );
    expect(intent.status).toBe('requires_action');
    expect(intent.next_action).toMatchObject({ type: 'redirect_to_url', redirect_to_url: { return_url: 'https://shop.example/back' } });
    expect(intent.next_action!.redirect_to_url!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(await canonical(intent.latest_charge as string)).toMatchObject({ status: 'requires_action' });
  });

  it('fails over between gateways; the canonical payment shows both attempts', async () => {
    sims().stripe!.setApprovalRates([{ rate: 0 }]);
    const intent = await stripe.paymentIntents.create(withCard({ amount: 2222, currency: 'usd', confirm: true }, '4242424242424242'));
    expect(intent.status).toBe('succeeded');
    const payment = await canonical(intent.latest_charge as string);
    expect(payment.attempts.map((a: { gateway: { provider: string }; outcome: string }) => [a.gateway.provider, a.outcome])).toEqual([
      ['stripe', 'declined'],
      ['adyen', 'approved'],
    ]);
  });

  describe('bad input: StripeInvalidRequestError naming the param, nothing created', () => {
    const count = async () => (await stripe.paymentIntents.list({ limit: 100 })).data.length;

    it.each([
      ['a missing amount', { currency: 'usd' }, 'amount', 'parameter_missing'],
      ['an amount that is not an integer', { amount: '19.99', currency: 'usd' }, 'amount', 'parameter_invalid'],
      ['a negative amount', { amount: -5, currency: 'usd' }, 'amount', 'parameter_invalid'],
      ['an unknown currency', { amount: 100, currency: 'xyz' }, 'currency', 'invalid_currency'],
      ['an unknown parameter', { amount: 100, currency: 'usd', colour: 'red' }, 'colour', 'parameter_unknown'],
      ['a bad capture_method', { amount: 100, currency: 'usd', capture_method: 'later' }, 'capture_method', 'parameter_invalid'],
      ['a control character in the description', { amount: 100, currency: 'usd', description: 'a\u0000b' }, 'description', 'invalid_text'],
      ['a card number that fails the Luhn check', { amount: 100, currency: 'usd', confirm: true, payment_method_data: card('4242424242424241') }, 'payment_method_data[card][number]', 'incorrect_number'],
      ['an expired card', { amount: 100, currency: 'usd', confirm: true, payment_method_data: { type: 'card', card: { number: '4242424242424242', exp_month: 1, exp_year: 2020, cvc: '123' } } }, 'payment_method_data[card][exp_year]', 'expired_card'],
      ['a CVC of the wrong length', { amount: 100, currency: 'usd', confirm: true, payment_method_data: card('4242424242424242', '12') }, 'payment_method_data[card][cvc]', 'invalid_cvc'],
      ['card data without confirm', { amount: 100, currency: 'usd', payment_method_data: card('4242424242424242') }, 'payment_method_data', undefined],
      ['an unknown PaymentMethod', { amount: 100, currency: 'usd', payment_method: 'pm_123' }, 'payment_method', 'resource_missing'],
    ])('%s', async (_name, params, param, code) => {
      const before = await count();
      const error = await stripe.paymentIntents.create(params as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ param, ...(code ? { code } : {}) });
      expect(await count()).toBe(before);
    });

    it('an unknown intent is resource_missing (404)', async () => {
      await expect(stripe.paymentIntents.retrieve('pi_00000000000000000000000000')).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404, code: 'resource_missing' });
    });

    it('a wrong key is an authentication error', async () => {
      const stranger = new Stripe('sk_test_00000000000000000000000000000000', { host: new URL(t.sandbox.stripeUrl!).hostname, port: Number(new URL(t.sandbox.stripeUrl!).port), protocol: 'http', maxNetworkRetries: 0 });
      await expect(stranger.paymentIntents.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    });
  });

  it('a key restricted to payments:read may read but not pay (StripePermissionError), and nothing is created', async () => {
    const { body: key } = await t.asOperator('POST', `/v1/admin/merchants/${t.sandbox.merchantId}/keys`, { mode: 'test', label: 'reader', scopes: ['payments:read'] });
    const { hostname, port } = new URL(t.sandbox.stripeUrl!);
    const reader = new Stripe(key.secret, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0 });
    const newest = (await stripe.paymentIntents.list({ limit: 1 })).data[0]?.id;
    expect((await reader.paymentIntents.list({ limit: 1 })).data[0]?.id).toBe(newest);
    await expect(reader.paymentIntents.create({ amount: 100, currency: 'usd' })).rejects.toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect((await stripe.paymentIntents.list({ limit: 1 })).data[0]?.id).toBe(newest);
  });

  it('accepts any Stripe-Version and expand, answering this API\'s shape', async () => {
    const pinned = new Stripe(t.sandbox.apiKey, { apiVersion: '2020-08-27' as never, host: new URL(t.sandbox.stripeUrl!).hostname, port: Number(new URL(t.sandbox.stripeUrl!).port), protocol: 'http', maxNetworkRetries: 0 });
    const intent = await pinned.paymentIntents.create(withCard({ amount: 600, currency: 'usd', confirm: true, expand: ['latest_charge'] }, '4242424242424242'));
    expect(intent.lastResponse.headers['stripe-version']).toBe('2020-08-27');
    expect(intent).toMatchObject({ status: 'succeeded', latest_charge: expect.stringMatching(/^pay_/) });
  });

  describe('hostile and oversized bodies', () => {
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${t.sandbox.stripeUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${t.sandbox.apiKey}`, 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body });

    it('an oversized body is 413 in Stripe\'s envelope', async () => {
      const res = await post('/v1/payment_intents', `amount=100&currency=usd&description=${'a'.repeat(40_000)}`);
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'request_too_large' } });
    });

    it.each([
      ['metadata[__proto__]=x', 'metadata[__proto__]'],
      ['metadata[__proto__][polluted]=1', 'metadata[__proto__]'],
      ['metadata[constructor]=x', 'metadata[constructor]'],
    ])('a hostile metadata key (%s) is refused by name', async (pair, param) => {
      const res = await post('/v1/payment_intents', `amount=100&currency=usd&${pair}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', param } });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it.each([
      ['brackets nested too deep', 'amount=100&currency=usd&metadata[a][b][c][d][e][f]=1'],
      ['too many parameters', Array.from({ length: 400 }, (_, i) => `p${i}=1`).join('&')],
      ['a repeated scalar', 'amount=100&amount=200&currency=usd'],
      ['a JSON body', '{"amount":100,"currency":"usd"}'],
    ])('%s: 400, nothing created', async (name, body) => {
      const res = await post('/v1/payment_intents', body, name === 'a JSON body' ? { 'Content-Type': 'application/json' } : {});
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    });

    it('never writes a card number or CVC into a log or an error', async () => {
      const number = '4000000000009995';
      await stripe.paymentIntents.create(withCard({ amount: 100, currency: 'usd', confirm: true }, number)).catch(() => {});
      const res = await post('/v1/payment_intents', `amount=100&currency=usd&${number}=1`);
      const body = await res.text();
      expect(body).not.toContain(number);
      expect(lines.join('\n')).not.toContain(number);
    });
  });
});
