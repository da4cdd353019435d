import { describe, expect, it } from 'vitest';
import { DAY, forecastHourly, mape, WEEK } from './holt-winters.js';
import { seededRandom } from '../domain/random.js';

/** Hourly volume with a daily and a weekly rhythm, a slow trend, and noise. */
function seasonal(hours: number, noise: number, seed = 7): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: hours }, (_, t) => {
    const day = 1 + 0.8 * Math.sin((2 * Math.PI * (t % DAY)) / DAY - Math.PI / 2);
    const week = Math.floor(t / DAY) % 7 >= 5 ? 1.4 : 1;
    return Math.max(0, 100 * day * week + 0.02 * t + noise * (random() - 0.5));
  });
}

describe('double seasonal Holt-Winters', () => {
  it('forecasts a held-out week of daily and weekly seasonal traffic within 10 % MAPE', () => {
    const series = seasonal(6 * WEEK, 20);
    const training = series.slice(0, 5 * WEEK);
    const f = forecastHourly(training, WEEK);
    expect(f.method).toBe('holt_winters_daily_weekly');
    expect(mape(series.slice(5 * WEEK), f.points.map((p) => p.value))).toBeLessThan(0.1);
  });

  it('beats a daily-only model when the weekend differs', () => {
    const series = seasonal(6 * WEEK, 5);
    const actual = series.slice(5 * WEEK);
    const both = forecastHourly(series.slice(0, 5 * WEEK), WEEK);
    // The same history cut to under two weeks cannot see the weekly cycle.
    const daily = forecastHourly(series.slice(5 * WEEK - 13 * DAY, 5 * WEEK), WEEK);
    expect(daily.method).toBe('holt_winters_daily');
    expect(mape(actual, both.points.map((p) => p.value))!).toBeLessThan(mape(actual, daily.points.map((p) => p.value))!);
  });

  it('widens its 95 % interval with the horizon and covers most of what happens', () => {
    const series = seasonal(5 * WEEK, 30, 11);
    const f = forecastHourly(series.slice(0, 4 * WEEK), WEEK);
    const width = (i: number) => f.points[i]!.upper - f.points[i]!.lower;
    expect(width(WEEK - 1)).toBeGreaterThan(width(0));
    const actual = series.slice(4 * WEEK);
    const covered = f.points.filter((p, i) => actual[i]! >= p.lower && actual[i]! <= p.upper).length;
    expect(covered / WEEK).toBeGreaterThan(0.85);
  });

  it('never forecasts negative volume, and falls back to the mean with under two days', () => {
    const quiet = Array.from({ length: 3 * WEEK }, (_, t) => (t % DAY < 8 ? 0 : 5));
    for (const p of forecastHourly(quiet, DAY).points) expect(p.lower).toBeGreaterThanOrEqual(0);
    const short = forecastHourly([4, 6, 4, 6], 3);
    expect(short.method).toBe('mean');
    expect(short.points.map((p) => p.value)).toEqual([5, 5, 5]);
    expect(forecastHourly([], 2).points.map((p) => p.value)).toEqual([0, 0]);
  });

  it('leaves hours with no actual volume out of MAPE', () => {
    expect(mape([0, 10, 20], [5, 11, 18])).toBeCloseTo((0.1 + 0.1) / 2, 10);
    expect(mape([0, 0], [1, 2])).toBeNull();
  });
});
