/**
 * SuccessRateLearner costs in process: update, estimate and sample, both on the learner
 * itself (segment given) and through successModel (what decide() and the orchestrator call:
 * it builds the segment from the transaction, and `record` also maps the outcome).
 *
 * Per repetition: a fresh learner is warmed with 200 000 updates (steady state: cells exist,
 * the typed arrays have grown), then each operation runs in timed batches; a repetition's
 * figure is the median batch's ns per call.
 */
import { decline } from '../../src/domain/decline.js';
import type { AuthorizationOutcome } from '../../src/domain/outcome.js';
import { seededRandom } from '../../src/domain/random.js';
import { SuccessRateLearner } from '../../src/routing/learner/learner.js';
import { successModel } from '../../src/routing/success-model.js';
import { median } from '../lib/report.js';
import { learnerWorkload } from './fixtures.js';
import { runFor, timeBatches } from './measure.js';

export interface LearnerOpResult {
  op: string;
  /** Median over repetitions of each repetition's median batch, ns per call. */
  ns_per_call: number;
  /** Per repetition. */
  reps_ns: number[];
  calls_per_rep: number;
}

export interface LearnerBenchResult {
  gateways: number;
  transactions: number;
  distinct_segments: number;
  warm_updates: number;
  batch_size: number;
  cells_after_warm_up: number;
  ops: LearnerOpResult[];
}

const WARM_UPDATES = 200_000;
const BATCH = 1_000;

export function learnerBench(reps: number, callsPerOp: number): LearnerBenchResult {
  const w = learnerWorkload();
  const { gateways, segments, txs, outcomes, segmentPicks, gatewayPicks } = w;
  const approved: AuthorizationOutcome = { kind: 'approved', reference: 'ref', captured: true };
  const declined: AuthorizationOutcome = { kind: 'declined', reference: 'ref', decline: decline('do_not_honor', '05') };
  const random = seededRandom(7);
  const perOp = new Map<string, number[]>();
  let cells = 0;
  let sink = 0;

  for (let rep = 0; rep < reps; rep++) {
    const learner = new SuccessRateLearner();
    const model = successModel(learner);
    for (let i = 0; i < WARM_UPDATES; i++) {
      learner.update(gateways[gatewayPicks[i % 65_521]!]!, segments[segmentPicks[i & 0xffff]!]!, outcomes[i & 0xffff] ? 'success' : 'failure');
    }
    cells = learner.stats().cells;
    const g = (i: number) => gateways[gatewayPicks[i % 65_521]!]!;
    const ops: [string, (i: number) => void][] = [
      ['learner.update', (i) => learner.update(g(i), segments[segmentPicks[i & 0xffff]!]!, outcomes[i & 0xffff] ? 'success' : 'failure')],
      ['learner.estimate', (i) => void (sink += learner.estimate(g(i), segments[segmentPicks[i & 0xffff]!]!).p)],
      ['learner.sample', (i) => void (sink += learner.sample(g(i), segments[segmentPicks[i & 0xffff]!]!, random))],
      ['successModel.record (segment + attribution + update)', (i) => model.record(g(i), txs[segmentPicks[i & 0xffff]!]!, outcomes[i & 0xffff] ? approved : declined)],
      ['successModel.estimate (segment + estimate)', (i) => void (sink += model.estimate(g(i), txs[segmentPicks[i & 0xffff]!]!).p)],
      ['successModel.sample (segment + sample)', (i) => void (sink += model.sample(g(i), txs[segmentPicks[i & 0xffff]!]!, random))],
    ];
    // Rotate the order per repetition so no operation always runs first (or right after a GC-heavy one).
    for (let k = 0; k < ops.length; k++) {
      const [name, op] = ops[(k + rep) % ops.length]!;
      const start = WARM_UPDATES + rep * 10_000_000 + k * 1_000_000;
      runFor(op, 50, start);
      const batches = Math.max(3, Math.floor(callsPerOp / BATCH));
      const { perOp: ns } = timeBatches(op, batches, BATCH, start);
      const list = perOp.get(name) ?? [];
      list.push(median(Array.from(ns)));
      perOp.set(name, list);
    }
  }
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the results alive');
  return {
    gateways: gateways.length,
    transactions: txs.length,
    distinct_segments: w.distinctSegments,
    warm_updates: WARM_UPDATES,
    batch_size: BATCH,
    cells_after_warm_up: cells,
    ops: [...perOp].map(([op, reps_ns]) => ({ op, ns_per_call: median(reps_ns), reps_ns, calls_per_rep: Math.max(3, Math.floor(callsPerOp / BATCH)) * BATCH })),
  };
}
