import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxClient } from '../support/sandbox-client.js';

describe('routing dry runs', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  beforeAll(async () => {
    t = await sandboxClient();
  });
  afterAll(() => t.close());

  const request = (extra: Record<string, unknown> = {}) => ({
    amount: 2500,
    currency: 'USD',
    payment_method: { type: 'card', card: { number: '4111111111111111', exp_month: 12, exp_year: 2030, cvc: '123' } },
    ...extra,
  });
  const decide = async (extra: Record<string, unknown> = {}) => {
    const res = await t.api('POST', '/v1/routing/decide', request(extra));
    expect(res.status).toBe(200);
    return res.body;
  };

  it('answer the same order for the same request, and say how often live traffic would send it to each gateway first', async () => {
    // No outcomes yet: every gateway's posterior is the wide prior, so live draws disagree a lot.
    await t.activate('default: { optimize: { objective: success_rate } }\n');
    const answers: Awaited<ReturnType<typeof decide>>[] = [];
    for (let i = 0; i < 20; i++) answers.push(await decide());
    expect(new Set(answers.map((a) => a.order.join()))).toHaveProperty('size', 1);
    expect(answers[0]).toMatchObject({ explore: false, probe: false, action: 'optimize' });
    const first = answers[0].candidates.map((c: { first_probability: number }) => c.first_probability);
    for (const answer of answers) expect(answer.candidates.map((c: { first_probability: number }) => c.first_probability)).toEqual(first);
    expect(first.reduce((s: number, p: number) => s + p, 0)).toBeCloseTo(1, 4);
    // The four card gateways share the first place; PayPal and GoCardless take no cards.
    const eligible = answers[0].candidates.map((c: { eligible: boolean }) => c.eligible);
    expect(eligible.filter(Boolean)).toHaveLength(4);
    first.forEach((p: number, i: number) => (eligible[i] ? expect(p).toBeGreaterThan(0.2) : expect(p).toBe(0)));
    expect(answers[0].propensity).toBe(first[answers[0].candidates.findIndex((c: { gateway: string }) => c.gateway === answers[0].order[0])]);
  });

  it('explore as live traffic does when asked', async () => {
    const orders = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const answer = await decide({ explore: true });
      expect(answer.explore).toBe(true);
      orders.add(answer.order[0]);
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('put the same request in the same split bucket every time, with the weights as what live traffic would do', async () => {
    await t.activate('default: { split: { stripe: 50, braintree: 50 } }\n');
    const firsts = new Set<string>();
    for (let i = 0; i < 10; i++) firsts.add((await decide({ metadata: { order: 'A-17' } })).order[0]);
    expect(firsts.size).toBe(1);
    const answer = await decide({ metadata: { order: 'A-17' } });
    expect(Object.fromEntries(answer.candidates.map((c: { gateway: string; first_probability: number }) => [c.gateway, c.first_probability]))).toEqual({ stripe: 0.5, adyen: 0, braintree: 0.5, checkout: 0, paypal: 0, gocardless: 0, bitpay: 0 });
    // Other requests spread over both sides, as payments do.
    const spread = new Set<string>();
    for (let i = 0; i < 20; i++) spread.add((await decide({ metadata: { order: `B-${i}` } })).order[0]);
    expect(spread).toEqual(new Set(['stripe', 'braintree']));
  });

  it('refuse an explore flag that is not a boolean', async () => {
    const res = await t.api('POST', '/v1/routing/decide', request({ explore: 'yes' }));
    expect(res).toMatchObject({ status: 400, body: { param: 'explore' } });
  });
});
