import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, keyHint, PUBLISHABLE_SCOPES } from '../../src/domain/api-keys.js';
import { ROUTE_SCOPES } from '../../src/api/scopes.js';
import { systemClock } from '../../src/domain/clock.js';
import { localKms, type KeyManagement } from '../../src/vault/kms.js';
import { cardVault } from '../../src/vault/vault.js';
import { DRIVERS } from '../support/databases.js';
import { CARDS, SECRETS_KEY, startHarness, type Harness } from '../support/harness.js';

const NEW_KEK = 'bmV3LWtleS1lbmNyeXB0aW9uLWtleS1mb3ItdGVzdHM=';
const SHOP = 'https://shop.example';

/** A KMS the test can re-key mid-run, as the router's configuration is between two deployments. */
function switchableKms(initial: KeyManagement) {
  let current = initial;
  const kms: KeyManagement = {
    currentKeyId: () => current.currentKeyId(),
    wrap: (key, context) => current.wrap(key, context),
    unwrap: (key, context) => current.unwrap(key, context),
  };
  return { kms, use: (next: KeyManagement) => (current = next) };
}

describe.each(DRIVERS)('the card vault on %s', (driver) => {
  let h: Harness;
  let keys: ReturnType<typeof switchableKms>;
  let publishable: string;
  let merchantId: string;
  const card = (number: string, extra: Record<string, unknown> = {}) => ({ type: 'card', card: { number, exp_month: 12, exp_year: 2030, ...extra } });
  const json = async (res: Response | Promise<Response>) => {
    const r = await res;
    return { status: r.status, body: await r.json(), headers: r.headers };
  };
  const tokenize = (body: unknown, origin: string | null = SHOP, key = publishable) =>
    json(h.request('POST', '/v1/tokens', { body, key, headers: origin === null ? {} : { Origin: origin } }));
  const pay = (body: Record<string, unknown>) => json(h.request('POST', '/v1/payments', { body: { amount: 1500, currency: 'USD', ...body } }));

  beforeAll(async () => {
    keys = switchableKms(localKms(SECRETS_KEY));
    h = await startHarness(driver, { vaultKms: keys.kms });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.reset();
    keys.use(localKms(SECRETS_KEY));
    merchantId = (await h.repositories.merchants.findByName('one'))!;
    publishable = generateApiKey('test', 'publishable');
    await h.repositories.merchants.addApiKey({ merchantId, keyHash: await hashApiKey(publishable), hint: keyHint(publishable), label: 'web', scopes: PUBLISHABLE_SCOPES, allowedOrigins: [SHOP] });
  });

  it('tokenizes a card once per merchant and shows only brand, last four, expiry and fingerprint', async () => {
    const first = await tokenize(card(CARDS.visa, { holder_name: 'Jane Doe' }));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ object: 'payment_method', type: 'card', customer: null, card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 }, flagged: null });
    expect(Object.keys(first.body.card).sort()).toEqual(['brand', 'exp_month', 'exp_year', 'fingerprint', 'last4']);
    expect(JSON.stringify(first.body)).not.toContain(CARDS.visa);
    const again = await json(h.request('POST', '/v1/payment_methods', { body: card(CARDS.visa) }));
    expect(again).toMatchObject({ status: 200, body: { id: first.body.id } });
    const other = await json(h.request('POST', '/v1/payment_methods', { body: card(CARDS.visa), key: h.otherKey }));
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);
    expect(other.body.card.fingerprint).not.toBe(first.body.card.fingerprint);
  });

  it('pays one-click with a customer and a saved card, without card data, and then merchant-initiated', async () => {
    const pm = (await tokenize(card(CARDS.visa))).body;
    const customer = await json(h.request('POST', '/v1/customers', { body: { email: 'jane@example.com', payment_method: pm.id } }));
    expect(customer).toMatchObject({ status: 201, body: { object: 'customer', default_payment_method: pm.id } });
    const mitFirst = await pay({ customer: customer.body.id, initiator: 'merchant' });
    expect(mitFirst).toMatchObject({ status: 422, body: { code: 'stored_credential_missing' } });

    const oneClick = await pay({ customer: customer.body.id, payment_method: pm.id });
    expect(oneClick).toMatchObject({ status: 201, body: { status: 'succeeded', payment_method: { card: { last4: '4242' } }, customer: { id: customer.body.id, email: 'jane@example.com' } } });
    const stored = (await h.repositories.vault.get(merchantId, pm.id))!;
    expect(stored.networkTransactionId).toMatch(/^\d{15}$/);

    const renewal = await pay({ customer: customer.body.id, initiator: 'merchant' });
    expect(renewal).toMatchObject({ status: 201, body: { status: 'succeeded' } });
    const row = (await h.repositories.payments.get(merchantId, renewal.body.id))!.payment;
    expect(row).toMatchObject({ initiator: 'merchant', paymentMethodId: pm.id });
    // The simulator refuses an off-session payment on card details that cites no network transaction id, so this one cited it.
    expect(h.stripe.ledger.totals()).toMatchObject({ authorized: 3000, captured: 3000 });
    expect((await h.repositories.vault.get(merchantId, pm.id))!.networkTransactionId).toBe(stored.networkTransactionId);
  });

  it('flags a saved card declined as expired until its expiry is updated, and one never to be tried again for good', async () => {
    const expired = (await tokenize(card(CARDS.expired))).body;
    expect((await pay({ payment_method: expired.id })).body).toMatchObject({ status: 'failed', failure: { code: 'expired_card' } });
    expect((await json(h.request('GET', `/v1/payment_methods/${expired.id}`))).body.flagged).toMatchObject({ reason: 'expired_card' });
    expect(await pay({ payment_method: expired.id })).toMatchObject({ status: 422, body: { code: 'payment_method_flagged', param: 'payment_method' } });
    const renewed = await json(h.request('POST', `/v1/payment_methods/${expired.id}`, { body: { card: { exp_month: 1, exp_year: 2031 } } }));
    expect(renewed.body).toMatchObject({ card: { exp_month: 1, exp_year: 2031 }, flagged: null });

    const lost = (await tokenize(card(CARDS.lost))).body;
    expect((await pay({ payment_method: lost.id })).body.status).toBe('failed');
    await h.request('POST', `/v1/payment_methods/${lost.id}`, { body: { card: { exp_month: 1, exp_year: 2031 } } });
    expect(await pay({ payment_method: lost.id })).toMatchObject({ status: 422, body: { code: 'payment_method_flagged' } });
  });

  it('keeps customers and their cards: attach, default, list, detach, delete', async () => {
    const a = (await tokenize(card(CARDS.visa))).body;
    const b = (await tokenize(card(CARDS.mastercard))).body;
    const cus = (await json(h.request('POST', '/v1/customers', { body: { name: 'Jane', metadata: { plan: 'pro' } } }))).body;
    expect((await json(h.request('POST', `/v1/customers/${cus.id}/payment_methods`, { body: { payment_method: a.id } }))).body.customer).toBe(cus.id);
    await h.request('POST', `/v1/customers/${cus.id}/payment_methods`, { body: { payment_method: b.id, default: true } });
    expect((await json(h.request('GET', `/v1/customers/${cus.id}`))).body.default_payment_method).toBe(b.id);
    expect((await json(h.request('GET', `/v1/customers/${cus.id}/payment_methods`))).body.data.map((p: { id: string }) => p.id).sort()).toEqual([a.id, b.id].sort());
    expect((await pay({ customer: cus.id })).body).toMatchObject({ status: 'succeeded', payment_method: { card: { last4: '4444' } } });
    // Another customer cannot take the card, nor pay with it.
    const other = (await json(h.request('POST', '/v1/customers', { body: {} }))).body;
    expect(await json(h.request('POST', `/v1/customers/${other.id}/payment_methods`, { body: { payment_method: a.id } }))).toMatchObject({ status: 400, body: { code: 'payment_method_attached_elsewhere' } });
    expect(await pay({ customer: other.id, payment_method: a.id })).toMatchObject({ status: 422, body: { code: 'payment_method_customer_mismatch' } });
    expect(await pay({ payment_method: a.id })).toMatchObject({ status: 422, body: { code: 'payment_method_customer_mismatch', param: 'customer' } });

    await h.request('DELETE', `/v1/customers/${cus.id}/payment_methods/${b.id}`);
    expect((await json(h.request('GET', `/v1/customers/${cus.id}`))).body.default_payment_method).toBeNull();
    expect((await json(h.request('DELETE', `/v1/customers/${cus.id}`))).body).toEqual({ id: cus.id, object: 'customer', deleted: true });
    expect((await json(h.request('GET', `/v1/customers/${cus.id}`))).status).toBe(404);
    expect((await json(h.request('GET', `/v1/payment_methods/${a.id}`))).body.customer).toBeNull();
    expect((await json(h.request('GET', '/v1/customers'))).body.data.map((c: { id: string }) => c.id)).toEqual([other.id]);
  });

  it('a full database dump holds no card number and no CVC', async () => {
    const numbers = [CARDS.visa, CARDS.mastercard, CARDS.expired, CARDS.insufficientFunds];
    for (const number of numbers) {
      const pm = (await tokenize(card(number, { holder_name: 'Jane Doe' }))).body;
      await pay({ payment_method: pm.id });
    }
    await pay({ payment_method: { type: 'card', card: { number: CARDS.mastercard, exp_month: 12, exp_year: 2030, cvc: '739' } } });
    await tokenize(card(CARDS.visa, { cvc: '739' }));
    const dump = await h.database.dump();
    expect(dump).toContain('payment_methods');
    expect(dump).toContain('4242');
    for (const number of numbers) {
      expect(dump).not.toContain(number);
      expect(dump).not.toContain(number.slice(0, 12));
    }
    expect(dump).not.toMatch(/"cvc"/i);
    expect(dump).not.toContain('"739"');
    if (driver === 'postgres') expect(dump).not.toMatch(/\t739\t/);
  });

  it('after a key-encryption-key rotation, with the old KEK gone, every saved card still pays', async () => {
    const saved = [];
    for (const number of [CARDS.visa, CARDS.mastercard]) saved.push((await tokenize(card(number))).body.id as string);
    const before = await h.repositories.vault.countByKek();
    expect([...before.values()]).toEqual([2]);

    // Deploy with the new KEK first and the old one still listed, then re-wrap: both read meanwhile.
    keys.use(localKms([NEW_KEK, SECRETS_KEY]));
    const vault = cardVault({ repositories: h.repositories, kms: localKms([NEW_KEK, SECRETS_KEY]), fingerprintSecret: 'test-fingerprint-secret', clock: systemClock });
    const progress: number[] = [];
    expect(await vault.rotate({ batchSize: 1, onBatch: (p) => progress.push(p.remaining) })).toEqual({ rewrapped: 2, remaining: 0 });
    expect(progress).toEqual([1, 0]);
    expect(await vault.rotate({ batchSize: 1 })).toEqual({ rewrapped: 0, remaining: 0 });
    const newId = await localKms(NEW_KEK).currentKeyId();
    expect([...(await h.repositories.vault.countByKek()).entries()]).toEqual([[newId, 2]]);

    keys.use(localKms(NEW_KEK));
    for (const id of saved) expect((await pay({ payment_method: id })).body.status).toBe('succeeded');
    keys.use(localKms(SECRETS_KEY));
    expect((await pay({ payment_method: saved[0] })).status).toBe(500);
  });

  describe('CORS and the publishable key', () => {
    const preflight = (origin: string) =>
      h.request('OPTIONS', '/v1/tokens', { key: null, headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' } });

    it('answers a preflight for an allowed origin only', async () => {
      const ok = await preflight(SHOP);
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
      const refused = await preflight('https://evil.example');
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    });

    it("serves the key's own origins, and refuses others and secret keys from a browser", async () => {
      const ok = await tokenize(card(CARDS.visa));
      expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP);
      const invalid = await tokenize(card('4242424242424241'));
      expect(invalid).toMatchObject({ status: 400, body: { param: 'card.number' } });
      expect(invalid.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect(await tokenize(card(CARDS.visa), 'https://evil.example')).toMatchObject({ status: 403, body: { code: 'origin_not_allowed' } });
      expect(await tokenize(card(CARDS.visa), SHOP, h.key)).toMatchObject({ status: 403, body: { code: 'origin_not_allowed' } });
      expect((await tokenize(card(CARDS.visa), null)).status).toBe(200);
    });

    it('a publishable key can do nothing but tokenize', async () => {
      const ids: Record<string, string> = { id: 'pay_01JD0000000000000000000000', version: '1', payment_method: 'pm_01JD0000000000000000000000' };
      for (const route of Object.keys(ROUTE_SCOPES)) {
        if (route === 'POST /v1/tokens') continue;
        const [method, template] = route.split(' ') as [string, string];
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) => (template.startsWith('/v1/customers') && name === 'id' ? 'cus_01JD0000000000000000000000' : template.startsWith('/v1/payment_methods') ? ids.payment_method! : (ids[name] ?? 'x')));
        const res = await h.request(method, path, { key: publishable, ...(method === 'POST' ? { body: {} } : {}) });
        expect([route, res.status, (await res.json()).code]).toEqual([route, 403, 'insufficient_scope']);
      }
    });
  });

  describe('bad input changes nothing', () => {
    it.each([
      ['a CVC, which is never stored', card(CARDS.visa, { cvc: '123' }), 'card.cvc'],
      ['an invalid number', card('4242424242424241'), 'card.number'],
      ['a missing number', { type: 'card', card: { exp_month: 12, exp_year: 2030 } }, 'card.number'],
      ['an expired card', card(CARDS.visa, { exp_month: 1, exp_year: 2020 }), 'card.exp_year'],
      ['an oversized holder name', card(CARDS.visa, { holder_name: 'x'.repeat(201) }), 'card.holder_name'],
      ['a control character', card(CARDS.visa, { holder_name: 'Jane\u0000' }), 'card.holder_name'],
      ['a number as digits', card(4242424242424242 as unknown as string), 'card.number'],
      ['an unknown field', { ...card(CARDS.visa), customer: 'cus_01JD0000000000000000000000' }, 'customer'],
    ])('tokenizing with %s', async (_, body, param) => {
      expect(await tokenize(body)).toMatchObject({ status: 400, body: { param } });
      expect((await json(h.request('GET', '/v1/payment_methods'))).body.data).toEqual([]);
    });

    it('paying with a malformed, unknown or another merchant\'s pm_, or neither card nor customer', async () => {
      const theirs = (await json(h.request('POST', '/v1/payment_methods', { body: card(CARDS.visa), key: h.otherKey }))).body.id;
      expect(await pay({ payment_method: 'pm_<script>' })).toMatchObject({ status: 400, body: { param: 'payment_method' } });
      expect(await pay({ payment_method: 'pm_01JD0000000000000000000000' })).toMatchObject({ status: 400, body: { code: 'no_such_payment_method' } });
      expect(await pay({ payment_method: theirs })).toMatchObject({ status: 400, body: { code: 'no_such_payment_method' } });
      expect(await pay({ customer: 'cus_01JD0000000000000000000000' })).toMatchObject({ status: 400, body: { code: 'no_such_customer' } });
      expect(await pay({})).toMatchObject({ status: 400, body: { param: 'payment_method' } });
      expect((await json(h.request('GET', '/v1/payments'))).body.data).toEqual([]);
    });

    it('customers: hostile metadata, bad email, oversized body, unknown card', async () => {
      expect(await json(h.request('POST', '/v1/customers', { body: '{"metadata":{"__proto__":"x"}}' }))).toMatchObject({ status: 400, body: { param: 'metadata.__proto__' } });
      expect(await json(h.request('POST', '/v1/customers', { body: { email: 'not-an-email' } }))).toMatchObject({ status: 400, body: { param: 'email' } });
      expect((await h.request('POST', '/v1/customers', { body: { description: 'x'.repeat(40_000) } })).status).toBe(413);
      expect(await json(h.request('POST', '/v1/customers', { body: { payment_method: 'pm_01JD0000000000000000000000' } }))).toMatchObject({ status: 400, body: { code: 'no_such_payment_method' } });
      expect((await json(h.request('GET', '/v1/customers'))).body.data).toEqual([]);
      expect(await json(h.request('POST', '/v1/payment_methods/pm_01JD0000000000000000000000', { body: { card: { exp_month: 13, exp_year: 2030 } } }))).toMatchObject({ status: 400, body: { param: 'card.exp_month' } });
    });
  });
});
