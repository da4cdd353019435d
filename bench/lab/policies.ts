/**
 * The routing policies the lab compares. Each answers an order of gateway indices for one
 * transaction and hears every attempt's outcome. Only `switchyard` is the real engine:
 * the real decide() on a real compiled ruleset, real fee schedules and the real learner.
 */
import type { Capabilities } from '../../adapters/testkit/contract.js';
import type { AuthorizationOutcome } from '../../src/domain/outcome.js';
import { seededRandom } from '../../src/domain/random.js';
import { DEFAULT_BREAKER_SETTINGS, breakerBoard } from '../../src/orchestrator/breakers.js';
import { decide, type GatewayCandidate } from '../../src/routing/decide.js';
import { parseFeeSchedules } from '../../src/routing/fees/parse.js';
import { feeFor, type FeeSchedule } from '../../src/routing/fees/schedule.js';
import { SuccessRateLearner, type LearnerConfig } from '../../src/routing/learner/learner.js';
import { compile, type CompiledRuleset } from '../../src/routing/rules/compile.js';
import { parseRuleset } from '../../src/routing/rules/parse.js';
import type { RoutingTransaction } from '../../src/routing/rules/transaction.js';
import { successModel } from '../../src/routing/success-model.js';
import { manualClock } from '../../test/support/clock.js';
import { G, GATEWAYS, attemptOdds, trueApproval, type World } from './env.js';

export interface Policy {
  readonly name: string;
  /** Gateway indices, primary first. */
  order(tx: RoutingTransaction, i: number): readonly number[];
  observe(g: number, tx: RoutingTransaction, i: number, outcome: AuthorizationOutcome): void;
  /** Calls the gateway through the policy's own guard (Switchyard's circuit breakers); absent: called directly. */
  call?(g: number, attempt: () => AuthorizationOutcome): Promise<AuthorizationOutcome>;
  /** A new transaction arrives: the policy's clock moves on by one interval. */
  tick?(): void;
  /** The run is over: timers stop. */
  close?(): void;
}

