import type { RouteAction } from './rules/compile.js';
import type { Objective } from './rules/ruleset.js';
import type { Posterior } from './learner/index.js';
import { firstChoiceProbabilities } from './scoring/index.js';

/** An eligible gateway as the live policy weighs it: its posterior, its fee, its breaker. */
export interface ChoiceCandidate {
  gateway: string;
  /** What its Thompson draw comes from. */
  draw: Posterior;
  /** Minor units. */
  fee: number;
  /** What a failed attempt here is still worth through the fallbacks (`score`); 0 when absent. */
  rescue?: number;
  health: 'closed' | 'half_open';
}

/** A split's order for the gateway its bucket chose: that one, then the others by weight, heaviest first. */
export function splitOrder(chosen: string, weights: Readonly<Record<string, number>>): string[] {
  const rest = Object.keys(weights)
    .filter((n) => n !== chosen)
    .sort((a, b) => weights[b]! - weights[a]! || a.localeCompare(b));
  return [chosen, ...rest];
}

/**
 * The probability that each eligible gateway goes first for this transaction under the live
 * policy: a fixed route's first eligible gateway always; a split's buckets by weight (a payment
 * id is random, so its bucket is too); an optimize action's Thompson draws, closed breakers
 * before half-open ones, unless this transaction is a half-open gateway's probe (`probe`). A
 * block sends nothing anywhere. Eligible gateways in the merchant's order; absent ones are 0.
 */
export function firstChoice(
  action: RouteAction,
  objective: Objective,
  eligible: readonly ChoiceCandidate[],
  amount: number,
  probe: string | null,
): Map<string, number> {
  const out = new Map<string, number>();
  const isEligible = (name: string) => eligible.some((c) => c.gateway === name);
  const add = (name: string | undefined, p: number) => {
    if (name !== undefined) out.set(name, (out.get(name) ?? 0) + p);
  };
  switch (action.kind) {
    case 'block':
      return out;
    case 'route':
      add(action.gateways.find(isEligible), 1);
      return out;
    case 'split':
      for (const [name, weight] of Object.entries(action.weights)) add(splitOrder(name, action.weights).find(isEligible), weight / 100);
      return out;
    case 'optimize': {
      if (probe !== null) {
        out.set(probe, 1);
        return out;
      }
      const among = action.among;
      const pool = among ? eligible.filter((c) => among.includes(c.gateway)) : eligible;
      const closed = pool.filter((c) => c.health === 'closed');
      const contenders = closed.length > 0 ? closed : pool;
      const probabilities = firstChoiceProbabilities(
        contenders.map((c) => ({ mean: c.draw.mean, weight: c.draw.weight, down: c.draw.down, fee: c.fee, rescue: c.rescue })),
        objective,
        amount,
      );
      contenders.forEach((c, i) => add(c.gateway, probabilities[i]!));
      return out;
    }
  }
}
