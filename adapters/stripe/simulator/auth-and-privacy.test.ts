import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from './index.js';
import { cardData, rawRequest, rejectionOf, sdkFor, TEST_KEY } from './test-support.js';

describe('Stripe simulator: API keys', () => {
  let sim: StripeSimulator;
  beforeAll(async () => {
    sim = await startStripeSimulator();
  });
  afterAll(() => sim.close());

  it.each(['sk_live_0123456789abcdef', 'pk_test_0123456789abcdef', 'sk_test_'])('refuses %s with StripeAuthenticationError', async (key) => {
    const error = await rejectionOf(sdkFor(sim, { key }).paymentIntents.retrieve('pi_x'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error).toMatchObject({ statusCode: 401, rawType: 'invalid_request_error' });
    expect(error.message).toMatch(/^Invalid API Key provided: /);
    if (key.length > 12) expect(error.message).not.toContain(key);
  });

  it('answers 401 in Stripe shape when no key is sent', async () => {
    const res = await rawRequest(sim, 'POST', '/v1/payment_intents', { body: 'amount=1000&currency=usd' });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('You did not provide an API key') } });
    expect(res.headers.get('request-id')).toMatch(/^req_/);
  });

  it('accepts the key as Basic auth user name too', async () => {
    const res = await rawRequest(sim, 'POST', '/v1/payment_intents', {
      body: 'amount=1000&currency=usd',
      headers: { authorization: `Basic ${Buffer.from(`${TEST_KEY}:`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
  });

  it('accepts only the configured keys when given apiKeys', async () => {
    const strict = await startStripeSimulator({ apiKeys: ['sk_test_only_this_one'] });
    try {
      const ok = await sdkFor(strict, { key: 'sk_test_only_this_one' }).paymentIntents.create({ amount: 1000, currency: 'usd' });
      expect(ok.status).toBe('requires_payment_method');
      const error = await rejectionOf(sdkFor(strict, { key: 'sk_test_another_one' }).paymentIntents.create({ amount: 1000, currency: 'usd' }));
      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(strict.ledger.paymentIntents()).toHaveLength(1);
    } finally {
      await strict.close();
    }
  });
});

describe('Stripe simulator: card data never comes back', () => {
  let sim: StripeSimulator;
  beforeAll(async () => {
    sim = await startStripeSimulator();
  });
  afterAll(() => sim.close());

  const CVC = '737';
  const auth = { authorization: `Bearer ${TEST_KEY}` };
  const form = (number: string, extra = '') =>
    `amount=1000&currency=usd&confirm=true&payment_method_data[type]=card&payment_method_data[card][number]=${number}` +
    `&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2040&payment_method_data[card][cvc]=${CVC}${extra}`;

  /** Every string value and every object key in a JSON value. */
  function walk(value: unknown, values: string[] = [], keys: string[] = []): { values: string[]; keys: string[] } {
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) for (const item of value) walk(item, values, keys);
    else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        keys.push(key);
        walk(item, values, keys);
      }
    }
    return { values, keys };
  }

  function expectNoCardData(texts: string[], numbers: string[]): void {
    for (const text of texts) {
      for (const number of numbers) {
        expect(text).not.toContain(number);
        // Nothing beyond the last four digits: not even the leading twelve.
        expect(text).not.toContain(number.slice(0, -4));
      }
      const { values, keys } = walk(JSON.parse(text));
      expect(values).not.toContain(CVC);
      expect(keys).not.toContain('cvc');
      expect(keys).not.toContain('number');
    }
  }

  it('in any answer: success, decline, invalid card, replay, retrieve and expand', async () => {
    const texts: string[] = [];
    const send = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
      const res = await rawRequest(sim, method, path, { ...(body === undefined ? {} : { body }), headers: { ...auth, ...headers } });
      texts.push(res.text);
      return res;
    };
    const ok = await send('POST', '/v1/payment_intents', form('4242424242424242', '&capture_method=manual'), { 'idempotency-key': 'privacy-1' });
    expect(ok.status).toBe(200);
    await send('POST', '/v1/payment_intents', form('4242424242424242', '&capture_method=manual'), { 'idempotency-key': 'privacy-1' });
    const declined = await send('POST', '/v1/payment_intents', form('4000000000000002'));
    expect(declined.status).toBe(402);
    expect((await send('POST', '/v1/payment_intents', form('4000000000000127'))).status).toBe(402);
    expect((await send('POST', '/v1/payment_intents', form('4242424242424241'))).status).toBe(402);
    expect((await send('POST', '/v1/payment_intents', form('4242424242424242', '&payment_method_data[card][bogus]=1'))).status).toBe(400);
    const pi = ok.json as { id: string; latest_charge: string; payment_method: string };
    await send('GET', `/v1/payment_intents/${pi.id}?expand[0]=latest_charge&expand[1]=payment_method`);
    await send('GET', `/v1/payment_methods/${pi.payment_method}`);
    await send('GET', `/v1/charges/${pi.latest_charge}`);
    await send('POST', `/v1/payment_intents/${pi.id}/capture`, 'amount_to_capture=600');
    await send('POST', '/v1/refunds', `payment_intent=${pi.id}&amount=100&expand[0]=charge`);

    expectNoCardData(texts, ['4242424242424242', '4000000000000002', '4000000000000127', '4242424242424241']);
    expect(JSON.stringify(sim.ledger.requests())).not.toContain('4242424242424242');
    expect(JSON.stringify(sim.ledger.paymentIntents())).not.toContain('4242424242424242');
  });

  it('in what the SDK returns', async () => {
    const stripe = sdkFor(sim);
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('5555555555554444', { cvc: CVC }) });
    const expanded = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge', 'payment_method'] });
    const declined = await rejectionOf(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('4000000000009995', { cvc: CVC }) }));
    const text = JSON.stringify([pi, expanded, declined.raw]);
    expect(text).not.toContain('5555555555554444');
    expect(text).not.toContain('4000000000009995');
    expect(text).not.toContain(`"${CVC}"`);
  });
});
