import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from './index.js';
import { compile } from './search.js';
import { newPaymentIntent } from './payment-intents.js';
import { cardData, rawRequest, rejectionOf, sdkFor } from './test-support.js';

describe('Stripe simulator: PaymentIntent search and refund lists through the stripe SDK', () => {
  let sim: StripeSimulator;
  let stripe: Stripe;
  beforeAll(async () => {
    sim = await startStripeSimulator();
    stripe = sdkFor(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.ledger.reset());

  const paid = (metadata: Record<string, string>, amount = 1000, number = '4242424242424242') =>
    stripe.paymentIntents.create({ amount, currency: 'usd', confirm: true, allowed_payment_method_types: ['card'], payment_method_data: cardData(number), metadata });

  it('answers a search_result of the payment intents whose metadata matches, newest first', async () => {
    const a = await paid({ switchyard_idempotency_key: 'pay_1:attempt:1', order: '7' });
    const b = await paid({ switchyard_idempotency_key: 'pay_2:attempt:1', order: '7' });
    await paid({ switchyard_idempotency_key: 'pay_3:attempt:1' });

    const one = await stripe.paymentIntents.search({ query: "metadata['switchyard_idempotency_key']:'pay_2:attempt:1'" });
    expect(one).toMatchObject({ object: 'search_result', url: '/v1/payment_intents/search', has_more: false, next_page: null });
    expect(one.data.map((pi) => pi.id)).toEqual([b.id]);
    expect(one.data[0]).toMatchObject({ object: 'payment_intent', status: 'succeeded', metadata: { order: '7' } });

    const both = await stripe.paymentIntents.search({ query: 'metadata["order"]:"7"' });
    expect(both.data.map((pi) => pi.id)).toEqual([b.id, a.id]);
    expect((await stripe.paymentIntents.search({ query: "metadata['switchyard_idempotency_key']:'pay_9:attempt:1'" })).data).toEqual([]);
    // Metadata values match exactly, case and all.
    expect((await stripe.paymentIntents.search({ query: "metadata['switchyard_idempotency_key']:'PAY_1:attempt:1'" })).data).toEqual([]);
  });

  it('pages with limit and next_page, and the SDK auto-pages through all of them', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.unshift((await paid({ batch: 'b' })).id);
    const first = await stripe.paymentIntents.search({ query: "metadata['batch']:'b'", limit: 2 });
    expect(first.data.map((pi) => pi.id)).toEqual(ids.slice(0, 2));
    expect(first.has_more).toBe(true);
    expect(typeof first.next_page).toBe('string');
    const second = await stripe.paymentIntents.search({ query: "metadata['batch']:'b'", limit: 2, page: first.next_page! });
    expect(second.data.map((pi) => pi.id)).toEqual(ids.slice(2, 4));
    const all: string[] = [];
    for await (const pi of stripe.paymentIntents.search({ query: "metadata['batch']:'b'", limit: 2 })) all.push(pi.id);
    expect(all).toEqual(ids);
    const counted = await rawRequest(sim, 'GET', `/v1/payment_intents/search?query=${encodeURIComponent("metadata['batch']:'b'")}&expand[]=total_count`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    expect(counted.json).toMatchObject({ total_count: 5 });
  });

  it('refuses a query it cannot read, as Stripe does: 400 invalid_request_error on `query`', async () => {
    for (const query of ['', "metadata['k']", "shoe_size:'9'", "status:'a' AND currency:'usd' OR amount>1", "metadata['k']:'unclosed"]) {
      const error = await rejectionOf(stripe.paymentIntents.search({ query }));
      expect(error, query).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.statusCode).toBe(400);
      expect(error.param ?? 'query').toBe('query');
    }
    expect(await rejectionOf(stripe.paymentIntents.search({ query: "status:'succeeded'", limit: 101 }))).toMatchObject({ param: 'limit' });
    expect(await rejectionOf(stripe.paymentIntents.search({ query: "status:'succeeded'", page: 'bm9wZQ' }))).toMatchObject({ param: 'page' });
    // `search` is not taken for a PaymentIntent id.
    expect(await rejectionOf(stripe.paymentIntents.retrieve('pi_search'))).toMatchObject({ statusCode: 404 });
  });

  it('reads the query language: AND, OR, negation, numbers, substrings, null', () => {
    const pi = newPaymentIntent({ id: 'pi_1', created: 1_700_000_000, amount: 2500, currency: 'eur', captureMethod: 'manual', status: 'requires_capture', metadata: { k: 'Value one' } });
    const cases: [string, boolean][] = [
      ["status:'requires_capture'", true],
      ["status:'REQUIRES_CAPTURE'", true],
      ["-status:'succeeded'", true],
      ["status:'succeeded' OR currency:'eur'", true],
      ["status:'succeeded' AND currency:'eur'", false],
      ['amount>2000 AND amount<=2500', true],
      ['amount:2499', false],
      ['created>=1700000000', true],
      ["metadata['k']~'lue o'", true],
      ["metadata['k']:'value one'", false],
      ["metadata['missing']:null", true],
      ["-metadata['k']:null", true],
      ["customer:null", true],
      ["metadata['k']:'Value one' AND status:'requires_capture' AND currency:'eur'", true],
    ];
    for (const [query, expected] of cases) expect(compile(query)(pi), query).toBe(expected);
    expect(() => compile("metadata['k']~'ab'")).toThrow(/at least 3/);
    expect(() => compile("amount:'12'")).toThrow(/number/);
    expect(() => compile(Array.from({ length: 11 }, () => "status:'x'").join(' AND '))).toThrow(/ten|10/);
  });

  describe('GET /v1/refunds', () => {
    it('lists a payment intent\'s refunds newest first with their metadata, paged by starting_after and ending_before', async () => {
      const pi = await paid({}, 10_000);
      const other = await paid({}, 10_000);
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.unshift((await stripe.refunds.create({ payment_intent: pi.id, amount: 100, metadata: { switchyard_refund_key: `r${i}` } })).id);
      await stripe.refunds.create({ payment_intent: other.id, amount: 100 });

      const page = await stripe.refunds.list({ payment_intent: pi.id, limit: 2 });
      expect(page).toMatchObject({ object: 'list', url: '/v1/refunds', has_more: true });
      expect(page.data.map((r) => r.id)).toEqual(made.slice(0, 2));
      expect(page.data[0]).toMatchObject({ object: 'refund', payment_intent: pi.id, metadata: { switchyard_refund_key: 'r4' } });
      const next = await stripe.refunds.list({ payment_intent: pi.id, limit: 2, starting_after: made[1] });
      expect(next.data.map((r) => r.id)).toEqual(made.slice(2, 4));
      const before = await stripe.refunds.list({ payment_intent: pi.id, limit: 2, ending_before: made[3] });
      expect(before.data.map((r) => r.id)).toEqual(made.slice(1, 3));
      expect(before.has_more).toBe(true);

      const all: string[] = [];
      for await (const refund of stripe.refunds.list({ payment_intent: pi.id, limit: 2 })) all.push(refund.id);
      expect(all).toEqual(made);
      expect((await stripe.refunds.list({ limit: 100 })).data).toHaveLength(6);
      expect((await stripe.refunds.list({ charge: other.latest_charge as string })).data).toHaveLength(1);
    });

    it('refuses an unknown payment intent or cursor with 404 resource_missing', async () => {
      expect(await rejectionOf(stripe.refunds.list({ payment_intent: 'pi_nope' }))).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'payment_intent' });
      const pi = await paid({});
      expect(await rejectionOf(stripe.refunds.list({ payment_intent: pi.id, starting_after: 're_nope' }))).toMatchObject({ statusCode: 404, param: 'starting_after' });
      expect(await rejectionOf(stripe.refunds.list({ limit: 0 }))).toMatchObject({ statusCode: 400, param: 'limit' });
    });

    it('retrieves one refund with its metadata', async () => {
      const pi = await paid({});
      const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 100, metadata: { switchyard_refund_key: 'k1' } });
      expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ id: refund.id, metadata: { switchyard_refund_key: 'k1' }, amount: 100 });
    });
  });

  it('keeps and shows payment_method_options[card][request_three_d_secure]', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      confirm: true,
      allowed_payment_method_types: ['card'],
      payment_method_data: cardData('4242424242424242'),
      payment_method_options: { card: { request_three_d_secure: 'any' } },
    });
    expect(pi).toMatchObject({ status: 'succeeded', payment_method_options: { card: { request_three_d_secure: 'any' } } });
    const error = await rejectionOf(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_options: { card: { request_three_d_secure: 'sometimes' as 'any' } } }),
    );
    expect(error).toMatchObject({ statusCode: 400, param: 'payment_method_options[card][request_three_d_secure]' });
  });
});
