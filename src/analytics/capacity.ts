/** What one router instance can take, and where that number comes from. */
export interface InstanceCapacity {
  paymentsPerSecond: number;
  source: string;
}

/** Payments per second a forecast peak needs at most this many instances for (at least one). */
export function instancesNeeded(peakPerSecond: number, capacity: InstanceCapacity): number {
  return Math.max(1, Math.ceil(peakPerSecond / capacity.paymentsPerSecond));
}

interface LoadSummary {
  target?: unknown;
  simulator_latency_ms?: unknown;
  connections?: unknown;
  rps?: unknown;
}

/**
 * The best PostgreSQL throughput `npm run bench:load` measured (payments/s of the whole router
 * on PostgreSQL, any concurrency, 0 ms simulators), from its results file; null when the file
 * holds no such measurement.
 */
export function capacityFromLoadBench(results: unknown, file: string): InstanceCapacity | null {
  const summaries = (results as { results?: { summaries?: unknown } } | null)?.results?.summaries;
  if (!Array.isArray(summaries)) return null;
  let best: { rps: number; connections: number } | null = null;
  for (const s of summaries as LoadSummary[]) {
    if (s.target !== 'postgres' || s.simulator_latency_ms !== 0 || typeof s.rps !== 'number' || !(s.rps > 0)) continue;
    if (!best || s.rps > best.rps) best = { rps: s.rps, connections: Number(s.connections) };
  }
  if (!best) return null;
  return { paymentsPerSecond: Math.round(best.rps * 10) / 10, source: `${file} (router on PostgreSQL, 0 ms simulators, best of the measured concurrencies: c=${best.connections})` };
}

/** When neither a load benchmark result nor a configured value is at hand. */
export const DEFAULT_INSTANCE_CAPACITY: InstanceCapacity = {
  paymentsPerSecond: 50,
  source: 'default: 50 payments/s (no bench/results/load.json and no SWITCHYARD_INSTANCE_CAPACITY set)',
};
