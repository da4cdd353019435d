export const OBJECTIVES = ['success_rate', 'cost', 'expected_value'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export interface ScoreInput {
  /** Success probability in [0, 1]. */
  probability: number;
  /** Minor units, in the payment's currency. */
  fee: number;
  /** What a failed attempt here is still worth through the fallbacks, in [0, MAX_RESCUE] (`RescueRate`); 0 when absent. */
  rescue?: number;
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
 * With approval p and net amount v = amount − fee per gateway, and `rescue` κ (what a failed
 * attempt there is still worth: the chance it cascades to the next gateway times how that one
 * then fares against its own estimate, `RescueRate`), an order is worth
 * V = p₁v₁ + (1 − p₁)κ₁(p₂v₂ + (1 − p₂)κ₂(…)). Swapping neighbours i, j changes V only through
 * them, and i first is better exactly when pᵢvᵢ / (1 − κᵢ(1 − pᵢ)) > pⱼvⱼ / (1 − κⱼ(1 − pⱼ));
 * so sorting by that index gives the best order (within the orchestrator's attempt limit). With κ = 0 it is p·v, a single attempt's value;
 * as κ grows a cheaper gateway's lower rate costs less, because its declines are recovered.
 * Fees are paid per approval, in the payment's currency. Ties are the caller's to break.
 */
export function score(objective: Objective, candidate: ScoreInput, amount: number): number {
  switch (objective) {
    case 'success_rate':
      return candidate.probability;
    case 'cost':
      return -candidate.fee;
    case 'expected_value': {
      const p = candidate.probability;
      const rescue = candidate.rescue ?? 0;
      const value = p * (amount - candidate.fee);
      return rescue === 0 ? value : value / (1 - rescue * (1 - p));
    }
  }
}
