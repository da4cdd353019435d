import { seededRandom } from '../../src/domain/random.js';
import { DAY, WEEK } from '../../src/analytics/holt-winters.js';

export interface TrafficShape {
  weeks: number;
  /** Mean payments per hour at the weekly average. */
  base: number;
  /** Growth per week, as a fraction (0.02: +2 % a week). */
  weeklyGrowth: number;
  /** A campaign: from this hour on, for `hours`, volume is multiplied by `factor`. */
  campaign: { start: number; hours: number; factor: number } | null;
  seed: number;
}

/**
 * Payments created per hour of a shop: a daily rhythm (quiet at night, a lunch bump and an
 * evening peak), busier weekends, slow growth, Poisson noise, and optionally a campaign spike.
 * Answers the counts and the means they were drawn from.
 */
export function generateTraffic(shape: TrafficShape): { counts: number[]; means: number[] } {
  const random = seededRandom(shape.seed);
  const counts: number[] = [];
  const means: number[] = [];
  for (let t = 0; t < shape.weeks * WEEK; t++) {
    const hour = t % DAY;
    const weekday = Math.floor(t / DAY) % 7;
    const daily = 0.15 + 0.9 * bump(hour, 12.5, 2) + 1.4 * bump(hour, 20, 2.5) + 0.5 * bump(hour, 9, 1.5);
    const weekly = weekday === 5 ? 1.25 : weekday === 6 ? 1.45 : weekday === 0 ? 0.9 : 1;
    const growth = (1 + shape.weeklyGrowth) ** (t / WEEK);
    const c = shape.campaign;
    const campaign = c && t >= c.start && t < c.start + c.hours ? c.factor : 1;
    const mean = shape.base * daily * weekly * growth * campaign;
    means.push(mean);
    counts.push(poisson(mean, random));
  }
  return { counts, means };
}

function bump(hour: number, center: number, width: number): number {
  const d = Math.min(Math.abs(hour - center), DAY - Math.abs(hour - center));
  return Math.exp(-(d * d) / (2 * width * width));
}

/** A Poisson draw: Knuth's method for small means, a rounded normal for large ones. */
function poisson(mean: number, random: () => number): number {
  if (mean > 50) {
    const u = Math.max(random(), 1e-12);
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}
