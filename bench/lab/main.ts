/**
 * The routing lab: seeded simulations through the real routing engine against an environment
 * model, side by side with baseline policies and an oracle.
 *
 *   tsx bench/lab/main.ts [--quick] [--json] [--scenario name[,name…]] [--seeds N]
 *
 * Writes bench/results/lab.json (lab.quick.json) and SVG charts under bench/results/lab/.
 * A run narrowed by --scenario or --seeds is for trying a change: it writes lab.partial.json
 * and no charts, so the full results stay the ones of a full run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { report, table } from '../lib/report.js';
import { labFlags } from './flags.js';
import { lineChart, type Series } from './charts.js';
import { generateTraffic } from './env.js';
import { movedOffWithin, moves, round, shareSeries, summary, type Move, type Summary } from './metrics.js';
import { POLICY_NAMES, feeSchedules, type PolicyName } from './policies.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { run, type RunResult } from './simulate.js';

const flags = labFlags(SCENARIOS.map((s) => s.name));
const TRANSACTIONS = flags.quick ? 20_000 : 200_000;
const SEEDS = Array.from({ length: flags.seeds ?? (flags.quick ? 3 : 5) }, (_, i) => i + 1);
const PARTIAL = flags.scenarios !== null || flags.seeds !== null;
const BUCKETS = 200;
const CHARTED = new Set(['outage', 'drift', 'segments', 'segment_outage', 'hard_outage']);
/** The outage targets: this share of traffic off a dead gateway within OFF_WITHIN transactions, and back within BACK_WITHIN. */
const OFF_SHARE = 0.8;
const OFF_WITHIN = 50;
const BACK_WITHIN = 300;
const resultsDir = new URL('../results/', import.meta.url);
const chartDir = new URL('lab/', resultsDir);

interface SeedMetrics {
  first: number;
  final: number;
  regret_pp: number;
  expected_regret_pp: number;
  fee_per_approved: number;
  fees_total: number;
  net_shortfall_pct: number;
  attempts_per_tx: number;
  primary_share: number[];
  moves: Move[];
  /** Expected regret (pp) over the PHASE transactions after each change. */
  phase_regret: number[];
  /** Per change: share (%) of the tracked gateway's traffic moved off in the first OFF_WITHIN transactions. */
  moved_off: number[];
}

/** Transactions after a change over which its regret is measured. */
const PHASE = 1_000;

const pct = (x: number) => round(x * 100, 3);

function phaseRegret(r: RunResult, oracle: RunResult, at: number): number {
  const end = Math.min(r.transactions, at + PHASE);
  let sum = 0;
  for (let i = at; i < end; i++) sum += oracle.primaryP[i]! - r.primaryP[i]!;
  return pct(sum / (end - at));
}

/** `oracle` ranks by the first attempt (approval regret); `wholeOrder` by the whole order's expected net (net shortfall). */
function seedMetrics(r: RunResult, oracle: RunResult, wholeOrder: RunResult, moved: Move[], movedOff: number[]): SeedMetrics {
  const n = r.transactions;
  return {
    first: pct(r.firstApproved / n),
    final: pct(r.finalApproved / n),
    regret_pp: pct((oracle.firstApproved - r.firstApproved) / n),
    expected_regret_pp: pct((oracle.expectedFirst - r.expectedFirst) / n),
    fee_per_approved: round(r.fees / Math.max(1, r.finalApproved), 2),
    fees_total: Math.round(r.fees),
    net_shortfall_pct: pct((wholeOrder.net - r.net) / wholeOrder.net),
    attempts_per_tx: round(r.attempts / n, 4),
    primary_share: r.primaryCount.map((c) => round(c / n, 4)),
    moves: moved,
    phase_regret: moved.map((m) => phaseRegret(r, oracle, m.at)),
    moved_off: movedOff.map(pct),
  };
}

