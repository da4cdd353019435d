import { describe, expect, it } from 'vitest';
import type { RoutingTransaction } from '../../src/routing/rules/transaction.js';
import type { World } from './env.js';
import { feeSchedules, oracle, wholeOrderOracle } from './policies.js';

const fees = (prices: readonly [number, number][]) =>
  feeSchedules(`
gateways:
${prices
  .map(
    ([bps, fixed], g) => `  gw_${'abc'[g]}:
    country: US
    settlement_currencies: [USD]
    prices:
      USD: { percent_bps: ${bps}, fixed: ${fixed} }`,
  )
  .join('\n')}
`);

const tx: RoutingTransaction = {
  paymentId: 'pay_1',
  amount: 10_000,
  currency: 'USD',
  paymentMethod: 'card',
  card: { network: 'visa', type: 'credit', bin: '424242', issuerCountry: 'US' },
  billingCountry: 'US',
  captureMethod: 'automatic',
  initiator: 'customer',
  metadata: {},
};

const world = (rates: readonly number[], down: readonly boolean[] = [false, false, false]): World => ({ rate: (g) => rates[g]!, down: (g) => down[g]! });

describe('the whole-order oracle', () => {
  it('puts a cheaper, slightly worse gateway first when failover rescues its declines', () => {
    // The lab's `cost` prices: gw_a 0.91 at 2.9 % + 30, gw_b 0.89 at 1.5 % + 20, gw_c 0.86 at 2.2 % + 25.
    const schedules = fees([
      [290, 30],
      [150, 20],
      [220, 25],
    ]);
    const truth = world([0.91, 0.89, 0.86]);
    // On the first attempt alone gw_a is worth more (0.91 × 9,680 against 0.89 × 9,830)…
    expect(oracle(truth, schedules).order(tx, 0)).toEqual([0, 1, 2]);
    // …but failover rescues most declines, so cheapest first wins: gw_b, gw_c, gw_a nets about
    // 9,817 a payment (of the 97 % the issuer does not refuse), gw_a, gw_b, gw_c about 9,683.
    expect(wholeOrderOracle(truth, schedules, 3).order(tx, 0)).toEqual([1, 2, 0]);
  });

  it('agrees with the first-attempt oracle where fees are equal', () => {
    const schedules = fees([
      [290, 30],
      [290, 30],
      [290, 30],
    ]);
    expect(wholeOrderOracle(world([0.85, 0.92, 0.88]), schedules, 3).order(tx, 0)).toEqual([1, 2, 0]);
  });

  it('puts a down gateway last, whatever its rate and price', () => {
    const schedules = fees([
      [100, 0],
      [290, 30],
      [290, 30],
    ]);
    expect(wholeOrderOracle(world([0.95, 0.88, 0.9], [true, false, false]), schedules, 3).order(tx, 0)).toEqual([2, 1, 0]);
  });

  it('values only the attempts the router makes', () => {
    // With one attempt, failover rescues nothing: the first attempt's expected value decides.
    const schedules = fees([
      [290, 30],
      [150, 20],
      [220, 25],
    ]);
    expect(wholeOrderOracle(world([0.91, 0.89, 0.86]), schedules, 1).order(tx, 0)[0]).toBe(0);
  });
});
