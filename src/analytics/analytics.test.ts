import { describe, expect, it } from 'vitest';
import { bucketStart, ratio } from './buckets.js';
import { capacityFromLoadBench, instancesNeeded } from './capacity.js';
import { peakForecast } from './forecast.js';
import { histogramQuantile, LATENCY_BOUNDS_MS, latencyBucket, emptyHistogram } from './latency.js';

describe('rollup arithmetic', () => {
  it('puts a time in its UTC minute and hour', () => {
    const at = new Date('2026-06-01T12:34:56.789Z');
    expect(bucketStart(at, 'minute').toISOString()).toBe('2026-06-01T12:34:00.000Z');
    expect(bucketStart(at, 'hour').toISOString()).toBe('2026-06-01T12:00:00.000Z');
  });

  it('reads p50 and p95 from the latency histogram within a bucket of the truth', () => {
    const latencies = Array.from({ length: 1000 }, (_, i) => 10 + (i % 200));
    const counts = emptyHistogram();
    for (const ms of latencies) counts[latencyBucket(ms)]!++;
    const sorted = [...latencies].sort((a, b) => a - b);
    for (const q of [0.5, 0.95]) {
      const truth = sorted[Math.ceil(q * sorted.length) - 1]!;
      const read = histogramQuantile(counts, q)!;
      const i = latencyBucket(truth);
      expect(read).toBeGreaterThanOrEqual(i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!);
      expect(read).toBeLessThanOrEqual(LATENCY_BOUNDS_MS[i]!);
    }
    expect(histogramQuantile(emptyHistogram(), 0.5)).toBeNull();
    expect(latencyBucket(60_000)).toBe(LATENCY_BOUNDS_MS.length);
  });

  it('answers rates rounded to 4 decimals, null without data', () => {
    expect(ratio(11, 12)).toBe(0.9167);
    expect(ratio(0, 0)).toBeNull();
  });
});

describe('capacity', () => {
  const results = {
    results: {
      summaries: [
        { target: 'postgres', simulator_latency_ms: 0, connections: 32, rps: 113.4 },
        { target: 'postgres', simulator_latency_ms: 0, connections: 128, rps: 129.2 },
        { target: 'postgres', simulator_latency_ms: 50, connections: 128, rps: 138 },
        { target: 'direct', simulator_latency_ms: 0, connections: 128, rps: 946 },
      ],
    },
  };

  it("takes the router's best PostgreSQL throughput at 0 ms from the load benchmark", () => {
    expect(capacityFromLoadBench(results, 'bench/results/load.json')).toEqual({
      paymentsPerSecond: 129.2,
      source: 'bench/results/load.json (router on PostgreSQL, 0 ms simulators, best of the measured concurrencies: c=128)',
    });
    expect(capacityFromLoadBench({ results: { summaries: [] } }, 'x')).toBeNull();
    expect(capacityFromLoadBench('<html>', 'x')).toBeNull();
  });

  it('needs at least one instance, and one more per capacity exceeded', () => {
    const capacity = { paymentsPerSecond: 100, source: 's' };
    expect(instancesNeeded(0, capacity)).toBe(1);
    expect(instancesNeeded(100, capacity)).toBe(1);
    expect(instancesNeeded(100.5, capacity)).toBe(2);
  });

  it('sizes the forecast peak against the capacity', () => {
    // Three weeks of 3600 payments an hour (1/s), with 36 000 (10/s) every day at noon.
    const series = Array.from({ length: 3 * 168 }, (_, t) => (t % 24 === 12 ? 36_000 : 3600));
    const start = new Date('2026-06-22T00:00:00Z');
    const f = peakForecast(series, start, '24h', { paymentsPerSecond: 4, source: 'test' });
    expect(f.points).toHaveLength(24);
    expect(f.peak.t.toISOString()).toBe('2026-06-22T12:00:00.000Z');
    expect(f.peak.paymentsPerSecond).toBeCloseTo(10, 1);
    expect(f.capacity).toEqual({ perInstance: 4, instancesNeeded: 3, source: 'test' });
    expect(f.accuracy!.mape).toBeLessThan(0.01);
    expect(f.accuracy!.heldOut.to).toEqual(start);
  });
});
