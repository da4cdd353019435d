/** How often a plan bills: `count` × `unit`. */
export type IntervalUnit = 'day' | 'week' | 'month' | 'year';
export const INTERVAL_UNITS: readonly IntervalUnit[] = ['day', 'week', 'month', 'year'];

export interface BillingInterval {
  unit: IntervalUnit;
  count: number;
}

const DAY_MS = 86_400_000;

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/**
 * The `n`-th period boundary after `anchor` (n = 0 is the anchor itself). Every boundary is
 * computed from the anchor, never from the boundary before it, so a subscription anchored on the
 * 31st bills on Jan 31, Feb 28 (29 in a leap year), Mar 31: the short month clamps, and the day
 * comes back. The time of day (UTC) is the anchor's.
 */
export function boundary(anchor: Date, interval: BillingInterval, n: number): Date {
  const steps = n * interval.count;
  if (interval.unit === 'day') return new Date(anchor.getTime() + steps * DAY_MS);
  if (interval.unit === 'week') return new Date(anchor.getTime() + steps * 7 * DAY_MS);
  const months = interval.unit === 'month' ? steps : steps * 12;
  const total = anchor.getUTCMonth() + months;
  const year = anchor.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(year, month));
  return new Date(Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
}

/** Billing period `cycle` (0 = the first paid one): from its boundary to the next. */
export function period(anchor: Date, interval: BillingInterval, cycle: number): { start: Date; end: Date } {
  return { start: boundary(anchor, interval, cycle), end: boundary(anchor, interval, cycle + 1) };
}

/** When a trial of `days` days started at `start` ends (null: no trial). */
export function trialEnd(start: Date, days: number): Date | null {
  return days > 0 ? new Date(start.getTime() + days * DAY_MS) : null;
}
