export const OBJECTIVES = ['success_rate', 'cost', 'expected_value'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export interface ScoreInput {
  /** Success probability in [0, 1]. */
  probability: number;
  /** Minor units, in the payment's currency. */
  fee: number;
}

/**
 * The highest `rescue` a score accepts. At 1 a gateway's own approval rate would no longer
 * count (every failure recovered elsewhere for free), and a dead but cheap gateway would go first.
 */
export const MAX_RESCUE = 0.95;

/**
 * Higher is better. `expected_value` is what the merchant keeps on average from the whole
 * order, fallbacks included, and ordering by it maximizes that.
 *
 * With approval p and net amount v = amount − fee per attempt, and `rescue` κ (what a failed
 * attempt is still worth: the chance it cascades to the next gateway times how that gateway
 * then fares against its own estimate, `RescueRate`), an order is worth
 * V = p₁v₁ + (1 − p₁)κ(p₂v₂ + (1 − p₂)κ(…)). Swapping neighbours i, j changes V only through
 * them, and i first is better exactly when pᵢvᵢ / (1 − κ + κpᵢ) > pⱼvⱼ / (1 − κ + κpⱼ); so
 * sorting by that index gives the best order. With κ = 0 it is p·v, a single attempt's value;
 * as κ grows a cheaper gateway's lower rate costs less, because its declines are recovered.
 * Fees are paid per approval, in the payment's currency. Ties are the caller's to break.
 */
export function score(objective: Objective, candidate: ScoreInput, amount: number, rescue = 0): number {
  switch (objective) {
    case 'success_rate':
      return candidate.probability;
    case 'cost':
      return -candidate.fee;
    case 'expected_value': {
      const p = candidate.probability;
      const value = p * (amount - candidate.fee);
      return rescue === 0 ? value : value / (1 - rescue + rescue * p);
    }
  }
}
