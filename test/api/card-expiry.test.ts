import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, keyHint, PUBLISHABLE_SCOPES } from '../../src/domain/api-keys.js';
import { manualClock } from '../support/clock.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { CARDS, paymentBody, startHarness, type Harness } from '../support/harness.js';
import { sandboxClient } from '../support/sandbox-client.js';

/** A card expiring in December 2030 has expired on the first instant of 2031. */
const NEW_YEAR_2031 = new Date('2031-01-01T00:00:00.000Z');
const MID_2029 = new Date('2029-06-01T12:00:00.000Z');
const SHOP = 'https://shop.example';

/**
 * A card's expiry is judged by the app's clock (the sandbox's can be moved), never the machine's.
 * The clock only moves forward (the rate limits' buckets would not take it back): 2029 first, then 2031.
 */
describe.each(DRIVERS)('card expiry by the injected clock, on %s', (driver) => {
  const clock = manualClock(MID_2029);
  let h: Harness;
  let publishable: string;
  const json = async (res: Response | Promise<Response>) => {
    const r = await res;
    return { status: r.status, type: r.headers.get('content-type'), body: await r.json() };
  };
  const card = (exp_month: number, exp_year: number) => ({ type: 'card', card: { number: CARDS.visa, exp_month, exp_year } });
  const pay = (exp_month: number, exp_year: number) => json(h.request('POST', '/v1/payments', { body: paymentBody({}, { exp_month, exp_year }) }));
  const save = (exp_month: number, exp_year: number, headers: Record<string, string> = {}) => json(h.request('POST', '/v1/payment_methods', { body: card(exp_month, exp_year), headers }));
  const tokenize = (exp_month: number, exp_year: number) => json(h.request('POST', '/v1/tokens', { body: card(exp_month, exp_year), key: publishable, headers: { Origin: SHOP } }));
  const updateExpiry = (id: string, exp_month: number, exp_year: number) => json(h.request('POST', `/v1/payment_methods/${id}`, { body: { card: { exp_month, exp_year } } }));
  const savedCards = async () => (await json(h.request('GET', '/v1/payment_methods'))).body.data;
  const payments = async () => (await json(h.request('GET', '/v1/payments'))).body.data;
  const expired = (param: string) => ({ status: 400, type: 'application/problem+json', body: { code: 'card_expired', param, detail: 'The card has expired.' } });

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.reset();
    const merchantId = (await h.repositories.merchants.findByName('one'))!;
    publishable = generateApiKey('test', 'publishable');
    await h.repositories.merchants.addApiKey({ merchantId, keyHash: await hashApiKey(publishable), hint: keyHint(publishable), label: 'web', scopes: PUBLISHABLE_SCOPES, allowedOrigins: [SHOP] });
  });

  it('takes a card expiring in 2030 everywhere while the clock is in 2029', async () => {
    expect(await pay(12, 2030)).toMatchObject({ status: 201, body: { status: 'succeeded' } });
    const saved = await save(12, 2030);
    expect(saved.status).toBe(201);
    expect((await tokenize(12, 2030)).status).toBe(200);
    expect(await updateExpiry(saved.body.id, 1, 2030)).toMatchObject({ status: 200, body: { card: { exp_month: 1, exp_year: 2030 } } });
  });

  describe('with the clock at the first instant of 2031', () => {
    beforeAll(() => clock.set(NEW_YEAR_2031));

    it('refuses a payment with a card that expired by the clock, and pays with one expiring this month', async () => {
      expect(await pay(12, 2030)).toMatchObject(expired('payment_method.card.exp_year'));
      expect(await payments()).toEqual([]);
      expect(h.stripe.ledger.requestCount()).toBe(0);
      expect(await pay(1, 2031)).toMatchObject({ status: 201, body: { status: 'succeeded' } });
    });

    it('refuses a routing preview of a payment with an expired card', async () => {
      const decide = (exp_year: number) => json(h.request('POST', '/v1/routing/decide', { body: paymentBody({}, { exp_month: 12, exp_year }) }));
      expect(await decide(2030)).toMatchObject(expired('payment_method.card.exp_year'));
      expect((await decide(2031)).status).toBe(200);
    });

    it('saves and tokenizes nothing expired by the clock, and a card expiring this month', async () => {
      expect(await save(12, 2030)).toMatchObject(expired('card.exp_year'));
      expect(await tokenize(12, 2030)).toMatchObject(expired('card.exp_year'));
      expect(await savedCards()).toEqual([]);
      expect(await save(1, 2031)).toMatchObject({ status: 201, body: { card: { exp_month: 1, exp_year: 2031 } } });
      expect(await tokenize(1, 2031)).toMatchObject({ status: 200, body: { card: { exp_month: 1, exp_year: 2031 } } });
    });

    it('keeps a saved card\'s expiry when the new one has passed by the clock', async () => {
      const saved = (await save(1, 2031)).body;
      expect(await updateExpiry(saved.id, 12, 2030)).toMatchObject(expired('card.exp_year'));
      expect((await json(h.request('GET', `/v1/payment_methods/${saved.id}`))).body.card).toMatchObject({ exp_month: 1, exp_year: 2031 });
      expect(await updateExpiry(saved.id, 2, 2031)).toMatchObject({ status: 200, body: { card: { exp_month: 2, exp_year: 2031 } } });
    });

    it('a refusal keeps no Idempotency-Key: the key then saves the card with a valid expiry', async () => {
      const headers = { 'Idempotency-Key': 'expiry-by-clock' };
      expect(await save(12, 2030, headers)).toMatchObject(expired('card.exp_year'));
      expect(await save(1, 2031, headers)).toMatchObject({ status: 201, body: { card: { exp_month: 1, exp_year: 2031 } } });
    });
  });
});

