import { bucketStart, HOUR_MS } from './buckets.js';
import { HISTORY_HOURS } from './forecast.js';

interface HourlyRollups {
  firstHour(merchantId: string): Promise<Date | null>;
  createdPerHour(merchantId: string, from: Date, to: Date): Promise<{ bucket: Date; created: number }[]>;
}

/**
 * The merchant's payments created per hour, oldest first and without gaps, up to the start of the
 * current hour (which is not over: the forecast starts with it).
 */
export async function hourlyHistory(rollups: HourlyRollups, merchantId: string, now: Date): Promise<{ series: number[]; start: Date }> {
  const start = bucketStart(now, 'hour');
  const first = await rollups.firstHour(merchantId);
  const from = new Date(Math.max(first?.getTime() ?? start.getTime(), start.getTime() - HISTORY_HOURS * HOUR_MS));
  const counts = new Map((await rollups.createdPerHour(merchantId, from, start)).map((r) => [r.bucket.getTime(), r.created]));
  const series: number[] = [];
  for (let t = from.getTime(); t < start.getTime(); t += HOUR_MS) series.push(counts.get(t) ?? 0);
  return { series, start };
}
