import { availableParallelism } from 'node:os';
import { median, table } from '../lib/report.js';
import type { Measurement, Plan } from './schedule.js';
import { TARGET_LABELS, type TargetName } from './targets.js';

export interface ConfigSummary {
  target: TargetName;
  simulator_latency_ms: number;
  connections: number;
  repetitions: number;
  /** Medians over the repetitions. */
  rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  /** Sums over the repetitions. */
  requests: number;
  created: number;
  non2xx: number;
  errors: number;
  not_succeeded: number;
  ledger_mismatches: { repetition: number; created: number; charges: number }[];
  rss_peak_mib: number;
  rss_median_mib: number;
  /** The target process's CPU per payment, ms (median over the repetitions). */
  cpu_ms_per_payment: number;
  /** Per payment, ms (medians): the Stripe simulator, the bench process driving autocannon, every PostgreSQL process, the whole machine. */
  simulator_cpu_ms_per_payment: number;
  driver_cpu_ms_per_payment: number;
  postgres_cpu_ms_per_payment: number;
  machine_cpu_ms_per_payment: number;
  /** Switchyard on PostgreSQL only: statements and commits it sent per payment (medians), counted by the router process. */
  statements_per_payment: number | null;
  commits_per_payment: number | null;
  /** The lookup cache's reads per payment (left out of the two above; median). */
  lookup_reads_per_payment: number | null;
  /** The batched event hints (NOTIFY outside a transaction) per payment (left out of the two above; median). */
  notifies_per_payment: number | null;
  /** Switchyard only: over (a) direct at the same latency and concurrency, and against (b). */
  added_p50_ms: number | null;
  added_p99_ms: number | null;
  fraction_of_ceiling: number | null;
  samples: string[];
}

export interface Check {
  target: string;
  actual: string;
  met: boolean;
}

export function summarize(measurements: readonly Measurement[]): ConfigSummary[] {
  const base = measurements.map((m): ConfigSummary => {
    const reps = m.repetitions;
    const sum = (pick: (r: (typeof reps)[number]) => number) => reps.reduce((total, r) => total + pick(r), 0);
    return {
      target: m.target,
      simulator_latency_ms: m.simulatorLatencyMs,
      connections: m.connections,
      repetitions: reps.length,
      rps: median(reps.map((r) => r.rps)),
      p50_ms: median(reps.map((r) => r.p50)),
      p95_ms: median(reps.map((r) => r.p95)),
      p99_ms: median(reps.map((r) => r.p99)),
      requests: sum((r) => r.requests),
      created: sum((r) => r.created),
      non2xx: sum((r) => r.non2xx),
      errors: sum((r) => r.errors),
      not_succeeded: sum((r) => r.notSucceeded),
      ledger_mismatches: reps.flatMap((r, i) => (r.created === r.charges ? [] : [{ repetition: i + 1, created: r.created, charges: r.charges }])),
      rss_peak_mib: Math.max(...reps.map((r) => r.rssPeakMiB)),
      rss_median_mib: median(reps.map((r) => r.rssMedianMiB)),
      cpu_ms_per_payment: median(reps.map((r) => r.cpuMsPerPayment)),
      simulator_cpu_ms_per_payment: median(reps.map((r) => r.simulatorCpuMsPerPayment)),
      driver_cpu_ms_per_payment: median(reps.map((r) => r.driverCpuMsPerPayment)),
      postgres_cpu_ms_per_payment: median(reps.map((r) => r.postgresCpuMsPerPayment)),
      machine_cpu_ms_per_payment: median(reps.map((r) => r.machineCpuMsPerPayment)),
      statements_per_payment: medianOrNull(reps.map((r) => r.statementsPerPayment)),
      commits_per_payment: medianOrNull(reps.map((r) => r.commitsPerPayment)),
      lookup_reads_per_payment: medianOrNull(reps.map((r) => r.lookupReadsPerPayment)),
      notifies_per_payment: medianOrNull(reps.map((r) => r.notifiesPerPayment)),
      added_p50_ms: null,
      added_p99_ms: null,
      fraction_of_ceiling: null,
      samples: reps.flatMap((r) => r.samples).slice(0, 5),
    };
  });
  const find = (target: TargetName, like: ConfigSummary) =>
    base.find((s) => s.target === target && s.simulator_latency_ms === like.simulator_latency_ms && s.connections === like.connections);
  for (const s of base) {
    if (s.target !== 'pglite' && s.target !== 'postgres') continue;
    const direct = find('direct', s);
    const ceiling = find('ceiling', s);
    if (direct) {
      s.added_p50_ms = s.p50_ms - direct.p50_ms;
      s.added_p99_ms = s.p99_ms - direct.p99_ms;
    }
    if (ceiling) s.fraction_of_ceiling = s.rps / ceiling.rps;
  }
  return base;
}

