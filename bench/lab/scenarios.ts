/**
 * The lab's scenarios: each is a true world (approval rates per gateway × segment over time,
 * outages), a fee file for the real fee parser, a traffic mix, and what to chart and measure.
 */
import { seededRandom } from '../../src/domain/random.js';
import type { RoutingTransaction } from '../../src/routing/rules/transaction.js';
import { WIDE_COUNTRIES, type Mix, type World } from './env.js';

/** Equal prices at every gateway: the choice is about approval only. */
const EQUAL_FEES = `
gateways:
${['gw_a', 'gw_b', 'gw_c']
  .map(
    (g) => `  ${g}:
    country: US
    settlement_currencies: [USD, EUR, GBP]
    prices:
      USD: { percent_bps: 290, fixed: 30 }
      EUR: { percent_bps: 290, fixed: 30 }
      GBP: { percent_bps: 290, fixed: 30 }`,
  )
  .join('\n')}
`;

/** gw_b is the cheap one (1.5 % + 20 instead of 2.9 % + 30); gw_c sits in between. */
const COST_FEES = `
gateways:
  gw_a:
    country: US
    settlement_currencies: [USD, EUR, GBP]
    prices:
      USD: { percent_bps: 290, fixed: 30 }
      EUR: { percent_bps: 290, fixed: 30 }
      GBP: { percent_bps: 290, fixed: 30 }
  gw_b:
    country: US
    settlement_currencies: [USD, EUR, GBP]
    prices:
      USD: { percent_bps: 150, fixed: 20 }
      EUR: { percent_bps: 150, fixed: 20 }
      GBP: { percent_bps: 150, fixed: 20 }
  gw_c:
    country: US
    settlement_currencies: [USD, EUR, GBP]
    prices:
      USD: { percent_bps: 220, fixed: 25 }
      EUR: { percent_bps: 220, fixed: 25 }
      GBP: { percent_bps: 220, fixed: 25 }
`;

/** What to measure about traffic moving, and to chart: the primary share of one gateway, within a slice. */
export interface Tracking {
  gateway: number;
  /** The slice the share is taken over (the segment scenario charts a specialist within its segment). */
  within: ((tx: RoutingTransaction) => boolean) | null;
  label: string;
}

export interface Change {
  /** Index of the change: outage start, recovery, the drift's crossover. */
  at: number;
  /** `down`: the tracked gateway should lose traffic; `up`: it should win it back. */
  direction: 'down' | 'up';
  name: string;
  /** The tracked share before this index is the reference (default: the 10 % of the run before `at`). */
  referenceEnd?: number;
}

export interface Scenario {
  name: string;
  description: string;
  stationary: boolean;
  mix: Mix;
  fees: string;
  world(count: number, seed: number): World;
  changes(count: number): Change[];
  track: Tracking | null;
  /** Shaded on the chart: [from, to) as fractions of the run. */
  shade?: [number, number];
}

const constant =
  (rates: readonly number[]): World['rate'] =>
  (g) =>
    rates[g]!;
const neverDown: World['down'] = () => false;

const lerp = (from: number, to: number, x: number) => from + (to - from) * Math.min(1, Math.max(0, x));

