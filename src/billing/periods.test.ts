import { describe, expect, it } from 'vitest';
import { boundary, period, trialEnd } from './periods.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe('billing periods', () => {
  it('anchors monthly periods to the original day: Jan 31 → Feb 28 → Mar 31 → Apr 30', () => {
    const anchor = at('2027-01-31T09:30:00.000Z');
    const monthly = { unit: 'month', count: 1 } as const;
    expect([0, 1, 2, 3, 12].map((n) => iso(boundary(anchor, monthly, n)))).toEqual([
      '2027-01-31T09:30:00.000Z',
      '2027-02-28T09:30:00.000Z',
      '2027-03-31T09:30:00.000Z',
      '2027-04-30T09:30:00.000Z',
      '2028-01-31T09:30:00.000Z',
    ]);
  });

  it('clamps to Feb 29 in a leap year, and a yearly Feb 29 anchor to Feb 28', () => {
    expect(iso(boundary(at('2028-01-31T00:00:00Z'), { unit: 'month', count: 1 }, 1))).toBe('2028-02-29T00:00:00.000Z');
    const leap = at('2028-02-29T00:00:00Z');
    expect(iso(boundary(leap, { unit: 'year', count: 1 }, 1))).toBe('2029-02-28T00:00:00.000Z');
    expect(iso(boundary(leap, { unit: 'year', count: 1 }, 4))).toBe('2032-02-29T00:00:00.000Z');
  });

  it('counts interval_count: every 3 months, every 2 weeks, every 10 days', () => {
    const anchor = at('2027-11-30T00:00:00Z');
    expect(period(anchor, { unit: 'month', count: 3 }, 0)).toEqual({ start: anchor, end: at('2028-02-29T00:00:00Z') });
    expect(iso(boundary(anchor, { unit: 'month', count: 3 }, 2))).toBe('2028-05-30T00:00:00.000Z');
    expect(iso(boundary(anchor, { unit: 'week', count: 2 }, 1))).toBe('2027-12-14T00:00:00.000Z');
    expect(iso(boundary(anchor, { unit: 'day', count: 10 }, 3))).toBe('2027-12-30T00:00:00.000Z');
  });

  it('a trial of n days ends n days later; no trial days, no trial', () => {
    expect(trialEnd(at('2027-01-01T00:00:00Z'), 14)).toEqual(at('2027-01-15T00:00:00Z'));
    expect(trialEnd(at('2027-01-01T00:00:00Z'), 0)).toBeNull();
  });
});