function policySummary(seeds: SeedMetrics[], elapsedMs: number) {
  const of = (f: (m: SeedMetrics) => number | null) => summary(seeds.map(f));
  const changeNames = seeds[0]!.moves.map((m) => m.change);
  return {
    first_attempt_approval_pct: of((m) => m.first),
    final_approval_pct: of((m) => m.final),
    regret_pp: of((m) => m.regret_pp),
    expected_regret_pp: of((m) => m.expected_regret_pp),
    fee_per_approved_minor: of((m) => m.fee_per_approved),
    fees_total_minor: of((m) => m.fees_total),
    net_shortfall_vs_oracle_pct: of((m) => m.net_shortfall_pct),
    attempts_per_tx: of((m) => m.attempts_per_tx),
    primary_share_seed1: seeds[0]!.primary_share,
    moves: Object.fromEntries(
      changeNames.map((name, k) => [name, { ...of((m) => m.moves[k]!.transactions), reference_share_seed1: seeds[0]!.moves[k]!.reference_share }]),
    ) as Record<string, Summary & { reference_share_seed1: number }>,
    regret_pp_after_change: Object.fromEntries(changeNames.map((name, k) => [name, of((m) => m.phase_regret[k]!)])) as Record<string, Summary>,
    moved_off_within_50_pct: Object.fromEntries(changeNames.map((name, k) => [name, of((m) => m.moved_off[k]!)])) as Record<string, Summary>,
    ms_per_run: round(elapsedMs / SEEDS.length, 1),
  };
}
type PolicySummary = ReturnType<typeof policySummary>;

async function runScenario(scenario: Scenario, index: number) {
  const schedules = feeSchedules(scenario.fees);
  const perPolicy = new Map<PolicyName, SeedMetrics[]>(POLICY_NAMES.map((p) => [p, []]));
  const series: Series[] = [];
  const timings = new Map<PolicyName, number>();
  const count = scenario.transactions ?? TRANSACTIONS;
  for (const seed of SEEDS) {
    const traffic = generateTraffic(count, seed * 1_000 + index, scenario.mix);
    const world = scenario.world(count, seed);
    const runs: RunResult[] = [];
    for (const p of POLICY_NAMES) runs.push(await run(p, world, traffic, schedules, seed));
    const oracle = runs.find((r) => r.policy === 'oracle')!;
    const wholeOrder = runs.find((r) => r.policy === 'oracle_order')!;
    const changes = scenario.changes(count);
    for (const r of runs) {
      const moved = scenario.track ? moves(r.primary, traffic.txs, scenario.track, changes) : [];
      const movedOff = scenario.track ? changes.map((c) => movedOffWithin(r.primary, traffic.txs, scenario.track!, c, OFF_WITHIN)) : [];
      perPolicy.get(r.policy)!.push(seedMetrics(r, oracle, wholeOrder, moved, movedOff));
      timings.set(r.policy, (timings.get(r.policy) ?? 0) + r.elapsedMs);
      // Charted scenarios have equal fees, where the whole-order oracle's line is the oracle's.
      if (!PARTIAL && seed === SEEDS[0] && scenario.track && CHARTED.has(scenario.name) && r.policy !== 'oracle_order') {
        series.push({ name: r.policy, values: shareSeries(r.primary, traffic.txs, scenario.track, BUCKETS).map((v) => round(v, 4)) });
      }
    }
  }
  let chart: string | null = null;
  if (series.length > 0 && scenario.track) {
    await mkdir(chartDir, { recursive: true });
    const file = `${scenario.name}${flags.quick ? '.quick' : ''}.svg`;
    const svg = lineChart({
      title: `${scenario.name}: ${scenario.track.label} (seed ${SEEDS[0]}, ${BUCKETS} buckets)`,
      yLabel: scenario.track.label,
      transactions: count,
      series,
      shade: scenario.shade,
      shadeLabel: scenario.name.endsWith('outage') ? 'gw_a down' : scenario.name === 'drift' ? 'drift' : undefined,
    } as Parameters<typeof lineChart>[0]);
    await writeFile(new URL(file, chartDir), svg);
    chart = `bench/results/lab/${file}`;
  }
  const policies = Object.fromEntries(POLICY_NAMES.map((p) => [p, policySummary(perPolicy.get(p)!, timings.get(p) ?? 0)])) as Record<PolicyName, PolicySummary>;
  return { scenario: scenario.name, description: scenario.description, stationary: scenario.stationary, judge: scenario.judge, transactions: count, chart, policies };
}

type ScenarioResult = Awaited<ReturnType<typeof runScenario>>;

/** Mean ± standard deviation over seeds. */
const fmt = (s: Summary, digits = 2) => (s.mean === null ? 'never' : `${s.mean.toFixed(digits)} ± ${s.sd!.toFixed(digits)}`);
/** Median [min–max] over seeds: transactions to move, where a seed may never move. */
const fmtInt = (s: Summary) => (s.median === null ? 'never' : `${Math.round(s.median)} [${s.min ?? '?'}–${s.max ?? 'never'}]`);