/** The targets of the brief, evaluated on what was measured: met or not, with the numbers. */
export function checks(summaries: readonly ConfigSummary[], plan: Plan): Check[] {
  const at = (target: TargetName, latency: number, connections?: number) =>
    summaries.filter((s) => s.target === target && s.simulator_latency_ms === latency && (connections === undefined || s.connections === connections));
  const best = (rows: ConfigSummary[]) => rows.reduce<ConfigSummary | undefined>((b, s) => (!b || s.rps > b.rps ? s : b), undefined);
  const out: Check[] = [];
  const pg = best(at('postgres', 0));
  const ceiling = best(at('ceiling', 0));
  if (pg) out.push({ target: 'Switchyard on PostgreSQL >= 2,500 payments/s (0 ms simulator, best concurrency)', actual: `${pg.rps.toFixed(0)}/s at c=${pg.connections}`, met: pg.rps >= 2500 });
  if (pg && ceiling) {
    const fraction = pg.rps / ceiling.rps;
    out.push({
      target: 'Switchyard on PostgreSQL >= 50 % of the bare proxy (0 ms, each at its best concurrency)',
      actual: `${(fraction * 100).toFixed(0)} % (${pg.rps.toFixed(0)} vs ${ceiling.rps.toFixed(0)}/s at c=${ceiling.connections})`,
      met: fraction >= 0.5,
    });
  }
  const c = plan.concurrencies.includes(32) ? 32 : plan.concurrencies[plan.concurrencies.length - 1]!;
  out.push(...hotPathChecks(at, c));
  for (const latency of plan.simulatorLatenciesMs) {
    for (const target of ['postgres', 'pglite'] as const) {
      const row = at(target, latency, c)[0];
      if (!row || row.added_p50_ms === null || row.added_p99_ms === null) continue;
      const name = target === 'postgres' ? 'PostgreSQL' : 'PGlite';
      out.push({ target: `${name}: added p50 over direct <= 1 ms (c=${c}, ${latency} ms simulator)`, actual: `${row.added_p50_ms.toFixed(2)} ms`, met: row.added_p50_ms <= 1 });
      out.push({ target: `${name}: added p99 over direct <= 5 ms (c=${c}, ${latency} ms simulator)`, actual: `${row.added_p99_ms.toFixed(2)} ms`, met: row.added_p99_ms <= 5 });
    }
  }
  return out;
}

/**
 * Issue 11's targets: throughput against (a) direct at c=32 and the added p50 at c=1 (0 ms
 * simulator), and what one payment costs the router on PostgreSQL, counted over the c=32 runs.
 */
function hotPathChecks(at: (target: TargetName, latency: number, connections?: number) => ConfigSummary[], c: number): Check[] {
  const out: Check[] = [];
  const direct = at('direct', 0, c)[0];
  const pg = at('postgres', 0, c)[0];
  const pglite = at('pglite', 0, c)[0];
  const ratio = (row: ConfigSummary, min: number, name: string) => {
    const fraction = row.rps / direct!.rps;
    out.push({
      target: `${name} >= ${min * 100} % of (a) direct's throughput (c=${c}, 0 ms simulator)`,
      actual: `${(fraction * 100).toFixed(0)} % (${row.rps.toFixed(0)} vs ${direct!.rps.toFixed(0)}/s)`,
      met: fraction >= min,
    });
  };
  if (direct && pg) ratio(pg, 0.5, 'PostgreSQL');
  if (direct && pglite) ratio(pglite, 0.25, 'PGlite');
  const single = at('postgres', 0, 1)[0];
  if (single?.added_p50_ms != null) {
    out.push({ target: 'PostgreSQL: added p50 over direct <= 2 ms (c=1, 0 ms simulator)', actual: `${single.added_p50_ms.toFixed(2)} ms`, met: single.added_p50_ms <= 2 });
  }
  if (pg) {
    if (pg.statements_per_payment !== null) {
      out.push({ target: `PostgreSQL: <= 4 SQL statements per payment (counted, c=${c})`, actual: pg.statements_per_payment.toFixed(2), met: pg.statements_per_payment <= 4 });
    }
    if (pg.commits_per_payment !== null) {
      out.push({ target: `PostgreSQL: <= 2 commits per payment (counted, c=${c})`, actual: pg.commits_per_payment.toFixed(2), met: pg.commits_per_payment <= 2 });
    }
    out.push({ target: `PostgreSQL: router CPU <= 3 ms per payment (/proc, c=${c})`, actual: `${pg.cpu_ms_per_payment.toFixed(2)} ms`, met: pg.cpu_ms_per_payment <= 3 });
  }
  return out;
}

