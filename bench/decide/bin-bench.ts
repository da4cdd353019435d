/**
 * BIN facts costs in process: the public table's lookup (bisection over typed arrays) and the
 * whole resolution a payment makes (operator overrides, gateway reports, public table), on a
 * seeded pool of card numbers, half on BINs the public table lists, half on BINs it does not.
 * Also the table's build time (once per process or Worker isolate) and the heap a million
 * lookups leave behind (with --expose-gc; null without it): lookups should allocate nothing.
 */
import { seededRandom } from '../../src/domain/random.js';
import { cardFactsFor, type BinSources } from '../../src/routing/bins/card-facts.js';
import { ObservedBins } from '../../src/routing/bins/observed.js';
import { publicRanges } from '../../src/routing/bins/public-table.js';
import { BinTable, keyRange, panKey } from '../../src/routing/bins/table.js';
import data from '../../src/routing/bin-data/binlist-ranges.json' with { type: 'json' };
import { median } from '../lib/report.js';
import { clock, runFor, timeBatches } from './measure.js';

export interface BinBenchResult {
  ranges_in_data: number;
  disjoint_ranges: number;
  build_ms: number;
  pool: number;
  known_share: number;
  ops: { op: string; ns_per_call: number; reps_ns: number[] }[];
  /** Heap growth over 1 000 000 table lookups after a forced GC; null when gc is not exposed. */
  heap_delta_bytes_per_million_lookups: number | null;
}

const POOL = 4096;
const BATCH = 1_000;

export function binBench(reps: number, callsPerOp: number): BinBenchResult {
  const builds: number[] = [];
  let table = BinTable.EMPTY;
  for (let rep = 0; rep < Math.max(3, reps); rep++) {
    const t0 = clock();
    table = BinTable.build(publicRanges(data.rows));
    builds.push(clock() - t0);
  }
  const random = seededRandom(11);
  const listed = data.rows.map((row) => row.split(',')[0]!);
  const numbers = Array.from({ length: POOL }, (_, i) => {
    const bin = i % 2 === 0 ? listed[Math.floor(random() * listed.length)]! : String(400_000 + Math.floor(random() * 599_999));
    return bin.padEnd(8, '0') + String(Math.floor(random() * 1e8)).padStart(8, '0');
  });
  const keys = Int32Array.from(numbers, panKey);
  const known = numbers.filter((n) => table.lookup(panKey(n)) !== undefined).length / POOL;
  const observed = new ObservedBins();
  for (let i = 0; i < POOL; i += 3) observed.observe('merchant', numbers[i]!.slice(0, 6), { type: 'debit', issuerCountry: 'US' });
  const sources: BinSources = { overrides: BinTable.build([{ ...keyRange('4000'), facts: { network: null, type: 'prepaid', issuerCountry: null } }]), observed, table };

  let sink = 0;
  const ops: [string, (i: number) => void][] = [
    ['table.lookup (8-digit key)', (i) => void (sink += table.lookup(keys[i & (POOL - 1)]!) === undefined ? 0 : 1)],
    ['panKey + table.lookup', (i) => void (sink += table.lookup(panKey(numbers[i & (POOL - 1)]!)) === undefined ? 0 : 1)],
    ['cardFactsFor (overrides, gateway reports, table)', (i) => void (sink += cardFactsFor(sources, 'merchant', numbers[i & (POOL - 1)]!, 'visa', '424242').type === null ? 0 : 1)],
  ];
  const perOp = new Map<string, number[]>();
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < ops.length; k++) {
      const [name, op] = ops[(k + rep) % ops.length]!;
      runFor(op, 50, rep * 1_000_000);
      const { perOp: ns } = timeBatches(op, Math.max(3, Math.floor(callsPerOp / BATCH)), BATCH, rep * 1_000_000);
      perOp.set(name, [...(perOp.get(name) ?? []), median(Array.from(ns))]);
    }
  }

  let heapDelta: number | null = null;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) sink += table.lookup(keys[i & (POOL - 1)]!) === undefined ? 0 : 1;
    heapDelta = process.memoryUsage().heapUsed - before;
  }
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the results alive');
  return {
    ranges_in_data: data.rows.length,
    disjoint_ranges: table.size,
    build_ms: median(builds),
    pool: POOL,
    known_share: known,
    ops: [...perOp].map(([op, reps_ns]) => ({ op, ns_per_call: median(reps_ns), reps_ns })),
    heap_delta_bytes_per_million_lookups: heapDelta,
  };
}
