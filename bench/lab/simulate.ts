/**
 * One run: a policy routes a scenario's traffic, with the orchestrator's failover. Switchyard's
 * attempts go through its real circuit breakers (src/orchestrator/breakers.ts) on a simulated
 * clock (policies.ts); an open breaker takes the gateway out of the candidates, as in the router. An attempt
 * that does not approve is followed by the next gateway in the order only when its outcome may
 * cascade (not_processed, or a decline flagged cascade), at most 3 attempts, as in
 * `src/orchestrator/payments.ts`. An `unknown` (time-out) stops the payment: it is ambiguous
 * and would be resolved with that gateway, never retried elsewhere (principle 2).
 */
import type { AuthorizationOutcome } from '../../src/domain/outcome.js';
import type { FeeSchedule } from '../../src/routing/fees/schedule.js';
import { G, attempt, trueApproval, type Traffic, type World } from './env.js';
import { DECISION_ENGINE_SR_DEFAULTS, decisionEngineSr } from './peers/decision-engine.js';
import { feesOf, oracle, staticPriority, switchyard, uniform, wholeOrderOracle, type Policy, type PolicyName } from './policies.js';

export const MAX_ATTEMPTS = 3;

export interface RunResult {
  policy: PolicyName;
  transactions: number;
  firstApproved: number;
  finalApproved: number;
  attempts: number;
  /** Minor units, summed over approved payments (USD, EUR and GBP minor units alike). */
  fees: number;
  /** Approved amount net of fees: what the merchant keeps. */
  net: number;
  approvedBy: number[];
  primaryCount: number[];
  /** Primary gateway per transaction. */
  primary: Uint8Array;
  /** True approval probability of the primary per transaction. */
  primaryP: Float32Array;
  /** Sum over transactions of the true approval probability of the chosen primary (noise-free first-attempt rate). */
  expectedFirst: number;
  elapsedMs: number;
}

function mayCascade(outcome: AuthorizationOutcome): boolean {
  return outcome.kind === 'not_processed' || (outcome.kind === 'declined' && outcome.decline.cascade);
}

/** The gateway with the best expected value at the start comes first in the static order. */
export function staticOrder(world: World, traffic: Traffic, schedules: readonly FeeSchedule[]): number[] {
  const value = new Float64Array(G);
  const fees = new Float64Array(G);
  const sample = Math.min(traffic.txs.length, 2000);
  for (let i = 0; i < sample; i++) {
    const tx = traffic.txs[i]!;
    feesOf(schedules, tx, fees);
    for (let g = 0; g < G; g++) value[g] = value[g]! + world.rate(g, tx, 0) * (tx.amount - fees[g]!);
  }
  return [...Array(G).keys()].sort((x, y) => value[y]! - value[x]! || x - y);
}

export function makePolicy(name: PolicyName, world: World, traffic: Traffic, schedules: readonly FeeSchedule[], seed: number): Policy {
  switch (name) {
    case 'switchyard':
      return switchyard(schedules, seed * 7 + 1);
    case 'static':
      return staticPriority(staticOrder(world, traffic, schedules));
    case 'uniform':
      return uniform(seed * 7 + 2);
    case 'decision_engine_sr':
      return decisionEngineSr(name, seed * 7 + 3);
    case 'decision_engine_sr_segmented':
      return decisionEngineSr(name, seed * 7 + 4, { ...DECISION_ENGINE_SR_DEFAULTS, dimensions: ['card_network', 'country'] });
    case 'oracle':
      return oracle(world, schedules);
    case 'oracle_order':
      return wholeOrderOracle(world, schedules, MAX_ATTEMPTS);
  }
}

/** Marks a transaction no gateway was eligible for (every breaker open): no attempt, no primary. */
export const NO_PRIMARY = 255;

/** `policy` replaces the named policy's default construction (a tuning run's variant of it). */
export async function run(
  name: PolicyName,
  world: World,
  traffic: Traffic,
  schedules: readonly FeeSchedule[],
  seed: number,
  policy: Policy = makePolicy(name, world, traffic, schedules, seed),
): Promise<RunResult> {
  const n = traffic.txs.length;
  const primary = new Uint8Array(n);
  const primaryP = new Float32Array(n);
  const approvedBy = new Array<number>(G).fill(0);
  const primaryCount = new Array<number>(G).fill(0);
  const fees = new Float64Array(G);
  let firstApproved = 0;
  let finalApproved = 0;
  let attempts = 0;
  let feeTotal = 0;
  let net = 0;
  let expectedFirst = 0;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    policy.tick?.();
    const tx = traffic.txs[i]!;
    const order = policy.order(tx, i);
    const first = order[0];
    if (first === undefined) {
      primary[i] = NO_PRIMARY;
      continue;
    }
    primary[i] = first;
    primaryCount[first]!++;
    const p = trueApproval(world, first, tx, i);
    primaryP[i] = p;
    expectedFirst += p;
    const tries = Math.min(MAX_ATTEMPTS, order.length);
    for (let k = 0; k < tries; k++) {
      const g = order[k]!;
      const outcome = policy.call ? await policy.call(g, () => attempt(world, traffic, g, i)) : attempt(world, traffic, g, i);
      attempts++;
      policy.observe(g, tx, i, outcome);
      if (outcome.kind === 'approved') {
        if (k === 0) firstApproved++;
        finalApproved++;
        approvedBy[g]!++;
        const fee = feesOf(schedules, tx, fees)[g]!;
        feeTotal += fee;
        net += tx.amount - fee;
        break;
      }
      if (!mayCascade(outcome)) break;
    }
  }
  policy.close?.();
  return {
    policy: name,
    transactions: n,
    firstApproved,
    finalApproved,
    attempts,
    fees: feeTotal,
    net,
    approvedBy,
    primaryCount,
    primary,
    primaryP,
    expectedFirst,
    elapsedMs: performance.now() - started,
  };
}
