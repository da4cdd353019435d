import { describe, expect, it } from 'vitest';
import { forecastCache } from './forecast-cache.js';

const capacity = { paymentsPerSecond: 100, source: 'test' };
const HOUR = 3_600_000;
const start = new Date('2026-06-01T12:00:00.000Z');
const week = () => Array.from({ length: 7 * 24 }, (_, h) => 100 + 50 * Math.sin((h / 24) * 2 * Math.PI));

describe('the forecast cache', () => {
  it('fits once while the history stays the same, and answers the same forecast', () => {
    const cache = forecastCache();
    const first = cache.forecast('mer_a', '24h', { series: week(), start }, capacity);
    const second = cache.forecast('mer_a', '24h', { series: week(), start }, capacity);
    expect(second).toBe(first);
    expect(cache.fits).toBe(1);
  });

  it('fits again when late payments change an hour, when a new hour starts, or for another horizon or merchant', () => {
    const cache = forecastCache();
    const series = week();
    const first = cache.forecast('mer_a', '24h', { series, start }, capacity);
    const late = [...series];
    late[late.length - 1]! += 40;
    const refit = cache.forecast('mer_a', '24h', { series: late, start }, capacity);
    expect(cache.fits).toBe(2);
    expect(refit).not.toBe(first);
    cache.forecast('mer_a', '24h', { series: [...late, 120], start: new Date(start.getTime() + HOUR) }, capacity);
    cache.forecast('mer_a', '7d', { series: [...late, 120], start: new Date(start.getTime() + HOUR) }, capacity);
    cache.forecast('mer_b', '24h', { series: [...late, 120], start: new Date(start.getTime() + HOUR) }, capacity);
    expect(cache.fits).toBe(5);
  });

  it('forgets merchants that no longer have a forecast rule', () => {
    const cache = forecastCache();
    cache.forecast('mer_a', '24h', { series: week(), start }, capacity);
    cache.forecast('mer_b', '24h', { series: week(), start }, capacity);
    cache.retain(new Set(['mer_b']));
    cache.forecast('mer_b', '24h', { series: week(), start }, capacity);
    expect(cache.fits).toBe(2);
    cache.forecast('mer_a', '24h', { series: week(), start }, capacity);
    expect(cache.fits).toBe(3);
  });
});