function scenarioText(r: ScenarioResult): string {
  const changeNames = Object.keys(r.policies.switchyard.moves);
  const header = [
    'policy',
    'first-attempt %',
    'final %',
    'regret pp',
    'fee/approved',
    'fees total',
    'net short %',
    'primary a/b/c %',
    ...changeNames.flatMap((c) => [`moved @${c}`, `off in ${OFF_WITHIN} @${c} %`, `regret pp next ${PHASE} @${c}`]),
  ];
  const rows = POLICY_NAMES.map((p) => {
    const m = r.policies[p];
    return [
      p,
      fmt(m.first_attempt_approval_pct),
      fmt(m.final_approval_pct),
      fmt(m.regret_pp),
      fmt(m.fee_per_approved_minor, 1),
      fmt(m.fees_total_minor, 0),
      fmt(m.net_shortfall_vs_oracle_pct),
      m.primary_share_seed1.map((x) => (x * 100).toFixed(0)).join('/'),
      ...changeNames.flatMap((c) => [fmtInt(m.moves[c]!), fmt(m.moved_off_within_50_pct[c]!, 0), fmt(m.regret_pp_after_change[c]!)]),
    ];
  });
  return [`## ${r.scenario} — ${r.description}${r.transactions === TRANSACTIONS ? '' : ` (${r.transactions.toLocaleString('en-US')} transactions)`}${r.chart ? `\nchart: ${r.chart}` : ''}`, table(header, rows)].join('\n');
}

/** Per seed, in the scenario's own terms: first-attempt approval %, or net short of the oracle % (negated: higher is better). */
function judged(r: ScenarioResult, p: PolicyName): number[] {
  const m = r.policies[p];
  return r.judge === 'approval' ? m.first_attempt_approval_pct.values.map((v) => v as number) : m.net_shortfall_vs_oracle_pct.values.map((v) => -(v as number));
}

function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd };
}

function targets(results: ScenarioResult[]) {
  const out: { target: string; scenario: string; met: boolean; detail: string }[] = [];
  for (const r of results) {
    const sy = r.policies.switchyard;
    const de = r.policies.decision_engine_sr;
    const ours = judged(r, 'switchyard');
    const peer = judged(r, 'decision_engine_sr');
    const segmented = judged(r, 'decision_engine_sr_segmented');
    const a = meanSd(ours);
    const b = meanSd(peer);
    const c = meanSd(segmented);
    const spread = Math.max(a.sd, b.sd);
    const wins = ours.filter((v, k) => v > peer[k]!).length;
    const what = r.judge === 'approval' ? 'first-attempt approval %' : 'net short of the whole-order oracle % (negated)';
    out.push({
      target: 'ahead of decision-engine SR v3 by more than the spread between seeds',
      scenario: r.scenario,
      met: a.mean - b.mean > spread,
      detail: `${what}: ${a.mean.toFixed(2)} ± ${a.sd.toFixed(2)} vs ${b.mean.toFixed(2)} ± ${b.sd.toFixed(2)} (margin ${(a.mean - b.mean).toFixed(2)}, spread ${spread.toFixed(2)}, wins ${wins}/${ours.length} seeds); segmented peer ${c.mean.toFixed(2)} ± ${c.sd.toFixed(2)}`,
    });
    if (r.stationary && r.judge === 'approval') {
      out.push({
        target: 'regret ≤ 0.5 pp when nothing changes',
        scenario: r.scenario,
        met: sy.regret_pp.mean! <= 0.5,
        detail: `regret against the first-attempt oracle ${fmt(sy.regret_pp)} pp; decision_engine_sr ${fmt(de.regret_pp)}, static ${fmt(r.policies.static.regret_pp)}`,
      });
    }
    if (r.stationary && r.judge === 'net') {
      const net = (p: PolicyName) => fmt(r.policies[p].net_shortfall_vs_oracle_pct);
      out.push({
        target: 'regret ≤ 0.5 pp when nothing changes',
        scenario: r.scenario,
        met: sy.net_shortfall_vs_oracle_pct.mean! <= 0.5,
        detail: `net short of the whole-order oracle ${net('switchyard')} %; decision_engine_sr ${net('decision_engine_sr')}, static ${net('static')}, first-attempt oracle ${net('oracle')} (first-attempt regret ${fmt(sy.regret_pp)} pp)`,
      });
    }
    if (r.scenario.endsWith('outage')) {
      const [down, up] = Object.keys(sy.moves);
      const off = sy.moved_off_within_50_pct[down!]!;
      out.push({
        target: `≥ ${OFF_SHARE * 100} % of traffic off within ${OFF_WITHIN} transactions`,
        scenario: r.scenario,
        met: off.min !== null && off.min >= OFF_SHARE * 100,
        detail: `moved off in the first ${OFF_WITHIN}: ${fmt(off, 1)} % (worst seed ${off.min?.toFixed(1)}); decision_engine_sr ${fmt(de.moved_off_within_50_pct[down!]!, 1)} %`,
      });
      if (up) {
        const back = sy.moves[up]!;
        out.push({
          target: `back in use within ${BACK_WITHIN} transactions of the recovery`,
          scenario: r.scenario,
          met: back.max !== null && back.max <= BACK_WITHIN,
          detail: `switchyard ${fmtInt(back)} (median [min–max]); decision_engine_sr ${fmtInt(de.moves[up]!)}`,
        });
      }
    }
  }
  return out;
}

