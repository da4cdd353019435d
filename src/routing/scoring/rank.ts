import { MAX_RESCUE, score, type Objective } from './score.js';

export interface RankingCandidate {
  gateway: string;
  /** Posterior mean: what the explanation shows. */
  probability: number;
  /** Thompson draw from the same posterior: what the order uses, so uncertain gateways get explored. */
  sampled: number;
  /** Effective sample size behind `probability`. */
  n: number;
  /** Minor units. */
  fee: number;
  /** What a failed attempt here is still worth through the fallbacks (`score`); 0 when absent. */
  rescue?: number;
  health: 'closed' | 'half_open';
}

export interface RankedCandidate extends RankingCandidate {
  /** The objective's score with the draw: what ordered this candidate. */
  score: number;
  /** The same score with the mean, for the explanation next to `probability`. */
  expectedScore: number;
  /** This transaction is the probe for a half-open breaker. */
  probe: boolean;
}

/**
 * Half-open gateways take only probe traffic: one transaction in `every` (the ones whose
 * `counter` is a multiple of it) is a probe slot. In a probe slot the half-open gateways take
 * turns, by counter, at going first; otherwise they go last, best-scored first.
 */
export interface ProbeSlot {
  every: number;
  counter: number;
}

/**
 * Orders candidates best first by the objective on their Thompson draws. Equal scores keep the
 * input order, which is the merchant's priority order, so the result is deterministic.
 */
export function rankCandidates(
  candidates: readonly RankingCandidate[],
  objective: Objective,
  amount: number,
  probeSlot: ProbeSlot,
): RankedCandidate[] {
  if (!Number.isInteger(probeSlot.every) || probeSlot.every < 1 || !Number.isInteger(probeSlot.counter) || probeSlot.counter < 0) {
    throw new RangeError('probe slot: `every` must be a positive integer and `counter` a non-negative one');
  }
  for (const c of candidates) {
    if (c.rescue !== undefined && !(c.rescue >= 0 && c.rescue <= MAX_RESCUE)) throw new RangeError(`rescue of ${c.gateway} must be between 0 and ${MAX_RESCUE}`);
  }
  // Fixed-shape objects, not spreads: callers pass richer objects, and copying their every field was most of this function's time.
  const scored = candidates.map(
    (c): RankedCandidate => ({
      gateway: c.gateway,
      probability: c.probability,
      sampled: c.sampled,
      n: c.n,
      fee: c.fee,
      health: c.health,
      score: score(objective, { probability: c.sampled, fee: c.fee, rescue: c.rescue }, amount),
      expectedScore: score(objective, c, amount),
      probe: false,
    }),
  );
  const byScore = (a: RankedCandidate, b: RankedCandidate) => b.score - a.score;
  const closed = scored.filter((c) => c.health === 'closed').sort(byScore);
  const halfOpen = scored.filter((c) => c.health === 'half_open').sort(byScore);
  if (halfOpen.length === 0 || probeSlot.counter % probeSlot.every !== 0) return [...closed, ...halfOpen];
  const turn = Math.floor(probeSlot.counter / probeSlot.every) % halfOpen.length;
  const [probe] = halfOpen.splice(turn, 1);
  return [{ ...probe!, probe: true }, ...closed, ...halfOpen];
}
