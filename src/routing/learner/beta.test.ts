import { describe, expect, it } from 'vitest';
import { sampleBeta, sampleGamma } from './beta.js';
import { seededRandom } from '../../domain/random.js';

function moments(draw: () => number, count: number): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < count; i++) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / count;
  return { mean, variance: squares / count - mean * mean };
}

describe('Beta sampler (Marsaglia–Tsang gammas)', () => {
  it.each([
    [2, 5],
    [30, 3],
    [0.5, 0.5],
    [4, 1],
  ])('Beta(%d, %d) has the right mean and variance', (a, b) => {
    const random = seededRandom(42);
    const { mean, variance } = moments(() => sampleBeta(a, b, random), 50_000);
    const expectedMean = a / (a + b);
    const expectedVariance = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(mean).toBeCloseTo(expectedMean, 2);
    expect(Math.abs(variance - expectedVariance) / expectedVariance).toBeLessThan(0.05);
  });

  it.each([0.3, 1, 7.5])('Gamma(%d) has mean and variance equal to its shape', (shape) => {
    const random = seededRandom(7);
    const { mean, variance } = moments(() => sampleGamma(shape, random), 50_000);
    expect(Math.abs(mean - shape) / shape).toBeLessThan(0.03);
    expect(Math.abs(variance - shape) / shape).toBeLessThan(0.06);
  });

  it('is reproducible for a seed', () => {
    const first = seededRandom(3);
    const second = seededRandom(3);
    expect(sampleBeta(3, 4, first)).toBe(sampleBeta(3, 4, second));
  });
});
