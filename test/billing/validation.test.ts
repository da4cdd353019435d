import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DRIVERS } from '../support/databases.js';
import { CARDS, startHarness, type Harness } from '../support/harness.js';

const UNKNOWN = { plan: 'plan_01JD0000000000000000000000', sub: 'sub_01JD0000000000000000000000', invoice: 'in_01JD0000000000000000000000', customer: 'cus_01JD0000000000000000000000' };

/** Bad input on every billing endpoint: a problem+json naming the field, and nothing written. */
describe.each(DRIVERS)('billing input on %s', (driver) => {
  let h: Harness;
  const call = async (method: string, path: string, body?: unknown, key?: string) => {
    const res = await h.request(method, path, { ...(body === undefined ? {} : { body }), ...(key ? { key } : {}) });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };
  const plan = { name: 'Pro', amount: 990, currency: 'USD', interval: 'month' };
  let customer: string;
  let planId: string;

  beforeAll(async () => {
    h = await startHarness(driver);
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.reset();
    const pm = await call('POST', '/v1/payment_methods', { type: 'card', card: { number: CARDS.visa, exp_month: 12, exp_year: 2035 } });
    customer = (await call('POST', '/v1/customers', { payment_method: pm.body.id })).body.id;
    planId = (await call('POST', '/v1/plans', plan)).body.id;
  });

  async function nothingChanged() {
    expect((await call('GET', '/v1/plans?archived=true')).body.data.map((p: { id: string }) => p.id)).toEqual([planId]);
    expect((await call('GET', `/v1/plans/${planId}`)).body.archived).toBe(false);
    expect((await call('GET', '/v1/subscriptions')).body.data).toEqual([]);
    expect((await call('GET', '/v1/invoices')).body.data).toEqual([]);
    expect(h.stripe.ledger.requestCount()).toBe(0);
  }

  it.each([
    ['a missing name', { ...plan, name: undefined }, 'name', 'missing_field'],
    ['a negative amount', { ...plan, amount: -5 }, 'amount', 'invalid_amount'],
    ['a fractional amount', { ...plan, amount: 9.5 }, 'amount', 'invalid_amount'],
    ['an amount past the maximum', { ...plan, amount: 1e15 }, 'amount', 'amount_too_large'],
    ['a lower-case currency', { ...plan, currency: 'usd' }, 'currency', 'unsupported_currency'],
    ['an unknown interval', { ...plan, interval: 'fortnight' }, 'interval', undefined],
    ['a zero interval_count', { ...plan, interval_count: 0 }, 'interval_count', undefined],
    ['61 months', { ...plan, interval_count: 61 }, 'interval_count', 'invalid_interval_count'],
    ['a negative trial', { ...plan, trial_days: -1 }, 'trial_days', undefined],
    ['retry days out of order', { ...plan, retry_days: [3, 1] }, 'retry_days', 'invalid_retry_days'],
    ['a retry day past 60', { ...plan, retry_days: [61] }, 'retry_days[0]', undefined],
    ['an unknown on_uncollectible', { ...plan, on_uncollectible: 'delete' }, 'on_uncollectible', undefined],
    ['a name with a NUL', { ...plan, name: 'Pro\u0000' }, 'name', 'invalid_text'],
    ['an unknown field', { ...plan, price: 5 }, 'price', undefined],
  ])('creating a plan with %s', async (_, body, param, code) => {
    const res = await call('POST', '/v1/plans', body);
    expect(res).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json'), body: { param, ...(code ? { code } : {}) } });
    await nothingChanged();
  });

  it('plans: malformed, hostile and oversized bodies, bad ids and queries', async () => {
    expect(await call('POST', '/v1/plans', '{"name":')).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    expect(await call('POST', '/v1/plans', `{"name":"x","amount":1,"currency":"USD","interval":"month","metadata":{"__proto__":"x"}}`)).toMatchObject({ status: 400, body: { param: 'metadata.__proto__' } });
    expect((await call('POST', '/v1/plans', { ...plan, name: 'x'.repeat(40_000) })).status).toBe(413);
    expect(await call('POST', '/v1/plans', { ...plan, name: 'x'.repeat(201) })).toMatchObject({ status: 400, body: { param: 'name' } });
    expect(await call('GET', '/v1/plans/plan_<script>')).toMatchObject({ status: 400, body: { param: 'id' } });
    expect(await call('POST', '/v1/plans/plan_1%27%20or%201=1/archive')).toMatchObject({ status: 400, body: { param: 'id' } });
    expect(await call('POST', `/v1/plans/${UNKNOWN.plan}/archive`)).toMatchObject({ status: 404 });
    expect(await call('GET', '/v1/plans?limit=0')).toMatchObject({ status: 400, body: { param: 'limit' } });
    expect(await call('GET', '/v1/plans?archived=maybe')).toMatchObject({ status: 400, body: { param: 'archived' } });
    await nothingChanged();
  });

  it('subscriptions: missing, malformed, unknown and hostile input charges nothing and writes nothing', async () => {
    const sub = (body: Record<string, unknown>) => call('POST', '/v1/subscriptions', { customer, plan: planId, ...body });
    expect(await call('POST', '/v1/subscriptions', { plan: planId })).toMatchObject({ status: 400, body: { param: 'customer' } });
    expect(await call('POST', '/v1/subscriptions', { customer })).toMatchObject({ status: 400, body: { param: 'plan' } });
    expect(await sub({ plan: 'plan_x' })).toMatchObject({ status: 400, body: { param: 'plan' } });
    expect(await sub({ plan: UNKNOWN.plan })).toMatchObject({ status: 400, body: { code: 'no_such_plan', param: 'plan' } });
    expect(await sub({ customer: UNKNOWN.customer })).toMatchObject({ status: 400, body: { code: 'no_such_customer', param: 'customer' } });
    expect(await sub({ payment_method: 'pm_01JD0000000000000000000000' })).toMatchObject({ status: 400, body: { code: 'no_such_payment_method', param: 'payment_method' } });
    expect(await sub({ trial_days: -1 })).toMatchObject({ status: 400, body: { param: 'trial_days' } });
    expect(await sub({ trial_days: '7' })).toMatchObject({ status: 400, body: { param: 'trial_days' } });
    expect(await call('POST', '/v1/subscriptions', `{"customer":"${customer}","plan":"${planId}","metadata":{"__proto__":"x"}}`)).toMatchObject({ status: 400, body: { param: 'metadata.__proto__' } });
    expect(await sub({ metadata: { note: 'x'.repeat(501) } })).toMatchObject({ status: 400, body: { param: 'metadata.note' } });
    expect((await sub({ metadata: { note: 'x'.repeat(40_000) } })).status).toBe(413);
    expect(await call('POST', '/v1/subscriptions', '[1,2')).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    // Another merchant's customer and plan are unknown here.
    expect(await call('POST', '/v1/subscriptions', { customer, plan: planId }, h.otherKey)).toMatchObject({ status: 400, body: { code: 'no_such_plan' } });
    // A card saved but not this customer's.
    const stray = await call('POST', '/v1/payment_methods', { type: 'card', card: { number: CARDS.mastercard, exp_month: 12, exp_year: 2035 } });
    expect(await sub({ payment_method: stray.body.id })).toMatchObject({ status: 400, body: { code: 'payment_method_not_attached', param: 'payment_method' } });
    await nothingChanged();
  });

  it('cancel and the lists: bad ids, bodies and filters change nothing', async () => {
    const created = await call('POST', '/v1/subscriptions', { customer, plan: planId });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(await call('POST', `/v1/subscriptions/${id}/cancel`, { at_period_end: 'yes' })).toMatchObject({ status: 400, body: { param: 'at_period_end' } });
    expect(await call('POST', `/v1/subscriptions/${id}/cancel`, { now: true })).toMatchObject({ status: 400, body: { param: 'now' } });
    expect(await call('POST', `/v1/subscriptions/${id}/cancel`, '{"at_period_end":')).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    expect(await call('POST', '/v1/subscriptions/sub_%3Cscript%3E/cancel')).toMatchObject({ status: 400, body: { param: 'id' } });
    expect(await call('POST', `/v1/subscriptions/${UNKNOWN.sub}/cancel`)).toMatchObject({ status: 404 });
    expect((await call('POST', `/v1/subscriptions/${id}/cancel`, undefined, h.otherKey)).status).toBe(404);
    expect((await call('GET', `/v1/subscriptions/${id}`)).body).toMatchObject({ status: 'active', cancel_at_period_end: false, canceled_at: null });

    expect(await call('GET', '/v1/subscriptions?status=gone')).toMatchObject({ status: 400, body: { param: 'status' } });
    expect(await call('GET', '/v1/subscriptions?customer=cus_1')).toMatchObject({ status: 400, body: { param: 'customer' } });
    expect(await call('GET', '/v1/invoices?subscription=sub_1')).toMatchObject({ status: 400, body: { param: 'subscription' } });
    expect(await call('GET', '/v1/invoices?limit=101')).toMatchObject({ status: 400, body: { param: 'limit' } });
    expect(await call('GET', '/v1/invoices/in_%00')).toMatchObject({ status: 400, body: { param: 'id' } });
    expect(await call('GET', `/v1/invoices/${UNKNOWN.invoice}`)).toMatchObject({ status: 404 });
    expect(await call('GET', `/v1/subscriptions/${UNKNOWN.sub}/invoices`)).toMatchObject({ status: 404 });
    expect((await call('GET', `/v1/subscriptions/${id}/invoices`)).body.data).toHaveLength(1);
  });

  it('needs the billing scopes', async () => {
    const { generateApiKey, hashApiKey, keyHint } = await import('../../src/domain/api-keys.js');
    const merchantId = (await h.repositories.merchants.findByName('one'))!;
    const reader = generateApiKey('test');
    await h.repositories.merchants.addApiKey({ merchantId, keyHash: await hashApiKey(reader), hint: keyHint(reader), label: 'reader', scopes: ['billing:read'] });
    expect((await call('GET', '/v1/plans', undefined, reader)).status).toBe(200);
    expect(await call('POST', '/v1/plans', plan, reader)).toMatchObject({ status: 403, body: { code: 'insufficient_scope', required_scope: 'billing:write' } });
    expect(await call('POST', '/v1/subscriptions', { customer, plan: planId }, reader)).toMatchObject({ status: 403 });
    await nothingChanged();
  });
});
