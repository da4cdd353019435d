export type Granularity = 'minute' | 'hour';
export const GRANULARITIES: readonly Granularity[] = ['minute', 'hour'];

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function granularityMs(g: Granularity): number {
  return g === 'minute' ? MINUTE_MS : HOUR_MS;
}

/** The start of the UTC bucket `at` falls in. */
export function bucketStart(at: Date, g: Granularity): Date {
  const ms = granularityMs(g);
  return new Date(Math.floor(at.getTime() / ms) * ms);
}

/** Rounded to 4 decimals (rates shown to people); null when there is nothing to divide by. */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}
