import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARDS, paymentBody, startHarness, type Harness } from '../support/harness.js';

/** Principle 10: tenants share nothing but the code. Two merchants, each with an account named `stripe`. */
describe('what one merchant teaches routing stays its own', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h.close());

  const health = async (key: string) => (await (await h.request('GET', '/v1/gateways/health', { key })).json()).data[0];

  it("one merchant's failing traffic moves neither the other's estimates nor its health", async () => {
    const before = await health(h.key);
    // The issuer declines everything for a while, and only the second merchant pays meanwhile.
    h.stripe.setApprovalRates([{ rate: 0 }], 1);
    for (let i = 0; i < 12; i++) {
      const res = await h.request('POST', '/v1/payments', { key: h.otherKey, body: paymentBody() });
      expect((await res.json()).status).toBe('failed');
    }
    h.stripe.setApprovalRates([]);
    const other = await health(h.otherKey);
    expect(other.success_rate.samples).toBeGreaterThan(0);
    expect(other.success_rate.probability).toBeLessThan(before.success_rate.probability);
    expect(await health(h.key)).toEqual(before);
    // And the first merchant's decision sees its own, untouched estimate.
    const decision = await (await h.request('POST', '/v1/routing/decide', { body: paymentBody() })).json();
    expect(decision.candidates[0]).toMatchObject({ probability: before.success_rate.probability, samples: 0 });
  });

  it('fingerprints a card differently per merchant, so two merchants cannot link one customer', async () => {
    const one = await (await h.request('POST', '/v1/payments', { body: paymentBody() })).json();
    const two = await (await h.request('POST', '/v1/payments', { key: h.otherKey, body: paymentBody() })).json();
    expect(one.payment_method.card.fingerprint).not.toBe(two.payment_method.card.fingerprint);
    const again = await (await h.request('POST', '/v1/payments', { body: paymentBody() })).json();
    expect(again.payment_method.card.fingerprint).toBe(one.payment_method.card.fingerprint);
  });

  it('keeps the network retry guard card-wide: declines at one merchant count at the other', async () => {
    const declined = paymentBody({}, { number: CARDS.insufficientFunds });
    for (let i = 0; i < 15; i++) {
      const res = await h.request('POST', '/v1/payments', { body: declined });
      expect((await res.json()).failure.code).toBe('insufficient_funds');
    }
    const elsewhere = await (await h.request('POST', '/v1/payments', { key: h.otherKey, body: declined })).json();
    expect(elsewhere).toMatchObject({ status: 'failed', failure: { code: 'card_retry_limit_reached' }, attempts: [] });
    // What the guard stores of the card is a keyed hash: neither the number nor either merchant's fingerprint.
    const dump = await h.database.dump();
    expect(dump).not.toContain(CARDS.insufficientFunds);
  });
});