export const POLICY_NAMES = ['switchyard', 'static', 'uniform', 'decision_engine_sr', 'decision_engine_sr_segmented', 'oracle', 'oracle_order'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export function feeSchedules(yaml: string): FeeSchedule[] {
  const parsed = parseFeeSchedules(yaml, 'lab-fees.yaml');
  if ('errors' in parsed) throw new Error(`lab fee file: ${JSON.stringify(parsed.errors)}`);
  return GATEWAYS.map((g) => parsed.schedules.get(g)!);
}

/** Fees of every gateway for one transaction, minor units (the real fee schedule's answer). */
export function feesOf(schedules: readonly FeeSchedule[], tx: RoutingTransaction, out: Float64Array): Float64Array {
  for (let g = 0; g < G; g++) out[g] = feeFor(schedules[g]!, tx) ?? 0;
  return out;
}

const INDEX = new Map<string, number>(GATEWAYS.map((g, i) => [g, i]));

/** Everything a card gateway can take: eligibility is not what the lab measures. */
const CAPABILITIES: Capabilities = {
  paymentMethods: ['card'],
  cardNetworks: ['visa', 'mastercard', 'amex'],
  currencies: '*',
  countries: '*',
  captureMethods: ['automatic', 'manual'],
  partialCapture: true,
  multipleCapture: false,
  voids: true,
  refunds: true,
  partialRefund: true,
  multipleRefunds: true,
  idempotency: true,
  syncWithoutReference: true,
  asyncModifications: false,
  threeDSecure: true,
  amountLimits: { min: 1, max: 100_000_000 },
  amountSteps: {},
};

export const LAB_RULESET = `
# The routing lab's merchant: no rules, the default optimizes expected value among all gateways.
rules: []
default:
  optimize: { objective: expected_value, among: [${GATEWAYS.join(', ')}] }
`;

export function compiledLabRuleset(): CompiledRuleset {
  const parsed = parseRuleset(LAB_RULESET, 'lab-rules.yaml', GATEWAYS);
  if ('errors' in parsed) throw new Error(`lab ruleset: ${JSON.stringify(parsed.errors)}`);
  return compile(parsed.ruleset, GATEWAYS);
}

/**
 * Simulated time between transactions: 5 a second. With the default breaker settings (50 %
 * failures over ≥ 5 calls in a 10 s window, 5 s before half-open) the rolling window holds
 * the last 50 transactions and an open breaker half-opens 25 transactions later.
 */
export const MS_PER_TRANSACTION = 200;

/**
 * The real engine, as the orchestrator runs it: decide() over candidates whose health is the
 * real breakers' state, every attempt through the account's breaker, every outcome back into
 * the learner. The breakers run on a simulated clock that moves MS_PER_TRANSACTION per transaction.
 * `learner` overrides the learner's defaults, for tuning runs.
 */
export function switchyard(schedules: readonly FeeSchedule[], seed: number, learner: Partial<LearnerConfig> = {}): Policy {
  const model = successModel(new SuccessRateLearner(learner));
  const clock = manualClock();
  const breakers = breakerBoard(DEFAULT_BREAKER_SETTINGS, clock);
  const ruleset = { version: 1, compiled: compiledLabRuleset() };
  const candidates: GatewayCandidate[] = GATEWAYS.map((name, g) => ({
    accountId: `gwa_${name}`,
    name,
    provider: 'simulated',
    capabilities: CAPABILITIES,
    health: 'closed',
    fees: schedules[g]!,
  }));
  const random = seededRandom(seed);
  let counter = 0;
  return {
    name: 'switchyard',
    tick: () => clock.advance(MS_PER_TRANSACTION),
    order(tx) {
      counter = (counter + 1) % 10;
      for (const c of candidates) c.health = breakers.state(c.accountId);
      const { order } = decide({ tx, candidates, ruleset, explicit: null, model, random, probe: { every: 10, counter } });
      return order.map((c) => INDEX.get(c.name)!);
    },
    call: (g, attempt) => breakers.run(candidates[g]!.accountId, async () => attempt()),
    observe(g, tx, _i, outcome) {
      model.record(candidates[g]!.accountId, tx, outcome);
    },
    close: () => breakers.shutdown(),
  };
}

/** A fixed order: the gateway best at the start first. */
export function staticPriority(order: readonly number[]): Policy {
  return { name: 'static', order: () => order, observe() {} };
}

/** Equal random weights: a random permutation per transaction. */
export function uniform(seed: number): Policy {
  const random = seededRandom(seed);
  const order = GATEWAYS.map((_, g) => g);
  return {
    name: 'uniform',
    order() {
      for (let k = order.length - 1; k > 0; k--) {
        const j = Math.floor(random() * (k + 1));
        [order[k], order[j]] = [order[j]!, order[k]!];
      }
      return order;
    },
    observe() {},
  };
}

/** Knows the true current approval rates, outages and fees: best expected value first. */
export function oracle(world: World, schedules: readonly FeeSchedule[]): Policy {
  const fees = new Float64Array(G);
  const value = new Float64Array(G);
  const order = GATEWAYS.map((_, g) => g);
  return {
    name: 'oracle',
    order(tx, i) {
      feesOf(schedules, tx, fees);
      for (let g = 0; g < G; g++) value[g] = trueApproval(world, g, tx, i) * (tx.amount - fees[g]!);
      order.sort((x, y) => value[y]! - value[x]! || x - y);
      return order;
    },
    observe() {},
  };
}

/** Every order of the gateways 0..n−1. */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((rest) => Array.from({ length: n }, (_, k) => [...rest.slice(0, k), n - 1, ...rest.slice(k)]));
}

/**
 * The yardstick for scenarios judged on net: knows the true current rates, outages and fees and
 * picks, per transaction, the whole order (every permutation, failover included, up to
 * `maxAttempts` attempts) with the highest expected net, Σₖ aₖ(amount − feeₖ) Πⱼ₍<ₖ₎ cⱼ, with aₖ the
 * chance attempt k approves and cⱼ the chance attempt j fails over (`attemptOdds`). An order
 * only as good as the first-attempt oracle's keeps that one, so where fees are equal and no
 * gateway is down (every order then has the same expected net) the two oracles agree.
 */
export function wholeOrderOracle(world: World, schedules: readonly FeeSchedule[], maxAttempts: number): Policy {
  const fees = new Float64Array(G);
  const approve = new Float64Array(G);
  const cascade = new Float64Array(G);
  const firstAttempt = oracle(world, schedules);
  const orders = permutations(G);
  const value = (order: readonly number[], amount: number) => {
    let total = 0;
    let reach = 1;
    for (let k = 0; k < Math.min(maxAttempts, order.length); k++) {
      const g = order[k]!;
      total += reach * approve[g]! * (amount - fees[g]!);
      reach *= cascade[g]!;
    }
    return total;
  };
  return {
    name: 'oracle_order',
    order(tx, i) {
      feesOf(schedules, tx, fees);
      for (let g = 0; g < G; g++) ({ approve: approve[g], cascade: cascade[g] } = attemptOdds(world, g, tx, i));
      let best = firstAttempt.order(tx, i);
      let bestValue = value(best, tx.amount);
      for (const order of orders) {
        const v = value(order, tx.amount);
        if (v > bestValue + 1e-9 * Math.abs(bestValue)) {
          best = order;
          bestValue = v;
        }
      }
      return best;
    },
    observe() {},
  };
}
