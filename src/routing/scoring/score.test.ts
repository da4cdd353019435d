import { describe, expect, it } from 'vitest';
import { score } from './score.js';

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
