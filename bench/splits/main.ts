/**
 * `npm run bench:splits` — how closely volume splits keep their weights.
 *
 *   tsx bench/splits/main.ts [--quick] [--json]
 *
 * Each split arm is a hash of the payment id, so a payment always gets the same arm and every
 * payment is an independent draw. This counts, over many seeded windows of 10,000 payment ids
 * shaped as `newId('pay')` makes them (monotonic ULIDs, about three per millisecond), how far the
 * realized shares stray from the weights: the share of windows within ±1 pp and ±2 pp on every
 * arm, the worst window, and the binomial standard deviation to compare with.
 */
import { monotonicFactory } from 'ulidx';
import { seededRandom } from '../../src/domain/random.js';
import { compile, evaluate } from '../../src/routing/rules/compile.js';
import { parseRuleset } from '../../src/routing/rules/parse.js';
import type { RoutingTransaction } from '../../src/routing/rules/transaction.js';
import { benchFlags, report, table } from '../lib/report.js';

const flags = benchFlags();
const WINDOWS = flags.quick ? 100 : 1_000;
const PAYMENTS = 10_000;
const SPLITS: Record<string, number>[] = [
  { a: 70, b: 30 },
  { a: 50, b: 50 },
  { a: 50, b: 33, c: 17 },
  { a: 34, b: 33, c: 33 },
  { a: 90, b: 10 },
];
const GATEWAYS = ['a', 'b', 'c'];

const compiled = SPLITS.map((weights) => {
  const arms = Object.entries(weights).map(([name, w]) => `${name}: ${w}`).join(', ');
  const parsed = parseRuleset(`default: { split: { ${arms} } }\n`, 'splits', GATEWAYS);
  if ('errors' in parsed) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return compile(parsed.ruleset, GATEWAYS);
});

const tx: RoutingTransaction = {
  paymentId: '',
  amount: 1000,
  currency: 'USD',
  paymentMethod: 'card',
  card: { network: 'visa', type: 'credit', bin: '424242', issuerCountry: 'US' },
  billingCountry: 'US',
  captureMethod: 'automatic',
  initiator: 'customer',
  metadata: {},
};

const stats = SPLITS.map(() => ({ within1: 0, within2: 0, worst: 0, sumWorst: 0 }));
for (let seed = 1; seed <= WINDOWS; seed++) {
  const ulid = monotonicFactory(seededRandom(seed));
  let now = Date.UTC(2026, 0, 1) + seed * 86_400_000;
  const counts = SPLITS.map(() => new Map<string, number>());
  for (let i = 0; i < PAYMENTS; i++) {
    if (i % 3 === 0) now += 1;
    tx.paymentId = `pay_${ulid(now)}`;
    compiled.forEach((c, s) => {
      const { action } = evaluate(c, tx);
      if (action.kind !== 'split') throw new Error('not a split');
      counts[s]!.set(action.chosen, (counts[s]!.get(action.chosen) ?? 0) + 1);
    });
  }
  SPLITS.forEach((weights, s) => {
    const deviation = Math.max(...Object.entries(weights).map(([name, w]) => Math.abs((100 * (counts[s]!.get(name) ?? 0)) / PAYMENTS - w)));
    const stat = stats[s]!;
    if (deviation <= 1) stat.within1++;
    if (deviation <= 2) stat.within2++;
    stat.worst = Math.max(stat.worst, deviation);
    stat.sumWorst += deviation;
  });
}

const results = SPLITS.map((weights, s) => {
  const stat = stats[s]!;
  const sigma = Math.max(...Object.values(weights).map((w) => 100 * Math.sqrt((w / 100) * (1 - w / 100) / PAYMENTS)));
  return {
    weights,
    windows: WINDOWS,
    payments_per_window: PAYMENTS,
    within_1pp: stat.within1 / WINDOWS,
    within_2pp: stat.within2 / WINDOWS,
    mean_largest_deviation_pp: Math.round((stat.sumWorst / WINDOWS) * 1000) / 1000,
    worst_deviation_pp: Math.round(stat.worst * 1000) / 1000,
    binomial_sigma_pp: Math.round(sigma * 1000) / 1000,
  };
});

const text = [
  `Volume splits: ${WINDOWS} windows of ${PAYMENTS.toLocaleString('en-US')} payments; the largest deviation of any arm per window`,
  table(
    ['weights', 'within ±1 pp', 'within ±2 pp', 'mean (pp)', 'worst (pp)', 'σ (pp)'],
    results.map((r) => [Object.values(r.weights).join('/'), r.within_1pp, r.within_2pp, r.mean_largest_deviation_pp, r.worst_deviation_pp, r.binomial_sigma_pp]),
  ),
].join('\n');
await report('splits', flags, text, results);
