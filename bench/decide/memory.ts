/**
 * Learner memory after N updates, in a child process started with --expose-gc:
 *
 *   node --expose-gc --import tsx bench/decide/memory.ts [--updates 1000000] [--reps 3]
 *
 * Per repetition: forced GC, baseline heapUsed + arrayBuffers, a fresh SuccessRateLearner,
 * N updates over the learner workload (a random gateway of 10 and a random one of 5 000
 * transactions' segments per update), forced
 * GC, the same reading again. The workload is built before the baseline, so the delta is the
 * learner's state alone (maps, interned strings, typed arrays: arrayBuffers holds the typed
 * arrays' backing stores, which grow by doubling, so it shows capacity, not cells in use).
 * Prints one JSON line on stdout.
 */
import { SuccessRateLearner } from '../../src/routing/learner/learner.js';
import { learnerWorkload } from './fixtures.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  process.stderr.write('memory.ts needs --expose-gc: node --expose-gc --import tsx bench/decide/memory.ts\n');
  process.exit(2);
}

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const updates = arg('--updates', 1_000_000);
const reps = arg('--reps', 3);

function collect(): { heapUsed: number; arrayBuffers: number } {
  // Twice: the first pass can leave work for weak callbacks and finalizers.
  gc!();
  gc!();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heapUsed, arrayBuffers };
}

const workload = learnerWorkload();
const { gateways, segments, outcomes, segmentPicks, gatewayPicks } = workload;
const runs = [];
for (let rep = 0; rep < reps; rep++) {
  const before = collect();
  let learner: SuccessRateLearner | null = new SuccessRateLearner();
  for (let i = 0; i < updates; i++) {
    learner.update(gateways[gatewayPicks[i % 65_521]!]!, segments[segmentPicks[i & 0xffff]!]!, outcomes[i & 0xffff] ? 'success' : 'failure');
  }
  const after = collect();
  const cells = learner.stats().cells;
  const heap = after.heapUsed - before.heapUsed;
  const buffers = after.arrayBuffers - before.arrayBuffers;
  runs.push({ updates, cells, heap_used_delta: heap, array_buffers_delta: buffers, total_delta: heap + buffers, bytes_per_cell: (heap + buffers) / cells });
  learner = null;
}
process.stdout.write(
  `${JSON.stringify({ node: process.version, gateways: gateways.length, transactions: segments.length, distinct_segments: workload.distinctSegments, runs })}\n`,
);
