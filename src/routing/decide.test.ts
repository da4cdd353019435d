import { describe, expect, it } from 'vitest';
import { seededRandom } from '../domain/random.js';
import { decide, ineligibility, type DecideInput, type GatewayCandidate, type Health } from './decide.js';
import type { RoutingTransaction } from './rules/transaction.js';
import { SuccessRateLearner } from './learner/index.js';
import { CARD_CAPABILITIES, compileYaml, GATEWAYS, tx } from './rules/test-helpers.js';
import { successModel } from './success-model.js';
import { decline } from '../domain/decline.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import { parseFeeSchedules } from './fees/parse.js';
import { readLoggedDecision } from './backtest/logged-decision.js';
import { firstChoiceUnder } from './backtest/policy.js';

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

describe('decide: expected value of the whole order', () => {
  const FEES = `
gateways:
  stripe: { country: US, settlement_currencies: [USD], prices: { USD: { percent_bps: 290, fixed: 30 } } }
  adyen: { country: US, settlement_currencies: [USD], prices: { USD: { percent_bps: 150, fixed: 20 } } }
  braintree: { country: US, settlement_currencies: [USD], prices: { USD: { percent_bps: 220, fixed: 25 } } }
`;
  const parsed = parseFeeSchedules(FEES, 'fees.yaml');
  if ('errors' in parsed) throw new Error(JSON.stringify(parsed.errors));
  const priced = GATEWAYS.map((name) => ({ ...candidates()[GATEWAYS.indexOf(name)]!, fees: parsed.schedules.get(name)! }));
  const APPROVED: AuthorizationOutcome = { kind: 'approved', reference: 'r', captured: true };
  const SOFT: AuthorizationOutcome = { kind: 'declined', reference: 'r', decline: decline('do_not_honor', '05') };

  /** Stripe approves 91 %, Adyen 89 %, Braintree 86 %; `failover`: a decline goes on to the next gateway, which approves as its own rate says. */
  function learnedModel(failover: boolean) {
    const learned = successModel(new SuccessRateLearner());
    const random = seededRandom(4);
    for (let i = 0; i < 4000; i++) {
      const payment = tx({ paymentId: `pay_${i}`, amount: 100_000 });
      const order: [string, number][] = i % 2 ? [['stripe', 0.91], ['adyen', 0.89], ['braintree', 0.86]] : [['adyen', 0.89], ['stripe', 0.91], ['braintree', 0.86]];
      for (const [name, rate] of order) {
        const approved = random() < rate;
        learned.record(`gwa_${name}`, payment, approved ? APPROVED : SOFT);
        if (approved || !failover) break;
      }
    }
    return learned;
  }

  const large = tx({ paymentId: 'pay_next', amount: 100_000 });

  it('keeps the more reliable gateway first on a large amount while no fallback has rescued a decline', () => {
    const { explanation } = decide(input({ tx: large, candidates: priced, model: learnedModel(false), explore: false }));
    expect(explanation.order[0]).toBe('stripe');
  });

  it('puts the cheaper gateway first when its declines are rescued by the next gateway', () => {
    const { explanation } = decide(input({ tx: large, candidates: priced, model: learnedModel(true), explore: false }));
    expect(explanation.order[0]).toBe('adyen');
    const scores = Object.fromEntries(explanation.candidates.map((c) => [c.gateway, c.score!]));
    expect(scores.adyen!).toBeGreaterThan(scores.stripe!);
    // Live traffic would follow the same order nearly always.
    expect(firstProbabilities(explanation).adyen!).toBeGreaterThan(0.9);
  });

  it('logs the rescue it scored with, so a backtest of the same policy finds the same first choices', () => {
    const learned = learnedModel(true);
    const { explanation } = decide(input({ tx: large, candidates: priced, model: learned, explore: true }));
    expect(explanation.rescue).toBeGreaterThan(0.5);
    const logged = readLoggedDecision(JSON.parse(JSON.stringify(explanation)))!;
    const replayed = firstChoiceUnder(null, large, logged);
    for (const [gateway, p] of logged.firstProbabilities) expect(replayed.get(gateway) ?? 0).toBeCloseTo(p, 3);
    // Read as a single attempt, the same decision would have gone elsewhere more often than not.
    const single = firstChoiceUnder(null, large, readLoggedDecision({ ...JSON.parse(JSON.stringify(explanation)), rescue: 0 })!);
    expect(single.get('stripe')!).toBeGreaterThan(0.5);
    // A rescue no decision could have scored with is not read as one.
    for (const rescue of [1, -0.1, '0.5']) expect(readLoggedDecision({ ...JSON.parse(JSON.stringify(explanation)), rescue })).toBeNull();
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

describe('eligibility of a wallet token or nonce', () => {
  const wallets = { ...CARD_CAPABILITIES, paymentMethods: ['card', 'apple_pay', 'google_pay'] as const };
  const gateway = (provider: string): GatewayCandidate => ({ accountId: `gwa_${provider}`, name: provider, provider, capabilities: { ...wallets, paymentMethods: [...wallets.paymentMethods] }, health: 'closed', fees: null });
  const payment = (tokenProviders: readonly string[] | null | undefined): RoutingTransaction => ({
    paymentId: 'pay_1',
    amount: 1000,
    currency: 'USD',
    paymentMethod: 'apple_pay',
    card: { network: 'visa', type: null, bin: null, issuerCountry: null },
    billingCountry: null,
    captureMethod: 'automatic',
    initiator: 'customer',
    metadata: {},
    ...(tokenProviders === undefined ? {} : { tokenProviders }),
  });

  it('an Apple Pay token goes to any gateway that decrypts wallet tokens, never to one that takes only its client SDK\'s nonces', () => {
    expect(ineligibility(gateway('stripe'), payment(null))).toBeNull();
    expect(ineligibility(gateway('braintree'), payment(null))).toBe('wallet_token_for_another_gateway');
  });

  it('a Braintree nonce goes to Braintree only', () => {
    expect(ineligibility(gateway('braintree'), payment(['braintree']))).toBeNull();
    expect(ineligibility(gateway('checkout'), payment(['braintree']))).toBe('wallet_token_for_another_gateway');
  });

  it('a probe of the method alone (no token at hand, as the methods menu asks) is eligible at either kind of gateway', () => {
    expect(ineligibility(gateway('braintree'), payment(undefined))).toBeNull();
  });
});
