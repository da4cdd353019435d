import { table } from '../lib/report.js';
import type { ActivationResult } from './activation.js';
import { ledgerClean, type LedgerCheck } from './ledger.js';
import type { OutageResult } from './outage.js';

export interface Plan {
  instances: number[];
  /** Payments per instance before measuring: JIT, pools and learners warm up. */
  warmup: number;
  /** Payments per instance measured for CPU and throughput. */
  payments: number;
  /** Requests in flight per instance: each instance carries the same load whatever N. */
  concurrency: number;
}

export interface RunResult {
  instances: number;
  payments: number;
  seconds: number;
  payments_per_second: number;
  /** Measured payments each instance served (the balancer's count). */
  served: number[];
  /** Each instance's CPU with no traffic, watched just before the measured payments. */
  idle_cpu_ms_per_second: number[];
  /** Each instance's CPU over the measured payments, per payment it served. */
  cpu_ms_per_payment: number[];
  cpu_ms_per_payment_median: number;
  /** The same less the idle rate over the run's duration: what the payments themselves cost. */
  payment_cpu_ms: number[];
  payment_cpu_ms_median: number;
  ledger: LedgerCheck;
}

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
  /** A correctness check fails the run; a measurement only reports (CPU figures move with whatever else the machine runs). */
  correctness: boolean;
}

/** An activation must reach every instance within this. */
const ACTIVATION_MS = 1_000;
/** CPU per payment per instance at the largest N, against one instance: room for measurement noise, not for growth. */
const CPU_GROWTH = 1.25;

export function checks(runs: readonly RunResult[], activation: readonly ActivationResult[], outage: OutageResult | null): Check[] {
  const out: Check[] = [];
  const dirty = runs.filter((run) => !ledgerClean(run.ledger));
  out.push({
    name: 'ledgers correct',
    pass: runs.length > 0 && dirty.length === 0,
    correctness: true,
    detail: dirty.length === 0 ? `every payment's status matches the simulators' charges, none charged twice, at N = ${runs.map((r) => r.instances).join(', ')}` : `problems at N = ${dirty.map((r) => r.instances).join(', ')}`,
  });
  const slowest = activation.map((a) => a.max_ms);
  out.push({
    name: `activation visible on all instances within ${ACTIVATION_MS} ms`,
    pass: activation.length > 0 && slowest.every((ms) => ms !== null && ms <= ACTIVATION_MS),
    correctness: true,
    detail: activation.length > 0 ? `slowest instance after ${slowest.map((ms) => (ms === null ? 'never' : `${ms} ms`)).join(' and ')} (two activations)` : 'not run',
  });
  if (outage) {
    const within = (values: readonly (number | null)[]) => values.every((ms) => ms !== null && ms <= ACTIVATION_MS);
    const show = (values: readonly (number | null)[]) => values.map((ms) => (ms === null ? 'never' : `${ms} ms`)).join(', ');
    const learnedEverywhere = outage.views.every((view) => view.success_rate_after < view.success_rate_before);
    const movedEverywhere = outage.views.every((view) => view.dead_first === 0) && outage.after.dead_first === 0;
    out.push({
      name: 'outage learned on one instance moves traffic on all',
      pass: within(outage.estimate_agreed_after_ms) && within(outage.breaker_seen_after_ms) && learnedEverywhere && movedEverywhere,
      correctness: true,
      detail:
        `the others' ${outage.dead_gateway} estimate agreed with instance 1's after ${show(outage.estimate_agreed_after_ms)}, its breaker open on them after ${show(outage.breaker_seen_after_ms)}; ` +
        `estimate ${outage.views.map((v) => `${v.success_rate_before.toFixed(2)}→${v.success_rate_after.toFixed(2)}`).join(', ')}; ` +
        `decisions with it first ${outage.views.map((v) => `${v.dead_first}/${v.decisions}`).join(', ')}; balancer payments with it first ${outage.after.dead_first}/${outage.after.payments}`,
    });
  } else {
    out.push({ name: 'outage learned on one instance moves traffic on all', pass: false, correctness: true, detail: 'not run (needs N ≥ 2)' });
  }
  const single = runs.find((run) => run.instances === 1);
  const largest = runs[runs.length - 1];
  const ratio = single && largest ? largest.payment_cpu_ms_median / single.payment_cpu_ms_median : Number.NaN;
  out.push({
    name: `CPU per payment per instance does not grow with N (≤ ${CPU_GROWTH}× N=1)`,
    pass: ratio <= CPU_GROWTH,
    correctness: false,
    detail: `${runs.map((run) => `N=${run.instances}: ${run.payment_cpu_ms_median.toFixed(2)} ms`).join(', ')} (less idle); N=${largest?.instances ?? '?'}/N=1 = ${ratio.toFixed(2)}`,
  });
  return out;
}

export function render(plan: Plan, runs: readonly RunResult[], activation: readonly ActivationResult[], outage: OutageResult | null, checked: readonly Check[]): string {
  const lines = [
    `bench:cluster: ${plan.payments} measured payments per instance (after ${plan.warmup} each to warm up), ${plan.concurrency} in flight per instance, through a round-robin balancer; two Stripe simulator processes as gateways stripe_a and stripe_b; one PostgreSQL.`,
    '',
    table(
      ['N', 'payments/s', 'CPU ms/payment', 'less idle', 'per instance, less idle', 'idle ms/s per instance', 'served per instance', 'ledger'],
      runs.map((run) => [
        run.instances,
        run.payments_per_second,
        run.cpu_ms_per_payment_median,
        run.payment_cpu_ms_median,
        run.payment_cpu_ms.map((v) => v.toFixed(2)).join(' / '),
        run.idle_cpu_ms_per_second.map((v) => v.toFixed(0)).join(' / '),
        run.served.join(' / '),
        ledgerClean(run.ledger) ? `ok (${run.ledger.payments} payments, ${run.ledger.charges} charges)` : `PROBLEM ${JSON.stringify({ ...run.ledger, examples: undefined })}`,
      ]),
    ),
    '',
    'CPU: utime+stime of each router process (/proc/<pid>/stat) over the measured payments, divided by the payments the balancer sent it (median of the',
    'instances); "less idle" first takes off what the instance used per second with no traffic (watched for 2 s just before), times the run\'s duration.',
    'All processes (routers, simulators, PostgreSQL, balancer and load) share this machine\'s cores: payments/s does not scale with N here; CPU per payment is the figure that must not grow.',
  ];
  for (const a of activation) lines.push(`activation of v${a.version} through instance 1: decided with on each instance after ${a.visible_after_ms.map((ms) => (ms === null ? 'never' : `${ms} ms`)).join(', ')}`);
  if (outage) {
    lines.push(
      `outage of ${outage.dead_gateway}: instance 1 alone learned it in ${outage.payments_to_learn} payments routed by its rules, and opened its breaker after ${outage.payments_to_open} more sent to it first;`,
      '  per instance at the end (breaker, estimate before→after, decisions with it first):',
    );
    for (const [i, view] of outage.views.entries()) lines.push(`  instance ${i + 1}: ${view.breaker}, ${view.success_rate_before.toFixed(3)}→${view.success_rate_after.toFixed(3)}, ${view.dead_first}/${view.decisions}`);
  }
  for (const run of runs) for (const example of run.ledger.examples) lines.push(`  N=${run.instances}: ${example}`);
  lines.push('');
  for (const check of checked) lines.push(`${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}${check.correctness ? '' : ' (a measurement: reported, does not fail the run)'}`);
  return lines.join('\n');
}
