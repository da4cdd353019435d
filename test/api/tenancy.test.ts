import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentBody, startHarness, type Harness } from '../support/harness.js';

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
});