describe.each(DRIVERS)('card expiry by the injected clock on the Stripe-compatible API, on %s', (driver) => {
  const clock = manualClock(MID_2029);
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  let database: TestDatabase | undefined;
  let stripe: Stripe;
  const PAN = '4111111111111111';
  const create = (exp_month: number, exp_year: number) =>
    stripe.paymentMethods.create({ type: 'card', card: { number: PAN, exp_month, exp_year, cvc: '123' } } as never);
  const cards = async () => (await stripe.paymentMethods.list({ limit: 100 })).data.length;

  beforeAll(async () => {
    database = driver === 'postgres' ? await testDatabase('postgres') : undefined;
    t = await sandboxClient({ stripePort: 0, clock, databaseUrl: database?.url });
    const { hostname, port } = new URL(t.sandbox.stripeUrl!);
    stripe = new Stripe(t.sandbox.apiKey, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0, timeout: 20_000 });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  it('takes a card expiring in 2030 while the clock is in 2029', async () => {
    const saved = await create(12, 2030);
    expect(saved.card).toMatchObject({ exp_month: 12, exp_year: 2030 });
    expect((await stripe.paymentMethods.update(saved.id, { card: { exp_month: 1, exp_year: 2030 } })).card).toMatchObject({ exp_month: 1, exp_year: 2030 });
  });

  describe('with the clock at the first instant of 2031', () => {
    beforeAll(() => clock.set(NEW_YEAR_2031));

    it('a PaymentMethod expired by the clock is a card error and saves nothing; one expiring this month is saved', async () => {
      const before = await cards();
      const error = await create(12, 2030).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error).toMatchObject({ code: 'expired_card', param: 'card[exp_year]' });
      expect(await cards()).toBe(before);
      expect((await create(1, 2031)).card).toMatchObject({ exp_month: 1, exp_year: 2031 });
    });

    it('an expiry update that has passed by the clock is refused and changes nothing', async () => {
      const saved = await create(1, 2031);
      const error = await stripe.paymentMethods.update(saved.id, { card: { exp_month: 12, exp_year: 2030 } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ code: 'parameter_invalid', param: 'card[exp_year]' });
      expect((await stripe.paymentMethods.retrieve(saved.id)).card).toMatchObject({ exp_month: 1, exp_year: 2031 });
    });
  });
});
