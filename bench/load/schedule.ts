import { median, percentile } from '../lib/report.js';
import { runLoad, type LoadRun } from './load.js';
import { machineBusyMs, ownCpuMs, postgresCpuMs, processCpuMs } from './process-cpu.js';
import type { StatementCounts } from './statement-counter.js';
import type { Stack, Target, TargetName } from './targets.js';

export interface Plan {
  simulatorLatenciesMs: number[];
  concurrencies: number[];
  repetitions: number;
  /** How long each measured run should last, seconds (its request count is sized from the last throughput seen). */
  runSeconds: number;
  warmupSeconds: number;
}

export interface Repetition {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  created: number;
  notSucceeded: number;
  non2xx: number;
  errors: number;
  /** `ledger.charges()` after the run (the ledger is reset before it). */
  charges: number;
  rssPeakMiB: number;
  rssMedianMiB: number;
  seconds: number;
  /** The target process's CPU time (user + system) over the run, per 201 answer, ms. */
  cpuMsPerPayment: number;
  /** The same for the Stripe simulator, the bench itself (autocannon), every PostgreSQL process, and the whole machine. */
  simulatorCpuMsPerPayment: number;
  driverCpuMsPerPayment: number;
  postgresCpuMsPerPayment: number;
  machineCpuMsPerPayment: number;
  /** The router's statements and commits over the run, per 201 answer, the lookup cache's reads left out (null where not counted: PGlite, the other targets). */
  statementsPerPayment: number | null;
  commitsPerPayment: number | null;
  /** The lookup cache's reads over the run (each one statement and one commit), per 201 answer. */
  lookupReadsPerPayment: number | null;
  /** Notifications sent outside a transaction (each one statement and one commit: the batched event hints), per 201 answer. */
  notifiesPerPayment: number | null;
  samples: string[];
}

export interface Measurement {
  target: TargetName;
  simulatorLatencyMs: number;
  connections: number;
  repetitions: Repetition[];
}

/** Every target at every latency and concurrency, repeated; targets take turns so noise spreads over all of them. */
export async function measureAll(stack: Stack, plan: Plan, log: (line: string) => void): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const latencyMs of plan.simulatorLatenciesMs) {
    await stack.simulator.setLatency(latencyMs);
    for (const connections of plan.concurrencies) {
      const rate = new Map<TargetName, number>();
      const byTarget = new Map<TargetName, Measurement>();
      for (const target of stack.targets) {
        const warm = await runLoad({ url: target.url, apiKey: stack.apiKey, pid: target.pid, connections, duration: plan.warmupSeconds });
        rate.set(target.name, warm.created / warm.seconds);
        byTarget.set(target.name, { target: target.name, simulatorLatencyMs: latencyMs, connections, repetitions: [] });
        await settle(stack);
      }
      for (let rep = 0; rep < plan.repetitions; rep++) {
        const order = rotate(stack.targets, rep);
        for (const target of order) {
          const amount = Math.max(connections * 3, Math.round((rate.get(target.name) || 1) * plan.runSeconds));
          const repetition = await measureOnce(stack, target, connections, amount);
          rate.set(target.name, repetition.rps);
          byTarget.get(target.name)!.repetitions.push(repetition);
          log(
            `sim ${latencyMs} ms, c=${connections}, ${target.name.padEnd(8)} rep ${rep + 1}: ${repetition.rps.toFixed(0)} req/s, ` +
              `p50 ${repetition.p50.toFixed(2)} p99 ${repetition.p99.toFixed(2)} ms, ${repetition.created}/${repetition.requests} created, ${repetition.charges} charges`,
          );
        }
      }
      measurements.push(...byTarget.values());
    }
  }
  return measurements;
}

async function measureOnce(stack: Stack, target: Target, connections: number, amount: number): Promise<Repetition> {
  await stack.simulator.reset();
  const countsBefore = await counts(target);
  const cpu = () => [processCpuMs(target.pid), processCpuMs(stack.simulator.pid), ownCpuMs(), postgresCpuMs(), machineBusyMs()];
  const cpuBefore = cpu();
  const run: LoadRun = await runLoad({ url: target.url, apiKey: stack.apiKey, pid: target.pid, connections, amount });
  const [cpuMs, simulatorMs, driverMs, postgresMs, machineMs] = cpu().map((after, i) => after - cpuBefore[i]!) as [number, number, number, number, number];
  const perCreated = (ms: number) => (run.created > 0 ? ms / run.created : NaN);
  const countsAfter = await counts(target);
  // Every answer is in when an `amount` run ends, so the ledger is final.
  const charges = await stack.simulator.charges();
  const perPayment = (pick: (c: StatementCounts) => number) =>
    countsBefore && countsAfter && run.created > 0 ? (pick(countsAfter) - pick(countsBefore)) / run.created : null;
  const latencies = run.latencies.length ? run.latencies : [NaN];
  return {
    rps: run.created / run.seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    requests: run.responses,
    created: run.created,
    notSucceeded: run.notSucceeded,
    non2xx: run.non2xx,
    errors: run.errors,
    charges,
    rssPeakMiB: run.rssMiB.length ? Math.max(...run.rssMiB) : NaN,
    rssMedianMiB: run.rssMiB.length ? median(run.rssMiB) : NaN,
    seconds: run.seconds,
    cpuMsPerPayment: perCreated(cpuMs),
    simulatorCpuMsPerPayment: perCreated(simulatorMs),
    driverCpuMsPerPayment: perCreated(driverMs),
    postgresCpuMsPerPayment: perCreated(postgresMs),
    machineCpuMsPerPayment: perCreated(machineMs),
    statementsPerPayment: perPayment((c) => c.statements - c.lookupReads),
    commitsPerPayment: perPayment((c) => c.commits - c.lookupReads),
    lookupReadsPerPayment: perPayment((c) => c.lookupReads),
    notifiesPerPayment: perPayment((c) => c.notifies),
    samples: run.samples,
  };
}

/** The router's counters, where it counts (PostgreSQL). */
async function counts(target: Target): Promise<StatementCounts | null> {
  if (!target.counters) return null;
  const response = await fetch(target.counters);
  const body = (await response.json()) as Partial<StatementCounts>;
  return typeof body.statements === 'number' && typeof body.commits === 'number' && typeof body.lookupReads === 'number' && typeof body.notifies === 'number'
    ? { statements: body.statements, commits: body.commits, lookupReads: body.lookupReads, notifies: body.notifies }
    : null;
}

/** After a timed warm-up, answers still in flight finish: wait until the ledger stops moving. */
async function settle(stack: Stack): Promise<void> {
  let last = await stack.simulator.charges();
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const now = await stack.simulator.charges();
    if (now === last) return;
    last = now;
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
