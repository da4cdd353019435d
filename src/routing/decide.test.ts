import { describe, expect, it } from 'vitest';
import { seededRandom } from '../domain/random.js';
import { decide, ineligibility, type DecideInput, type GatewayCandidate, type Health } from './decide.js';
import type { RoutingTransaction } from './rules/transaction.js';
import { SuccessRateLearner } from './learner/index.js';
import { CARD_CAPABILITIES, compileYaml, GATEWAYS, tx } from './rules/test-helpers.js';
import { successModel } from './success-model.js';

const candidates = (health: Partial<Record<string, Health>> = {}): GatewayCandidate[] =>
  GATEWAYS.map((name) => ({ accountId: `gwa_${name}`, name, provider: name, capabilities: CARD_CAPABILITIES, health: health[name] ?? 'closed', fees: null }));

/** Close gateways with little evidence: Thompson draws disagree often. */
function model() {
  const learner = new SuccessRateLearner();
  const segment = { paymentMethod: 'card', network: 'visa', currency: 'USD', issuerCountry: null, amountBand: 'under_100' } as const;
  for (let i = 0; i < 20; i++) {
    for (const [name, rate] of [['stripe', 0.9], ['adyen', 0.85], ['braintree', 0.8]] as const) {
      learner.update(`gwa_${name}`, segment, i % 20 < rate * 20 ? 'success' : 'failure');
    }
  }
  return successModel(learner);
}

const input = (overrides: Partial<DecideInput> = {}): DecideInput => ({
  tx: tx(),
  candidates: candidates(),
  ruleset: null,
  explicit: null,
  model: model(),
  random: seededRandom(1),
  probe: { every: 10, counter: 1 },
  ...overrides,
});

const firstProbabilities = (explanation: ReturnType<typeof decide>['explanation']) =>
  Object.fromEntries(explanation.candidates.map((c) => [c.gateway, c.first_probability]));

describe('decide: dry runs and logged propensities', () => {
  it('answers the same order every time without exploration, and says what live traffic would do', () => {
    const shared = input({ explore: false });
    const answers = Array.from({ length: 20 }, () => decide({ ...shared, random: seededRandom(Math.floor(Math.random() * 1e9)) }).explanation);
    expect(new Set(answers.map((a) => a.order.join()))).toEqual(new Set(['stripe,adyen,braintree']));
    expect(answers[0]).toMatchObject({ explore: false, probe: false });
    const first = firstProbabilities(answers[0]!);
    // Live traffic explores: every close gateway gets a real share of first places, the best the most.
    expect(first.stripe!).toBeGreaterThan(first.adyen!);
    expect(first.braintree!).toBeGreaterThan(0.02);
    expect(first.stripe! + first.adyen! + first.braintree!).toBeCloseTo(1, 5);
  });

  it('explores when asked: over many draws each gateway goes first about as often as its first_probability says', () => {
    const random = seededRandom(3);
    const counts: Record<string, number> = {};
    const runs = 4000;
    let first: Record<string, number> = {};
    for (let i = 0; i < runs; i++) {
      const { explanation } = decide(input({ random, explore: true }));
      counts[explanation.order[0]!] = (counts[explanation.order[0]!] ?? 0) + 1;
      first = firstProbabilities(explanation);
      expect(explanation.propensity).toBe(first[explanation.order[0]!]);
    }
    for (const gateway of GATEWAYS) expect(Math.abs((counts[gateway] ?? 0) / runs - first[gateway]!)).toBeLessThan(0.03);
  });

  it('logs a fixed route as certain, a split by its weights, and a block as nothing tried', () => {
    const route = decide(input({ ruleset: { version: 1, compiled: compileYaml('default: { route: [adyen, stripe] }\n') } })).explanation;
    expect(route).toMatchObject({ order: ['adyen', 'stripe'], propensity: 1 });
    expect(firstProbabilities(route)).toEqual({ stripe: 0, adyen: 1, braintree: 0 });

    const split = decide(input({ ruleset: { version: 1, compiled: compileYaml('default: { split: { stripe: 70, braintree: 30 } }\n') } })).explanation;
    expect(firstProbabilities(split)).toEqual({ stripe: 0.7, adyen: 0, braintree: 0.3 });
    expect(split.propensity).toBe(split.order[0] === 'stripe' ? 0.7 : 0.3);

    // A split whose heavier side is down: its buckets fall through to the other.
    const down = decide(input({ candidates: candidates({ stripe: 'open' }), ruleset: { version: 1, compiled: compileYaml('default: { split: { stripe: 70, braintree: 30 } }\n') } })).explanation;
    expect(firstProbabilities(down)).toEqual({ stripe: 0, adyen: 0, braintree: 1 });

    const block = decide(input({ ruleset: { version: 1, compiled: compileYaml('default: { block: { code: nope } }\n') } })).explanation;
    expect(block).toMatchObject({ order: [], propensity: null });
  });

  it('marks a half-open probe as certain for its slot, and otherwise keeps half-open gateways out of first place', () => {
    const half = candidates({ braintree: 'half_open' });
    const probe = decide(input({ candidates: half, probe: { every: 10, counter: 10 } })).explanation;
    expect(probe).toMatchObject({ probe: true, propensity: 1 });
    expect(probe.order[0]).toBe('braintree');
    const normal = decide(input({ candidates: half, probe: { every: 10, counter: 3 } })).explanation;
    expect(normal.probe).toBe(false);
    expect(firstProbabilities(normal).braintree).toBe(0);
  });
});

describe('eligibility of a payer-approval method', () => {
  const paypal: GatewayCandidate = { accountId: 'gwa_paypal', name: 'paypal', provider: 'paypal', capabilities: { ...CARD_CAPABILITIES, paymentMethods: ['paypal'], cardNetworks: [] }, health: 'closed', fees: null };
  const payment = (paymentMethod: RoutingTransaction['paymentMethod']): RoutingTransaction => ({
    paymentId: 'pay_1',
    amount: 1000,
    currency: 'EUR',
    paymentMethod,
    card: { network: 'unknown', type: null, bin: null, issuerCountry: null },
    billingCountry: null,
    captureMethod: 'automatic',
    initiator: 'customer',
    metadata: {},
  });

  it('a PayPal payment needs no card network; a card payment still does', () => {
    expect(ineligibility(paypal, payment('paypal'))).toBeNull();
    expect(ineligibility({ ...paypal, capabilities: { ...paypal.capabilities, paymentMethods: ['card', 'paypal'] } }, payment('card'))).toBe('card_network_not_supported');
  });

  it('a gateway that does not declare PayPal is not eligible for it', () => {
    expect(ineligibility({ ...paypal, capabilities: { ...CARD_CAPABILITIES } }, payment('paypal'))).toBe('payment_method_not_supported');
  });
});
