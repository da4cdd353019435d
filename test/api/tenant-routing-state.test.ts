import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/domain/api-keys.js';
import { manualClock } from '../support/clock.js';
import { DRIVERS } from '../support/databases.js';
import { paymentBody, startHarness, type Harness } from '../support/harness.js';

/**
 * Principle 10 for everything routing keeps in memory: two merchants whose accounts share a
 * provider and a name (`stripe`). What one merchant's traffic does to its learner and breaker
 * must not show in the other's estimates, order, breakers or health.
 */
/**
 * A different Visa card per payment (BIN 424242, Luhn-valid): the network retry guard counts
 * declines per card across merchants, and would otherwise stop the traffic this test needs.
 */
function card(n: number): { number: string } {
  const body = `424242${String(n).padStart(9, '0')}`;
  const sum = [...body].reverse().reduce((total, digit, i) => {
    const d = Number(digit) * (i % 2 === 0 ? 2 : 1);
    return total + (d > 9 ? d - 9 : d);
  }, 0);
  return { number: `${body}${(10 - (sum % 10)) % 10}` };
}

describe.each(DRIVERS)('routing state of two merchants side by side, on %s', (driver) => {
  let h: Harness;
  beforeAll(async () => {
    // The breakers' rolling window turns only when the test moves this clock: counts stay put.
    h = await startHarness(driver, { breakerClock: manualClock() });
  });
  afterAll(() => h.close());

  const merchantOf = async (key: string) => (await h.repositories.merchants.keyForHash(await hashApiKey(key), new Date()))!.merchantId;
  const health = async (key: string) => (await (await h.request('GET', '/v1/gateways/health', { key })).json()).data as Array<Record<string, unknown>>;
  const decision = async (key: string) => (await h.request('POST', '/v1/routing/decide', { key, body: paymentBody() })).json();
  let cards = 0;
  const pay = async (key: string, overrides: Record<string, unknown> = {}) =>
    (await h.request('POST', '/v1/payments', { key, body: paymentBody(overrides, card(++cards)) })).json();

  it("merchant B's declines, rate limits and open breaker change nothing merchant A's routing sees", async () => {
    const a = await merchantOf(h.key);
    const backup = await h.repositories.merchants.addGatewayAccount({ merchantId: a, provider: 'stripe', name: 'backup', label: 'Backup', credentialsRef: 'sandbox:stripe' });
    // A learns that its `stripe` approves and its `backup` declines.
    for (let i = 0; i < 30; i++) expect((await pay(h.key, { routing: { gateways: ['stripe'] } })).status).toBe('succeeded');
    h.stripe.setApprovalRates([{ rate: 0 }], 1);
    for (let i = 0; i < 30; i++) expect((await pay(h.key, { routing: { gateways: ['backup'] } })).status).toBe('failed');
    const healthOfA = await health(h.key);
    const decisionOfA = await decision(h.key);
    expect(decisionOfA.order).toEqual(['stripe', 'backup']);
    const accountsOfA = healthOfA.map((g) => g.account_id as string);
    expect(accountsOfA).toContain(backup.id);

    // B: 40 soft declines on its own `stripe`, then rate limits until its breaker opens.
    for (let i = 0; i < 40; i++) expect((await pay(h.otherKey)).status).toBe('failed');
    h.stripe.setApprovalRates([]);
    h.stripe.faults.set({ kind: 'http_error', status: 429 });
    for (let i = 0; i < 45; i++) await pay(h.otherKey);
    h.stripe.faults.clear();

    const healthOfB = await health(h.otherKey);
    expect(healthOfB).toHaveLength(1);
    expect(healthOfB[0]).toMatchObject({ gateway: 'stripe', breaker: { state: 'open' } });
    const rateOfB = healthOfB[0]!.success_rate as { probability: number; samples: number };
    expect(rateOfB.samples).toBeGreaterThan(20);
    expect(rateOfB.probability).toBeLessThan(0.3);
    for (const account of accountsOfA) expect(JSON.stringify(healthOfB)).not.toContain(account);

    expect(await health(h.key)).toEqual(healthOfA);
    expect(healthOfA.find((g) => g.gateway === 'stripe')).toMatchObject({ provider: 'stripe', breaker: { state: 'closed' } });
    const after = await decision(h.key);
    expect(after.candidates).toEqual(decisionOfA.candidates);
    expect(after.order).toEqual(decisionOfA.order);
    // And A still pays through its own `stripe` while B's is open.
    const paid = await pay(h.key);
    expect(paid).toMatchObject({ status: 'succeeded', gateway: { account_id: healthOfA.find((g) => g.gateway === 'stripe')!.account_id } });
  }, 120_000);
});
