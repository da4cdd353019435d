import { describe, expect, it } from 'vitest';
import type { LatencyDistribution } from './simulator.js';
import { seededRandom } from '../../src/domain/random.js';
import { ApprovalRates, Latency } from './steering.js';

function draws(distribution: LatencyDistribution | null, count: number, seed = 1): number[] {
  const latency = new Latency();
  latency.set(distribution, seed);
  return Array.from({ length: count }, () => latency.nextMs());
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

describe('seededRandom', () => {
  it('repeats a sequence for a seed, differs across seeds, stays within [0, 1)', () => {
    const first = Array.from({ length: 5 }, seededRandom(7));
    expect(Array.from({ length: 5 }, seededRandom(7))).toEqual(first);
    expect(Array.from({ length: 5 }, seededRandom(8))).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('ApprovalRates', () => {
  const visaUs = { network: 'visa', currency: 'usd', country: 'US' };

  it('approves every authorization without a matching rule', () => {
    const rates = new ApprovalRates();
    expect(rates.approves(visaUs)).toBe(true);
    rates.set([{ network: 'mastercard', rate: 0 }]);
    expect(rates.approves(visaUs)).toBe(true);
  });

  it('lets the first matching rule decide, matching case-insensitively', () => {
    const rates = new ApprovalRates();
    rates.set([
      { country: 'us', currency: 'USD', rate: 0 },
      { network: 'VISA', rate: 1 },
    ]);
    expect(rates.approves(visaUs)).toBe(false);
    expect(rates.approves({ ...visaUs, country: 'GB' })).toBe(true);
  });

  it('converges to the rate and repeats under the same seed', () => {
    const run = (seed: number) => {
      const rates = new ApprovalRates();
      rates.set([{ rate: 0.7 }], seed);
      return Array.from({ length: 2000 }, () => rates.approves(visaUs));
    };
    const first = run(42);
    expect(Math.abs(first.filter(Boolean).length / 2000 - 0.7)).toBeLessThanOrEqual(0.03);
    expect(run(42)).toEqual(first);
  });

  it('refuses a rate outside 0..1', () => {
    const rates = new ApprovalRates();
    expect(() => rates.set([{ rate: 1.5 }])).toThrow(RangeError);
    expect(() => rates.set([{ rate: -0.1 }])).toThrow(RangeError);
    expect(() => rates.set([{ rate: Number.NaN }])).toThrow(RangeError);
  });
});

describe('Latency', () => {
  it('none, fixed and uniform', () => {
    expect(draws(null, 2)).toEqual([0, 0]);
    expect(draws({ kind: 'fixed', ms: 12 }, 3)).toEqual([12, 12, 12]);
    const uniform = draws({ kind: 'uniform', minMs: 10, maxMs: 30 }, 20_000, 3).sort((a, b) => a - b);
    expect(uniform[0]).toBeGreaterThanOrEqual(10);
    expect(uniform.at(-1)).toBeLessThanOrEqual(30);
    expect(quantile(uniform, 0.5)).toBeCloseTo(20, 0);
  });

  it('draws a log-normal with the median and 99th percentile asked for', () => {
    const sorted = draws({ kind: 'lognormal', medianMs: 40, p99Ms: 400 }, 20_000, 3).sort((a, b) => a - b);
    expect(quantile(sorted, 0.5)).toBeGreaterThan(36);
    expect(quantile(sorted, 0.5)).toBeLessThan(44);
    expect(quantile(sorted, 0.99)).toBeGreaterThan(330);
    expect(quantile(sorted, 0.99)).toBeLessThan(480);
    expect(sorted[0]).toBeGreaterThan(0);
  });

  it('repeats for a seed, and answers 0 once cleared', () => {
    const lognormal: LatencyDistribution = { kind: 'lognormal', medianMs: 10, p99Ms: 50 };
    expect(draws(lognormal, 10, 11)).toEqual(draws(lognormal, 10, 11));
    const latency = new Latency();
    latency.set({ kind: 'fixed', ms: 5 });
    latency.set(null);
    expect(latency.nextMs()).toBe(0);
  });

  it('refuses parameters that make no distribution', () => {
    const latency = new Latency();
    expect(() => latency.set({ kind: 'fixed', ms: -1 })).toThrow(RangeError);
    expect(() => latency.set({ kind: 'fixed', ms: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => latency.set({ kind: 'uniform', minMs: 20, maxMs: 10 })).toThrow(RangeError);
    expect(() => latency.set({ kind: 'lognormal', medianMs: 50, p99Ms: 10 })).toThrow(RangeError);
    expect(() => latency.set({ kind: 'lognormal', medianMs: 0, p99Ms: 10 })).toThrow(RangeError);
  });
});