const started = performance.now();
const results: ScenarioResult[] = [];
for (const [index, scenario] of SCENARIOS.entries()) {
  if (flags.scenarios !== null && !flags.scenarios.includes(scenario.name)) continue;
  results.push(await runScenario(scenario, index));
  if (!flags.json) process.stderr.write(`  ${scenario.name} done (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
const checked = targets(results);
const seconds = round((performance.now() - started) / 1000, 1);
const text = [
  `Routing lab: ${TRANSACTIONS.toLocaleString('en-US')} transactions per scenario (unless it says otherwise) × ${SEEDS.length} seeds; cells are mean ± standard deviation over seeds,`,
  'except moved @x: median [min–max] over seeds (a seed that never moved has no mean).',
  'first-attempt / final: approval % before and after failover (max 3 attempts, cascading only not_processed and soft declines).',
  'regret pp: oracle first-attempt approval − policy (same cards, same luck). fee/approved: minor units per approved payment.',
  'net short %: approved amount net of fees, short of oracle_order’s (the whole-order oracle: true rates and fees, the order of',
  'the whole cascade with the best expected net; the regret of scenarios judged on net). moved @x: transactions after x until the tracked gateway’s',
  'primary share over the trailing 50 crossed half its pre-change share (instant switch ≈ 25; see bench/lab/metrics.ts).',
  '',
  ...results.map(scenarioText).flatMap((t) => [t, '']),
  'Targets',
  table(['target', 'scenario', 'met', 'detail'], checked.map((c) => [c.target, c.scenario, c.met ? 'met' : 'NOT MET', c.detail])),
  '',
  `${seconds} s in all`,
].join('\n');

await report(PARTIAL ? 'lab.partial' : 'lab', flags, text, {
  transactions_per_scenario: TRANSACTIONS,
  seeds: SEEDS,
  seconds,
  definitions: {
    regret_pp: 'oracle (ranks by the first attempt’s expected value) first-attempt approval rate minus the policy’s, in percentage points, on identical transactions and random draws',
    expected_regret_pp: 'the same on the true approval probability of the chosen primary (noise-free)',
    primary_share_seed1: 'share of transactions whose first attempt went to gw_a, gw_b, gw_c (first seed)',
    regret_pp_after_change: `expected regret (true approval probability of the oracle’s primary minus the policy’s) over the ${PHASE} transactions after the change`,
    moves:
      'transactions after the change until the tracked gateway’s primary share over the trailing 50 transactions (which may include pre-change ones) crosses half its share over the 10 % of the run before the reference point; null = never before the next change',
    moved_off_within_50_pct: `per change: share (%) of the tracked gateway’s reference primary share that went elsewhere over the first ${OFF_WITHIN} transactions after it, 1 − share(first ${OFF_WITHIN}) / share(reference)`,
    judge: 'what a scenario compares with the peer and its regret target is on: first-attempt approval against the oracle, or (fees differing) net after fees short of oracle_order',
    oracle_order: 'the whole-order oracle: per transaction, of every order of the gateways the one with the highest expected net after fees over up to 3 attempts with failover, from the true rates, outages and fees',
    fee_per_approved_minor: 'fees paid (minor units, currencies summed as is) per approved payment',
    net_shortfall_vs_oracle_pct: '(oracle_order net − policy net) / oracle_order net, net = approved amounts minus fees',
  },
  scenarios: results,
  targets: checked,
});
