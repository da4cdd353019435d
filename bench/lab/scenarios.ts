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

/**
 * Each gateway cheapest in one currency (1.2 % + 10 against 2.9 % + 30 elsewhere): the best
 * choice depends on the payment's currency and amount, not only on approval.
 */
const CURRENCY_FEES = `
gateways:
${(
  [
    ['gw_a', 'EUR'],
    ['gw_b', 'USD'],
    ['gw_c', 'GBP'],
  ] as const
)
  .map(
    ([g, cheap]) => `  ${g}:
    country: US
    settlement_currencies: [USD, EUR, GBP]
    prices:
${['USD', 'EUR', 'GBP'].map((c) => `      ${c}: ${c === cheap ? '{ percent_bps: 120, fixed: 10 }' : '{ percent_bps: 290, fixed: 30 }'}`).join('\n')}`,
  )
  .join('\n')}
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
  /** Nothing changes: the regret target (≤ 0.5 pp) applies. */
  stationary: boolean;
  /** What the merchant is judged on against the peer: first-attempt approval, or net after fees when fees differ. */
  judge: 'approval' | 'net';
  /** Transactions per run when not the lab's default (low traffic). */
  transactions?: number;
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

/** Slow drift: gw_a slides 0.93 → 0.83 over the whole run, past gw_b (0.90) at 30 % and gw_c (0.87) at 60 %. */
const SLOW = { a: [0.93, 0.83], b: 0.9, c: 0.87 } as const;
/** Flapping: gw_a (the best) is down for FLAP.down transactions in every FLAP.period, from FLAP.offset on. */
const FLAP = { period: 4_000, offset: 2_000, down: 300 } as const;
/** One network degrades at the best gateway only: mastercard at gw_a 0.92 → 0.60 from 30 % to 60 % of the run. */
const SEGMENT_OUTAGE = { from: 0.3, to: 0.6, rate: 0.6 } as const;
/** A hard outage: every attempt at gw_a times out from 40 % to 42 % of the run (4 000 transactions of 200 000). */
const HARD = { from: 0.4, to: 0.42 } as const;

/** Drift: gw_a slides 0.92 → 0.84 and gw_b climbs 0.85 → 0.93 between 25 % and 75 % of the run. */
const DRIFT = { start: 0.25, end: 0.75, a: [0.92, 0.84], b: [0.85, 0.93], c: 0.87 } as const;
/** Where the two lines cross, as a fraction of the drift. */
const DRIFT_CROSS = (DRIFT.a[0] - DRIFT.b[0]) / (DRIFT.a[0] - DRIFT.b[0] + DRIFT.b[1] - DRIFT.a[1]);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'stationary',
    description: 'constant rates 0.92 / 0.88 / 0.85, equal fees',
    stationary: true,
    judge: 'approval',
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
    judge: 'approval',
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
    judge: 'approval',
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
    judge: 'approval',
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
    judge: 'net',
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
    judge: 'approval',
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
  {
    name: 'close',
    description: 'close rates 0.90 / 0.89 / 0.87 (1–3 pp apart), equal fees',
    stationary: true,
    judge: 'approval',
    mix: 'standard',
    fees: EQUAL_FEES,
    world: () => ({ rate: constant([0.9, 0.89, 0.87]), down: neverDown }),
    changes: () => [],
    track: null,
  },
  {
    name: 'segment_outage',
    description: `rates 0.92 / 0.88 / 0.85; mastercard at gw_a alone falls to ${SEGMENT_OUTAGE.rate} from ${SEGMENT_OUTAGE.from * 100} % to ${SEGMENT_OUTAGE.to * 100} % of the run (gw_a fine for visa and amex)`,
    stationary: false,
    judge: 'approval',
    mix: 'standard',
    fees: EQUAL_FEES,
    world: (count) => {
      const from = Math.floor(count * SEGMENT_OUTAGE.from);
      const to = Math.floor(count * SEGMENT_OUTAGE.to);
      const base = [0.92, 0.88, 0.85];
      return { rate: (g, tx, i) => (g === 0 && tx.card.network === 'mastercard' && i >= from && i < to ? SEGMENT_OUTAGE.rate : base[g]!), down: neverDown };
    },
    changes: (count) => [
      { at: Math.floor(count * SEGMENT_OUTAGE.from), direction: 'down', name: 'degradation' },
      { at: Math.floor(count * SEGMENT_OUTAGE.to), direction: 'up', name: 'recovery', referenceEnd: Math.floor(count * SEGMENT_OUTAGE.from) },
    ],
    track: { gateway: 0, within: (tx) => tx.card.network === 'mastercard', label: 'gw_a primary share among mastercard cards' },
    shade: [SEGMENT_OUTAGE.from, SEGMENT_OUTAGE.to],
  },
  {
    name: 'slow_drift',
    description: `gw_a drifts ${SLOW.a[0]}→${SLOW.a[1]} over the whole run, crossing gw_b (${SLOW.b}) at 30 % and gw_c (${SLOW.c}) at 60 %`,
    stationary: false,
    judge: 'approval',
    mix: 'standard',
    fees: EQUAL_FEES,
    world: (count) => ({ rate: (g, _tx, i) => (g === 0 ? lerp(SLOW.a[0], SLOW.a[1], i / count) : g === 1 ? SLOW.b : SLOW.c), down: neverDown }),
    changes: (count) => [{ at: Math.floor(count * 0.3), direction: 'down', name: 'crossover', referenceEnd: Math.floor(count * 0.1) }],
    track: { gateway: 0, within: null, label: 'gw_a (best at the start) primary share' },
  },
  {
    name: 'flapping',
    description: `rates 0.92 / 0.88 / 0.85; gw_a down (70 % refused, 30 % time-outs) for ${FLAP.down} transactions in every ${FLAP.period.toLocaleString('en-US')}`,
    stationary: false,
    judge: 'approval',
    mix: 'standard',
    fees: EQUAL_FEES,
    world: () => ({ rate: constant([0.92, 0.88, 0.85]), down: (g, i) => g === 0 && i >= FLAP.offset && (i - FLAP.offset) % FLAP.period < FLAP.down }),
    changes: () => [],
    track: null,
  },
  {
    name: 'low_traffic',
    description: 'a small merchant: 3 000 transactions, rates 0.92 / 0.88 / 0.85, equal fees',
    stationary: true,
    judge: 'approval',
    transactions: 3_000,
    mix: 'standard',
    fees: EQUAL_FEES,
    world: () => ({ rate: constant([0.92, 0.88, 0.85]), down: neverDown }),
    changes: () => [],
    track: null,
  },
  {
    name: 'hard_outage',
    description: `rates 0.92 / 0.88 / 0.85; every attempt at gw_a times out from ${HARD.from * 100} % to ${HARD.to * 100} % of the run, then it recovers`,
    stationary: false,
    judge: 'approval',
    mix: 'standard',
    fees: EQUAL_FEES,
    world: (count) => {
      const from = Math.floor(count * HARD.from);
      const to = Math.floor(count * HARD.to);
      return { rate: constant([0.92, 0.88, 0.85]), down: (g, i) => g === 0 && i >= from && i < to, refusedShare: 0 };
    },
    changes: (count) => [
      { at: Math.floor(count * HARD.from), direction: 'down', name: 'outage' },
      { at: Math.floor(count * HARD.to), direction: 'up', name: 'recovery', referenceEnd: Math.floor(count * HARD.from) },
    ],
    track: { gateway: 0, within: null, label: 'gw_a primary share' },
    shade: [HARD.from, HARD.to],
  },
  {
    name: 'fees',
    description: 'rates 0.91 / 0.90 / 0.89; each gateway cheapest (1.2 %+10 against 2.9 %+30) in one currency: gw_a EUR, gw_b USD, gw_c GBP',
    stationary: true,
    judge: 'net',
    mix: 'standard',
    fees: CURRENCY_FEES,
    world: () => ({ rate: constant([0.91, 0.9, 0.89]), down: neverDown }),
    changes: () => [],
    track: null,
  },
];
