import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../domain/random.js';
import { MAX_RESCUE, score, type ScoreInput } from './score.js';

describe('score', () => {
  const candidate = { probability: 0.9, fee: 300 };

  it('is the probability for success_rate', () => {
    expect(score('success_rate', candidate, 10_000)).toBe(0.9);
  });

  it('is the negated fee for cost', () => {
    expect(score('cost', candidate, 10_000)).toBe(-300);
  });

  it('is the probability times the net amount for expected_value', () => {
    // 0.9 × (10 000 − 300) = 8 730 minor units.
    expect(score('expected_value', candidate, 10_000)).toBeCloseTo(8_730, 9);
  });

  it('prefers the cheaper gateway on cost but the more reliable one on expected value when the rate gap outweighs the fee gap', () => {
    const reliable = { probability: 0.9, fee: 300 };
    const cheap = { probability: 0.88, fee: 250 };
    expect(score('cost', cheap, 10_000)).toBeGreaterThan(score('cost', reliable, 10_000));
    // 0.90 × 9 700 = 8 730 against 0.88 × 9 750 = 8 580: two points of approval on ~97.00
    // (~1.95) are worth more than the 0.50 saved on fees.
    expect(score('expected_value', reliable, 10_000)).toBeCloseTo(8_730, 9);
    expect(score('expected_value', cheap, 10_000)).toBeCloseTo(8_580, 9);
    // On a 5.00 payment the fee gap wins: 0.90 × 200 = 180 against 0.88 × 250 = 220.
    expect(score('expected_value', cheap, 500)).toBeGreaterThan(score('expected_value', reliable, 500));
  });
});

/** What an order keeps on average: each gateway tried in turn while the failure before it is rescued with chance κ. */
function orderValue(order: readonly ScoreInput[], amount: number): number {
  let value = 0;
  let reach = 1;
  for (const c of order) {
    value += reach * c.probability * (amount - c.fee);
    reach *= (1 - c.probability) * (c.rescue ?? 0);
  }
  return value;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('expected value with fallbacks (rescue)', () => {
  it('is the single attempt value without rescue', () => {
    expect(score('expected_value', { probability: 0.9, fee: 300, rescue: 0 }, 10_000)).toBeCloseTo(8_730, 9);
  });

  it('puts the cheaper gateway first once its declines are rescued elsewhere', () => {
    // 0.91 at 2.9 % + 30 against 0.89 at 1.5 % + 20 on 1 000.00: alone the reliable one keeps more
    // (0.91 × 96 870 = 88 152 against 0.89 × 98 480 = 87 647), but when a decline cascades and the
    // next gateway approves as its estimate says, the cheap one first keeps more.
    const reliable = { probability: 0.91, fee: 2_930 };
    const cheap = { probability: 0.89, fee: 1_520 };
    expect(score('expected_value', reliable, 100_000)).toBeGreaterThan(score('expected_value', cheap, 100_000));
    const rescued = (c: ScoreInput) => ({ ...c, rescue: 0.9 });
    expect(score('expected_value', rescued(cheap), 100_000)).toBeGreaterThan(score('expected_value', rescued(reliable), 100_000));
    expect(orderValue([rescued(cheap), rescued(reliable)], 100_000)).toBeGreaterThan(orderValue([rescued(reliable), rescued(cheap)], 100_000));
  });

  it('ranks a dead gateway last however cheap, even at the highest rescue', () => {
    expect(score('expected_value', { probability: 0, fee: 0, rescue: MAX_RESCUE }, 10_000)).toBe(0);
    expect(score('expected_value', { probability: 0.5, fee: 300, rescue: MAX_RESCUE }, 10_000)).toBeGreaterThan(0);
  });

  it('orders candidates as the best of every possible order', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 300; trial++) {
      const amount = 100 + Math.floor(random() * 200_000);
      const candidates: ScoreInput[] = Array.from({ length: 2 + Math.floor(random() * 4) }, () => ({
        probability: random(),
        fee: Math.floor(random() * amount * 0.1),
        rescue: random() * MAX_RESCUE,
      }));
      const sorted = [...candidates].sort((a, b) => score('expected_value', b, amount) - score('expected_value', a, amount));
      const best = Math.max(...permutations(candidates).map((order) => orderValue(order, amount)));
      expect(orderValue(sorted, amount)).toBeCloseTo(best, 6);
    }
  });
});

