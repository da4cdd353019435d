import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../domain/random.js';
import { SuccessRateLearner, type Segment } from '../learner/index.js';
import { betaCdf, firstChoiceProbabilities, normalCdf, type DrawnCandidate } from './first-choice.js';
import { score, type Objective } from './score.js';

const SEGMENT: Segment = { paymentMethod: 'card', network: 'visa', currency: 'USD', issuerCountry: 'US', amountBand: 'under_100' };

/** A learner that saw `outcomes[g]` = [successes, failures] for each gateway, interleaved. */
function trained(outcomes: Record<string, [number, number]>, seed: number): SuccessRateLearner {
  const learner = new SuccessRateLearner();
  const random = seededRandom(seed);
  const queue = Object.entries(outcomes).flatMap(([gateway, [s, f]]) => [
    ...Array.from({ length: s }, () => [gateway, 'success'] as const),
    ...Array.from({ length: f }, () => [gateway, 'failure'] as const),
  ]);
  for (let i = queue.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [queue[i], queue[j]] = [queue[j]!, queue[i]!];
  }
  for (const [gateway, outcome] of queue) learner.update(gateway, SEGMENT, outcome);
  return learner;
}

/** The learner's own randomized choice, drawn `draws` times: how often each gateway's draw scores best. */
function monteCarlo(learner: SuccessRateLearner, gateways: string[], fees: number[], objective: Objective, amount: number, draws: number, rescue: number[]): number[] {
  const random = seededRandom(99);
  const wins = gateways.map(() => 0);
  for (let d = 0; d < draws; d++) {
    let best = -1;
    let bestScore = -Infinity;
    gateways.forEach((g, i) => {
      const s = score(objective, { probability: learner.sample(g, SEGMENT, random), fee: fees[i]!, rescue: rescue[i]! }, amount);
      if (s > bestScore) {
        best = i;
        bestScore = s;
      }
    });
    wins[best]!++;
  }
  return wins.map((w) => w / draws);
}

function approximation(learner: SuccessRateLearner, gateways: string[], fees: number[], objective: Objective, amount: number, rescue: number[]): number[] {
  const candidates: DrawnCandidate[] = gateways.map((g, i) => {
    return { ...learner.posterior(g, SEGMENT), fee: fees[i]!, rescue: rescue[i]! };
  });
  return firstChoiceProbabilities(candidates, objective, amount);
}

describe('firstChoiceProbabilities', () => {
  const cases: { name: string; outcomes: Record<string, [number, number]>; fees: number[]; objective: Objective; amount: number; rescue?: number[] }[] = [
    { name: 'a warmed incumbent against a gateway with no data', outcomes: { a: [60, 7], b: [0, 0] }, fees: [0, 0], objective: 'success_rate', amount: 2500 },
    { name: 'three close gateways, well sampled', outcomes: { a: [300, 30], b: [290, 40], c: [280, 50] }, fees: [0, 0, 0], objective: 'success_rate', amount: 2500 },
    { name: 'ten gateways of mixed evidence', outcomes: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`g${i}`, [10 + i * 9, 2 + (i % 4) * 3] as [number, number]])), fees: Array.from({ length: 10 }, (_, i) => 30 + i * 7), objective: 'expected_value', amount: 2500 },
    { name: 'expected value where the fee gap decides', outcomes: { a: [90, 10], b: [85, 15], c: [5, 1] }, fees: [120, 40, 60], objective: 'expected_value', amount: 1000 },
    { name: 'a gateway whose fee exceeds the amount', outcomes: { a: [40, 10], b: [45, 5] }, fees: [30, 700], objective: 'expected_value', amount: 500 },
    { name: 'a failing gateway against a new one', outcomes: { a: [5, 40], b: [1, 0] }, fees: [0, 0], objective: 'success_rate', amount: 2500 },
    { name: 'expected value of the order, declines rescued by the fallbacks', outcomes: { a: [90, 7], b: [85, 10], c: [40, 9] }, fees: [2_930, 1_520, 2_225], objective: 'expected_value', amount: 100_000, rescue: [0.9, 0.9, 0.6] },
    { name: 'expected value of the order, a fee above the amount', outcomes: { a: [40, 10], b: [45, 5] }, fees: [30, 700], objective: 'expected_value', amount: 500, rescue: [0.5, 0.8] },
  ];

  for (const c of cases) {
    it(`is within 0.01 of the learner's own Monte-Carlo choice: ${c.name}`, () => {
      const learner = trained(c.outcomes, 5);
      const gateways = Object.keys(c.outcomes);
      const rescue = c.rescue ?? gateways.map(() => 0);
      const exact = monteCarlo(learner, gateways, c.fees, c.objective, c.amount, 200_000, rescue);
      const approx = approximation(learner, gateways, c.fees, c.objective, c.amount, rescue);
      expect(approx.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 9);
      for (let i = 0; i < gateways.length; i++) expect(Math.abs(approx[i]! - exact[i]!)).toBeLessThan(0.01);
    });
  }

  it('sends everything to the cheapest on cost, the earliest of equals', () => {
    const candidates = [
      { mean: 0.9, weight: 35, down: 0, fee: 50 },
      { mean: 0.5, weight: 35, down: 0, fee: 40 },
      { mean: 0.99, weight: 35, down: 0, fee: 40 },
    ];
    expect(firstChoiceProbabilities(candidates, 'cost', 1000)).toEqual([0, 1, 0]);
  });

  it('splits evenly between identical candidates', () => {
    const same = { mean: 0.8, weight: 25, down: 0, fee: 30 };
    const p = firstChoiceProbabilities([same, same, same, same], 'expected_value', 1000);
    for (const x of p) expect(x).toBeCloseTo(0.25, 3);
  });

  it('answers nothing for no candidates and everything for one', () => {
    expect(firstChoiceProbabilities([], 'success_rate', 100)).toEqual([]);
    expect(firstChoiceProbabilities([{ mean: 0.3, weight: 5, down: 0, fee: 0 }], 'success_rate', 100)).toEqual([1]);
  });
});

describe('the special functions it rests on', () => {
  it('match known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    // Exact values of the regularized incomplete beta function, within 0.005.
    expect(betaCdf(0.8, 4, 1)).toBeCloseTo(0.4096, 2);
    expect(betaCdf(0.3, 1, 1)).toBeCloseTo(0.3, 2);
    expect(betaCdf(0.5, 2, 3)).toBeCloseTo(0.6875, 2);
    expect(betaCdf(0.9, 34.2, 3.8)).toBeCloseTo(0.44225, 2);
    expect(betaCdf(0.95, 20, 2)).toBeCloseTo(0.71697, 2);
  });
});