/** Drift: gw_a slides 0.92 → 0.84 and gw_b climbs 0.85 → 0.93 between 25 % and 75 % of the run. */
const DRIFT = { start: 0.25, end: 0.75, a: [0.92, 0.84], b: [0.85, 0.93], c: 0.87 } as const;
/** Where the two lines cross, as a fraction of the drift. */
const DRIFT_CROSS = (DRIFT.a[0] - DRIFT.b[0]) / (DRIFT.a[0] - DRIFT.b[0] + DRIFT.b[1] - DRIFT.a[1]);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'stationary',
    description: 'constant rates 0.92 / 0.88 / 0.85, equal fees',
    stationary: true,
    mix: 'standard',
    fees: EQUAL_FEES,
    world: () => ({ rate: constant([0.92, 0.88, 0.85]), down: neverDown }),
    changes: () => [],
    track: null,
  },
  {
    name: 'outage',
    description: 'rates 0.92 / 0.88 / 0.85; gw_a down (70 % refused, 30 % time-outs) from 30 % to 50 % of the run',
    stationary: false,
    mix: 'standard',
    fees: EQUAL_FEES,
    world: (count) => {
      const from = Math.floor(count * 0.3);
      const to = Math.floor(count * 0.5);
      return { rate: constant([0.92, 0.88, 0.85]), down: (g, i) => g === 0 && i >= from && i < to };
    },
    changes: (count) => [
      { at: Math.floor(count * 0.3), direction: 'down', name: 'outage' },
      { at: Math.floor(count * 0.5), direction: 'up', name: 'recovery', referenceEnd: Math.floor(count * 0.3) },
    ],
    track: { gateway: 0, within: null, label: 'gw_a primary share' },
    shade: [0.3, 0.5],
  },
  {
    name: 'drift',
    description: `gw_a drifts 0.92→0.84, gw_b 0.85→0.93 (gw_c 0.87) between 25 % and 75 %; they cross at ${((DRIFT.start + (DRIFT.end - DRIFT.start) * DRIFT_CROSS) * 100).toFixed(1)} %`,
    stationary: false,
    mix: 'standard',
    fees: EQUAL_FEES,
    world: (count) => {
      const at = (i: number) => (i / count - DRIFT.start) / (DRIFT.end - DRIFT.start);
      return {
        rate: (g, _tx, i) => (g === 0 ? lerp(DRIFT.a[0], DRIFT.a[1], at(i)) : g === 1 ? lerp(DRIFT.b[0], DRIFT.b[1], at(i)) : DRIFT.c),
        down: neverDown,
      };
    },
    changes: (count) => [
      {
        at: Math.floor(count * (DRIFT.start + (DRIFT.end - DRIFT.start) * DRIFT_CROSS)),
        direction: 'down',
        name: 'crossover',
        referenceEnd: Math.floor(count * DRIFT.start),
      },
    ],
    track: { gateway: 0, within: null, label: 'gw_a (best at the start) primary share' },
    shade: [DRIFT.start, DRIFT.end],
  },
  {
    name: 'segments',
    description: 'gw_a 0.90 everywhere; gw_b 0.86 but 0.95 on amex; gw_c 0.87 but 0.95 for GB-issued cards',
    stationary: true,
    mix: 'standard',
    fees: EQUAL_FEES,
    world: () => ({
      rate: (g, tx) => {
        if (g === 0) return 0.9;
        if (g === 1) return tx.card.network === 'amex' ? 0.95 : 0.86;
        return tx.card.issuerCountry === 'GB' ? 0.95 : 0.87;
      },
      down: neverDown,
    }),
    changes: () => [],
    track: { gateway: 1, within: (tx) => tx.card.network === 'amex', label: 'gw_b primary share among amex cards' },
  },
  {
    name: 'cost',
    description: 'gw_a 0.91 at 2.9 %+30, gw_b 0.89 at 1.5 %+20 (cheaper, slightly lower rate), gw_c 0.86 at 2.2 %+25',
    stationary: true,
    mix: 'standard',
    fees: COST_FEES,
    world: () => ({ rate: constant([0.91, 0.89, 0.86]), down: neverDown }),
    changes: () => [],
    track: null,
  },
  {
    name: 'sparse',
    description: '40 issuer countries (Zipf) × 3 networks; per (country, network) each gateway gets its own rate, base 0.90/0.88/0.86 ± 0.05',
    stationary: true,
    mix: 'wide',
    fees: EQUAL_FEES,
    world: (_count, seed) => {
      const random = seededRandom(seed ^ 0x5eed);
      const base = [0.9, 0.88, 0.86];
      const cells = new Map<string, number[]>();
      for (const country of WIDE_COUNTRIES) {
        for (const network of ['visa', 'mastercard', 'amex']) {
          cells.set(`${country}|${network}`, base.map((b) => b + (random() * 2 - 1) * 0.05));
        }
      }
      return { rate: (g, tx) => cells.get(`${tx.card.issuerCountry}|${tx.card.network}`)![g]!, down: neverDown };
    },
    changes: () => [],
    track: null,
  },
];
