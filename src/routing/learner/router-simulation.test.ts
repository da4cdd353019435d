import { describe, expect, it } from 'vitest';
import { SuccessRateLearner } from './learner.js';
import { seededRandom } from '../../domain/random.js';
import type { Segment } from './segment.js';

const SEGMENT: Segment = { paymentMethod: 'card', network: 'visa', currency: 'EUR', issuerCountry: 'DE', amountBand: 'under_100' };
const TRANSACTIONS = 20_000;
const OUTAGE_START = 8_000;
const RECOVERY = 14_000;
const WINDOW = 50;

/** True approval rates: A is the better gateway except during its outage; B is steady. */
function trueRate(gateway: 'A' | 'B', t: number): number {
  if (gateway === 'B') return 0.8;
  return t >= OUTAGE_START && t < RECOVERY ? 0.5 : 0.9;
}

/**
 * A two-gateway Thompson-sampling router: each transaction goes to the larger posterior draw,
 * and its Bernoulli outcome goes back to the learner.
 */
function simulate(seed: number) {
  const random = seededRandom(seed);
  const learner = new SuccessRateLearner();
  const toA: boolean[] = [];
  let updatesOfAAfterRecovery = 0;
  let updatesOfAUntilDetected: number | null = null;
  for (let t = 0; t < TRANSACTIONS; t++) {
    const gateway = learner.sample('A', SEGMENT, random) >= learner.sample('B', SEGMENT, random) ? 'A' : 'B';
    toA.push(gateway === 'A');
    learner.update(gateway, SEGMENT, random() < trueRate(gateway, t) ? 'success' : 'failure');
    if (t >= RECOVERY && gateway === 'A' && updatesOfAUntilDetected === null) {
      updatesOfAAfterRecovery++;
      if (learner.estimate('A', SEGMENT).p > learner.estimate('B', SEGMENT).p) updatesOfAUntilDetected = updatesOfAAfterRecovery;
    }
  }
  const shareOfA = (from: number, to: number) => toA.slice(from, to).filter(Boolean).length / (to - from);
  /** Transactions after `from` until a WINDOW-long stretch ending there has A's share past the line. */
  const transactionsUntil = (from: number, passes: (share: number) => boolean) => {
    for (let end = from + WINDOW; end <= TRANSACTIONS; end++) if (passes(shareOfA(end - WINDOW, end))) return end - from;
    return Infinity;
  };
  return { shareOfA, transactionsUntil, updatesOfAUntilDetected };
}

describe('a Thompson-sampling router on the learner, through an outage and a recovery', () => {
  const run = simulate(7_919);

  it('sends most traffic to the better gateway while both are healthy', () => {
    // Observed: 0.96 (0.84 with the former 33-sample memory). The rest is the price of staying ready for change.
    expect(run.shareOfA(2_000, OUTAGE_START)).toBeGreaterThan(0.75);
  });

  it('moves most traffic away within 100 transactions of the degradation', () => {
    // Observed: 50, i.e. the first full window after it is already below half; then 0.014.
    expect(run.transactionsUntil(OUTAGE_START, (share) => share < 0.5)).toBeLessThanOrEqual(100);
    expect(run.shareOfA(OUTAGE_START + 100, RECOVERY)).toBeLessThan(0.15);
  });

  it('keeps exploring the degraded gateway until the end of the outage', () => {
    // Observed: 0.019 in the last 1 000 transactions of the outage: A restarted on a drop, so its
    // evidence fades after 50 missed updates instead of 500 (0.003 before that; 0.013 with the
    // 4 σ change test; 0.08 with a 33-sample memory). A gateway that was always worse is not
    // explored more: its idle grace stays 500.
    expect(run.shareOfA(RECOVERY - 1_000, RECOVERY)).toBeGreaterThan(0.005);
  });

  it('detects the recovery within 60 updates of exploration traffic', () => {
    // Observed: 4 updates.
    expect(run.updatesOfAUntilDetected).not.toBeNull();
    expect(run.updatesOfAUntilDetected).toBeLessThanOrEqual(60);
  });

  it('gives the recovered gateway back more than 60 % of traffic within 300 transactions', () => {
    // Observed: 50 transactions, then 0.97 of all traffic to the end (675 and 0.93 while a degraded
    // gateway kept the 500-update idle grace: it was sampled too rarely to see the recovery).
    expect(run.transactionsUntil(RECOVERY, (share) => share > 0.6)).toBeLessThanOrEqual(300);
    expect(run.shareOfA(RECOVERY + 300, TRANSACTIONS)).toBeGreaterThan(0.8);
  });
});
