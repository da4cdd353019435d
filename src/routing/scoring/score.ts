export const OBJECTIVES = ['success_rate', 'cost', 'expected_value'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export interface ScoreInput {
  /** Success probability in [0, 1]. */
  probability: number;
  /** Minor units, in the payment's currency. */
  fee: number;
}

/**
 * Higher is better. `expected_value` is what the merchant keeps on average: the amount net of
 * the fee, times the chance the payment goes through. Ties are the caller's to break.
 */
export function score(objective: Objective, candidate: ScoreInput, amount: number): number {
  switch (objective) {
    case 'success_rate':
      return candidate.probability;
    case 'cost':
      return -candidate.fee;
    case 'expected_value':
      return candidate.probability * (amount - candidate.fee);
  }
}
