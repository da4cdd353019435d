import { HOUR_MS } from './buckets.js';
import { instancesNeeded, type InstanceCapacity } from './capacity.js';
import { forecastHourly, mape, WEEK } from './holt-winters.js';

export type Horizon = '24h' | '7d';
export const HORIZON_HOURS: Readonly<Record<Horizon, number>> = { '24h': 24, '7d': WEEK };
/** How much hourly history the model is fitted to. */
export const HISTORY_HOURS = 8 * WEEK;

export interface PeakForecast {
  method: string;
  points: { t: Date; volume: number; lower: number; upper: number }[];
  peak: { t: Date; volume: number; paymentsPerSecond: number };
  capacity: { perInstance: number; instancesNeeded: number; source: string };
  /** MAPE of the same method on the last week of history, fitted to what came before; null with less than three weeks. */
  accuracy: { mape: number; heldOut: { from: Date; to: Date } } | null;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Hourly payment volume for the `horizon` after `start` (the current hour), from `series`: the
 * payments created in each hour before it, oldest first and without gaps.
 */
export function peakForecast(series: readonly number[], start: Date, horizon: Horizon, capacity: InstanceCapacity): PeakForecast {
  const hours = HORIZON_HOURS[horizon];
  const fit = forecastHourly(series, hours);
  const points = fit.points.map((p) => ({
    t: new Date(start.getTime() + (p.step - 1) * HOUR_MS),
    volume: round(p.value, 2),
    lower: round(p.lower, 2),
    upper: round(p.upper, 2),
  }));
  const top = points.reduce((best, p) => (p.volume > best.volume ? p : best), points[0]!);
  const paymentsPerSecond = round(top.volume / 3600, 4);
  let accuracy: PeakForecast['accuracy'] = null;
  if (series.length >= 3 * WEEK) {
    const training = series.slice(0, series.length - WEEK);
    const heldOut = series.slice(series.length - WEEK);
    const error = mape(heldOut, forecastHourly(training, WEEK).points.map((p) => p.value));
    if (error !== null) accuracy = { mape: round(error, 4), heldOut: { from: new Date(start.getTime() - WEEK * HOUR_MS), to: start } };
  }
  return {
    method: fit.method,
    points,
    peak: { t: top.t, volume: top.volume, paymentsPerSecond },
    capacity: { perInstance: capacity.paymentsPerSecond, instancesNeeded: instancesNeeded(paymentsPerSecond, capacity), source: capacity.source },
    accuracy,
  };
}
