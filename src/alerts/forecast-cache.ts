import type { InstanceCapacity } from '../analytics/capacity.js';
import { peakForecast, type Horizon, type PeakForecast } from '../analytics/forecast.js';

interface Entry {
  startMs: number;
  series: readonly number[];
  capacity: number;
  forecast: PeakForecast;
}

/**
 * The forecast fits per merchant and horizon, kept until their input changes: a new hour starts,
 * or the rollups fold late payments into an hour already in the history. A fit costs tens of
 * milliseconds (two Holt-Winters grid searches); the history it reads is one grouped query, so
 * comparing it is far cheaper than fitting again every evaluation.
 */
export function forecastCache() {
  const entries = new Map<string, Entry>();
  let fits = 0;
  return {
    forecast(merchantId: string, horizon: Horizon, history: { series: number[]; start: Date }, capacity: InstanceCapacity): PeakForecast {
      const key = `${merchantId}:${horizon}`;
      const held = entries.get(key);
      if (held && held.startMs === history.start.getTime() && held.capacity === capacity.paymentsPerSecond && sameSeries(held.series, history.series)) return held.forecast;
      fits += 1;
      const forecast = peakForecast(history.series, history.start, horizon, capacity);
      entries.set(key, { startMs: history.start.getTime(), series: history.series, capacity: capacity.paymentsPerSecond, forecast });
      return forecast;
    },
    /** Forgets the merchants that no longer have a forecast rule. */
    retain(merchantIds: ReadonlySet<string>): void {
      for (const key of entries.keys()) if (!merchantIds.has(key.slice(0, key.lastIndexOf(':')))) entries.delete(key);
    },
    /** Fits made so far (what the benchmark and the tests count). */
    get fits(): number {
      return fits;
    },
  };
}

export type ForecastCache = ReturnType<typeof forecastCache>;

function sameSeries(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
