/**
 * `npm run bench:decide` — the routing decision in process.
 *
 *   tsx bench/decide/main.ts [--quick] [--json]
 *
 * 1. decide(): decisions per second and p50/p99 latency for 1/50/500 rules × 3/10/30 gateways
 *    (quick: 1×3, 50×10, 500×30), rulesets and fee schedules generated as YAML and read by the
 *    real parsers, a seeded pool of transactions aimed at rules in the middle of the list.
 * 2. SuccessRateLearner: ns per update / estimate / sample, and memory after 1 000 000 updates
 *    (a child `node --expose-gc --import tsx bench/decide/memory.ts`).
 * 3. The target: decision p99 ≤ 50 µs with 50 rules and 10 gateways.
 * 4. BIN facts: the public BIN table's lookup and a payment's whole card-facts resolution, ns per call.
 *
 * Timings are never asserted: the machine is shared and noisy. Medians of repetitions, and ratios.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decide, type DecideInput } from '../../src/routing/decide.js';
import { seededRandom } from '../../src/domain/random.js';
import { successModel } from '../../src/routing/success-model.js';
import { benchFlags, environment, median, percentile, report, table } from '../lib/report.js';
import { gatewaySet, generateRuleset, transactionPool, warmedLearner, type GatewaySet, type GeneratedRuleset, type Pool } from './fixtures.js';
import { learnerBench, type LearnerBenchResult } from './learner-bench.js';
import { binBench } from './bin-bench.js';
import { loadavg } from 'node:os';
import { GcLog, clock, cpuShare, gcHits, runFor, timeBatches, timeSingles, timerOverhead } from './measure.js';

const TARGET = { rules: 50, gateways: 10, p99_us: 50 };

const flags = benchFlags();
const CONFIG = flags.quick
  ? {
      combos: [
        [1, 3],
        [50, 10],
        [500, 30],
      ] as const,
      reps: 3,
      poolSize: 2048,
      firstWarmMs: 300,
      warmMs: 100,
      batchMs: 300,
      singleMs: 300,
      minSingles: 3_000,
      learnerWarmUpdates: 100_000,
      learnerReps: 3,
      learnerCalls: 100_000,
      memoryReps: 3,
    }
  : {
      combos: [1, 50, 500].flatMap((r) => [3, 10, 30].map((g) => [r, g] as const)),
      reps: 5,
      poolSize: 4096,
      firstWarmMs: 1000,
      warmMs: 300,
      batchMs: 1200,
      singleMs: 1200,
      minSingles: 20_000,
      learnerWarmUpdates: 300_000,
      learnerReps: 5,
      learnerCalls: 1_000_000,
      memoryReps: 3,
    };
const BATCH = 100;
const PROBE_EVERY = 10; // as in src/orchestrator/router.ts

interface Combo {
  rules: number;
  gateways: number;
  set: GatewaySet;
  ruleset: GeneratedRuleset;
  pool: Pool;
  op: (i: number) => void;
  eligibleMean: number;
  actions: Record<string, number>;
}

interface RepResult {
  decisions_per_s: number;
  batch_p50_us: number;
  batch_p99_us: number;
  single_p50_us: number;
  single_p99_us: number;
  single_p999_us: number;
  single_max_us: number;
  /** p99 of the single-timed decisions that no GC pause overlapped: a diagnostic, not the headline. */
  single_p99_no_gc_us: number;
  /** Decisions a GC pause overlapped. */
  singles_gc_hit: number;
  singles: number;
  /** CPU time over wall time in the single phase: below ~0.97 the process waited for a core. */
  cpu_share_single: number;
  gc_batch: { count: number; total_ms: number; max_ms: number; major: number };
  gc_single: { count: number; total_ms: number; max_ms: number; major: number };
}

let sink = 0;

function log(line: string): void {
  if (!flags.json) process.stderr.write(`${line}\n`);
}

// ---------------------------------------------------------------- setup