export function render(summaries: readonly ConfigSummary[], checked: readonly Check[], plan: Plan, notes: readonly string[]): string {
  const header = ['sim', 'conc', 'target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'errors', '+p50 ms', '+p99 ms', '% of (b)', 'CPU ms/pay', 'stmts/pay', 'commits/pay', 'cache reads/pay', 'hints/pay', 'RSS peak MiB', 'RSS med MiB', 'ledger'];
  const rows = summaries.map((s) => [
    `${s.simulator_latency_ms} ms`,
    s.connections,
    TARGET_LABELS[s.target],
    Math.round(s.rps),
    s.p50_ms,
    s.p95_ms,
    s.p99_ms,
    s.non2xx,
    s.errors,
    s.added_p50_ms ?? '',
    s.added_p99_ms ?? '',
    s.fraction_of_ceiling === null ? '' : `${(s.fraction_of_ceiling * 100).toFixed(0)} %`,
    s.cpu_ms_per_payment,
    s.statements_per_payment ?? '',
    s.commits_per_payment ?? '',
    s.lookup_reads_per_payment ?? '',
    s.notifies_per_payment ?? '',
    s.rss_peak_mib,
    s.rss_median_mib,
    ledgerCell(s),
  ]);
  const problems = summaries.filter((s) => ledgerCell(s) !== 'ok');
  const lines = [
    `Load: POST /v1/payments, 1999 USD, automatic capture, a new approved Visa card and Idempotency-Key per request.`,
    `Medians of ${plan.repetitions} run(s) of about ${plan.runSeconds} s per configuration (after a ${plan.warmupSeconds} s warm-up); latency is per response, as autocannon saw it.`,
    '',
    table(header, rows),
    '',
    '+p50/+p99: Switchyard minus (a) at the same simulator latency and concurrency. % of (b): throughput over the bare proxy\'s.',
    'CPU ms/pay: the target process\'s user + system CPU (/proc/<pid>/stat) over the run, per 201. stmts/pay, commits/pay: what the',
    '    PostgreSQL router sent (postgres.js debug hook; BEGIN/COMMIT not counted as statements; a statement outside a transaction',
    '    counts as a commit), per 201. cache reads/pay: the API-key and gateway-account cache\'s reads (one statement and one commit',
    '    each, when an entry is first needed or dropped by a change), counted apart and left out of stmts/pay and commits/pay.',
    '    hints/pay: the NOTIFYs that tell the live streams events were committed (one per 5 ms batch, outside any transaction), likewise apart.',
    'RSS: the target process (sampled every 100 ms from /proc/<pid>/status during the measured runs): the highest sample and the median of the runs\' medians.',
    ...notes,
    '',
    'Where the machine\'s CPU went, ms per payment (/proc, medians; "other" = the machine\'s busy time not in the four):',
    '',
    table(
      ['sim', 'conc', 'target', 'target', 'simulator', 'bench', 'PostgreSQL', 'other', 'machine'],
      summaries.map((s) => {
        const known = s.cpu_ms_per_payment + s.simulator_cpu_ms_per_payment + s.driver_cpu_ms_per_payment + s.postgres_cpu_ms_per_payment;
        return [`${s.simulator_latency_ms} ms`, s.connections, TARGET_LABELS[s.target], s.cpu_ms_per_payment, s.simulator_cpu_ms_per_payment, s.driver_cpu_ms_per_payment, s.postgres_cpu_ms_per_payment, s.machine_cpu_ms_per_payment - known, s.machine_cpu_ms_per_payment];
      }),
    ),
    ...budget(summaries, plan),
    '',
    'Targets:',
    ...checked.map((c) => `  [${c.met ? 'MET' : 'NOT MET'}] ${c.target}: ${c.actual}`),
  ];
  if (problems.length > 0) {
    lines.push('', '!!! CORRECTNESS PROBLEMS UNDER LOAD !!!');
    for (const s of problems) {
      lines.push(`  ${TARGET_LABELS[s.target]} at ${s.simulator_latency_ms} ms, c=${s.connections}: ${ledgerCell(s)}`);
      for (const m of s.ledger_mismatches) lines.push(`    run ${m.repetition}: ${m.created} answered 201 but the simulator charged ${m.charges}`);
      for (const sample of s.samples) lines.push(`    e.g. ${sample}`);
    }
  }
  return lines.join('\n');
}

/**
 * What the throughput targets leave the router at c=32, 0 ms, when the machine's cores are the
 * limit (every process shares them): a share f of (a)'s rate means at most (a)'s machine CPU per
 * payment divided by f, of which the simulator, the bench and PostgreSQL take their measured part.
 * PGlite runs inside the router's process, so its line leaves the router and its database together.
 */
function budget(summaries: readonly ConfigSummary[], plan: Plan): string[] {
  const c = plan.concurrencies.includes(32) ? 32 : plan.concurrencies[plan.concurrencies.length - 1]!;
  const row = (target: TargetName) => summaries.find((s) => s.target === target && s.simulator_latency_ms === 0 && s.connections === c);
  const direct = row('direct');
  if (!direct) return [];
  const cores = availableParallelism();
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const lines = [
    '',
    `CPU budget (c=${c}, 0 ms simulator, ${cores} cores shared by every process): (a) direct spent ${ms(direct.machine_cpu_ms_per_payment)} of machine CPU per payment`,
    `    (${cores} cores / that = ${Math.round((cores * 1000) / direct.machine_cpu_ms_per_payment)}/s; it ran at ${Math.round(direct.rps)}/s).`,
  ];
  for (const [target, share, name, left] of [
    ['postgres', 0.5, 'Switchyard on PostgreSQL', 'the router'],
    ['pglite', 0.25, 'Switchyard on PGlite', 'the router and PGlite'],
  ] as const) {
    const s = row(target);
    if (!s) continue;
    const allowed = direct.machine_cpu_ms_per_payment / share;
    const rest = s.machine_cpu_ms_per_payment - s.cpu_ms_per_payment;
    const other = rest - s.postgres_cpu_ms_per_payment - s.simulator_cpu_ms_per_payment - s.driver_cpu_ms_per_payment;
    lines.push(
      `  ${share * 100} % of its rate allows ${ms(allowed)} per payment in all. ${name} spent ${ms(s.machine_cpu_ms_per_payment)}: ${target === 'postgres' ? `PostgreSQL ${ms(s.postgres_cpu_ms_per_payment)}, ` : ''}simulator ${ms(s.simulator_cpu_ms_per_payment)},`,
      `    bench ${ms(s.driver_cpu_ms_per_payment)}, other ${ms(other)}, ${left} ${ms(s.cpu_ms_per_payment)}. Left for ${left} by that budget after the rest: ${ms(allowed - rest)}.`,
    );
  }
  return lines;
}

function medianOrNull(values: readonly (number | null)[]): number | null {
  const counted = values.filter((v): v is number => v !== null);
  return counted.length ? median(counted) : null;
}

function ledgerCell(s: ConfigSummary): string {
  const faults: string[] = [];
  if (s.non2xx > 0) faults.push(`${s.non2xx} non-2xx`);
  if (s.errors > 0) faults.push(`${s.errors} errors`);
  if (s.not_succeeded > 0) faults.push(`${s.not_succeeded} not succeeded`);
  if (s.ledger_mismatches.length > 0) faults.push(`${s.ledger_mismatches.length} ledger MISMATCH`);
  return faults.length ? faults.join(', ') : 'ok';
}
