/** A point estimate and its 95 % confidence interval. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/** One recorded payment seen from a target policy: w = π(logged first | x) / logged propensity. */
export interface Weighted {
  weight: number;
  reward: number;
}

const Z_95 = 1.959963984540054;

/**
 * Self-normalised inverse propensity weighting: Σ wᵢ rᵢ / Σ wᵢ over the payments the target
 * policy would have routed, times `routedShare`, the mean chance it routes a payment at all (a
 * payment it refuses earns 0, known without estimating). The interval is the delta-method one,
 * ± 1.96 · √(Σ wᵢ² (rᵢ − R)²) / Σ wᵢ, scaled by the same share. Null when no recorded payment
 * went where the target policy would send one (Σ wᵢ = 0): nothing to estimate from.
 */
export function selfNormalisedIpw(samples: readonly Weighted[], routedShare: number): Interval | null {
  let weights = 0;
  let weighted = 0;
  for (const { weight, reward } of samples) {
    weights += weight;
    weighted += weight * reward;
  }
  if (!(weights > 0)) return routedShare === 0 ? { estimate: 0, low: 0, high: 0 } : null;
  const ratio = weighted / weights;
  let spread = 0;
  for (const { weight, reward } of samples) spread += weight * weight * (reward - ratio) ** 2;
  const half = (Z_95 * Math.sqrt(spread)) / weights;
  return { estimate: routedShare * ratio, low: routedShare * (ratio - half), high: routedShare * (ratio + half) };
}

/** Kish's effective sample size of the weights, (Σ w)² / Σ w²: how many payments the estimate is really worth. */
export function effectiveSampleSize(samples: readonly Weighted[]): number {
  let sum = 0;
  let squares = 0;
  for (const { weight } of samples) {
    sum += weight;
    squares += weight * weight;
  }
  return squares === 0 ? 0 : (sum * sum) / squares;
}