function setup(): Combo[] {
  const pools = new Map<number, { ruleset: GeneratedRuleset; pool: Pool }>();
  const combos: Combo[] = [];
  for (const [rules, gateways] of CONFIG.combos) {
    const set = gatewaySet(gateways);
    const ruleset = generateRuleset(rules, set.names);
    // The conditions depend on the rule count only, so one pool per rule count serves every gateway set.
    let shared = pools.get(rules);
    if (shared === undefined) {
      shared = { ruleset, pool: transactionPool(ruleset, CONFIG.poolSize) };
      pools.set(rules, shared);
    }
    const pool = shared.pool;
    const learner = warmedLearner(set.candidates, CONFIG.learnerWarmUpdates);
    const model = successModel(learner);
    const random = seededRandom(rules * 1000 + gateways);
    const entry = { version: 1, compiled: ruleset.compiled };
    const { txs } = pool;
    const size = txs.length;
    let counter = 0;
    // What the router does per payment: a fresh probe slot and the input object, then decide().
    const op = (i: number) => {
      counter = (counter + 1) % PROBE_EVERY;
      const input: DecideInput = {
        tx: txs[i % size]!,
        candidates: set.candidates,
        ruleset: entry,
        explicit: null,
        model,
        random,
        probe: { every: PROBE_EVERY, counter },
      };
      const { order, explanation } = decide(input);
      sink += order.length + explanation.candidates.length;
    };
    // One pass over the pool, untimed: check the depths are the ones measured, count eligibility and actions.
    let eligible = 0;
    const actions: Record<string, number> = {};
    for (let i = 0; i < size; i++) {
      const { explanation } = decide({ tx: txs[i]!, candidates: set.candidates, ruleset: entry, explicit: null, model, random, probe: { every: PROBE_EVERY, counter: 1 } });
      eligible += explanation.candidates.filter((c) => c.eligible).length;
      actions[explanation.action] = (actions[explanation.action] ?? 0) + 1;
      const expected = pool.depths[i]! < 0 ? 'default' : ruleset.specs[pool.depths[i]!]!.id;
      if (explanation.rule !== expected) throw new Error(`pool depth mismatch at ${i}: ${explanation.rule} vs ${expected}`);
    }
    combos.push({ rules, gateways, set, ruleset, pool, op, eligibleMean: eligible / size, actions });
  }
  return combos;
}

function depthSummary(pool: Pool, rules: number) {
  const depths = Array.from(pool.depths);
  const matched = depths.filter((d) => d >= 0).map((d) => d + 1);
  const evaluated = depths.map((d) => (d < 0 ? rules : d + 1));
  return {
    aim: pool.aim,
    default_share: depths.filter((d) => d < 0).length / depths.length,
    matched_rule_p10: matched.length ? percentile(matched, 10) : null,
    matched_rule_p50: matched.length ? percentile(matched, 50) : null,
    matched_rule_p90: matched.length ? percentile(matched, 90) : null,
    rules_evaluated_mean: evaluated.reduce((s, x) => s + x, 0) / evaluated.length,
  };
}

// ---------------------------------------------------------------- measuring

async function measure(combo: Combo, rep: number, gc: GcLog): Promise<RepResult> {
  const start = rep * 50_000_000;
  const warm = runFor(combo.op, rep === 0 ? CONFIG.firstWarmMs : CONFIG.warmMs, start);
  const batches = Math.max(20, Math.ceil((CONFIG.batchMs * 1e6) / (warm.nsPerCall * BATCH)));
  const b0 = clock();
  const { perOp, totalNs } = timeBatches(combo.op, batches, BATCH, start + warm.calls);
  const b1 = clock();
  const singles = Math.max(CONFIG.minSingles, Math.ceil((CONFIG.singleMs * 1e6) / warm.nsPerCall));
  const s0 = clock();
  let single!: ReturnType<typeof timeSingles>;
  const share = cpuShare(() => {
    single = timeSingles(combo.op, singles, start + warm.calls + batches * BATCH);
  });
  const s1 = clock();
  await gc.flush();
  const hits = gcHits(single, gc.pausesWithin(s0 - 50, s1));
  const batchUs = Array.from(perOp, (ns) => ns / 1000);
  const singleUs = Array.from(single.durations, (ns) => ns / 1000);
  const noGcUs = singleUs.filter((_, k) => hits[k] === 0);
  return {
    decisions_per_s: (batches * BATCH) / (totalNs / 1e9),
    batch_p50_us: percentile(batchUs, 50),
    batch_p99_us: percentile(batchUs, 99),
    single_p50_us: percentile(singleUs, 50),
    single_p99_us: percentile(singleUs, 99),
    single_p999_us: percentile(singleUs, 99.9),
    single_max_us: singleUs.reduce((max, v) => Math.max(max, v), -Infinity),
    single_p99_no_gc_us: percentile(noGcUs, 99),
    singles_gc_hit: singleUs.length - noGcUs.length,
    singles,
    cpu_share_single: share,
    gc_batch: gc.within(b0, b1),
    gc_single: gc.within(s0, s1),
  };
}

function memoryChild(): unknown {
  const script = fileURLToPath(new URL('./memory.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--updates', '1000000', '--reps', String(CONFIG.memoryReps)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

// ---------------------------------------------------------------- main

const t0 = clock();
const env = environment();
const loadBefore = loadavg();
log(`bench:decide${flags.quick ? ' --quick' : ''}: setting up ${CONFIG.combos.length} rule/gateway combinations…`);
const combos = setup();
const timer = timerOverhead();
log(`setup ${((clock() - t0) / 1000).toFixed(1)} s; hrtime.bigint() pair: median ${timer.median_ns} ns, min ${timer.min_ns} ns`);

const gcLog = new GcLog();
const reps = new Map<Combo, RepResult[]>(combos.map((c) => [c, []]));
for (let rep = 0; rep < CONFIG.reps; rep++) {
  // Combinations interleaved within each repetition: noise from the shared machine spreads over all of them.
  const order = combos.map((_, i) => combos[(i + rep) % combos.length]!);
  for (const combo of order) reps.get(combo)!.push(await measure(combo, rep, gcLog));
  log(`repetition ${rep + 1}/${CONFIG.reps} done (${((clock() - t0) / 1000).toFixed(0)} s)`);
}
gcLog.stop();

log('learner: update / estimate / sample…');
const learner: LearnerBenchResult = learnerBench(CONFIG.learnerReps, CONFIG.learnerCalls);
log('learner: memory after 1 000 000 updates (child process with --expose-gc)…');
const memory = memoryChild() as {
  gateways: number;
  transactions: number;
  distinct_segments: number;
  runs: { updates: number; cells: number; heap_used_delta: number; array_buffers_delta: number; total_delta: number; bytes_per_cell: number }[];
};
log('BIN facts: table lookup and card-facts resolution…');
const bins = binBench(CONFIG.learnerReps, CONFIG.learnerCalls);
if (Number.isNaN(sink)) throw new Error('unreachable: keeps the results alive');

// ---------------------------------------------------------------- results

const med = (list: RepResult[], key: keyof RepResult) => median(list.map((r) => r[key] as number));
const decisionResults = combos.map((c) => {
  const list = reps.get(c)!;
  return {
    rules: c.rules,
    gateways: c.gateways,
    breakers: c.set.notes,
    rule_families: c.ruleset.families,
    eligible_mean: c.eligibleMean,
    actions: c.actions,
    traffic: depthSummary(c.pool, c.rules),
    median: {
      decisions_per_s: med(list, 'decisions_per_s'),
      batch_p50_us: med(list, 'batch_p50_us'),
      batch_p99_us: med(list, 'batch_p99_us'),
      single_p50_us: med(list, 'single_p50_us'),
      single_p99_us: med(list, 'single_p99_us'),
      single_p999_us: med(list, 'single_p999_us'),
      single_max_us: med(list, 'single_max_us'),
      single_p99_no_gc_us: med(list, 'single_p99_no_gc_us'),
      cpu_share_single: med(list, 'cpu_share_single'),
    },
    single_p99_us_range: [Math.min(...list.map((r) => r.single_p99_us)), Math.max(...list.map((r) => r.single_p99_us))],
    reps: list,
  };
});
const base = decisionResults.find((d) => d.rules === 1 && d.gateways === 3) ?? decisionResults[0]!;
const baseMeanUs = 1e6 / base.median.decisions_per_s;
const target = decisionResults.find((d) => d.rules === TARGET.rules && d.gateways === TARGET.gateways);
const targetP99 = target?.median.single_p99_us;
const targetMet = targetP99 !== undefined && targetP99 <= TARGET.p99_us;
const memoryTotal = median(memory.runs.map((r) => r.total_delta));
const memoryCells = median(memory.runs.map((r) => r.cells));

const us = (x: number) => Number(x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2));
const decisionTable = table(
  ['rules', 'gws', 'eligible', 'rules tried', 'default', 'decisions/s', 'mean µs', '× 1r·3g', 'p50 µs (batch)', 'p99 µs (batch)', 'p50 µs', 'p99 µs', 'p99 range', 'p99.9 µs', 'max µs', 'GC/1k', 'GC ms max', 'p99 no-GC', 'CPU share'],
  decisionResults.map((d) => {
    const meanUs = 1e6 / d.median.decisions_per_s;
    const gcs = d.reps.reduce((s, r) => s + r.gc_single.count, 0);
    const singles = d.reps.reduce((s, r) => s + r.singles, 0);
    return [
      d.rules,
      d.gateways,
      Number(d.eligible_mean.toFixed(1)),
      Number(d.traffic.rules_evaluated_mean.toFixed(1)),
      `${(d.traffic.default_share * 100).toFixed(0)} %`,
      Math.round(d.median.decisions_per_s),
      us(meanUs),
      `${(meanUs / baseMeanUs).toFixed(1)}×`,
      us(d.median.batch_p50_us),
      us(d.median.batch_p99_us),
      us(d.median.single_p50_us),
      us(d.median.single_p99_us),
      `${us(d.single_p99_us_range[0]!)}–${us(d.single_p99_us_range[1]!)}`,
      us(d.median.single_p999_us),
      us(d.median.single_max_us),
      Number(((gcs / singles) * 1000).toFixed(2)),
      Number(Math.max(...d.reps.map((r) => r.gc_single.max_ms)).toFixed(2)),
      us(d.median.single_p99_no_gc_us),
      Number(d.median.cpu_share_single.toFixed(2)),
    ];
  }),
);
const trafficTable = table(
  ['rules', 'aim', 'default', 'matched rule p10 / p50 / p90', 'families'],
  [...new Map(decisionResults.map((d) => [d.rules, d])).values()].map((d) => [
    d.rules,
    d.traffic.aim,
    `${(d.traffic.default_share * 100).toFixed(1)} %`,
    d.traffic.matched_rule_p50 === null ? '–' : `${d.traffic.matched_rule_p10} / ${d.traffic.matched_rule_p50} / ${d.traffic.matched_rule_p90}`,
    Object.entries(d.rule_families)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  ]),
);
const learnerTable = table(
  ['operation', 'ns/call', 'per rep (ns)', 'calls/s'],
  learner.ops.map((o) => [o.op, Math.round(o.ns_per_call), o.reps_ns.map((x) => Math.round(x)).join(' '), Math.round(1e9 / o.ns_per_call)]),
);
const memoryTable = table(
  ['rep', 'updates', 'cells', 'heapUsed Δ', 'arrayBuffers Δ', 'total Δ', 'bytes/cell'],
  memory.runs.map((r, i) => [i + 1, r.updates, r.cells, r.heap_used_delta, r.array_buffers_delta, r.total_delta, Number(r.bytes_per_cell.toFixed(1))]),
);

const gwNotes = [...new Map(decisionResults.map((d) => [d.gateways, d.breakers])).entries()]
  .map(([g, notes]) => `${g}: ${notes.length ? notes.join(', ') : 'all closed'}`)
  .join('; ');
const text = [
  `bench:decide${flags.quick ? ' (quick)' : ''} — ${env.date}, node ${env.node}, ${env.cpus} × ${env.cpu_model}, commit ${env.commit.slice(0, 12)}`,
  '',
  '1. decide() in process',
  '',
  decisionTable,
  '',
  `Medians of ${CONFIG.reps} repetitions (p99 range: lowest–highest repetition). "eligible": gateways left after eligibility, mean;`,
  '"rules tried": rules evaluated per decision, mean (the matched rule\'s position, or all of them for the default);',
  `"× 1r·3g": mean latency (1/throughput) relative to 1 rule × 3 gateways; "GC/1k": GC pauses per 1 000 single-timed decisions; "GC ms max": longest pause in those windows;`,
  '"p99 no-GC": p99 of the single-timed decisions no GC pause overlapped (diagnostic only: the p99 column is the real one);',
  `"CPU share": CPU time / wall time during single timing (below ~0.97: the process waited for a core). Load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} at start, ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end, on ${env.cpus} cores.`,
  '',
  'Method. Per combination and repetition (combinations interleaved, rotated each repetition): warm-up',
  `(${CONFIG.firstWarmMs} ms the first time, ${CONFIG.warmMs} ms after), then batch timing — process.hrtime.bigint() around batches of ${BATCH}`,
  `decisions, ~${CONFIG.batchMs} ms: decisions/s = decisions / summed batch time, "(batch)" percentiles are of per-batch means, which`,
  `smooth the tail — then single timing — hrtime.bigint() around each decision, ~${CONFIG.singleMs} ms and at least ${CONFIG.minSingles.toLocaleString('en-US')} decisions — for p50/p99/p99.9/max.`,
  `Timer: a back-to-back hrtime.bigint() pair costs ${timer.median_ns} ns median (${timer.p99_ns} ns p99, smallest step ${timer.min_ns} ns); it is included in`,
  'single timings, not subtracted. GC pauses (perf_hooks gc entries) are not filtered out: they are in the p99 as in production.',
  'Each decision is what the router does per payment: a fresh input with a probe slot (every 10), decide() with the',
  'compiled ruleset, the candidates and successModel(learner) (a learner warmed with',
  `${CONFIG.learnerWarmUpdates.toLocaleString('en-US')} outcomes), seeded random. Transactions cycle through a seeded pool of ${CONFIG.poolSize.toLocaleString('en-US')}.`,
  '',
  'Fixtures (bench/decide/fixtures.ts). Rulesets are generated as YAML text and go through parseRuleset (with the',
  'shadowing check) and compile: narrow rules on card.bin (prefix/range/in per BIN block, + network or currency),',
  'amount bands per currency (+ networks, debit, issuer, initiator or manual capture), sub-merchant metadata',
  '(in/prefix, + currency or subscription), issuer countries + currency; with 50+ rules a sanctioned-country block rule',
  'first; actions route 35 % / split 20 % / optimize 45 % (half with `among`), default optimize expected_value.',
  'Gateways: Stripe/Adyen/Braintree accounts over regions narrowing currencies (and issuer countries for JP/MX),',
  `fee schedules as fees.yaml text through parseFeeSchedules (per-currency prices, amex and debit overrides, cross-border, FX). Breakers — ${gwNotes}.`,
  'Traffic: 9 currencies, 8 networks with real BIN ranges, 40 issuer countries (Zipf), log-normal amounts, sub-merchant ids.',
  'Where the deciding rule sits (measured with evaluate over the pool):',
  '',
  trafficTable,
  '',
  '2. SuccessRateLearner',
  '',
  learnerTable,
  '',
  `${learner.gateways} gateways, ${learner.transactions.toLocaleString('en-US')} transactions (${learner.distinct_segments.toLocaleString('en-US')} distinct segments), random gateway and transaction per call,`,
  `85 % successes. Per repetition a fresh learner warmed with ${learner.warm_updates.toLocaleString('en-US')} updates (${learner.cells_after_warm_up.toLocaleString('en-US')} cells), then batches of ${learner.batch_size.toLocaleString('en-US')} calls;`,
  `median batch per repetition, median of ${CONFIG.learnerReps} repetitions. successModel.* are the calls decide() makes (they build the segment).`,
  '',
  `Memory after 1 000 000 updates (child: node --expose-gc --import tsx bench/decide/memory.ts; forced GC before and after,`,
  `same workload: ${memory.gateways} gateways, ${memory.distinct_segments.toLocaleString('en-US')} distinct segments):`,
  '',
  memoryTable,
  '',
  `Median: ${(memoryTotal / 1024).toFixed(0)} KiB for ${memoryCells.toLocaleString('en-US')} cells (arrayBuffers is the typed arrays' capacity, grown by doubling).`,
  '',
  '3. Target: decision p99 ≤ 50 µs with 50 rules and 10 gateways',
  '',
  targetP99 === undefined
    ? 'not measured in this run'
    : `${targetMet ? 'MET' : 'NOT MET'}: p99 ${us(targetP99)} µs (median of ${CONFIG.reps} repetitions, single-decision timing; range ${us(target!.single_p99_us_range[0]!)}–${us(target!.single_p99_us_range[1]!)} µs) = ${(
        targetP99 / TARGET.p99_us
      ).toFixed(2)} × the 50 µs budget; p50 ${us(target!.median.single_p50_us)} µs.`,
  '',
  '4. BIN facts',
  '',
  table(
    ['operation', 'ns/call', 'per rep (ns)'],
    bins.ops.map((o) => [o.op, Math.round(o.ns_per_call), o.reps_ns.map((x) => Math.round(x)).join(' ')]),
  ),
  '',
  `Public table: ${bins.ranges_in_data.toLocaleString('en-US')} binlist/data ranges → ${bins.disjoint_ranges.toLocaleString('en-US')} disjoint ranges, built in ${bins.build_ms.toFixed(1)} ms (median; once per process or`,
  `Worker isolate). ${bins.pool.toLocaleString('en-US')} seeded card numbers, ${(bins.known_share * 100).toFixed(0)} % on BINs the table lists; batches of 1 000, median batch per repetition, median of ${CONFIG.learnerReps}.`,
  '',
  `Total ${((clock() - t0) / 1000).toFixed(0)} s.`,
].join('\n');

await report('decide', flags, text, {
  config: { ...CONFIG, batch_size: BATCH, probe_every: PROBE_EVERY },
  load_average: { start: loadBefore, end: loadavg() },
  timer_overhead_ns: timer,
  decisions: decisionResults,
  bin_facts: bins,
  learner,
  memory,
  target: { ...TARGET, p99_us_measured: targetP99 ?? null, met: targetP99 === undefined ? null : targetMet },
  duration_s: (clock() - t0) / 1000,
});
